"""Evaluator endpoints the official SDK calls (agenta-sdk-contract.md §5).

- ``POST /api/simple/evaluators/``: create a configuration from ``{"evaluator": {slug, name,
  flags, data: {uri, parameters, ...}}}``; built-in URIs get their settings checked, the SDK's
  own ``user:custom:...`` evaluators are stored as given (they run on the client);
- ``GET|PUT /api/simple/evaluators/{id}``: read, or edit (new data commits a new revision);
- ``POST /api/simple/evaluators/query``: the project's configurations;
- ``POST /api/evaluators/revisions/retrieve``: a revision by id, or a configuration's latest
  by its id or slug; ``{"count": 0, "evaluator_revision": null}`` when nothing matches (the SDK
  then creates the evaluator).

Envelopes are ``{count, evaluator}`` and ``{count, evaluator_revision}``; see ``views``.
"""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
from litestar import get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.access.guards import requires
from agenta.core.access.permissions import Permission
from agenta.core.access.principal import Principal
from agenta.core.evaluators import configs
from agenta.core.evaluators.configs import EvaluatorConfig
from agenta.core.evaluators.views import sdk_revision_record, simple_evaluator
from agenta.core.revisions.references import Reference, ReferenceBody, to_reference
from agenta.core.revisions.slugs import random_slug
from agenta.errors import AppError, NotFound

VIEW = [requires(Permission.VIEW_EVALUATORS)]
EDIT = [requires(Permission.EDIT_EVALUATORS)]
TAGS = ["evaluators"]


class SimpleEvaluatorFields(msgspec.Struct, kw_only=True):
    id: uuid.UUID | None = None
    slug: str | None = None
    name: str | None = None
    description: str | None = None
    flags: dict[str, Any] | None = None
    tags: dict[str, Any] | None = None
    meta: dict[str, Any] | None = None
    data: dict[str, Any] | None = None


class SimpleEvaluatorBody(msgspec.Struct, kw_only=True):
    evaluator: SimpleEvaluatorFields


class RetrieveBody(msgspec.Struct, kw_only=True):
    evaluator_ref: ReferenceBody | None = None
    evaluator_variant_ref: ReferenceBody | None = None
    evaluator_revision_ref: ReferenceBody | None = None
    resolve: bool = False


def _envelope(config: EvaluatorConfig | None) -> dict[str, Any]:
    if config is None:
        return {"count": 0, "evaluator": None}
    return {"count": 1, "evaluator": simple_evaluator(config)}


@post("/api/simple/evaluators/", guards=EDIT, tags=TAGS, status_code=200)
async def create_simple_evaluator(
    data: JSONBody[SimpleEvaluatorBody],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> dict[str, Any]:
    """Create an evaluator with its first revision."""
    fields = data.evaluator
    config = await configs.create_config(
        db_session,
        principal.project_id,
        principal.user_id,
        slug=fields.slug or random_slug(),
        name=fields.name,
        description=fields.description,
        flags=fields.flags,
        data=fields.data or {},
    )
    return _envelope(config)


@get("/api/simple/evaluators/{evaluator_id:uuid}", guards=VIEW, tags=TAGS)
async def read_simple_evaluator(
    evaluator_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> dict[str, Any]:
    """One evaluator with its latest data (404 when unknown)."""
    return _envelope(await configs.get_config(db_session, principal.project_id, evaluator_id))


@put("/api/simple/evaluators/{evaluator_id:uuid}", guards=EDIT, tags=TAGS)
async def edit_simple_evaluator(
    evaluator_id: FromPath[uuid.UUID],
    data: JSONBody[SimpleEvaluatorBody],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> dict[str, Any]:
    """Rename or re-describe an evaluator; changed data commits a new revision."""
    fields = data.evaluator
    if fields.id is not None and fields.id != evaluator_id:
        raise AppError("evaluator.id does not match the evaluator in the path")
    config = await configs.get_config(db_session, principal.project_id, evaluator_id)
    await configs.rename_config(
        db_session,
        config,
        principal.user_id,
        name=fields.name,
        description=fields.description,
        flags=fields.flags,
    )
    if fields.data is not None and fields.data != (config.revision.data or {}):
        config = await configs.commit_config(
            db_session, config, principal.user_id, data=fields.data, message="Edited"
        )
    return _envelope(config)


@post("/api/simple/evaluators/query", guards=VIEW, tags=TAGS, status_code=200)
async def query_simple_evaluators(
    principal: NamedDependency[Principal], db_session: NamedDependency[AsyncSession]
) -> dict[str, Any]:
    """The project's evaluators."""
    found = await configs.list_configs(db_session, principal.project_id)
    return {"count": len(found), "evaluators": [simple_evaluator(config) for config in found]}


@post("/api/evaluators/revisions/retrieve", guards=VIEW, tags=TAGS, status_code=200)
async def retrieve_evaluator_revision(
    data: JSONBody[RetrieveBody],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> dict[str, Any]:
    """A revision by id, or an evaluator's latest by id or slug; count 0 when none matches."""
    config = await _retrieve(db_session, principal.project_id, data)
    return {
        "count": 0 if config is None else 1,
        "evaluator_revision": sdk_revision_record(config) if config else None,
    }


async def _retrieve(
    session: AsyncSession, project_id: uuid.UUID, body: RetrieveBody
) -> EvaluatorConfig | None:
    revision_ref = to_reference(body.evaluator_revision_ref, "evaluator_revision_ref")
    if revision_ref is not None and revision_ref.id is not None:
        return await configs.config_at(session, project_id, revision_ref.id)
    evaluator_ref = to_reference(body.evaluator_ref, "evaluator_ref")
    if evaluator_ref is None:
        if revision_ref is not None:
            return None  # a revision slug alone names nothing we can find
        raise AppError("give evaluator_ref or evaluator_revision_ref")
    config = await configs.find_config(session, project_id, evaluator_ref)
    if config is None or revision_ref is None or revision_ref.version is None:
        return config
    return await _at_version(session, config, revision_ref)


async def _at_version(
    session: AsyncSession, config: EvaluatorConfig, reference: Reference
) -> EvaluatorConfig | None:
    store = configs.evaluator_store(session, config.artifact.project_id)
    assert reference.version is not None
    revision = await store.revision_at(config.variant, reference.version)
    if revision is None:
        raise NotFound(f"evaluator {config.slug!r} has no version {reference.version}")
    return EvaluatorConfig(config.artifact, config.variant, revision)


ROUTES = [
    create_simple_evaluator,
    read_simple_evaluator,
    edit_simple_evaluator,
    query_simple_evaluators,
    retrieve_evaluator_revision,
]
