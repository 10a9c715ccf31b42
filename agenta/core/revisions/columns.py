"""Column mixins for the three tables of a revisioned kind: artifact, variant, revision.

A feature declares its tables by subclassing these with ``Base`` and naming its parent tables
(``artifacts_table``, ``variants_table``), e.g.::

    class ApplicationVariant(VariantColumns, Base):
        __tablename__ = "application_variants"
        artifacts_table = "application_artifacts"

Every row belongs to one project (``ProjectScoped``) and has time-ordered UUIDv7 ids, lifecycle
timestamps and actors; ``deleted_at`` marks an archived row (archived rows stay resolvable by id).
Artifact slugs are unique per project, variant slugs per artifact and versions per variant. A
revision's author and date are its ``created_by_id`` and ``created_at``: revisions are never
updated, only archived and unarchived.
"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from agenta.core.revisions.slugs import SLUG_MAX_LENGTH
from agenta.db import Actors, IdMixin, ProjectScoped, Timestamps


class _Header:
    slug: Mapped[str] = mapped_column(String(SLUG_MAX_LENGTH))
    name: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str | None] = mapped_column(Text, default=None)
    flags: Mapped[dict[str, Any]] = mapped_column(default=dict)
    tags: Mapped[dict[str, Any]] = mapped_column(default=dict)
    meta: Mapped[dict[str, Any]] = mapped_column(default=dict)


class ArtifactColumns(_Header, IdMixin, Timestamps, Actors, ProjectScoped):
    """An artifact: the thing that has variants (an application, an environment)."""

    @declared_attr.directive
    def __table_args__(cls) -> tuple[Any, ...]:
        return (UniqueConstraint("project_id", "slug"),)


class VariantColumns(_Header, IdMixin, Timestamps, Actors, ProjectScoped):
    """A variant: a branch of an artifact with its own linear history of revisions."""

    artifacts_table: ClassVar[str]

    @declared_attr
    def artifact_id(cls) -> Mapped[uuid.UUID]:
        return mapped_column(ForeignKey(f"{cls.artifacts_table}.id", ondelete="CASCADE"))

    # The revision this variant was forked from (any variant of the same artifact), if any.
    forked_from_id: Mapped[uuid.UUID | None] = mapped_column(default=None)

    @declared_attr.directive
    def __table_args__(cls) -> tuple[Any, ...]:
        return (UniqueConstraint("artifact_id", "slug"),)


class RevisionColumns(IdMixin, Timestamps, Actors, ProjectScoped):
    """A revision: one immutable commit on a variant, numbered per variant from 1."""

    artifacts_table: ClassVar[str]
    variants_table: ClassVar[str]

    @declared_attr
    def artifact_id(cls) -> Mapped[uuid.UUID]:
        return mapped_column(
            ForeignKey(f"{cls.artifacts_table}.id", ondelete="CASCADE"), index=True
        )

    @declared_attr
    def variant_id(cls) -> Mapped[uuid.UUID]:
        return mapped_column(ForeignKey(f"{cls.variants_table}.id", ondelete="CASCADE"))

    version: Mapped[int] = mapped_column()
    slug: Mapped[str] = mapped_column(String(SLUG_MAX_LENGTH))
    message: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    flags: Mapped[dict[str, Any]] = mapped_column(default=dict)
    tags: Mapped[dict[str, Any]] = mapped_column(default=dict)
    meta: Mapped[dict[str, Any]] = mapped_column(default=dict)

    @declared_attr.directive
    def __table_args__(cls) -> tuple[Any, ...]:
        return (UniqueConstraint("variant_id", "version"),)
