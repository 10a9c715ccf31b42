"""REST API of evaluators: the built-in catalog, saved configurations, and trying one.

- ``GET /api/evaluators/catalog``: the built-in evaluators with their settings schemas;
- ``GET|POST /api/evaluators/configs``: the project's configurations, or a new one
  (``{slug, name?, evaluator_key, settings}``; bad settings are a 400 naming the setting);
- ``GET|PUT /api/evaluators/configs/{id}``: one configuration; ``PUT`` commits new settings
  (a new revision) and may rename it;
- ``GET /api/evaluators/configs/{id}/revisions``: its history, newest first;
- ``POST /api/evaluators/configs/{id}/archive`` and ``/unarchive``;
- ``POST /api/evaluators/try``: run a configuration (saved, or given inline) on one example,
  the evaluator playground's call: ``{evaluator_id | evaluator_key + settings, inputs,
  outputs}`` -> the result, its tokens and cost.

Reading needs ``view_evaluators``; changing and trying need ``edit_evaluators``.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

import msgspec
from litestar import get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.access.guards import requires
from agenta.core.access.permissions import Permission
from agenta.core.access.principal import Principal
from agenta.core.evaluations.llm_access import Meter, open_models
from agenta.core.evaluators import configs
from agenta.core.evaluators.builtins import catalog
from agenta.core.evaluators.views import config_record, revision_record
from agenta.core.services.runtime import llm_client
from agenta.errors import AppError
from agenta.platform import Platform

VIEW = [requires(Permission.VIEW_EVALUATORS)]
EDIT = [requires(Permission.EDIT_EVALUATORS)]
TAGS = ["evaluators"]
BASE = "/api/evaluators/configs"
CODE_EVALUATOR = "auto_custom_code_run"


class ConfigBody(msgspec.Struct, kw_only=True):
    slug: str | None = None
    name: str | None = None
    description: str | None = None
    evaluator_key: str | None = None
    settings: dict[str, Any] | None = None
    message: str = ""


class TryBody(msgspec.Struct, kw_only=True):
    evaluator_id: uuid.UUID | None = None
    evaluator_key: str | None = None
    settings: dict[str, Any] | None = None
    inputs: dict[str, Any] = msgspec.field(default_factory=dict)
    outputs: Any = None
    trace: dict[str, Any] | None = None


@get("/api/evaluators/catalog", guards=VIEW, tags=TAGS)
async def evaluator_catalog(include_archived: FromQuery[bool] = False) -> dict[str, Any]:
    """The built-in evaluators: key, name, description, settings schema and needs."""
    entries = catalog(include_archived)
    return {"count": len(entries), "evaluators": entries}


@get(BASE, guards=VIEW, tags=TAGS)
async def list_evaluator_configs(
    principal: NamedDependency[Principal], db_session: NamedDependency[AsyncSession]
) -> dict[str, Any]:
    """The project's evaluator configurations at their latest revisions."""
    found = await configs.list_configs(db_session, principal.project_id)
    return {"count": len(found), "evaluators": [config_record(config) for config in found]}


