"""Annotations: scores, labels and comments attached to a span or a trace.

As in Agenta (agenta-behaviour.md §2.7), an annotation is itself a trace, of type
`annotation`, made of one span: its `ag.data` holds the payload (`{"outputs": {"score":
0.9, "comment": "..."}}`), `ag.annotation` its origin (custom, human, auto), kind (adhoc,
eval, play) and channel (otlp, web, sdk, api), `ag.tags`/`ag.meta` free metadata; its
references name the evaluator (`{"evaluator": {"slug": "helpfulness"}}`) and its links point
at what it annotates (`{"invocation": {"trace_id", "span_id"}}`). A link without a span id
annotates the whole trace, i.e. its root span. Annotations are written directly (not
through the ingestion queue) so they can be read back at once.

The record returned by every function is the shape of the SDK's `Annotation` model:
`{trace_id, span_id, origin, kind, channel, data, references: {key: ref}, links: {key:
link}, tags, meta, created_at, updated_at, created_by_id}`.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.tracing.models import SpanRecord
from agenta.core.tracing.query import SPANS
from agenta.core.tracing.query_model import Condition
from agenta.core.tracing.query_sql import condition_sql
from agenta.core.tracing.rows import span_from_row
from agenta.core.tracing.span import Span
from agenta.core.tracing.store import write_spans
from agenta.db import utcnow

ORIGINS = ("custom", "human", "auto")
KINDS = ("adhoc", "eval", "play")
CHANNELS = ("otlp", "web", "sdk", "api")
DEFAULTS = {"origin": "custom", "kind": "adhoc", "channel": "api"}
MAX_QUERY_RESULTS = 1000


class AnnotationError(ValueError):
    """An annotation request is invalid; the message names the field."""


@dataclass(frozen=True, slots=True)
class AnnotationFilter:
    """Which annotations a query wants (every given part must match)."""

    origin: str | None = None
    kind: str | None = None
    channel: str | None = None
    references: dict[str, dict[str, Any]] | None = None
    links: list[dict[str, Any]] | None = None


async def create_annotation(
    session: AsyncSession,
    project_id: uuid.UUID,
    fields: Mapping[str, Any],
    actor_id: uuid.UUID | None = None,
) -> dict[str, Any]:
    """Store a new annotation; returns its record."""
    links = await _resolve_links(session, project_id, _links(fields.get("links")))
    now = utcnow()
    span = Span(
        trace_id=uuid.uuid4().hex,
        span_id=uuid.uuid4().hex[:16],
        parent_id=None,
        name=_name(fields),
        kind="SPAN_KIND_SERVER",
        span_type="task",
        trace_type="annotation",
        start_time=now,
        end_time=now,
        duration_ms=0.0,
        status_code="STATUS_CODE_UNSET",
        status_message="",
        attributes=_attributes(fields, actor_id),
        references=_references(fields.get("references")),
        links=links,
    )
    await write_spans(session, project_id, [span])
    return await _record(session, project_id, span.trace_id, span.span_id)


async def get_annotation(
    session: AsyncSession, project_id: uuid.UUID, trace_id: str, span_id: str | None = None
) -> dict[str, Any] | None:
    """One annotation by its trace id (and span id), or None."""
    return await _record(session, project_id, trace_id, span_id)


async def edit_annotation(
    session: AsyncSession,
    project_id: uuid.UUID,
    trace_id: str,
    changes: Mapping[str, Any],
    span_id: str | None = None,
) -> dict[str, Any] | None:
    """Replace data (and tags, meta, references, links when given); None if not found."""
    span = await _annotation_span(session, project_id, trace_id, span_id)
    if span is None:
        return None
    ag = span.attributes.setdefault("ag", {})
    ag["data"] = _data(changes)
    for name in ("tags", "meta"):
        if changes.get(name) is not None:
            ag[name] = _object(changes[name], name)
    if changes.get("references") is not None:
        span.references = _references(changes["references"])
    if changes.get("links") is not None:
        span.links = await _resolve_links(session, project_id, _links(changes["links"]))
    span.end_time = utcnow()
    await write_spans(session, project_id, [span])
    return await _record(session, project_id, span.trace_id, span.span_id)


async def delete_annotation(session: AsyncSession, project_id: uuid.UUID, trace_id: str) -> bool:
    """Delete an annotation trace; False when there was none."""
    result = await session.execute(
        delete(SpanRecord).where(
            SpanRecord.project_id == project_id,
            SpanRecord.trace_id == trace_id,
            SpanRecord.trace_type == "annotation",
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def query_annotations(
    session: AsyncSession, project_id: uuid.UUID, wanted: AnnotationFilter
) -> list[dict[str, Any]]:
    """Annotations matching `wanted`, newest first."""
    dialect = session.get_bind().dialect.name
    clauses: list[Any] = [SPANS.c.project_id == project_id, SPANS.c.trace_type == "annotation"]
    for name in ("origin", "kind", "channel"):
        if (value := getattr(wanted, name)) is not None:
            condition = Condition("attributes", "is", value, key=f"ag.annotation.{name}")
            clauses.append(condition_sql(condition, SPANS, dialect))
    for key, reference in (wanted.references or {}).items():
        value = (
            reference.get("slug") or reference.get("id") if isinstance(reference, dict) else None
        )
        if value:
            condition = Condition("references", "in", [{"key": key, "value": str(value)}])
            clauses.append(condition_sql(condition, SPANS, dialect))
    if wanted.links:
        clauses.append(_links_clause(wanted.links))
    statement = (
        select(SPANS).where(*clauses).order_by(SPANS.c.start_time.desc()).limit(MAX_QUERY_RESULTS)
    )
    rows = (await session.execute(statement)).mappings().all()
    return [annotation_record(row) for row in rows]


def annotation_record(row: Mapping[str, Any]) -> dict[str, Any]:
    """The SDK `Annotation` shape of a stored annotation span row."""
    span = span_from_row(row)
    ag = span.attributes.get("ag", {})
    flags = ag.get("annotation") or {}
    return {
        "trace_id": span.trace_id,
        "span_id": span.span_id,
        "origin": flags.get("origin"),
        "kind": flags.get("kind"),
        "channel": flags.get("channel"),
        "data": ag.get("data") or {},
        "references": {
            ref["key"]: {k: ref[k] for k in ("id", "slug", "version") if ref.get(k) is not None}
            for ref in span.references
        },
        "links": {
            (link.get("attributes") or {}).get("key") or f"link_{index}": {
                "trace_id": link["trace_id"],
                "span_id": link["span_id"],
                "attributes": link.get("attributes") or {},
            }
            for index, link in enumerate(span.links)
        },
        "tags": ag.get("tags"),
        "meta": ag.get("meta"),
        "created_at": row["created_at"].isoformat(),
        "updated_at": row["updated_at"].isoformat(),
        "created_by_id": flags.get("created_by_id"),
    }


async def _record(
    session: AsyncSession, project_id: uuid.UUID, trace_id: str, span_id: str | None
) -> dict[str, Any] | None:
    row = await _annotation_row(session, project_id, trace_id, span_id)
    return annotation_record(row) if row is not None else None


async def _annotation_row(
    session: AsyncSession, project_id: uuid.UUID, trace_id: str, span_id: str | None
) -> Mapping[str, Any] | None:
    clauses = [
        SPANS.c.project_id == project_id,
        SPANS.c.trace_id == trace_id.replace("-", "").lower(),
        SPANS.c.trace_type == "annotation",
    ]
    if span_id:
        clauses.append(SPANS.c.span_id == span_id.replace("-", "").lower()[:16])
    statement = select(SPANS).where(*clauses).order_by(SPANS.c.start_time).limit(1)
    return (await session.execute(statement)).mappings().first()


async def _annotation_span(
    session: AsyncSession, project_id: uuid.UUID, trace_id: str, span_id: str | None
) -> Span | None:
    row = await _annotation_row(session, project_id, trace_id, span_id)
    return span_from_row(row) if row is not None else None


def _links_clause(links: list[dict[str, Any]]) -> Any:
    matches = []
    for link in links:
        trace_id = str(link.get("trace_id") or "").replace("-", "").lower()
        if not trace_id:
            raise AnnotationError("every link in a query needs a trace_id")
        match = [SPANS.c.invocation_trace_id == trace_id]
        if link.get("span_id"):
            match.append(SPANS.c.invocation_span_id == str(link["span_id"]).lower()[:16])
        matches.append(and_(*match))
    return or_(*matches)


def _name(fields: Mapping[str, Any]) -> str:
    evaluator = (fields.get("references") or {}).get("evaluator") or {}
    if isinstance(evaluator, dict):
        return str(evaluator.get("slug") or evaluator.get("id") or "annotation")
    return "annotation"


def _attributes(fields: Mapping[str, Any], actor_id: uuid.UUID | None) -> dict[str, Any]:
    flags = {}
    for name, allowed in (("origin", ORIGINS), ("kind", KINDS), ("channel", CHANNELS)):
        value = fields.get(name) or DEFAULTS[name]
        if value not in allowed:
            raise AnnotationError(f"{name} must be one of {', '.join(allowed)}, got {value!r}")
        flags[name] = value
    if actor_id is not None:
        flags["created_by_id"] = str(actor_id)
    ag: dict[str, Any] = {
        "type": {"trace": "annotation", "span": "task"},
        "data": _data(fields),
        "annotation": flags,
    }
    for name in ("tags", "meta"):
        if fields.get(name) is not None:
            ag[name] = _object(fields[name], name)
    return {"ag": ag}


def _data(fields: Mapping[str, Any]) -> dict[str, Any]:
    data = fields.get("data")
    if not isinstance(data, dict) or not data:
        raise AnnotationError('data must be a non-empty object, e.g. {"outputs": {"score": 1}}')
    return data


def _object(value: Any, name: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise AnnotationError(f"{name} must be an object")
    return value


def _references(value: Any) -> list[dict[str, Any]]:
    references = _object(value or {}, "references")
    result = []
    for key, reference in references.items():
        if not isinstance(reference, dict) or not (reference.get("id") or reference.get("slug")):
            raise AnnotationError(f"references.{key} must be an object with an id or a slug")
        version = reference.get("version")
        result.append(
            {
                "key": key,
                "id": reference.get("id"),
                "slug": reference.get("slug"),
                "version": None if version is None else str(version),
            }
        )
    return result


def _links(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        items = [{**_object(link, f"links.{key}"), "key": key} for key, link in value.items()]
    elif isinstance(value, list):
        items = [_listed_link(link, index) for index, link in enumerate(value)]
    else:
        raise AnnotationError(
            'links must name what is annotated: {"invocation": {"trace_id": ...}}'
        )
    if not items:
        raise AnnotationError("links must hold at least one link to a trace or span")
    return items


def _listed_link(link: Any, index: int) -> dict[str, Any]:
    found = _object(link, f"links[{index}]")
    attributes = found.get("attributes") or {}
    return {**found, "key": attributes.get("key") if isinstance(attributes, dict) else None}


async def _resolve_links(
    session: AsyncSession, project_id: uuid.UUID, links: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    resolved = []
    for link in links:
        key = link.get("key") or "invocation"
        trace_id = str(link.get("trace_id") or "").replace("-", "").lower()
        if len(trace_id) != 32:
            raise AnnotationError(f"links.{key}.trace_id must be a 32-hex trace id")
        span_id = str(link.get("span_id") or "").replace("-", "").lower()[:16]
        if not span_id:
            span_id = await _root_span_id(session, project_id, trace_id, f"links.{key}")
        attributes = {**(link.get("attributes") or {}), "key": key}
        resolved.append({"trace_id": trace_id, "span_id": span_id, "attributes": attributes})
    return resolved


async def _root_span_id(
    session: AsyncSession, project_id: uuid.UUID, trace_id: str, where: str
) -> str:
    statement = (
        select(SPANS.c.span_id)
        .where(SPANS.c.project_id == project_id, SPANS.c.trace_id == trace_id)
        .order_by(SPANS.c.parent_id.is_not(None), SPANS.c.start_time)
        .limit(1)
    )
    span_id = await session.scalar(statement)
    if span_id is None:
        raise AnnotationError(
            f"{where}: trace {trace_id} has no stored span yet; give its span_id to annotate it"
        )
    return str(span_id)
