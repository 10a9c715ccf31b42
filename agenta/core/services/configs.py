"""Which configuration an invocation runs: inline parameters, or a stored revision.

``resolve_config`` is the one place that decides. Inline ``data.parameters`` (a playground
draft) win; otherwise the references are resolved through the registry
(``agenta.core.registry``): an application revision by id, a variant (and version), an
application's latest, or what an environment deploys for the application named by
``selector.key`` (``<app_slug>.revision``) or by the application reference. Resolution goes
through the registry's config cache, so a deployed config costs a dictionary lookup once warm
(no database session is opened on a hit) and is fresh as soon as a commit or deployment
changes it.

The answer carries the references of what ran, for the trace.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import msgspec

from agenta.core.access.principal import Principal
from agenta.core.registry import configs
from agenta.core.registry.resolution import ConfigQuery, Resolved
from agenta.core.registry.runtime import runtime_of
from agenta.core.registry.scope import Scope
from agenta.core.revisions.references import Reference, parse_version
from agenta.core.services.errors import ServiceFailure
from agenta.core.services.requests import InvokeRequest
from agenta.errors import AppError, NotFound
from agenta.platform import Platform

SHAPE = "services"
NOT_FOUND = "Workflow not found"


@dataclass(frozen=True)
class ResolvedConfig:
    """The parameters to run with and the references of where they came from."""

    parameters: dict[str, Any]
    references: dict[str, dict[str, Any]] = field(default_factory=dict)
    uri: str | None = None


async def resolve_config(
    principal: Principal, platform: Platform, request: InvokeRequest
) -> ResolvedConfig | None:
    """The config ``request`` runs with; None when it gives neither parameters nor references.

    Raises ``ServiceFailure``: 404 when the references match nothing, 400 when they are
    malformed or contradictory.
    """
    if request.parameters is not None:
        return ResolvedConfig(request.parameters, _given_references(request))
    query = config_query(request)
    if query is None:
        return None

    @asynccontextmanager
    async def open_scope() -> AsyncIterator[Scope]:
        async with platform.db.session() as session:
            yield Scope(session, principal.project_id, principal.user_id, principal.permissions)

    try:
        cached = await configs.fetch(
            principal.project_id,
            runtime_of(platform),
            query,
            shape=SHAPE,
            render=render_service_config,
            open_scope=open_scope,
        )
    except NotFound:
        raise ServiceFailure(404, "interface:workflow-not-found", NOT_FOUND) from None
    except AppError as error:
        raise ServiceFailure(400, "interface:invalid-references", error.detail) from None
    found = msgspec.json.decode(cached.body)
    return ResolvedConfig(found["parameters"], found["references"], found.get("uri"))


def config_query(request: InvokeRequest) -> ConfigQuery | None:
    """The registry query the references describe, or None when there are none."""
    refs = request.references
    key = request.selector.get("key")
    query = ConfigQuery(
        application=_reference(refs, "application"),
        variant=_reference(refs, "application_variant") or _reference(refs, "variant"),
        revision=_reference(refs, "application_revision") or _reference(refs, "revision"),
        environment=_reference(refs, "environment"),
        environment_revision=_reference(refs, "environment_revision"),
        key=key if isinstance(key, str) and key else None,
    )
    if query == ConfigQuery(key=query.key):
        return None
    return query


def _reference(refs: dict[str, dict[str, Any]], name: str) -> Reference | None:
    given = refs.get(name)
    if not given:
        return None
    where = f"references.{name}"
    try:
        ref_id = uuid.UUID(str(given["id"])) if given.get("id") else None
        version = parse_version(given.get("version"), f"{where}.version")
    except ValueError:
        raise ServiceFailure(
            400, "interface:invalid-references", f"{where}.id is not a UUID"
        ) from None
    except AppError as error:
        raise ServiceFailure(400, "interface:invalid-references", error.detail) from None
    slug = given.get("slug")
    reference = Reference(ref_id, slug if isinstance(slug, str) and slug else None, version)
    return None if reference.is_empty else reference


def render_service_config(resolved: Resolved | None, names: dict[Any, str]) -> dict[str, Any]:
    """What the services need of a resolved revision (cached by the registry)."""
    if resolved is None:
        raise NotFound(NOT_FOUND)
    revision, variant, application = resolved.revision, resolved.variant, resolved.application
    data = revision.data or {}
    references: dict[str, dict[str, Any]] = {
        "application": {"id": str(application.id), "slug": application.slug},
        "application_variant": {"id": str(variant.id), "slug": variant.slug},
        "application_revision": {
            "id": str(revision.id),
            "slug": revision.slug,
            "version": str(revision.version),
        },
    }
    if resolved.environment is not None and resolved.environment_revision is not None:
        references["environment"] = {
            "id": str(resolved.environment.id),
            "slug": resolved.environment.slug,
            "version": str(resolved.environment_revision.version),
        }
    return {
        "parameters": data.get("parameters") or {},
        "uri": data.get("uri"),
        "references": references,
    }


def _given_references(request: InvokeRequest) -> dict[str, dict[str, Any]]:
    """References sent along with inline parameters, kept for the trace as they are."""
    return {
        name: {key: value for key, value in ref.items() if key in ("id", "slug", "version")}
        for name, ref in request.references.items()
    }
