"""The JSON shapes of registry records, as the official SDK and our pages read them.

Envelopes are keyed by entity (``{"count", "application"}``, ``{"count", "application_variants"}``
...). Ids are strings, timestamps ISO-8601 strings, and revision versions strings (``"3"``): the
SDK coerces them to ints. Records repeat ids under the SDK's alternative names
(``application_variant_id`` and ``variant_id``, ``application_id`` and ``artifact_id``) because
different SDK code paths read different ones. ``updated_by`` on a revision is its author's
e-mail address: the SDK shows it as ``committed_by``.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from agenta.core.registry.applications import AppHead
from agenta.core.registry.environments import EnvironmentHead
from agenta.core.registry.models import (
    ApplicationArtifact,
    ApplicationRevision,
    ApplicationVariant,
    EnvironmentArtifact,
    EnvironmentRevision,
)
from agenta.core.registry.resolution import Resolved

Names = dict[uuid.UUID, str]


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def text(value: uuid.UUID | None) -> str | None:
    return str(value) if value is not None else None


def _lifecycle(row: Any) -> dict[str, Any]:
    return {
        "created_at": iso(row.created_at),
        "updated_at": iso(row.updated_at),
        "deleted_at": iso(row.deleted_at),
        "created_by_id": text(row.created_by_id),
        "updated_by_id": text(row.updated_by_id),
        "deleted_by_id": text(row.deleted_by_id),
    }


def _header(row: Any) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "slug": row.slug,
        "name": row.name,
        "description": row.description,
        "flags": row.flags or {},
        "tags": row.tags or {},
        "meta": row.meta or {},
    }


def application_record(application: ApplicationArtifact) -> dict[str, Any]:
    return {**_header(application), **_lifecycle(application)}


def simple_application(head: AppHead) -> dict[str, Any]:
    """An application with its default variant's latest revision folded in."""
    revision = head.revision
    return {
        **application_record(head.application),
        "data": dict(revision.data) if revision else {},
        "variant_id": text(head.variant.id) if head.variant else None,
        "variant_slug": head.variant.slug if head.variant else None,
        "revision_id": text(revision.id) if revision else None,
        "version": str(revision.version) if revision else None,
    }


def variant_record(variant: ApplicationVariant) -> dict[str, Any]:
    return {
        **_header(variant),
        "application_id": str(variant.artifact_id),
        "artifact_id": str(variant.artifact_id),
        "application_variant_id": str(variant.id),
        "forked_from_id": text(variant.forked_from_id),
        **_lifecycle(variant),
    }


def revision_record(
    revision: ApplicationRevision,
    variant: ApplicationVariant,
    application: ApplicationArtifact,
    names: Names,
) -> dict[str, Any]:
    author = revision.created_by_id
    return {
        "id": str(revision.id),
        "slug": revision.slug,
        "version": str(revision.version),
        "application_id": str(application.id),
        "application_slug": application.slug,
        "artifact_id": str(application.id),
        "application_variant_id": str(variant.id),
        "variant_id": str(variant.id),
        "variant_slug": variant.slug,
        "data": dict(revision.data or {}),
        "flags": revision.flags or {},
        "tags": revision.tags or {},
        "meta": revision.meta or {},
        "message": revision.message,
        "author": text(author),
        "date": iso(revision.created_at),
        "created_at": iso(revision.created_at),
        "updated_at": None,
        "deleted_at": iso(revision.deleted_at),
        "created_by_id": text(author),
        "updated_by_id": text(author),
        "updated_by": names.get(author) if author else None,
    }


def resolved_record(resolved: Resolved, names: Names) -> dict[str, Any]:
    return revision_record(resolved.revision, resolved.variant, resolved.application, names)


def environment_record(head: EnvironmentHead) -> dict[str, Any]:
    """An environment with its current deployment map folded in."""
    revision = head.revision
    return {
        **_header(head.environment),
        **_lifecycle(head.environment),
        "data": dict(revision.data) if revision else {"references": {}},
        "variant_id": str(head.variant.id),
        "revision_id": text(revision.id) if revision else None,
        "version": str(revision.version) if revision else None,
    }


def environment_revision_record(
    revision: EnvironmentRevision, environment: EnvironmentArtifact, names: Names
) -> dict[str, Any]:
    author = revision.created_by_id
    return {
        "id": str(revision.id),
        "slug": revision.slug,
        "version": str(revision.version),
        "environment_id": str(environment.id),
        "environment_slug": environment.slug,
        "artifact_id": str(environment.id),
        "environment_variant_id": str(revision.variant_id),
        "variant_id": str(revision.variant_id),
        "data": dict(revision.data or {}),
        "message": revision.message,
        "author": text(author),
        "date": iso(revision.created_at),
        "created_at": iso(revision.created_at),
        "updated_at": None,
        "created_by_id": text(author),
        "updated_by_id": text(author),
        "updated_by": names.get(author) if author else None,
    }
