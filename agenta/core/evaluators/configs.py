"""Saved evaluator configurations: a built-in evaluator with its settings, versioned per project.

A configuration is stored on the generic revision store (``EVALUATORS``): the artifact carries
its slug and name, its one variant (named ``default``) carries the history, and each revision's
data is ``{"uri": "agenta:builtin:<key>:v0", "parameters": <settings>}``. Changing the settings
commits a new revision; runs pin the revision they used, so their results stay explained.

Settings are validated by the built-in evaluator (``validate_settings``) before anything is
stored; a bad one is a 400 naming it. Configurations created by the official SDK for its own
Python evaluators (``user:custom:...`` URIs) are stored as given: they run on the client.

Every function takes the caller's session and project; nothing here commits.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.evaluators.builtins import (
    BuiltinEvaluator,
    EvaluatorError,
    UnknownEvaluator,
    get_evaluator,
)
from agenta.core.evaluators.models import (
    EVALUATORS,
    EvaluatorArtifact,
    EvaluatorRevision,
    EvaluatorVariant,
)
from agenta.core.revisions.references import Reference
from agenta.core.revisions.store import RevisionStore
from agenta.errors import AppError, NotFound

DEFAULT_VARIANT = "default"
BUILTIN_PREFIX = "agenta:builtin:"

EvaluatorStore = RevisionStore[EvaluatorArtifact, EvaluatorVariant, EvaluatorRevision]


@dataclass(frozen=True)
class EvaluatorConfig:
    """One configuration at one revision (its latest, unless asked otherwise)."""

    artifact: EvaluatorArtifact
    variant: EvaluatorVariant
    revision: EvaluatorRevision

    @property
    def id(self) -> uuid.UUID:
        return self.artifact.id

    @property
    def slug(self) -> str:
        return self.artifact.slug

    @property
    def name(self) -> str:
        return self.artifact.name or self.artifact.slug

    @property
    def uri(self) -> str:
        return str((self.revision.data or {}).get("uri") or "")

    @property
    def settings(self) -> dict[str, Any]:
        return dict((self.revision.data or {}).get("parameters") or {})

    @property
    def is_builtin(self) -> bool:
        return self.uri.startswith(BUILTIN_PREFIX)

    @property
    def key(self) -> str:
        """The built-in evaluator's key, or the URI itself for client-side evaluators."""
        return self.builtin().key if self.is_builtin else self.uri

    def builtin(self) -> BuiltinEvaluator:
        """The built-in evaluator this configuration runs (``AppError`` when it has none)."""
        try:
            return get_evaluator(self.uri)
        except UnknownEvaluator as error:
            raise AppError(
                f"evaluator {self.slug!r} runs on the client ({self.uri or 'no URI'}): "
                "the server cannot run it"
            ) from error


def evaluator_store(session: AsyncSession, project_id: uuid.UUID) -> EvaluatorStore:
    """The project's evaluator configurations on the revision store."""
    return RevisionStore(session, EVALUATORS, project_id)


def builtin_or_error(key: str) -> BuiltinEvaluator:
    """The built-in evaluator named ``key`` (or URI), or a 400 naming the known ones."""
    try:
        return get_evaluator(key)
    except UnknownEvaluator:
        raise AppError(
            f"evaluator_key {key!r} is not a built-in evaluator "
            "(see /api/evaluators/catalog for the list)"
        ) from None


def clean_settings(evaluator: BuiltinEvaluator, settings: dict[str, Any] | None) -> dict[str, Any]:
    """Validated settings with defaults filled in, or a 400 naming the bad setting."""
    try:
        return evaluator.validate_settings(settings or {})
    except EvaluatorError as error:
        raise AppError(error.message, details={"code": error.code}) from None


def builtin_data(key: str, settings: dict[str, Any] | None) -> dict[str, Any]:
    """The revision data of a built-in evaluator with checked settings."""
    evaluator = builtin_or_error(key)
    return {"uri": evaluator.uri, "parameters": clean_settings(evaluator, settings)}


def checked_data(data: dict[str, Any]) -> dict[str, Any]:
    """Revision data as a client sent it: built-in URIs get their settings checked."""
    uri = data.get("uri")
    if isinstance(uri, str) and uri.startswith(BUILTIN_PREFIX):
        cleaned = builtin_data(uri, data.get("parameters"))
        return {**data, **cleaned}
    return dict(data)


