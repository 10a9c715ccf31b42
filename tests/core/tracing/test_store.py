"""Storing spans: round trip through the table, roll-ups across batches, idempotence."""

from __future__ import annotations

from agenta.core.tracing.project_settings import save_settings
from agenta.core.tracing.span import span_to_dict
from agenta.core.tracing.store import write_spans
from agenta.platform import Platform
from tests.core.tracing.storage_support import (
    cumulative,
    llm_trace,
    new_trace_id,
    span_count,
    stored_spans,
)
from tests.support.accounts import Persona


async def test_a_stored_span_reads_back_exactly_as_written(platform: Platform, owner: Persona):
    spans = llm_trace(child_attributes={"ag.refs.application.slug": "geo-qa"})
    async with platform.db.session() as session:
        await write_spans(session, owner.project_id, spans)

    stored = await stored_spans(platform.db, owner.project_id)

    assert {name: span_to_dict(span) for name, span in stored.items()} == {
        span.name: span_to_dict(span) for span in spans
    }


async def test_it_rolls_up_tokens_and_errors_to_the_root(platform: Platform, owner: Persona):
    async with platform.db.session() as session:
        await write_spans(session, owner.project_id, llm_trace(children=3, error_child=True))

    root = (await stored_spans(platform.db, owner.project_id))["generate"]

    assert cumulative(root, "tokens")["total"] == 3 * 15
    assert cumulative(root, "errors") == 1


async def test_a_trace_sent_in_two_batches_gets_complete_roll_ups(
    platform: Platform, owner: Persona
):
    root, first, second = llm_trace(children=2)
    async with platform.db.session() as session:
        await write_spans(session, owner.project_id, [first])
    async with platform.db.session() as session:
        await write_spans(session, owner.project_id, [root])
    async with platform.db.session() as session:
        await write_spans(session, owner.project_id, [second])

    stored = await stored_spans(platform.db, owner.project_id)

    assert cumulative(stored["generate"], "tokens")["total"] == 30
    assert cumulative(stored["generate"], "duration") == 3000.0
    assert cumulative(stored["chat-0"], "tokens")["total"] == 15


async def test_writing_the_same_spans_again_stores_them_once(platform: Platform, owner: Persona):
    spans = llm_trace(children=3)
    for _ in range(2):
        async with platform.db.session() as session:
            await write_spans(session, owner.project_id, spans)

    assert await span_count(platform.db, owner.project_id) == 4
    root = (await stored_spans(platform.db, owner.project_id))["generate"]
    assert cumulative(root, "tokens")["total"] == 45


async def test_the_same_trace_id_in_two_projects_stays_apart(
    platform: Platform, owner: Persona, outsider: Persona
):
    trace_id = new_trace_id()
    async with platform.db.session() as session:
        await write_spans(session, owner.project_id, llm_trace(trace_id=trace_id, children=1))
        await write_spans(session, outsider.project_id, llm_trace(trace_id=trace_id, children=2))

    assert await span_count(platform.db, owner.project_id) == 2
    assert await span_count(platform.db, outsider.project_id) == 3
    owners_root = (await stored_spans(platform.db, owner.project_id))["generate"]
    assert cumulative(owners_root, "tokens")["total"] == 15


async def test_writing_nothing_is_allowed(platform: Platform, owner: Persona):
    async with platform.db.session() as session:
        result = await write_spans(session, owner.project_id, [])

    assert (result.rows, result.traces) == (0, 0)


async def test_spans_written_by_other_features_follow_the_projects_redaction_rules(
    platform: Platform, owner: Persona
) -> None:
    rules = [{"name": "emails", "kind": "preset", "pattern": "email"}]
    async with platform.db.session() as session:
        await save_settings(session, owner.project_id, retention_days=None, redaction_rules=rules)
    spans = llm_trace(children=1, root_attributes={"ag.data.inputs.to": "ada@example.com"})
    async with platform.db.session() as session:
        await write_spans(session, owner.project_id, spans)

    root = (await stored_spans(platform.db, owner.project_id))["generate"]

    assert root.inputs["to"] == "[REDACTED]"
