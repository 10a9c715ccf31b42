"""Filling a queue from a source, as the API and the pages ask for it.

A source is a JSON object with a ``type``:

- ``traces``: ``trace_ids`` (a list of 32-hex ids);
- ``filter``: ``filters`` (the trace explorer's parameters: ``status``, ``search``,
  ``application``, ``environment``, ``span_type``, ``range``...) and ``limit`` (default 100);
- ``spans``: ``spans`` (a list of ``{"trace_id", "span_id"}``);
- ``testset``: ``testset_revision_id``;
- ``run``: ``run_id`` and, when the run ran several revisions, ``revision_id``: a single-model
  review whose numeric answers become the run's metrics (``run_scores``);
- ``ab``: ``a`` and ``b``, each ``{"run_id", "revision_id"}``: an A/B review of two sides.

``parse_source`` checks the object (errors name the field); ``create_with_items`` creates a queue
and its first items in one go; ``add_from`` adds more items to an existing queue. Reviewing a
run writes to the run, so it needs the ``edit_evaluation_runs`` permission as well.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.access.permissions import Permission
from agenta.core.access.principal import Principal
from agenta.core.annotations import run_sources, sources
from agenta.core.annotations.models import AB, AnnotationQueue, QueueItem
from agenta.core.annotations.queues import ItemInput, QueueInput, add_items, create_queue
from agenta.core.annotations.run_scores import attach_to_run
from agenta.core.evaluations.runs import get_run
from agenta.errors import AppError, Forbidden

SOURCE_TYPES = ("traces", "filter", "spans", "testset", "run", "ab")
DEFAULT_FILTER_LIMIT = 100


@dataclass(frozen=True)
class SourceInput:
    """A checked source (see the module docstring)."""

    type: str
    trace_ids: tuple[str, ...] = ()
    filters: dict[str, Any] = field(default_factory=dict)
    limit: int = DEFAULT_FILTER_LIMIT
    spans: tuple[dict[str, Any], ...] = ()
    testset_revision_id: uuid.UUID | None = None
    run: run_sources.RunSide | None = None
    a: run_sources.RunSide | None = None
    b: run_sources.RunSide | None = None


def parse_source(data: Any) -> SourceInput:
    """A ``SourceInput`` from JSON; ``AppError`` (422) naming the bad field."""
    if not isinstance(data, Mapping):
        raise _invalid("source must be an object with a type")
    kind = data.get("type")
    if kind not in SOURCE_TYPES:
        raise _invalid(f"source.type must be one of {', '.join(SOURCE_TYPES)}, got {kind!r}")
    if kind == "traces":
        return SourceInput(kind, trace_ids=tuple(str(t) for t in _list(data, "trace_ids")))
    if kind == "filter":
        filters = data.get("filters") or {}
        if not isinstance(filters, Mapping):
            raise _invalid("source.filters must be an object of trace explorer parameters")
        return SourceInput(kind, filters=dict(filters), limit=_limit(data.get("limit")))
    if kind == "spans":
        spans = _list(data, "spans")
        if not all(isinstance(span, Mapping) for span in spans):
            raise _invalid('source.spans must list {"trace_id", "span_id"} objects')
        return SourceInput(kind, spans=tuple(dict(span) for span in spans))
    if kind == "testset":
        return SourceInput(kind, testset_revision_id=_uuid(data, "testset_revision_id"))
    if kind == "run":
        return SourceInput(kind, run=_side(data, "source"))
    return SourceInput(kind, a=_side(data.get("a"), "source.a"), b=_side(data.get("b"), "source.b"))


async def create_with_items(
    session: AsyncSession, principal: Principal, data: QueueInput, source: SourceInput | None
) -> tuple[AnnotationQueue, list[QueueItem]]:
    """A new queue holding the source's items."""
    kind = AB if source is not None and source.type == "ab" else data.kind
    if kind == AB and (source is None or source.type != "ab"):
        raise _invalid("an A/B queue is made from an ab source naming sides a and b")
    queue = await create_queue(
        session,
        principal.project_id,
        principal.organization_id,
        replace(data, kind=kind),
        principal.user_id,
    )
    if source is None:
        return queue, []
    return queue, await add_from(session, principal, queue, source)


async def add_from(
    session: AsyncSession, principal: Principal, queue: AnnotationQueue, source: SourceInput
) -> list[QueueItem]:
    """Add the source's items to ``queue`` (a run source also adds its human steps)."""
    if source.type in ("run", "ab") and not principal.can(Permission.EDIT_EVALUATION_RUNS):
        raise Forbidden(
            f"Your role ({principal.role}) does not have the edit_evaluation_runs permission "
            "in this project"
        )
    items, described = await _items(session, principal.project_id, source)
    if queue.source and described and queue.source != described:
        raise _invalid("this queue already reviews another run; make a new queue for this one")
    if described:
        queue.source = described
    if source.type == "run":
        assert source.run is not None
        run = await get_run(session, principal.project_id, source.run.run_id)
        await attach_to_run(session, queue, run)
    return await add_items(session, queue, items)


async def _items(
    session: AsyncSession, project_id: uuid.UUID, source: SourceInput
) -> tuple[list[ItemInput], dict[str, Any] | None]:
    if source.type == "traces":
        return await sources.traces_by_id(session, project_id, source.trace_ids), None
    if source.type == "filter":
        found = await sources.traces_by_filter(session, project_id, source.filters, source.limit)
        return found, None
    if source.type == "spans":
        return await sources.spans_by_id(session, project_id, source.spans), None
    if source.type == "testset":
        assert source.testset_revision_id is not None
        return await sources.testcases_of(session, project_id, source.testset_revision_id), None
    if source.type == "run":
        assert source.run is not None
        return await run_sources.run_rows(session, project_id, source.run)
    assert source.a is not None and source.b is not None
    return await run_sources.ab_pairs(session, project_id, source.a, source.b)


def _invalid(message: str) -> AppError:
    return AppError(f"Invalid queue: {message}", status_code=422)


def _list(data: Mapping[str, Any], name: str) -> list[Any]:
    value = data.get(name)
    if not isinstance(value, list) or not value:
        raise _invalid(f"source.{name} must be a non-empty list")
    return value


def _limit(value: Any) -> int:
    if value in (None, ""):
        return DEFAULT_FILTER_LIMIT
    try:
        limit = int(value)
    except (TypeError, ValueError):
        raise _invalid(f"source.limit must be a whole number, got {value!r}") from None
    if not 1 <= limit <= sources.MAX_TRACES:
        raise _invalid(f"source.limit must be from 1 to {sources.MAX_TRACES}, got {limit}")
    return limit


def _uuid(data: Mapping[str, Any], name: str, where: str = "source") -> uuid.UUID:
    try:
        return uuid.UUID(str(data.get(name)))
    except ValueError:
        raise _invalid(f"{where}.{name} must be an id, got {data.get(name)!r}") from None


def _side(data: Any, where: str) -> run_sources.RunSide:
    if not isinstance(data, Mapping):
        raise _invalid(f"{where} must be an object with run_id (and revision_id)")
    revision = data.get("revision_id")
    return run_sources.RunSide(
        run_id=_uuid(data, "run_id", where),
        revision_id=_uuid(data, "revision_id", where) if revision else None,
    )
