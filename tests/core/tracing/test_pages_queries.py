"""Reads of the observability pages: parsing ticked traces and spans, and loading them."""

from __future__ import annotations

import pytest

from agenta.core.tracing.page_queries import (
    MAX_SELECTION,
    Selected,
    parse_selection,
    selected_spans,
)
from agenta.core.tracing.query_model import QueryError
from agenta.core.tracing.store import write_spans
from agenta.platform import Platform
from tests.core.tracing.storage_support import llm_trace
from tests.support.accounts import Persona

TRACE = "a" * 32
SPAN = "b" * 16


def test_a_selection_holds_traces_and_spans_once_each() -> None:
    found = parse_selection([TRACE, f" {TRACE.upper()} ", f"{TRACE}:{SPAN}", "", TRACE])

    assert found == [Selected(TRACE), Selected(TRACE, SPAN)]
    assert [item.value for item in found] == [TRACE, f"{TRACE}:{SPAN}"]


@pytest.mark.parametrize("value", ["nope", f"{TRACE}:xyz", f"{TRACE[:-1]}", "<script>"])
def test_a_malformed_selection_is_named(value: str) -> None:
    with pytest.raises(QueryError, match="is not a trace id or a trace_id:span_id pair"):
        parse_selection([value])


def test_too_large_a_selection_is_refused() -> None:
    values = [f"{index:032x}" for index in range(MAX_SELECTION + 1)]

    with pytest.raises(QueryError, match=f"select at most {MAX_SELECTION}"):
        parse_selection(values)


async def test_selected_spans_come_in_order_from_the_project_only(
    platform: Platform, owner: Persona, outsider: Persona
) -> None:
    first, second, foreign = llm_trace(), llm_trace(), llm_trace()
    async with platform.db.session() as session:
        await write_spans(session, owner.project_id, first)
        await write_spans(session, owner.project_id, second)
        await write_spans(session, outsider.project_id, foreign)
        selection = [
            Selected(second[0].trace_id, second[2].span_id),
            Selected(foreign[0].trace_id),
            Selected(first[0].trace_id),
            Selected(first[0].trace_id, "f" * 16),
        ]
        spans = await selected_spans(session, owner.project_id, selection)

    assert [(span.trace_id, span.name) for span in spans] == [
        (second[0].trace_id, "chat-1"),
        (first[0].trace_id, "generate"),
    ]
    assert spans[1].attributes["ag"]["metrics"]["tokens"]["cumulative"]["total"] == 30
