"""``RevisionStore``: artifacts, variants and immutable revisions of one kind in one project.

A store is bound to a session, a ``Kind`` (the kind's three tables and the noun used in error
messages) and a project id; every query filters by that project, so one project can never see
another's rows. It never commits: the caller's transaction decides.

Version numbers are per variant, from 1. ``commit`` first updates the variant row (stamping
``updated_at``), which takes the row lock on Postgres and the write lock on SQLite before the next
version number is read, so concurrent commits to one variant queue up instead of colliding.

Lookups by id find archived rows too (old traces and evaluations keep resolving); lookups by slug,
"latest" and listings skip archived rows unless ``include_archived`` is set.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.revisions.columns import ArtifactColumns, RevisionColumns, VariantColumns
from agenta.core.revisions.references import Reference
from agenta.core.revisions.slugs import random_slug, validate_slug
from agenta.db import utcnow
from agenta.errors import AppError, Conflict

A = TypeVar("A", bound=ArtifactColumns)
V = TypeVar("V", bound=VariantColumns)
R = TypeVar("R", bound=RevisionColumns)
Row = ArtifactColumns | VariantColumns | RevisionColumns

HEADER_FIELDS = ("slug", "name", "description", "flags", "tags", "meta")


@dataclass(frozen=True)
class Kind(Generic[A, V, R]):
    """The three tables of one revisioned kind and the noun that names it in messages."""

    artifact: type[A]
    variant: type[V]
    revision: type[R]
    noun: str


class RevisionStore(Generic[A, V, R]):
    """Reads and writes one kind's artifacts, variants and revisions within one project."""

    def __init__(self, session: AsyncSession, kind: Kind[A, V, R], project_id: uuid.UUID) -> None:
        self.session = session
        self.kind = kind
        self.project_id = project_id

    # Artifacts

    async def create_artifact(self, *, slug: str, actor_id: uuid.UUID | None, **header: Any) -> A:
        """A new artifact; 409 when the slug is taken in this project (archived ones count)."""
        validate_slug(slug, f"{self.kind.noun}.slug")
        if await self._artifact_by_slug(slug) is not None:
            raise Conflict(f"an {self.kind.noun} with slug {slug!r} already exists")
        artifact = self.kind.artifact(
            project_id=self.project_id,
            slug=slug,
            name=header.pop("name", None) or slug,
            created_by_id=actor_id,
            **_header_values(header),
        )
        self.session.add(artifact)
        await self.session.flush()
        return artifact

    async def artifact(self, artifact_id: uuid.UUID) -> A | None:
        """The artifact with this id (archived or not)."""
        return await self._one(self._artifacts().where(self.kind.artifact.id == artifact_id))

    async def find_artifact(
        self, reference: Reference, *, include_archived: bool = False
    ) -> A | None:
        """The artifact a reference points at: by id (always), else by slug."""
        if reference.id is not None:
            return await self.artifact(reference.id)
        if reference.slug is None:
            return None
        found = await self._artifact_by_slug(reference.slug)
        if found is None or (found.deleted_at is not None and not include_archived):
            return None
        return found

    async def artifacts(
        self,
        *,
        include_archived: bool = False,
        ids: Sequence[uuid.UUID] | None = None,
        slugs: Sequence[str] | None = None,
    ) -> list[A]:
        """Artifacts in creation order, optionally only those with the given ids or slugs."""
        model = self.kind.artifact
        query = self._artifacts().order_by(model.id)
        if not include_archived:
            query = query.where(model.deleted_at.is_(None))
        if ids is not None:
            query = query.where(model.id.in_(list(ids)))
        if slugs is not None:
            query = query.where(model.slug.in_(list(slugs)))
        return list((await self.session.scalars(query)).all())

    async def update_artifact(
        self, artifact: A, changes: dict[str, Any], *, actor_id: uuid.UUID | None
    ) -> A:
        """Change the header fields given in ``changes`` (slug, name, description, flags...)."""
        slug = changes.get("slug")
        if slug is not None and slug != artifact.slug:
            validate_slug(slug, f"{self.kind.noun}.slug")
            if await self._artifact_by_slug(slug) is not None:
                raise Conflict(f"an {self.kind.noun} with slug {slug!r} already exists")
        _apply_header(artifact, changes, actor_id)
        await self.session.flush()
        return artifact

    # Variants

    async def create_variant(
        self,
        artifact: A,
        *,
        slug: str | None,
        actor_id: uuid.UUID | None,
        forked_from_id: uuid.UUID | None = None,
        **header: Any,
    ) -> V:
        """A new variant of ``artifact`` (a random slug when none is given)."""
        slug = random_slug() if slug is None else validate_slug(slug, "variant.slug")
        if await self._variant_by_slug(artifact.id, slug) is not None:
            raise Conflict(
                f"{self.kind.noun} {artifact.slug!r} already has a variant with slug {slug!r}"
            )
        variant = self.kind.variant(
            project_id=self.project_id,
            artifact_id=artifact.id,
            slug=slug,
            name=header.pop("name", None) or slug,
            forked_from_id=forked_from_id,
            created_by_id=actor_id,
            **_header_values(header),
        )
        self.session.add(variant)
        await self.session.flush()
        return variant

    async def variant(self, variant_id: uuid.UUID) -> V | None:
        """The variant with this id (archived or not)."""
        return await self._one(self._variants().where(self.kind.variant.id == variant_id))

    async def find_variant(
        self,
        reference: Reference,
        *,
        artifact_id: uuid.UUID | None,
        include_archived: bool = False,
    ) -> V | None:
        """The variant a reference points at: by id, else by slug within ``artifact_id``."""
        if reference.id is not None:
            found = await self.variant(reference.id)
            if found is not None and artifact_id is not None and found.artifact_id != artifact_id:
                raise AppError(f"variant {reference.id} does not belong to that {self.kind.noun}")
            return found
        if reference.slug is None or artifact_id is None:
            return None
        found = await self._variant_by_slug(artifact_id, reference.slug)
        if found is None or (found.deleted_at is not None and not include_archived):
            return None
        return found

    async def variants(
        self,
        *,
        artifact_ids: Sequence[uuid.UUID] | None = None,
        slugs: Sequence[str] | None = None,
        include_archived: bool = False,
    ) -> list[V]:
        """Variants in creation order, optionally of some artifacts or with some slugs."""
        model = self.kind.variant
        query = self._variants().order_by(model.id)
        if artifact_ids is not None:
            query = query.where(model.artifact_id.in_(list(artifact_ids)))
        if slugs is not None:
            query = query.where(model.slug.in_(list(slugs)))
        if not include_archived:
            query = query.where(model.deleted_at.is_(None))
        return list((await self.session.scalars(query)).all())

    async def default_variant(self, artifact: A) -> V | None:
        """The artifact's first variant that is not archived."""
        found = await self.variants(artifact_ids=[artifact.id])
        return found[0] if found else None

    async def update_variant(
        self, variant: V, changes: dict[str, Any], *, actor_id: uuid.UUID | None
    ) -> V:
        """Change a variant's header fields; the slug stays unique within its artifact."""
        slug = changes.get("slug")
        if slug is not None and slug != variant.slug:
            validate_slug(slug, "variant.slug")
            if await self._variant_by_slug(variant.artifact_id, slug) is not None:
                raise Conflict(f"a variant with slug {slug!r} already exists")
        _apply_header(variant, changes, actor_id)
        await self.session.flush()
        return variant

    # Revisions

    async def commit(
        self,
        variant: V,
        *,
        data: dict[str, Any],
        actor_id: uuid.UUID | None,
        message: str = "",
        slug: str | None = None,
        flags: dict[str, Any] | None = None,
    ) -> R:
        """A new revision of ``variant`` numbered one past its highest version."""
        if slug is not None:
            validate_slug(slug, "revision.slug")
        model = self.kind.variant
        await self.session.execute(
            update(model)
            .where(model.id == variant.id)
            .values(updated_at=utcnow(), updated_by_id=actor_id)
        )
        revision_model = self.kind.revision
        highest = await self.session.scalar(
            select(func.max(revision_model.version)).where(revision_model.variant_id == variant.id)
        )
        revision = revision_model(
            project_id=self.project_id,
            artifact_id=variant.artifact_id,
            variant_id=variant.id,
            version=(highest or 0) + 1,
            slug=slug or random_slug(),
            message=message or "",
            data=data,
            flags=flags or {},
            created_by_id=actor_id,
        )
        self.session.add(revision)
        await self.session.flush()
        return revision

    async def revision(self, revision_id: uuid.UUID) -> R | None:
        """The revision with this id (archived or not)."""
        return await self._one(self._revisions().where(self.kind.revision.id == revision_id))

    async def revision_at(
        self, variant: V, version: int, *, include_archived: bool = True
    ) -> R | None:
        """Version ``version`` of ``variant``."""
        model = self.kind.revision
        query = self._revisions().where(model.variant_id == variant.id, model.version == version)
        if not include_archived:
            query = query.where(model.deleted_at.is_(None))
        return await self._one(query)

    async def latest(self, variant: V, *, include_archived: bool = False) -> R | None:
        """The newest revision of ``variant``."""
        found = await self.log(variant, include_archived=include_archived, limit=1)
        return found[0] if found else None

    async def log(
        self, variant: V, *, include_archived: bool = False, limit: int | None = None
    ) -> list[R]:
        """The variant's revisions, newest first."""
        model = self.kind.revision
        query = self._revisions().where(model.variant_id == variant.id)
        if not include_archived:
            query = query.where(model.deleted_at.is_(None))
        query = query.order_by(model.version.desc()).limit(limit)
        return list((await self.session.scalars(query)).all())

    async def latest_of(self, variant_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, R]:
        """The newest unarchived revision of each variant, in one query."""
        if not variant_ids:
            return {}
        model = self.kind.revision
        newest = (
            select(model.variant_id, func.max(model.version).label("version"))
            .where(
                model.project_id == self.project_id,
                model.variant_id.in_(list(variant_ids)),
                model.deleted_at.is_(None),
            )
            .group_by(model.variant_id)
            .subquery()
        )
        query = select(model).join(
            newest,
            (model.variant_id == newest.c.variant_id) & (model.version == newest.c.version),
        )
        return {row.variant_id: row for row in (await self.session.scalars(query)).all()}

    async def revisions(self, revision_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, R]:
        """Revisions by id (archived or not)."""
        if not revision_ids:
            return {}
        query = self._revisions().where(self.kind.revision.id.in_(list(revision_ids)))
        return {row.id: row for row in (await self.session.scalars(query)).all()}

    async def fork(
        self,
        source: R,
        *,
        slug: str | None,
        actor_id: uuid.UUID | None,
        message: str | None = None,
        **header: Any,
    ) -> tuple[V, R]:
        """A new variant of the source's artifact whose first revision copies ``source``."""
        artifact = await self.artifact(source.artifact_id)
        assert artifact is not None  # a revision's artifact is removed only with the revision
        variant = await self.create_variant(
            artifact, slug=slug, actor_id=actor_id, forked_from_id=source.id, **header
        )
        revision = await self.commit(
            variant,
            data=dict(source.data),
            actor_id=actor_id,
            message=message or f"Forked from revision {source.id}",
            flags=dict(source.flags),
        )
        return variant, revision

    # Archive

    async def set_archived(self, row: Row, archived: bool, *, actor_id: uuid.UUID | None) -> None:
        """Archive (hide from listings and slug lookups) or unarchive a row of this kind."""
        if archived and row.deleted_at is None:
            row.deleted_at = utcnow()
            row.deleted_by_id = actor_id
        elif not archived and row.deleted_at is not None:
            row.deleted_at = None
            row.deleted_by_id = None
            row.updated_by_id = actor_id
        await self.session.flush()

    # Queries

    def _artifacts(self) -> Select[tuple[A]]:
        return select(self.kind.artifact).where(self.kind.artifact.project_id == self.project_id)

    def _variants(self) -> Select[tuple[V]]:
        return select(self.kind.variant).where(self.kind.variant.project_id == self.project_id)

    def _revisions(self) -> Select[tuple[R]]:
        return select(self.kind.revision).where(self.kind.revision.project_id == self.project_id)

    async def _artifact_by_slug(self, slug: str) -> A | None:
        return await self._one(self._artifacts().where(self.kind.artifact.slug == slug))

    async def _variant_by_slug(self, artifact_id: uuid.UUID, slug: str) -> V | None:
        model = self.kind.variant
        return await self._one(
            self._variants().where(model.artifact_id == artifact_id, model.slug == slug)
        )

    async def _one(self, query: Select[Any]) -> Any:
        return (await self.session.scalars(query.limit(1))).first()


def _header_values(header: dict[str, Any]) -> dict[str, Any]:
    unknown = set(header) - set(HEADER_FIELDS)
    if unknown:
        raise TypeError(f"unknown header fields: {sorted(unknown)}")
    return {key: value for key, value in header.items() if value is not None}


def _apply_header(row: Any, changes: dict[str, Any], actor_id: uuid.UUID | None) -> None:
    for key in HEADER_FIELDS:
        if changes.get(key) is not None:
            setattr(row, key, changes[key])
    row.updated_by_id = actor_id
    row.updated_at = utcnow()
