"""What a delivery sends: the compact, key-sorted JSON body and the headers that go with it.

The body is the event's public shape (``id``, ``type``, ``time``, ``project_id``, ``actor``,
``data``); it is rebuilt from the immutable event row on every try, so every try of a delivery
sends the same bytes. Headers name the event type, the event, the delivery (also sent as
``Idempotency-Key``: receivers drop a delivery id they have already processed) and the try
number, and carry the signature over the exact body bytes.
"""

from __future__ import annotations

import json
from uuid import UUID

from agenta.core.events.messages import event_message
from agenta.core.events.models import Event
from agenta.core.webhooks.signing import SIGNATURE_HEADER, signature_header

USER_AGENT = "Agenta-Webhook/1.0"


def delivery_body(event: Event) -> bytes:
    """The body of every try of a delivery of ``event``."""
    return json.dumps(
        event_message(event), separators=(",", ":"), sort_keys=True, ensure_ascii=False
    ).encode()


def delivery_headers(
    *, secret: str, body: bytes, event: Event, delivery_id: UUID, attempt: int
) -> dict[str, str]:
    """The headers of one try, signed now."""
    return {
        "User-Agent": USER_AGENT,
        "X-Agenta-Event-Type": event.event_type,
        "X-Agenta-Event-Id": str(event.id),
        "X-Agenta-Delivery-Id": str(delivery_id),
        "X-Agenta-Delivery-Attempt": str(attempt),
        "Idempotency-Key": str(delivery_id),
        SIGNATURE_HEADER: signature_header(secret, body),
    }
