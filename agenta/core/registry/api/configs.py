"""Config fetch endpoints built for being called on every request of a user's app.

- ``GET /api/configs?application=<slug|id>&environment=<slug>`` (optionally
  ``environment_version``), or ``&variant=<slug>[&version=<n>]``, or ``application`` alone
  (latest of its default variant): the compact config ``{params, url, uri, application, variant,
  revision, environment}`` with an ``ETag``; ``If-None-Match`` answers ``304`` with no body.
- ``POST /api/variants/configs/fetch``: the legacy shape that SDKs up to 0.95 read
  (``variant_ref.version`` an int; no references means the ``production`` environment).

Both go through the config cache shared with ``/api/applications/revisions/retrieve``.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery, HeaderParameter, JSONBody

from agenta.core.access.guards import requires
from agenta.core.access.permissions import Permission
from agenta.core.access.principal import Principal
from agenta.core.registry import configs
from agenta.core.registry.api.bodies import LegacyConfigFetch
from agenta.core.registry.api.common import reference, scope_opener
from agenta.core.registry.resolution import ConfigQuery, Resolved
from agenta.core.registry.runtime import runtime_of
from agenta.core.registry.serialize import iso, text
from agenta.core.revisions.references import Reference, parse_version
from agenta.deps import platform_of
from agenta.errors import AppError, NotFound

VIEW = [requires(Permission.VIEW_APPLICATIONS)]
TAGS = ["configs"]
DEFAULT_LEGACY_ENVIRONMENT = "production"


def render_config(resolved: Resolved | None, names: dict[Any, str]) -> dict[str, Any]:
    """The compact config; a miss is a 404 (never cached)."""
    if resolved is None:
        raise NotFound("no configuration matches these references")
    revision, variant, application = resolved.revision, resolved.variant, resolved.application
    data = revision.data or {}
    environment = None
    if resolved.environment is not None and resolved.environment_revision is not None:
        environment = {
            "id": str(resolved.environment.id),
            "slug": resolved.environment.slug,
            "version": str(resolved.environment_revision.version),
        }
    return {
        "params": data.get("parameters") or {},
        "url": data.get("url"),
        "uri": data.get("uri"),
        "application": {"id": str(application.id), "slug": application.slug},
        "variant": {"id": str(variant.id), "slug": variant.slug, "version": str(revision.version)},
        "revision": {
            "id": str(revision.id),
            "version": str(revision.version),
            "message": revision.message,
            "author": names.get(revision.created_by_id) if revision.created_by_id else None,
            "date": iso(revision.created_at),
        },
        "environment": environment,
    }


@get("/api/configs", guards=VIEW, tags=TAGS)
async def fetch_config(
    principal: NamedDependency[Principal],
    request: Request[Any, Any, Any],
    application: FromQuery[str],
    environment: FromQuery[str | None] = None,
    environment_version: FromQuery[str | None] = None,
    variant: FromQuery[str | None] = None,
    version: FromQuery[str | None] = None,
    if_none_match: Annotated[str | None, HeaderParameter(name="if-none-match")] = None,
) -> Response[bytes]:
    """A config by environment, by variant (and version), or the application's latest."""
    if environment and variant:
        raise AppError("give either environment or variant, not both")
    query = ConfigQuery(
        application=_slug_or_id(application),
        variant=Reference(slug=variant) if variant else None,
        revision=Reference(version=parse_version(version, "version")) if version else None,
        environment=Reference(
            slug=environment, version=parse_version(environment_version, "environment_version")
        )
        if environment
        else None,
    )
    if query.revision is not None and query.variant is None:
        raise AppError("version needs a variant")
    cached = await configs.fetch(
        principal.project_id,
        runtime_of(platform_of(request)),
        query,
        shape="config",
        render=render_config,
        open_scope=scope_opener(principal, platform_of(request)),
    )
    headers = {"ETag": cached.etag, "Cache-Control": "no-cache"}
    if configs.matches(if_none_match, cached.etag):
        return Response(b"", status_code=304, headers=headers)
    return Response(cached.body, media_type="application/json", headers=headers)


def render_legacy(resolved: Resolved | None, names: dict[Any, str]) -> dict[str, Any]:
    """The pre-0.96 ``ConfigResponseModel``: integer versions and lifecycles."""
    if resolved is None:
        raise NotFound("Config not found")
    revision, variant, application = resolved.revision, resolved.variant, resolved.application
    data = revision.data or {}
    author = revision.created_by_id
    environment_ref = environment_lifecycle = None
    if resolved.environment is not None and resolved.environment_revision is not None:
        deployed = resolved.environment_revision
        environment_ref = {
            "slug": resolved.environment.slug,
            "version": deployed.version,
            "id": str(resolved.environment.id),
            "commit_message": deployed.message,
        }
        environment_lifecycle = _lifecycle(
            resolved.environment.created_at, deployed.created_at, deployed.created_by_id, names
        )
    return {
        "params": data.get("parameters") or {},
        "url": data.get("url"),
        "application_ref": {"slug": application.slug, "id": str(application.id)},
        "service_ref": None,
        "variant_ref": {
            "slug": variant.slug,
            "version": revision.version,
            "id": str(variant.id),
            "commit_message": revision.message,
        },
        "environment_ref": environment_ref,
        "application_lifecycle": _lifecycle(
            application.created_at, application.updated_at, application.updated_by_id, names
        ),
        "variant_lifecycle": _lifecycle(variant.created_at, revision.created_at, author, names),
        "environment_lifecycle": environment_lifecycle,
    }


@post("/api/variants/configs/fetch", guards=VIEW, status_code=200, tags=TAGS)
async def fetch_legacy_config(
    principal: NamedDependency[Principal],
    request: Request[Any, Any, Any],
    data: JSONBody[LegacyConfigFetch],
) -> Response[bytes]:
    """Legacy config fetch by ``variant_ref`` or ``environment_ref`` (default production)."""
    application = reference(data.application_ref, "application_ref")
    variant = reference(data.variant_ref, "variant_ref")
    environment = reference(data.environment_ref, "environment_ref")
    if variant is not None:
        version = variant.version
        query = ConfigQuery(
            application=application,
            variant=Reference(id=variant.id, slug=variant.slug),
            revision=Reference(version=version) if version is not None else None,
        )
    else:
        if application is None:
            raise AppError("application_ref is required to fetch a config from an environment")
        query = ConfigQuery(
            application=application,
            environment=environment or Reference(slug=DEFAULT_LEGACY_ENVIRONMENT),
        )
    cached = await configs.fetch(
        principal.project_id,
        runtime_of(platform_of(request)),
        query,
        shape="legacy",
        render=render_legacy,
        open_scope=scope_opener(principal, platform_of(request)),
    )
    return Response(cached.body, media_type="application/json", headers={"ETag": cached.etag})


def _lifecycle(
    created: Any, updated: Any, by: uuid.UUID | None, names: dict[Any, str]
) -> dict[str, Any]:
    return {
        "created_at": iso(created),
        "updated_at": iso(updated),
        "updated_by_id": text(by),
        "updated_by": names.get(by) if by else None,
    }


def _slug_or_id(value: str) -> Reference:
    if len(value) == 36 and value.count("-") == 4:
        try:
            return Reference(id=uuid.UUID(value))
        except ValueError:
            pass
    return Reference(slug=value)


ROUTES = [fetch_config, fetch_legacy_config]
