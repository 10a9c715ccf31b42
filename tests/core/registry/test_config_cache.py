"""The config cache and its change feed: stale entries never survive a committed change."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from redis.asyncio import Redis

from agenta.core.registry import applications, configs
from agenta.core.registry.api.revisions import render_retrieved
from agenta.core.registry.cache import ConfigCache
from agenta.core.registry.invalidation import ChangeFeed
from agenta.core.registry.resolution import ConfigQuery
from agenta.core.registry.runtime import build_runtime
from agenta.core.registry.scope import Scope
from agenta.core.revisions.references import Reference
from agenta.platform import Platform

PROJECT = uuid.uuid4()


def test_an_entry_read_before_a_change_is_not_stored_after_it() -> None:
    cache = ConfigCache(ttl=60)
    generation = cache.generation(PROJECT)

    cache.invalidate(PROJECT)
    cache.put(PROJECT, "key", b"old", generation)

    assert cache.get(PROJECT, "key") is None


def test_invalidation_drops_only_that_project() -> None:
    cache = ConfigCache(ttl=60)
    other = uuid.uuid4()
    cache.put(PROJECT, "key", b"a", cache.generation(PROJECT))
    cache.put(other, "key", b"b", cache.generation(other))

    cache.invalidate(PROJECT)

    assert cache.get(PROJECT, "key") is None
    assert cache.get(other, "key") is not None


def test_entries_expire_after_the_ttl() -> None:
    cache = ConfigCache(ttl=0.0)
    cache.put(PROJECT, "key", b"a", cache.generation(PROJECT))

    assert cache.get(PROJECT, "key") is None


def test_the_cache_stays_within_its_size() -> None:
    cache = ConfigCache(ttl=60, max_entries=2)
    for key in ("a", "b", "c"):
        cache.put(PROJECT, key, key.encode(), cache.generation(PROJECT))

    assert len(cache) == 2
    assert cache.get(PROJECT, "a") is None


def test_the_etag_follows_the_body() -> None:
    cache = ConfigCache(ttl=60)
    first = cache.put(PROJECT, "a", b"one", cache.generation(PROJECT))
    same = cache.put(PROJECT, "b", b"one", cache.generation(PROJECT))
    other = cache.put(PROJECT, "c", b"two", cache.generation(PROJECT))

    assert first.etag == same.etag != other.etag
    assert first.etag.startswith('"') and first.etag.endswith('"')


async def test_a_change_invalidates_only_when_its_transaction_commits(platform: Platform) -> None:
    cache = ConfigCache(ttl=60)
    feed = ChangeFeed(cache)
    cache.put(PROJECT, "key", b"a", cache.generation(PROJECT))

    with contextlib.suppress(RuntimeError):
        async with platform.db.session() as session:
            feed.changed(session, PROJECT)
            raise RuntimeError("the change fails")
    survived = cache.get(PROJECT, "key")
    async with platform.db.session() as session:
        feed.changed(session, PROJECT)
    after_commit = cache.get(PROJECT, "key")

    assert survived is not None
    assert after_commit is None


@contextlib.asynccontextmanager
async def listening(feed: ChangeFeed) -> AsyncIterator[None]:
    task = asyncio.create_task(feed.listen())
    try:
        await asyncio.wait_for(feed.subscribed.wait(), 5)
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


@pytest.mark.redis
async def test_a_commit_in_one_process_invalidates_the_cache_of_another(
    platform: Platform, redis_url: str
) -> None:
    redis_here, redis_there = Redis.from_url(redis_url), Redis.from_url(redis_url)
    here, there = ConfigCache(ttl=60), ConfigCache(ttl=60)
    feed_here, feed_there = ChangeFeed(here, redis_here), ChangeFeed(there, redis_there)
    try:
        async with listening(feed_here), listening(feed_there):
            there.put(PROJECT, "key", b"a", there.generation(PROJECT))
            async with platform.db.session() as session:
                feed_here.changed(session, PROJECT)
            await feed_here.drain()
            for _ in range(100):
                if there.get(PROJECT, "key") is None:
                    break
                await asyncio.sleep(0.02)
            assert there.get(PROJECT, "key") is None
    finally:
        await redis_here.aclose()
        await redis_there.aclose()


@pytest.mark.redis
async def test_nothing_is_cached_until_the_feed_is_subscribed(redis_url: str) -> None:
    redis = Redis.from_url(redis_url)
    cache = ConfigCache(ttl=60)
    feed = ChangeFeed(cache, redis)
    try:
        cache.put(PROJECT, "early", b"a", cache.generation(PROJECT))
        async with listening(feed):
            cache.put(PROJECT, "late", b"b", cache.generation(PROJECT))
            assert cache.get(PROJECT, "early") is None
            assert cache.get(PROJECT, "late") is not None
        assert cache.enabled is False
    finally:
        await redis.aclose()


async def test_concurrent_misses_of_one_config_share_one_database_read(
    platform: Platform, scope_of: Any, owner: Any
) -> None:
    async with scope_of(owner) as scope:
        await applications.create_application(scope, slug="bot")
    runtime = build_runtime(platform)
    reads = 0

    @contextlib.asynccontextmanager
    async def open_scope() -> AsyncIterator[Scope]:
        nonlocal reads
        reads += 1
        async with platform.db.session() as session:
            yield Scope(session=session, project_id=owner.project_id)

    query = ConfigQuery(application=Reference(slug="bot"))
    bodies = await asyncio.gather(
        *(
            configs.fetch(
                owner.project_id,
                runtime,
                query,
                shape="retrieve",
                render=render_retrieved,
                open_scope=open_scope,
            )
            for _ in range(10)
        )
    )

    assert reads == 1
    assert len({entry.body for entry in bodies}) == 1
