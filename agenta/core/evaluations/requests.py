"""Run requests as API clients send them, resolved to a ``RunRequest`` of revision ids.

The body of ``POST /api/evaluations/runs/`` names what to evaluate by reference, so a CI job can
say "the variant ``prod`` of app ``support``" or "what ``production`` deploys" without knowing
ids::

    {"run": {"name"?, "testset": {"id"|"slug", "version"?} | "testset_revision_id",
             "applications": [{"revision_id"} | {"application", "variant", "version"?}
                              | {"application", "environment"}],
             "evaluators": [{"id"} | {"slug"}],
             "repeats"?, "concurrency"?, "spend_cap"?, "use_cache"?}}

Every reference that matches nothing is a 404 naming it; malformed ones are a 400.
"""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.evaluations.plan import DEFAULT_CHUNK_ROWS, DEFAULT_CONCURRENCY
from agenta.core.evaluations.runs import RunRequest
from agenta.core.evaluators.configs import find_config
from agenta.core.registry.resolution import ConfigQuery, resolve
from agenta.core.registry.scope import Scope
from agenta.core.revisions.references import Reference
from agenta.core.testsets.revisions import get_revision
from agenta.core.testsets.testsets import find_testset_by_slug, get_testset
from agenta.errors import AppError, NotFound


class TestsetRefBody(msgspec.Struct, kw_only=True):
    __test__ = False

    id: uuid.UUID | None = None
    slug: str | None = None
    version: int | str | None = None


class ApplicationRefBody(msgspec.Struct, kw_only=True):
    revision_id: uuid.UUID | None = None
    application: str | None = None
    variant: str | None = None
    version: int | str | None = None
    environment: str | None = None


class EvaluatorRefBody(msgspec.Struct, kw_only=True):
    id: uuid.UUID | None = None
    slug: str | None = None


class RunFields(msgspec.Struct, kw_only=True):
    applications: list[ApplicationRefBody]
    evaluators: list[EvaluatorRefBody] = msgspec.field(default_factory=list)
    testset: TestsetRefBody | None = None
    testset_revision_id: uuid.UUID | None = None
    name: str = ""
    description: str | None = None
    repeats: int = 1
    concurrency: int = DEFAULT_CONCURRENCY
    spend_cap: float | None = None
    use_cache: bool = False
    chunk_rows: int = DEFAULT_CHUNK_ROWS
    meta: dict[str, Any] = msgspec.field(default_factory=dict)


class CreateRunBody(msgspec.Struct, kw_only=True):
    run: RunFields


async def resolve_request(
    session: AsyncSession, project_id: uuid.UUID, fields: RunFields
) -> RunRequest:
    """The ``RunRequest`` the body's references point at."""
    return RunRequest(
        testset_revision_id=await _testset_revision(session, project_id, fields),
        application_revision_ids=[
            await _application_revision(session, project_id, ref, index)
            for index, ref in enumerate(fields.applications)
        ],
        evaluator_ids=[
            await _evaluator(session, project_id, ref, index)
            for index, ref in enumerate(fields.evaluators)
        ],
        name=fields.name,
        description=fields.description,
        repeats=fields.repeats,
        concurrency=fields.concurrency,
        spend_cap=fields.spend_cap,
        use_cache=fields.use_cache,
        chunk_rows=fields.chunk_rows,
        meta=fields.meta,
    )


async def _testset_revision(
    session: AsyncSession, project_id: uuid.UUID, fields: RunFields
) -> uuid.UUID:
    if fields.testset_revision_id is not None:
        return fields.testset_revision_id
    ref = fields.testset
    if ref is None or (ref.id is None and not ref.slug):
        raise AppError("run.testset is required: give its id or slug (or run.testset_revision_id)")
    if ref.id is not None:
        testset = await get_testset(session, project_id, ref.id)
    else:
        found = await find_testset_by_slug(session, project_id, str(ref.slug))
        if found is None:
            raise NotFound(f"run.testset: no test set with slug {ref.slug!r}")
        testset = found
    version = _version(ref.version, "run.testset.version")
    return (await get_revision(session, testset, version)).id


async def _application_revision(
    session: AsyncSession, project_id: uuid.UUID, ref: ApplicationRefBody, index: int
) -> uuid.UUID:
    field = f"run.applications[{index}]"
    if ref.revision_id is not None:
        return ref.revision_id
    if not ref.application:
        raise AppError(f"{field}: give revision_id, or application with variant or environment")
    if bool(ref.variant) == bool(ref.environment):
        raise AppError(f"{field}: give either variant or environment with application")
    application = Reference(slug=ref.application)
    if ref.environment:
        query = ConfigQuery(application=application, environment=Reference(slug=ref.environment))
    else:
        version = _version(ref.version, f"{field}.version")
        query = ConfigQuery(
            application=application,
            variant=Reference(slug=ref.variant),
            revision=Reference(version=version) if version is not None else None,
        )
    resolved = await resolve(Scope(session=session, project_id=project_id), query)
    if resolved is None:
        where = f"environment {ref.environment!r}" if ref.environment else f"{ref.variant!r}"
        raise NotFound(f"{field}: no revision of {ref.application!r} for {where}")
    return resolved.revision.id


async def _evaluator(
    session: AsyncSession, project_id: uuid.UUID, ref: EvaluatorRefBody, index: int
) -> uuid.UUID:
    field = f"run.evaluators[{index}]"
    if ref.id is None and not ref.slug:
        raise AppError(f"{field}: give the evaluator's id or slug")
    found = await find_config(session, project_id, Reference(id=ref.id, slug=ref.slug))
    if found is None:
        raise NotFound(f"{field}: no evaluator {ref.id or ref.slug!r} in this project")
    return found.id


def _version(value: int | str | None, field: str) -> int | None:
    if value in (None, "", "latest"):
        return None
    try:
        number = int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise AppError(f"{field} must be a version number, got {value!r}") from None
    if number < 1:
        raise AppError(f"{field} must be at least 1, got {number}")
    return number
