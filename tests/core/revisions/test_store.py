"""The generic revision store, exercised on the registry's application tables.

Each test opens its own transactions through the platform's database, as requests do.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from agenta.core.registry.models import APPLICATIONS
from agenta.core.revisions.references import Reference
from agenta.core.revisions.store import RevisionStore
from agenta.errors import AppError, Conflict
from agenta.platform import Platform
from tests.support.accounts import Persona


def store_for(session: Any, persona: Persona) -> RevisionStore[Any, Any, Any]:
    return RevisionStore(session, APPLICATIONS, persona.project_id)


async def make_variant(platform: Platform, persona: Persona, slug: str = "app") -> Any:
    async with platform.db.session() as session:
        store = store_for(session, persona)
        artifact = await store.create_artifact(slug=slug, actor_id=persona.user_id)
        return await store.create_variant(artifact, slug="main", actor_id=persona.user_id)


async def test_versions_count_from_one_per_variant(platform: Platform, owner: Persona) -> None:
    variant = await make_variant(platform, owner)
    async with platform.db.session() as session:
        store = store_for(session, owner)
        first = await store.commit(variant, data={"n": 1}, actor_id=owner.user_id, message="a")
        second = await store.commit(variant, data={"n": 2}, actor_id=owner.user_id)
        other = await store.create_variant(
            await store.artifact(variant.artifact_id), slug="other", actor_id=owner.user_id
        )
        elsewhere = await store.commit(other, data={}, actor_id=owner.user_id)

    assert (first.version, second.version, elsewhere.version) == (1, 2, 1)
    assert first.message == "a" and first.created_by_id == owner.user_id


async def test_concurrent_commits_to_one_variant_get_distinct_versions(
    platform: Platform, owner: Persona
) -> None:
    variant = await make_variant(platform, owner)

    async def commit(n: int) -> int:
        async with platform.db.session() as session:
            revision = await store_for(session, owner).commit(
                variant, data={"n": n}, actor_id=owner.user_id
            )
            return revision.version

    versions = await asyncio.gather(*(commit(n) for n in range(5)))

    assert sorted(versions) == [1, 2, 3, 4, 5]


async def test_a_fork_starts_a_new_variant_from_any_revision(
    platform: Platform, owner: Persona
) -> None:
    variant = await make_variant(platform, owner)
    async with platform.db.session() as session:
        store = store_for(session, owner)
        old = await store.commit(variant, data={"n": 1}, actor_id=owner.user_id)
        await store.commit(variant, data={"n": 2}, actor_id=owner.user_id)
        fork, copy = await store.fork(old, slug="experiment", actor_id=owner.user_id)

    assert fork.forked_from_id == old.id
    assert (copy.version, copy.data) == (1, {"n": 1})
    assert fork.artifact_id == variant.artifact_id


async def test_archived_revisions_leave_the_log_but_resolve_by_id(
    platform: Platform, owner: Persona
) -> None:
    variant = await make_variant(platform, owner)
    async with platform.db.session() as session:
        store = store_for(session, owner)
        first = await store.commit(variant, data={"n": 1}, actor_id=owner.user_id)
        second = await store.commit(variant, data={"n": 2}, actor_id=owner.user_id)
        await store.set_archived(second, True, actor_id=owner.user_id)
        latest = await store.latest(variant)
        log = await store.log(variant)
        by_id = await store.revision(second.id)

    assert latest is not None and latest.id == first.id
    assert [r.version for r in log] == [1]
    assert by_id is not None and by_id.deleted_at is not None


async def test_an_archived_artifact_is_hidden_from_slug_lookups_but_not_from_ids(
    platform: Platform, owner: Persona
) -> None:
    variant = await make_variant(platform, owner, "gone")
    async with platform.db.session() as session:
        store = store_for(session, owner)
        artifact = await store.artifact(variant.artifact_id)
        await store.set_archived(artifact, True, actor_id=owner.user_id)
        by_slug = await store.find_artifact(Reference(slug="gone"))
        by_id = await store.find_artifact(Reference(id=variant.artifact_id))
        listed = await store.artifacts()

    assert by_slug is None
    assert by_id is not None
    assert listed == []


async def test_slugs_are_unique_per_project_and_variant_slugs_per_artifact(
    platform: Platform, owner: Persona, outsider: Persona
) -> None:
    await make_variant(platform, owner, "shared")
    await make_variant(platform, outsider, "shared")

    async with platform.db.session() as session:
        with pytest.raises(Conflict, match="already exists"):
            await store_for(session, owner).create_artifact(slug="shared", actor_id=None)


async def test_another_project_s_rows_are_invisible(
    platform: Platform, owner: Persona, outsider: Persona
) -> None:
    variant = await make_variant(platform, owner)
    async with platform.db.session() as session:
        store = store_for(session, outsider)
        revision = await store_for(session, owner).commit(variant, data={}, actor_id=None)

        assert await store.variant(variant.id) is None
        assert await store.revision(revision.id) is None
        assert await store.find_artifact(Reference(slug="app")) is None


async def test_a_bad_slug_is_refused_before_anything_is_written(
    platform: Platform, owner: Persona
) -> None:
    async with platform.db.session() as session:
        with pytest.raises(AppError, match=r"application\.slug 'no spaces' is not a valid slug"):
            await store_for(session, owner).create_artifact(slug="no spaces", actor_id=None)
