"""The providers settings page (``/settings/providers``): keys per provider, custom providers.

One page lists every standard provider with where its key comes from (the project's vault,
shown as a masked hint, or the server's environment variable, or nowhere), and the project's
custom providers with their models. Forms add or replace a provider key, add a custom
provider, delete either, and test a connection (with htmx the result replaces the row's status
cell; without it the page comes back with the result as a message). Keys are typed into
password fields and never written back into the page.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.access.guards import requires
from agenta.core.access.permissions import Permission
from agenta.core.access.principal import Principal
from agenta.core.accounts.page_support import flash, form_data, page
from agenta.core.secrets.environment import ProviderEnvironment
from agenta.core.secrets.models import CUSTOM_PROVIDER, PROVIDER_KEY, ProviderSecret
from agenta.core.secrets.payloads import SecretInput, parse_model_list, parse_secret_body
from agenta.core.secrets.probe import ProbeResult, probe_connection
from agenta.core.secrets.runtime import vault_changed, vault_runtime
from agenta.core.secrets.vault import (
    connection_of,
    create_secret,
    delete_secret,
    find_secret,
    list_secrets,
    update_secret,
)
from agenta.core.services.runtime import llm_client
from agenta.errors import AppError
from agenta.llm.provider_kinds import PROVIDER_KINDS, ProviderKind, provider_kind
from agenta.platform import Platform

PAGE = "/settings/providers"
VIEW = [requires(Permission.VIEW_SECRETS)]
EDIT = [requires(Permission.EDIT_SECRETS)]
STANDARD_KINDS = (
    "openai",
    "anthropic",
    "gemini",
    "mistral",
    "groq",
    "together_ai",
    "deepseek",
    "openrouter",
    "deepinfra",
    "perplexityai",
)
CUSTOM_KINDS = ("custom", "azure", "ollama", "vllm", "lmstudio", "openai", "anthropic")


@dataclass(frozen=True)
class ProviderRow:
    """One standard provider on the page: its stored keys, or the environment's fallback."""

    kind: ProviderKind
    secrets: list[ProviderSecret]
    env_variable: str | None


SECRET_FIELDS = ("key", "extras")
RETYPE_SECRETS = "enter the API key and extra settings again"


def provider_rows(
    secrets: list[ProviderSecret], environment: ProviderEnvironment
) -> list[ProviderRow]:
    """A row per standard provider, with the project's keys for it."""
    rows = []
    for name in STANDARD_KINDS:
        kind = PROVIDER_KINDS[name]
        stored = [s for s in secrets if s.kind == PROVIDER_KEY and s.provider == name]
        variable = environment.variable_for(kind) if environment.enabled else None
        rows.append(ProviderRow(kind, stored, variable))
    return rows


async def _render(
    request: Request[Any, Any, Any],
    platform: Platform,
    session: AsyncSession,
    principal: Principal,
    *,
    flashes: list[dict[str, str]] | None = None,
    status_code: int = 200,
    custom_typed: dict[str, str] | None = None,
) -> Template:
    secrets = await list_secrets(session, principal.project_id)
    environment = vault_runtime(platform).environment
    return page(
        request,
        "secrets/providers.html",
        status_code=status_code,
        flashes=flashes,
        providers=provider_rows(secrets, environment),
        custom=[secret for secret in secrets if secret.kind == CUSTOM_PROVIDER],
        custom_kinds=[PROVIDER_KINDS[name] for name in CUSTOM_KINDS],
        # What was typed into the custom provider form when adding it failed, bar the secrets
        # (extras may hold auth headers): they are never written back into a page.
        custom_typed={k: v for k, v in (custom_typed or {}).items() if k not in SECRET_FIELDS},
        can_edit=principal.can(Permission.EDIT_SECRETS),
    )


@get(PAGE, guards=VIEW, include_in_schema=False)
async def providers_page(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    platform: NamedDependency[Platform],
    db_session: NamedDependency[AsyncSession],
) -> Template:
    return await _render(request, platform, db_session, principal)


def key_form_input(form: dict[str, str]) -> SecretInput:
    """A provider key from the page's form."""
    given: dict[str, Any] = {"provider": form.get("provider", "").strip()}
    key = form.get("key", "").strip()
    if key:
        given["key"] = key
    if form.get("models", "").strip():
        given["models"] = parse_model_list(form["models"])
    return SecretInput(kind=PROVIDER_KEY, given=given)


def custom_form_input(form: dict[str, str]) -> SecretInput:
    """A custom provider from the page's form (``extras`` is a JSON object, if given)."""
    body = {
        "header": {"name": form.get("name") or None},
        "secret": {
            "kind": CUSTOM_PROVIDER,
            "data": {
                "kind": form.get("provider") or "custom",
                "provider_slug": form.get("slug") or None,
                "provider": {
                    "url": form.get("url") or None,
                    "version": form.get("version") or None,
                    "key": form.get("key") or None,
                    "extras": _extras(form.get("extras", "")),
                },
                "models": parse_model_list(form.get("models", "")),
            },
        },
    }
    return parse_secret_body(body)