@post(BASE, guards=EDIT, tags=TAGS, status_code=201)
async def create_evaluator_config(
    data: JSONBody[ConfigBody],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> dict[str, Any]:
    """A new configuration of a built-in evaluator."""
    if not data.slug:
        raise AppError("slug is required: the name runs and the CLI use, such as 'exact-match'")
    if not data.evaluator_key:
        raise AppError("evaluator_key is required: a key from /api/evaluators/catalog")
    config = await configs.create_config(
        db_session,
        principal.project_id,
        principal.user_id,
        slug=data.slug,
        name=data.name,
        description=data.description,
        data=configs.builtin_data(data.evaluator_key, data.settings),
    )
    return {"count": 1, "evaluator": config_record(config)}


@get(BASE + "/{evaluator_id:uuid}", guards=VIEW, tags=TAGS)
async def read_evaluator_config(
    evaluator_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> dict[str, Any]:
    """One configuration at its latest revision."""
    config = await configs.get_config(db_session, principal.project_id, evaluator_id)
    return {"count": 1, "evaluator": config_record(config)}


@put(BASE + "/{evaluator_id:uuid}", guards=EDIT, tags=TAGS)
async def update_evaluator_config(
    evaluator_id: FromPath[uuid.UUID],
    data: JSONBody[ConfigBody],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> dict[str, Any]:
    """Rename a configuration and/or commit new settings (a new revision)."""
    config = await configs.get_config(db_session, principal.project_id, evaluator_id)
    if data.slug not in (None, config.slug):
        raise AppError("slug cannot change: runs, gates and the CLI refer to it")
    if data.name is not None or data.description is not None:
        await configs.rename_config(
            db_session, config, principal.user_id, name=data.name, description=data.description
        )
    if data.settings is not None or data.evaluator_key is not None:
        key = data.evaluator_key or config.key
        config = await configs.commit_config(
            db_session,
            config,
            principal.user_id,
            data=configs.builtin_data(key, data.settings if data.settings is not None else {}),
            message=data.message,
        )
    return {"count": 1, "evaluator": config_record(config)}


@get(BASE + "/{evaluator_id:uuid}/revisions", guards=VIEW, tags=TAGS)
async def evaluator_config_history(
    evaluator_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> dict[str, Any]:
    """Every revision of a configuration, newest first."""
    config = await configs.get_config(db_session, principal.project_id, evaluator_id)
    revisions = await configs.history(db_session, config)
    return {"count": len(revisions), "revisions": [revision_record(r) for r in revisions]}


@post(BASE + "/{evaluator_id:uuid}/{action:str}", guards=EDIT, tags=TAGS, status_code=200)
async def archive_evaluator_config(
    evaluator_id: FromPath[uuid.UUID],
    action: FromPath[str],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> dict[str, Any]:
    """``archive`` hides a configuration from lists; ``unarchive`` restores it."""
    if action not in ("archive", "unarchive"):
        raise AppError(f"unknown action {action!r}: use archive or unarchive", status_code=404)
    config = await configs.get_config(db_session, principal.project_id, evaluator_id)
    await configs.set_archived(db_session, config, action == "archive", principal.user_id)
    return {"count": 1, "evaluator": config_record(config)}


@post("/api/evaluators/try", guards=EDIT, tags=TAGS, status_code=200)
async def try_evaluator(
    data: JSONBody[TryBody],
    principal: NamedDependency[Principal],
    platform: NamedDependency[Platform],
    db_session: NamedDependency[AsyncSession],
) -> dict[str, Any]:
    """Run an evaluator on one example and answer its result (nothing is stored)."""
    key, settings = await _what_to_try(db_session, principal.project_id, data)
    await db_session.commit()  # no transaction stays open while a judge model answers
    return await run_once(platform, principal.project_id, key, settings, data)


async def run_once(
    platform: Platform, project_id: uuid.UUID, key: str, settings: dict[str, Any], data: TryBody
) -> dict[str, Any]:
    """One evaluation with the project's model access; shared by the API and the page."""
    evaluator = configs.builtin_or_error(key)
    meter = Meter()
    sandbox = evaluator.key == CODE_EVALUATOR
    # The process's LLM client: its provider connections serve every try.
    client = llm_client(platform)
    async with open_models(
        platform.settings, platform.db, project_id, sandbox=sandbox, client=client
    ) as models:
        started = time.perf_counter()
        result = await evaluator.evaluate(
            settings, data.inputs, data.outputs, data.trace, models.context(meter)
        )
        elapsed = (time.perf_counter() - started) * 1000
    return {
        "result": result.to_dict(),
        "latency_ms": round(elapsed, 2),
        "tokens": meter.total_tokens,
        "cost": meter.cost,
    }


async def _what_to_try(
    session: AsyncSession, project_id: uuid.UUID, data: TryBody
) -> tuple[str, dict[str, Any]]:
    if data.evaluator_id is not None:
        config = await configs.get_config(session, project_id, data.evaluator_id)
        settings = data.settings if data.settings is not None else config.settings
        return config.key, settings
    if not data.evaluator_key:
        raise AppError("give evaluator_id (a saved configuration) or evaluator_key with settings")
    return data.evaluator_key, data.settings or {}


ROUTES = [
    evaluator_catalog,
    list_evaluator_configs,
    create_evaluator_config,
    read_evaluator_config,
    update_evaluator_config,
    evaluator_config_history,
    archive_evaluator_config,
    try_evaluator,
]
