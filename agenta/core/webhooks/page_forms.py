"""Reading the webhook form of the pages into a ``SubscriptionInput``."""

from __future__ import annotations

from typing import Any

from litestar import Request

from agenta.core.webhooks.subscriptions import SubscriptionInput
from agenta.errors import AppError


async def subscription_form(request: Request[Any, Any, Any]) -> SubscriptionInput:
    """The submitted subscription (an empty number of tries means the deployment's default); a
    non-numeric number of tries is a 422 naming the field."""
    form = await request.form()
    raw_attempts = str(form.get("max_attempts") or "").strip()
    if raw_attempts and not raw_attempts.isdigit():
        raise AppError(
            f"Invalid webhook: max_attempts: {raw_attempts!r} is not a whole number",
            status_code=422,
        )
    return SubscriptionInput(
        name=str(form.get("name") or ""),
        url=str(form.get("url") or ""),
        event_types=[str(value) for value in form.getall("event_types", [])],
        application_id=str(form.get("application_id") or "") or None,
        environment=str(form.get("environment") or "") or None,
        active=form.get("active") is not None,
        max_attempts=int(raw_attempts) if raw_attempts else None,
    )


def form_values(data: SubscriptionInput | None) -> dict[str, Any]:
    """What the form shows: the values just submitted, or a new subscription's defaults."""
    if data is None:
        data = SubscriptionInput(name="", url="")
    return {
        "name": data.name,
        "url": data.url,
        "event_types": list(data.event_types),
        "application_id": data.application_id or "",
        "environment": data.environment or "",
        "active": data.active,
        "max_attempts": "" if data.max_attempts is None else data.max_attempts,
    }
