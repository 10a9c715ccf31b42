"""JSON shapes of evaluator configurations: ours, and the official SDK's.

``config_record`` is what our API and pages read. ``simple_evaluator`` and
``sdk_revision_record`` follow the SDK's ``SimpleEvaluator`` and ``EvaluatorRevision`` models:
ids as UUID strings, ``version`` as a string, and revision ``data`` limited to the workflow
fields the SDK accepts (``uri``, ``url``, ``headers``, ``runtime``, ``script``, ``schemas``,
``parameters``: its model forbids any other key).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from agenta.core.evaluators.configs import EvaluatorConfig
from agenta.core.evaluators.models import EvaluatorRevision

SDK_DATA_FIELDS = ("uri", "url", "headers", "runtime", "script", "schemas", "parameters")


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def config_record(config: EvaluatorConfig) -> dict[str, Any]:
    """A configuration with its latest revision's settings."""
    return {
        "id": str(config.id),
        "slug": config.slug,
        "name": config.name,
        "description": config.artifact.description,
        "evaluator_key": config.key,
        "uri": config.uri,
        "settings": config.settings,
        "runs_on_server": config.is_builtin,
        "revision_id": str(config.revision.id),
        "version": config.revision.version,
        "archived": config.artifact.deleted_at is not None,
        "created_at": iso(config.artifact.created_at),
        "updated_at": iso(config.revision.created_at),
    }


def revision_record(revision: EvaluatorRevision) -> dict[str, Any]:
    """One revision of a configuration."""
    data = revision.data or {}
    return {
        "id": str(revision.id),
        "version": revision.version,
        "uri": data.get("uri"),
        "settings": data.get("parameters") or {},
        "message": revision.message,
        "created_at": iso(revision.created_at),
        "created_by_id": str(revision.created_by_id) if revision.created_by_id else None,
    }


def sdk_data(revision: EvaluatorRevision) -> dict[str, Any]:
    """The revision's data with only the keys the SDK's model allows."""
    data = revision.data or {}
    return {key: data[key] for key in SDK_DATA_FIELDS if data.get(key) is not None}


def simple_evaluator(config: EvaluatorConfig) -> dict[str, Any]:
    """The SDK's ``SimpleEvaluator``: the artifact with its latest data folded in."""
    artifact = config.artifact
    return {
        "id": str(artifact.id),
        "slug": artifact.slug,
        "name": artifact.name,
        "description": artifact.description,
        "flags": artifact.flags or {},
        "tags": artifact.tags or {},
        "meta": artifact.meta or {},
        "data": sdk_data(config.revision),
        "created_at": iso(artifact.created_at),
        "updated_at": iso(artifact.updated_at),
        "created_by_id": str(artifact.created_by_id) if artifact.created_by_id else None,
    }


def sdk_revision_record(config: EvaluatorConfig) -> dict[str, Any]:
    """The SDK's ``EvaluatorRevision`` of the configuration's pinned revision."""
    revision = config.revision
    return {
        "id": str(revision.id),
        "slug": revision.slug,
        "version": str(revision.version),
        "data": sdk_data(revision),
        "evaluator_id": str(config.artifact.id),
        "evaluator_slug": config.artifact.slug,
        "evaluator_variant_id": str(config.variant.id),
        "evaluator_variant_slug": config.variant.slug,
        "workflow_id": str(config.artifact.id),
        "workflow_variant_id": str(config.variant.id),
        "flags": revision.flags or {},
        "message": revision.message,
        "created_at": iso(revision.created_at),
    }
