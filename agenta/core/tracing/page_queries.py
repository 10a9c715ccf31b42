"""Reads the observability pages need beyond the query service's own functions.

- `parse_selection(values)`: the traces and spans ticked in a list, from form values
  `<trace_id>` (the trace, i.e. its root span) or `<trace_id>:<span_id>` (one span);
- `selected_spans(session, project_id, selection)`: those spans, in the order given,
  each from a rolled-up tree of its trace (so a root carries its trace's totals); ids the
  project does not have are left out, never read from another project.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.tracing.query import load_trees
from agenta.core.tracing.query_model import QueryError
from agenta.core.tracing.span import Span

MAX_SELECTION = 500
_TRACE_ID = re.compile(r"^[0-9a-f]{32}$")
_SPAN_ID = re.compile(r"^[0-9a-f]{16}$")


@dataclass(frozen=True, slots=True)
class Selected:
    """A ticked trace (`span_id` None: its root) or span."""

    trace_id: str
    span_id: str | None = None

    @property
    def value(self) -> str:
        """The form value that selects it again."""
        return f"{self.trace_id}:{self.span_id}" if self.span_id else self.trace_id


def parse_selection(values: Iterable[str]) -> list[Selected]:
    """Ticked traces and spans, duplicates dropped; `QueryError` names a malformed value."""
    found: dict[Selected, None] = {}
    for raw in values:
        text = raw.strip().lower().replace("-", "")
        if not text:
            continue
        trace_id, _, span_id = text.partition(":")
        if not _TRACE_ID.match(trace_id) or (span_id and not _SPAN_ID.match(span_id)):
            raise QueryError(f"{raw!r} is not a trace id or a trace_id:span_id pair")
        found[Selected(trace_id, span_id or None)] = None
    if len(found) > MAX_SELECTION:
        raise QueryError(f"select at most {MAX_SELECTION} traces or spans at a time")
    return list(found)


async def selected_spans(
    session: AsyncSession, project_id: uuid.UUID, selection: list[Selected]
) -> list[Span]:
    """The selected spans of the project, in selection order (unknown ones left out)."""
    trees = await load_trees(session, project_id, [item.trace_id for item in selection])
    by_trace = {tree.trace_id: tree for tree in trees}
    spans = []
    for item in selection:
        tree = by_trace.get(item.trace_id)
        if tree is None or tree.root is None:
            continue
        if item.span_id is None:
            spans.append(tree.root.span)
            continue
        match = next((span for span in tree.spans() if span.span_id == item.span_id), None)
        if match is not None:
            spans.append(match)
    return spans
