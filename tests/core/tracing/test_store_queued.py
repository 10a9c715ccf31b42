"""The consumer's path: queued rows stored as they are, or merged when a trace is split."""

from __future__ import annotations

import copy
import uuid

from agenta.core.tracing.messages import decode_message, encode_message
from agenta.core.tracing.span import Span, span_to_dict
from agenta.core.tracing.store import store_queued, write_spans
from agenta.platform import Platform
from tests.core.tracing.storage_support import cumulative, llm_trace, span_count, stored_spans
from tests.support.accounts import Persona


def queued(project_id: uuid.UUID, *groups: list[Span]) -> list[list]:
    return [decode_message(encode_message(project_id, spans)).rows for spans in groups]


async def test_a_complete_trace_is_stored_exactly_as_write_spans_stores_it(
    platform: Platform, owner: Persona, outsider: Persona
) -> None:
    attributes = {
        "ag.data.inputs.city": "東京 — «quoted» \\ \t tab",
        "ag.refs.application.slug": "geo",
    }
    spans = llm_trace(children=2, root_attributes=attributes)
    twin = copy.deepcopy(spans)
    async with platform.db.session() as session:
        await store_queued(session, owner.project_id, queued(owner.project_id, spans))
        await write_spans(session, outsider.project_id, twin)

    fast = await stored_spans(platform.db, owner.project_id)
    reference = await stored_spans(platform.db, outsider.project_id)

    assert {name: span_to_dict(span) for name, span in fast.items()} == {
        name: span_to_dict(span) for name, span in reference.items()
    }
    assert fast["generate"].inputs["city"] == "東京 — «quoted» \\ \t tab"


async def test_a_trace_split_over_two_messages_is_rolled_up_whole(
    platform: Platform, owner: Persona
) -> None:
    root, first, second = llm_trace(children=2)
    async with platform.db.session() as session:
        await store_queued(
            session, owner.project_id, queued(owner.project_id, [root, first], [second])
        )

    stored = await stored_spans(platform.db, owner.project_id)
    assert cumulative(stored["generate"], "tokens")["total"] == 30


async def test_a_message_completing_a_stored_trace_is_merged(
    platform: Platform, owner: Persona
) -> None:
    root, *children = llm_trace(children=3)
    async with platform.db.session() as session:
        await store_queued(session, owner.project_id, queued(owner.project_id, children))
    async with platform.db.session() as session:
        await store_queued(session, owner.project_id, queued(owner.project_id, [root]))

    stored = await stored_spans(platform.db, owner.project_id)
    assert cumulative(stored["generate"], "tokens")["total"] == 45
    assert cumulative(stored["generate"], "duration") == 4000.0


async def test_a_redelivered_message_is_stored_once(platform: Platform, owner: Persona) -> None:
    rows = queued(owner.project_id, llm_trace(children=3))
    for _ in range(2):
        async with platform.db.session() as session:
            await store_queued(session, owner.project_id, rows)

    assert await span_count(platform.db, owner.project_id) == 4
    root = (await stored_spans(platform.db, owner.project_id))["generate"]
    assert cumulative(root, "tokens")["total"] == 45


async def test_a_message_resending_stored_spans_with_new_ones_stores_each_once(
    platform: Platform, owner: Persona
) -> None:
    spans = llm_trace(children=3)
    async with platform.db.session() as session:
        await store_queued(session, owner.project_id, queued(owner.project_id, spans[:2]))
    async with platform.db.session() as session:
        await store_queued(session, owner.project_id, queued(owner.project_id, spans))

    assert await span_count(platform.db, owner.project_id) == 4
    root = (await stored_spans(platform.db, owner.project_id))["generate"]
    assert cumulative(root, "tokens")["total"] == 45
