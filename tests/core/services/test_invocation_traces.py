"""Every invocation is traced in the project's span store, failed ones included, with the
model call's tokens and cost rolled up to the root."""

from __future__ import annotations

import asyncio
from typing import Any

from agenta.core.tracing import Span
from agenta.core.tracing.project_settings import save_settings
from agenta.core.tracing.store import load_spans
from agenta.platform import Platform
from tests.core.services.conftest import Invoke, prompt_body
from tests.fakes.llm_state import FakeLLM
from tests.support.accounts import Persona


async def stored_spans(
    platform: Platform, persona: Persona, trace_id: str, count: int
) -> list[Span]:
    """The trace's spans, once the background write has stored ``count`` of them."""
    for _ in range(100):
        async with platform.db.session() as session:
            spans = await load_spans(session, persona.project_id, [trace_id])
        if len(spans) >= count:
            return sorted(spans, key=lambda span: span.parent_id is not None)
        await asyncio.sleep(0.05)
    raise AssertionError(f"trace {trace_id} has {len(spans)} stored spans, expected {count}")


def cumulative(span: Span, metric: str) -> Any:
    return span.attributes["ag"]["metrics"][metric]["cumulative"]


async def test_an_invocation_stores_a_root_span_and_its_model_call(
    invoke: Invoke, owner: Persona, platform: Platform
) -> None:
    body = {**prompt_body(), "references": {"application": {"slug": "draft-app"}}}

    response = await invoke(owner, body)

    root, llm = await stored_spans(platform, owner, response.json()["trace_id"], 2)
    assert root.span_id == response.json()["span_id"]
    assert root.inputs == {"country": "France"}
    assert root.outputs == "What is the capital of France?"
    assert root.parameters == body["data"]["parameters"]
    assert {ref["key"]: ref["slug"] for ref in root.references} == {"application": "draft-app"}
    assert llm.parent_id == root.span_id and llm.model == "gpt-4o-mini"
    assert cumulative(root, "tokens") == {"prompt": 6, "completion": 6, "total": 12}
    assert cumulative(root, "costs")["total"] > 0
    assert cumulative(root, "duration") >= llm.duration_ms


async def test_a_failed_invocation_is_stored_as_an_error(
    invoke: Invoke, owner: Persona, platform: Platform, fake_llm: FakeLLM
) -> None:
    fake_llm.fail_next(429)

    response = await invoke(owner, prompt_body())

    root, llm = await stored_spans(platform, owner, response.json()["trace_id"], 2)
    assert root.is_error and llm.is_error
    assert "answered 429" in root.status_message
    assert cumulative(root, "errors") == 2


async def test_the_projects_redaction_rules_apply_before_anything_is_stored(
    invoke: Invoke, owner: Persona, platform: Platform
) -> None:
    async with platform.db.session() as session:
        rule = {"name": "emails", "kind": "regex", "pattern": r"[\w.]+@[\w.]+"}
        await save_settings(session, owner.project_id, retention_days=None, redaction_rules=[rule])

    response = await invoke(owner, prompt_body({"country": "France, ask ada@example.com"}))

    root, llm = await stored_spans(platform, owner, response.json()["trace_id"], 2)
    stored = repr(root.attributes) + repr(llm.attributes)
    assert "ada@example.com" not in stored
    assert "ask ada@example.com" in response.json()["data"]["outputs"]  # only the trace is redacted


async def test_traces_stay_in_the_callers_project(
    invoke: Invoke, owner: Persona, outsider: Persona, platform: Platform
) -> None:
    response = await invoke(outsider, prompt_body())
    trace_id = response.json()["trace_id"]

    await stored_spans(platform, outsider, trace_id, 2)
    async with platform.db.session() as session:
        assert await load_spans(session, owner.project_id, [trace_id]) == []