async def create_config(
    session: AsyncSession,
    project_id: uuid.UUID,
    actor_id: uuid.UUID | None,
    *,
    slug: str,
    data: dict[str, Any],
    name: str | None = None,
    description: str | None = None,
    flags: dict[str, Any] | None = None,
    message: str = "Created",
) -> EvaluatorConfig:
    """A new configuration whose first revision holds ``data`` (see ``builtin_data``)."""
    store = evaluator_store(session, project_id)
    artifact = await store.create_artifact(
        slug=slug,
        actor_id=actor_id,
        name=name,
        description=description,
        flags={"is_evaluator": True, **(flags or {})},
    )
    variant = await store.create_variant(artifact, slug=DEFAULT_VARIANT, actor_id=actor_id)
    revision = await store.commit(
        variant, data=checked_data(data), actor_id=actor_id, message=message
    )
    return EvaluatorConfig(artifact, variant, revision)


async def commit_config(
    session: AsyncSession,
    config: EvaluatorConfig,
    actor_id: uuid.UUID | None,
    *,
    data: dict[str, Any],
    message: str = "",
) -> EvaluatorConfig:
    """A new revision of ``config`` holding ``data``."""
    store = evaluator_store(session, config.artifact.project_id)
    revision = await store.commit(
        config.variant, data=checked_data(data), actor_id=actor_id, message=message
    )
    return EvaluatorConfig(config.artifact, config.variant, revision)


async def rename_config(
    session: AsyncSession,
    config: EvaluatorConfig,
    actor_id: uuid.UUID | None,
    *,
    name: str | None = None,
    description: str | None = None,
    flags: dict[str, Any] | None = None,
) -> None:
    """Change a configuration's name, description or flags (its slug stays)."""
    changes = {"name": name, "description": description, "flags": flags}
    store = evaluator_store(session, config.artifact.project_id)
    await store.update_artifact(config.artifact, changes, actor_id=actor_id)


async def list_configs(
    session: AsyncSession, project_id: uuid.UUID, *, include_archived: bool = False
) -> list[EvaluatorConfig]:
    """The project's configurations at their latest revisions, oldest first."""
    store = evaluator_store(session, project_id)
    artifacts = await store.artifacts(include_archived=include_archived)
    variants = await store.variants(artifact_ids=[a.id for a in artifacts], include_archived=True)
    by_artifact = {variant.artifact_id: variant for variant in variants}
    latest = await store.latest_of([variant.id for variant in variants])
    found = []
    for artifact in artifacts:
        variant = by_artifact.get(artifact.id)
        revision = latest.get(variant.id) if variant else None
        if variant is not None and revision is not None:
            found.append(EvaluatorConfig(artifact, variant, revision))
    return found


async def find_config(
    session: AsyncSession, project_id: uuid.UUID, reference: Reference
) -> EvaluatorConfig | None:
    """The configuration a reference (id or slug) points at, at its latest revision."""
    store = evaluator_store(session, project_id)
    artifact = await store.find_artifact(reference)
    if artifact is None:
        return None
    variant = await store.default_variant(artifact)
    revision = await store.latest(variant) if variant else None
    if variant is None or revision is None:
        return None
    return EvaluatorConfig(artifact, variant, revision)


async def get_config(
    session: AsyncSession, project_id: uuid.UUID, evaluator_id: uuid.UUID
) -> EvaluatorConfig:
    """The configuration ``evaluator_id`` at its latest revision, or a 404."""
    found = await find_config(session, project_id, Reference(id=evaluator_id))
    if found is None:
        raise NotFound(f"no evaluator {evaluator_id} in this project")
    return found


async def config_at(
    session: AsyncSession, project_id: uuid.UUID, revision_id: uuid.UUID
) -> EvaluatorConfig | None:
    """The configuration as revision ``revision_id`` left it (archived revisions too)."""
    store = evaluator_store(session, project_id)
    revision = await store.revision(revision_id)
    if revision is None:
        return None
    artifact = await store.artifact(revision.artifact_id)
    variant = await store.variant(revision.variant_id)
    if artifact is None or variant is None:
        return None
    return EvaluatorConfig(artifact, variant, revision)


async def history(session: AsyncSession, config: EvaluatorConfig) -> list[EvaluatorRevision]:
    """Every revision of a configuration, newest first."""
    store = evaluator_store(session, config.artifact.project_id)
    return await store.log(config.variant, include_archived=True)


async def set_archived(
    session: AsyncSession, config: EvaluatorConfig, archived: bool, actor_id: uuid.UUID | None
) -> None:
    """Archive (hide from lists and slug lookups) or restore a configuration."""
    store = evaluator_store(session, config.artifact.project_id)
    await store.set_archived(config.artifact, archived, actor_id=actor_id)
