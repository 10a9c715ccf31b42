"""Pages of evaluators: configurations, the built-in catalog, and the evaluator playground.

- ``GET /evaluators``: the project's configurations, and the catalog to configure one from;
- ``GET /evaluators/new?key=`` and ``POST /evaluators``: configure a built-in evaluator (its
  settings form is built from its schema, see ``settings_form``);
- ``GET /evaluators/{id}`` and ``POST /evaluators/{id}``: change the settings (a new revision),
  with the history of revisions;
- a save that fails (a taken slug, a bad setting) saves nothing and answers the form again (422)
  with the error and everything as typed, so nothing has to be typed twice;
- ``POST /evaluators/try``: the playground (htmx): run the settings being edited on one example
  (test case inputs as JSON and an output) and show the result, its tokens and cost, before
  anything is saved;
- ``POST /evaluators/{id}/archive``: hide it from the list (the button asks first).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from typing import Any

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.access.guards import requires
from agenta.core.access.permissions import Permission
from agenta.core.access.principal import Principal
from agenta.core.accounts.page_support import form_data
from agenta.core.evaluations.page_support import render
from agenta.core.evaluators import configs
from agenta.core.evaluators.api import TryBody, run_once
from agenta.core.evaluators.builtins import BuiltinEvaluator, catalog
from agenta.core.evaluators.settings_form import form_fields, settings_from_form, typed_fields
from agenta.errors import AppError
from agenta.platform import Platform
from agenta.web.redirects import back_to

VIEW = [requires(Permission.VIEW_EVALUATORS)]
EDIT = [requires(Permission.EDIT_EVALUATORS)]
EXAMPLE_INPUTS = {"country": "France", "correct_answer": "Paris"}


@get("/evaluators", guards=VIEW, include_in_schema=False)
async def evaluator_list(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> Template:
    return render(
        request,
        "evaluators/list.html",
        configs=await configs.list_configs(db_session, principal.project_id),
        catalog=catalog(),
        can_edit=principal.can(Permission.EDIT_EVALUATORS),
    )


@get("/evaluators/new", guards=EDIT, include_in_schema=False)
async def evaluator_new(request: Request[Any, Any, Any]) -> Template | Redirect:
    try:
        evaluator = configs.builtin_or_error(request.query_params.get("key") or "")
    except AppError as error:
        return back_to("/evaluators", error=error.detail)
    return _edit_page(request, evaluator, config=None)


def _edit_page(
    request: Request[Any, Any, Any],
    evaluator: BuiltinEvaluator,
    *,
    config: configs.EvaluatorConfig | None,
    typed: Mapping[str, str] | None = None,
    error: str | None = None,
    history: list[Any] | None = None,
    can_edit: bool = True,
) -> Template:
    """The settings form: the saved settings, or what was typed when saving it failed."""
    schema = evaluator.settings.json_schema()
    if typed is None:
        fields = form_fields(schema, config.settings if config else {})
    else:
        fields = typed_fields(schema, typed)
    return render(
        request,
        "evaluators/edit.html",
        status_code=422 if error else 200,
        evaluator=evaluator,
        config=config,
        fields=fields,
        typed=typed or {},
        error=error,
        history=history or [],
        can_edit=can_edit,
        example=json.dumps(EXAMPLE_INPUTS, indent=2),
    )


def _checked_data(evaluator: BuiltinEvaluator, form: Mapping[str, str]) -> dict[str, Any]:
    """Revision data from the settings form; ``AppError`` or ``ValueError`` names a bad one."""
    settings = settings_from_form(evaluator.settings.json_schema(), form)
    return configs.builtin_data(evaluator.key, settings)


def _problem(error: AppError | ValueError) -> str:
    return error.detail if isinstance(error, AppError) else str(error)


@post("/evaluators", guards=EDIT, include_in_schema=False)
async def evaluator_create(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> Template | Redirect:
    form = await form_data(request)
    try:
        evaluator = configs.builtin_or_error(form.get("evaluator_key", ""))
    except AppError as error:
        return back_to("/evaluators", error=error.detail)
    try:
        config = await configs.create_config(
            db_session,
            principal.project_id,
            principal.user_id,
            slug=form.get("slug", "").strip(),
            name=form.get("name", "").strip() or None,
            data=_checked_data(evaluator, form),
        )
    except (AppError, ValueError) as error:
        # The handler returns normally, so the session would commit: undo any write first.
        await db_session.rollback()
        return _edit_page(request, evaluator, config=None, typed=form, error=_problem(error))
    return back_to(f"/evaluators/{config.id}", notice="Evaluator saved")


@get("/evaluators/{evaluator_id:uuid}", guards=VIEW, include_in_schema=False)
async def evaluator_detail(
    request: Request[Any, Any, Any],
    evaluator_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> Template:
    return await _detail_page(request, evaluator_id, principal, db_session)


async def _detail_page(
    request: Request[Any, Any, Any],
    evaluator_id: uuid.UUID,
    principal: Principal,
    db_session: AsyncSession,
    *,
    typed: Mapping[str, str] | None = None,
    error: str | None = None,
) -> Template:
    config = await configs.get_config(db_session, principal.project_id, evaluator_id)
    return _edit_page(
        request,
        config.builtin(),
        config=config,
        typed=typed,
        error=error,
        history=await configs.history(db_session, config),
        can_edit=principal.can(Permission.EDIT_EVALUATORS),
    )


@post("/evaluators/{evaluator_id:uuid}", guards=EDIT, include_in_schema=False)
async def evaluator_update(
    request: Request[Any, Any, Any],
    evaluator_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> Template | Redirect:
    config = await configs.get_config(db_session, principal.project_id, evaluator_id)
    form = await form_data(request)
    try:
        updated = await configs.commit_config(
            db_session,
            config,
            principal.user_id,
            data=_checked_data(config.builtin(), form),
            message=form.get("message", "").strip(),
        )
    except (AppError, ValueError) as error:
        # Undo any write; the rollback also expired the loaded rows, so the page reads them anew.
        await db_session.rollback()
        return await _detail_page(
            request, evaluator_id, principal, db_session, typed=form, error=_problem(error)
        )
    version = updated.revision.version
    return back_to(f"/evaluators/{evaluator_id}", notice=f"Saved as version {version}")


@post("/evaluators/{evaluator_id:uuid}/archive", guards=EDIT, include_in_schema=False)
async def evaluator_archive(
    evaluator_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> Redirect:
    config = await configs.get_config(db_session, principal.project_id, evaluator_id)
    await configs.set_archived(db_session, config, True, principal.user_id)
    return back_to("/evaluators", notice=f"Archived {config.slug}")


@post("/evaluators/try", guards=EDIT, include_in_schema=False)
async def evaluator_try(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    platform: NamedDependency[Platform],
) -> Template:
    form = await form_data(request)
    try:
        evaluator = configs.builtin_or_error(form.get("evaluator_key", ""))
        raw = settings_from_form(evaluator.settings.json_schema(), form)
        # Checked here so a missing or bad setting reads as a message, not as a failed run.
        settings = configs.clean_settings(evaluator, raw)
        body = TryBody(inputs=_inputs(form), outputs=_output(form))
        answer = await run_once(platform, principal.project_id, evaluator.key, settings, body)
    except (AppError, ValueError) as error:
        return render(request, "evaluators/_try_result.html", problem=_problem(error), answer=None)
    return render(request, "evaluators/_try_result.html", problem=None, answer=answer)


def _inputs(form: dict[str, str]) -> dict[str, Any]:
    raw = form.get("try_inputs", "").strip() or "{}"
    try:
        value = json.loads(raw)
    except ValueError as error:
        raise ValueError(f"test case inputs: not valid JSON ({error})") from None
    if not isinstance(value, dict):
        raise ValueError('test case inputs: a JSON object of columns, such as {"country": ...}')
    return value


def _output(form: dict[str, str]) -> Any:
    raw = form.get("try_output", "")
    if form.get("output_is_json") not in ("on", "true", "1"):
        return raw
    try:
        return json.loads(raw)
    except ValueError as error:
        raise ValueError(f"output: not valid JSON ({error})") from None


ROUTES = [
    evaluator_list,
    evaluator_new,
    evaluator_create,
    evaluator_detail,
    evaluator_update,
    evaluator_archive,
    evaluator_try,
]
