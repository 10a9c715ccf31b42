"""Helpers of the registry pages: rendering with notices, redirects that carry a notice, and
the view models that several pages share (an application's variants with their latest
revisions, and where the application is deployed).

A form post redirects (303) back to a page with ``?notice=`` or ``?error=`` in the URL; the page
shows it as a flash. Messages are our own sentences (or a refusal's message) and are escaped
like every other value.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from litestar import Request
from litestar.response import Template

from agenta.core.accounts.page_support import flash, page
from agenta.core.registry import environments
from agenta.core.registry.authors import author_names
from agenta.core.registry.deployments import history_with_changes
from agenta.core.registry.environments import EnvironmentHead, entry_for
from agenta.core.registry.models import (
    ApplicationArtifact,
    ApplicationRevision,
    ApplicationVariant,
    EnvironmentRevision,
)
from agenta.core.registry.scope import Scope
from agenta.core.registry.templates import app_type_of
from agenta.web.redirects import back_to as back_to


def render(request: Request[Any, Any, Any], template: str, **context: Any) -> Template:
    """A registry page with the flash that the URL carries, if any."""
    flashes = []
    if notice := request.query_params.get("notice"):
        flashes.append(flash("success", notice))
    if error := request.query_params.get("error"):
        flashes.append(flash("error", error))
    application = context.get("application")
    if isinstance(application, ApplicationArtifact):
        context.setdefault("app_type_name", app_type_of(application.flags))
    return page(request, f"registry/{template}", flashes=flashes, **context)


def parse_id(raw: str | None) -> uuid.UUID | None:
    """A UUID from a form field, or None when it is missing or malformed."""
    try:
        return uuid.UUID(raw) if raw else None
    except ValueError:
        return None


@dataclass(frozen=True)
class VariantRow:
    variant: ApplicationVariant
    latest: ApplicationRevision | None


@dataclass(frozen=True)
class Deployment:
    """Where one application stands in one environment."""

    head: EnvironmentHead
    entry: dict[str, Any] | None
    deployed: EnvironmentRevision | None

    @property
    def version(self) -> str | None:
        return ((self.entry or {}).get("application_revision") or {}).get("version")

    @property
    def variant_slug(self) -> str | None:
        return ((self.entry or {}).get("application_variant") or {}).get("slug")

    @property
    def revision_id(self) -> str | None:
        return ((self.entry or {}).get("application_revision") or {}).get("id")


async def variant_rows(
    scope: Scope, application: ApplicationArtifact, *, include_archived: bool = False
) -> list[VariantRow]:
    store = scope.applications
    found = await store.variants(artifact_ids=[application.id], include_archived=include_archived)
    latest = await store.latest_of([variant.id for variant in found])
    return [VariantRow(variant, latest.get(variant.id)) for variant in found]


async def deployments_of(scope: Scope, application: ApplicationArtifact) -> list[Deployment]:
    """For each environment: what it deploys of ``application`` and since which revision."""
    found = []
    for head in await environments.list_environments(scope):
        entry = entry_for(head.references, application_id=application.id, key=None)
        found.append(Deployment(head, entry, await _deployed_by(scope, head, entry)))
    return found


async def _deployed_by(
    scope: Scope, head: EnvironmentHead, entry: dict[str, Any] | None
) -> EnvironmentRevision | None:
    if entry is None:
        return None
    for item in await history_with_changes(scope, head.environment):
        if any(change.new == entry for change in item.changes):
            return item.revision
    return None


async def names_for(scope: Scope, rows: list[Any]) -> dict[uuid.UUID, str]:
    """Author e-mails for revisions (or anything with ``created_by_id``)."""
    return await author_names(scope.session, [getattr(row, "created_by_id", None) for row in rows])


def app_type(application: ApplicationArtifact) -> str:
    return app_type_of(application.flags)
