"""Test sets as named things in a project: create, find, rename, archive.

A test set has a name (free text, not unique) and a slug (unique per project, the form the
official SDK sends: ``<name>-<12 hex>``; we make one the same way when none is given). Archiving
sets ``deleted_at``: archived test sets leave listings but still resolve by id, so evaluations
that pinned one of their revisions keep working. Every lookup is scoped to the caller's project.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import Select, func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.testsets.models import (
    NAME_MAX_LENGTH,
    SLUG_MAX_LENGTH,
    Testset,
    TestsetRevision,
)
from agenta.db import utcnow
from agenta.errors import AppError, Conflict, NotFound

SLUG_PATTERN = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9_.-]*$")
DEFAULT_PAGE = 100
MAX_PAGE = 1_000


@dataclass(frozen=True, slots=True)
class TestsetQuery:
    """Filters for ``find_testsets``; ``name`` matches case-insensitively anywhere in the name."""

    __test__ = False

    name: str | None = None
    ids: Sequence[UUID] = ()
    slugs: Sequence[str] = ()
    include_archived: bool = False
    limit: int = DEFAULT_PAGE
    offset: int = 0


def clean_name(name: Any) -> str:
    """A valid test set name, or a 400 saying what is wrong with it."""
    if not isinstance(name, str) or not name.strip():
        raise AppError("A test set needs a name")
    cleaned = " ".join(name.split())
    if len(cleaned) > NAME_MAX_LENGTH:
        raise AppError(f"A test set name is at most {NAME_MAX_LENGTH} characters")
    return cleaned


def clean_slug(slug: str) -> str:
    """``slug`` if valid, or a 400 naming the rule it breaks."""
    if not slug or len(slug) > SLUG_MAX_LENGTH or not SLUG_PATTERN.match(slug):
        raise AppError(
            f"Slug {slug!r} is not valid: use up to {SLUG_MAX_LENGTH} letters, digits, '-', '_' "
            "and '.' (not first)"
        )
    return slug


def slug_for(name: str) -> str:
    """A slug from a name plus 12 random hex digits, as the official SDK builds them."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    stem = re.sub(r"[-\s]+", "-", re.sub(r"[^\w\s-]", "", ascii_name.lower())).strip("-_")
    return f"{stem[: SLUG_MAX_LENGTH - 13] or 'testset'}-{secrets.token_hex(6)}"


async def create_testset(
    session: AsyncSession,
    project_id: UUID,
    *,
    name: str,
    actor: UUID | None,
    slug: str | None = None,
    description: str = "",
    tags: dict[str, Any] | None = None,
    meta: dict[str, Any] | None = None,
) -> Testset:
    """A new, empty test set (version 0: no revision yet)."""
    cleaned = clean_name(name)
    slug = clean_slug(slug) if slug else slug_for(cleaned)
    taken = await session.scalar(
        select(Testset.id).where(Testset.project_id == project_id, Testset.slug == slug)
    )
    if taken is not None:
        raise Conflict(f"A test set with slug {slug!r} already exists in this project")
    testset = Testset(
        project_id=project_id,
        slug=slug,
        name=cleaned,
        description=description or "",
        tags=tags or {},
        meta=meta or {},
        created_by_id=actor,
    )
    session.add(testset)
    await session.flush()
    return testset


async def get_testset(session: AsyncSession, project_id: UUID, testset_id: UUID) -> Testset:
    """The project's test set ``testset_id`` (archived ones too), or ``NotFound``."""
    testset = await session.scalar(
        select(Testset).where(Testset.id == testset_id, Testset.project_id == project_id)
    )
    if testset is None:
        raise NotFound(f"No test set {testset_id} in this project")
    return testset


async def find_testset_by_slug(
    session: AsyncSession, project_id: UUID, slug: str
) -> Testset | None:
    """The project's test set with ``slug``, or ``None``."""
    return await session.scalar(
        select(Testset).where(Testset.project_id == project_id, Testset.slug == slug)
    )


async def find_testsets(
    session: AsyncSession, project_id: UUID, query: TestsetQuery | None = None
) -> list[Testset]:
    """The project's test sets matching ``query``, most recently changed first."""
    return list(await session.scalars(_filtered(project_id, query or TestsetQuery())))


def _filtered(project_id: UUID, query: TestsetQuery) -> Select[tuple[Testset]]:
    statement = select(Testset).where(Testset.project_id == project_id)
    if not query.include_archived:
        statement = statement.where(Testset.deleted_at.is_(None))
    if query.name:
        statement = statement.where(func.lower(Testset.name).contains(query.name.lower()))
    if query.ids:
        statement = statement.where(Testset.id.in_(list(query.ids)))
    if query.slugs:
        statement = statement.where(Testset.slug.in_(list(query.slugs)))
    limit = max(1, min(query.limit, MAX_PAGE))
    changed = func.coalesce(Testset.updated_at, Testset.created_at)
    return statement.order_by(changed.desc(), Testset.id).offset(query.offset).limit(limit)


async def head_revisions(
    session: AsyncSession, testsets: Sequence[Testset]
) -> dict[UUID, TestsetRevision]:
    """The latest revision of each test set that has one, by test set id."""
    keys = [(testset.id, testset.head_version) for testset in testsets if testset.head_version]
    if not keys:
        return {}
    result = await session.scalars(
        select(TestsetRevision).where(
            tuple_(TestsetRevision.testset_id, TestsetRevision.version).in_(keys)
        )
    )
    return {revision.testset_id: revision for revision in result}


async def edit_testset(
    session: AsyncSession,
    testset: Testset,
    *,
    actor: UUID | None,
    name: str | None = None,
    description: str | None = None,
    tags: dict[str, Any] | None = None,
    meta: dict[str, Any] | None = None,
) -> Testset:
    """Change the header fields that are given (rows change only by committing)."""
    if name is not None:
        testset.name = clean_name(name)
    if description is not None:
        testset.description = description
    if tags is not None:
        testset.tags = tags
    if meta is not None:
        testset.meta = meta
    testset.updated_by_id = actor
    await session.flush()
    return testset


async def set_archived(
    session: AsyncSession, testset: Testset, archived: bool, *, actor: UUID | None
) -> Testset:
    """Archive (hide from listings) or restore a test set."""
    if archived and testset.deleted_at is None:
        testset.deleted_at = utcnow()
        testset.deleted_by_id = actor
    elif not archived:
        testset.deleted_at = None
        testset.deleted_by_id = None
    await session.flush()
    return testset
