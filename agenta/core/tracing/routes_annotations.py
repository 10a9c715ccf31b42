"""The annotations API, in the two shapes of Agenta (agenta-behaviour.md §2.7).

`/api/annotations/` (the SDK's `ag.api.annotations`, body key `annotation`) and
`/api/simple/traces/` (body key `trace`) are the same service:

- `POST /`: create; `{"count": 1, "annotation": {...}}`;
- `GET /{trace_id}` (`?span_id=`): read; 404 when there is no such annotation;
- `PATCH /{trace_id}`: replace data (and tags, meta, references, links when given);
- `DELETE /{trace_id}`: delete; `{"count": 1, "annotation_link": {trace_id, span_id}}`;
- `POST /query`: filter by origin, kind, channel, references and links (the annotated
  traces or spans), in the body section or as a top-level `annotation_links`/`links` list.
"""

from __future__ import annotations

from typing import Any

from litestar import Router, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.access.guards import requires
from agenta.core.access.permissions import Permission
from agenta.core.access.principal import Principal
from agenta.core.tracing.annotations import (
    AnnotationFilter,
    create_annotation,
    delete_annotation,
    edit_annotation,
    get_annotation,
    query_annotations,
)
from agenta.core.tracing.routes_common import client_errors, section
from agenta.errors import AppError, NotFound

VIEW = [requires(Permission.VIEW_ANNOTATIONS)]
EDIT = [requires(Permission.EDIT_ANNOTATIONS)]


def annotations_router(path: str, one: str, many: str, links_key: str) -> Router:
    """The annotation routes under `path`, with `one`/`many` as the envelope keys."""

    @post("/", guards=EDIT, status_code=200)
    async def create(
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        data: JSONBody[dict[str, Any]],
    ) -> dict[str, Any]:
        with client_errors():
            record = await create_annotation(
                db_session, principal.project_id, section(data, one), principal.user_id
            )
        return {"count": 1, one: record}

    @get("/{trace_id:str}", guards=VIEW)
    async def read(
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        trace_id: FromPath[str],
        span_id: FromQuery[str | None] = None,
    ) -> dict[str, Any]:
        record = await get_annotation(db_session, principal.project_id, trace_id, span_id)
        if record is None:
            raise NotFound(f"No annotation has trace id {trace_id} in this project")
        return {"count": 1, one: record}

    @patch("/{trace_id:str}", guards=EDIT, status_code=200)
    async def edit(
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        trace_id: FromPath[str],
        data: JSONBody[dict[str, Any]],
        span_id: FromQuery[str | None] = None,
    ) -> dict[str, Any]:
        with client_errors():
            record = await edit_annotation(
                db_session, principal.project_id, trace_id, section(data, one), span_id
            )
        if record is None:
            raise NotFound(f"No annotation has trace id {trace_id} in this project")
        return {"count": 1, one: record}

    @delete("/{trace_id:str}", guards=EDIT, status_code=200)
    async def remove(
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        trace_id: FromPath[str],
    ) -> dict[str, Any]:
        record = await get_annotation(db_session, principal.project_id, trace_id)
        if record is None or not await delete_annotation(
            db_session, principal.project_id, record["trace_id"]
        ):
            raise NotFound(f"No annotation has trace id {trace_id} in this project")
        link = {"trace_id": record["trace_id"], "span_id": record["span_id"]}
        return {"count": 1, f"{one}_link": link}

    @post("/query", guards=VIEW, status_code=200)
    async def query(
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        data: JSONBody[dict[str, Any]],
    ) -> dict[str, Any]:
        with client_errors():
            records = await query_annotations(
                db_session, principal.project_id, _filter(data, one, links_key)
            )
        return {"count": len(records), many: records}

    return Router(
        path=path, route_handlers=[create, read, edit, remove, query], tags=["annotations"]
    )


def _filter(body: dict[str, Any], one: str, links_key: str) -> AnnotationFilter:
    wanted = section(body, one)
    links = wanted.get("links")
    if isinstance(links, dict):
        links = list(links.values())
    top_level = body.get(links_key)
    if top_level is not None and not isinstance(top_level, list):
        raise AppError(f"{links_key} must be a list of links")
    every_link = [*(links or []), *(top_level or [])]
    references = wanted.get("references")
    if references is not None and not isinstance(references, dict):
        raise AppError(f"{one}.references must be an object keyed by entity")
    return AnnotationFilter(
        origin=wanted.get("origin"),
        kind=wanted.get("kind"),
        channel=wanted.get("channel"),
        references=references,
        links=every_link or None,
    )


ROUTES = [
    annotations_router("/api/annotations", "annotation", "annotations", "annotation_links"),
    annotations_router("/api/simple/traces", "trace", "traces", "links"),
]