def _extras(text: str) -> dict[str, Any] | None:
    if not text.strip():
        return None
    try:
        value = json.loads(text)
    except ValueError:
        raise AppError(
            'Extra settings must be a JSON object, e.g. {"api_version": "2024-10-21"}'
        ) from None
    if not isinstance(value, dict):
        raise AppError("Extra settings must be a JSON object")
    return value


@post(f"{PAGE}/keys", guards=EDIT, include_in_schema=False)
async def save_key(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    platform: NamedDependency[Platform],
    db_session: NamedDependency[AsyncSession],
) -> Template:
    """Add the provider's key, or replace the one stored under the provider's name."""
    form = await form_data(request)
    box = vault_runtime(platform).box
    try:
        given = key_form_input(form)
        existing = await _stored_key(db_session, principal, given)
        if existing is not None:
            secret = await update_secret(
                db_session, box, existing, given, actor_id=principal.user_id
            )
        else:
            secret = await create_secret(
                db_session, box, principal.project_id, given, actor_id=principal.user_id
            )
    except AppError as error:
        return await _render(
            request,
            platform,
            db_session,
            principal,
            flashes=[flash("error", error.detail)],
            status_code=error.status_code,
        )
    await _committed(db_session, platform, principal)
    message = f"{secret.name} key saved ({secret.key_hint or 'no key'})."
    return await _render(
        request, platform, db_session, principal, flashes=[flash("success", message)]
    )


async def _stored_key(
    session: AsyncSession, principal: Principal, given: SecretInput
) -> ProviderSecret | None:
    """The key stored under the provider's own name, which the form replaces."""
    kind = provider_kind(str(given.given.get("provider", "")))
    if kind is None:
        return None
    secrets = await list_secrets(session, principal.project_id)
    return next((secret for secret in secrets if secret.slug == kind.name), None)


@post(f"{PAGE}/custom", guards=EDIT, include_in_schema=False)
async def add_custom(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    platform: NamedDependency[Platform],
    db_session: NamedDependency[AsyncSession],
) -> Template:
    """Add a custom provider with its models."""
    form = await form_data(request)
    box = vault_runtime(platform).box
    try:
        secret = await create_secret(
            db_session,
            box,
            principal.project_id,
            custom_form_input(form),
            actor_id=principal.user_id,
        )
    except AppError as error:
        return await _render(
            request,
            platform,
            db_session,
            principal,
            flashes=[flash("error", f"{error.detail} ({RETYPE_SECRETS})")],
            status_code=error.status_code,
            custom_typed=form,
        )
    await _committed(db_session, platform, principal)
    message = f"Custom provider {secret.slug} added: call its models as {secret.slug}/<model>."
    return await _render(
        request, platform, db_session, principal, flashes=[flash("success", message)]
    )


@post(f"{PAGE}/{{id_or_slug:str}}/delete", guards=EDIT, include_in_schema=False)
async def remove(
    request: Request[Any, Any, Any],
    id_or_slug: FromPath[str],
    principal: NamedDependency[Principal],
    platform: NamedDependency[Platform],
    db_session: NamedDependency[AsyncSession],
) -> Template:
    """Delete a provider key or a custom provider."""
    secret = await find_secret(db_session, principal.project_id, id_or_slug)
    name = secret.name
    await delete_secret(db_session, secret)
    await _committed(db_session, platform, principal)
    return await _render(
        request, platform, db_session, principal, flashes=[flash("success", f"{name} deleted.")]
    )


@post(f"{PAGE}/{{id_or_slug:str}}/test", guards=EDIT, include_in_schema=False)
async def check_connection(
    request: Request[Any, Any, Any],
    id_or_slug: FromPath[str],
    principal: NamedDependency[Principal],
    platform: NamedDependency[Platform],
    db_session: NamedDependency[AsyncSession],
) -> Template:
    """Call a model through a stored connection and show how it went."""
    secret = await find_secret(db_session, principal.project_id, id_or_slug)
    runtime = vault_runtime(platform)
    connection = connection_of(secret, runtime.box)
    await db_session.commit()  # no transaction stays open while the provider answers
    result = await probe_connection(
        llm_client(platform), connection, env=runtime.environment.for_calls()
    )
    if request.headers.get("hx-request"):
        return Template(
            "secrets/_test_result.html", context={"result": result, "slug": secret.slug}
        )
    return await _render(
        request, platform, db_session, principal, flashes=[_result_flash(secret, result)]
    )


async def _committed(session: AsyncSession, platform: Platform, principal: Principal) -> None:
    await session.commit()
    vault_changed(platform, principal.project_id)


def _result_flash(secret: ProviderSecret, result: ProbeResult) -> dict[str, str]:
    if result.ok:
        return flash("success", f"{secret.name}: connection works ({result.message})")
    return flash("error", f"{secret.name}: {result.message}")


ROUTES = [providers_page, save_key, add_custom, remove, check_connection]
