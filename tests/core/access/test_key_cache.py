"""The credential cache: one load per miss however many requests wait, refreshed ahead, and a
revocation is never undone by a load that was already running."""

from __future__ import annotations

import asyncio

import pytest

from agenta.core.access.key_cache import TTLCache


class Source:
    """Values the cache loads, counting loads; ``gate`` holds a load until it is set."""

    def __init__(self, value: str = "v1") -> None:
        self.value = value
        self.loads = 0
        self.gate = asyncio.Event()
        self.gate.set()
        self.error: Exception | None = None

    async def load(self) -> str:
        self.loads += 1
        await self.gate.wait()
        if self.error is not None:
            raise self.error
        return self.value


async def settle() -> None:
    """Let background loads started by the cache run to completion."""
    for _ in range(5):
        await asyncio.sleep(0)


async def a_load_held_open(
    cache: TTLCache[str, str], value: str
) -> tuple[Source, asyncio.Task[str]]:
    """A load of ``k`` that has started and waits until its source's gate is set."""
    source = Source(value)
    source.gate.clear()
    running = asyncio.create_task(cache.get_or_load("k", source.load))
    await settle()
    return source, running


async def test_concurrent_misses_of_one_key_cause_one_load() -> None:
    cache: TTLCache[str, str] = TTLCache(ttl=60)
    source = Source()
    source.gate.clear()

    waiting = [asyncio.create_task(cache.get_or_load("k", source.load)) for _ in range(50)]
    await settle()
    source.gate.set()

    assert await asyncio.gather(*waiting) == ["v1"] * 50
    assert source.loads == 1
    assert cache.get("k") == "v1"


async def test_a_failed_load_reaches_every_waiter_and_is_not_cached() -> None:
    cache: TTLCache[str, str] = TTLCache(ttl=60)
    source = Source()
    source.gate.clear()
    source.error = LookupError("unknown key")

    waiting = [asyncio.create_task(cache.get_or_load("k", source.load)) for _ in range(5)]
    await settle()
    source.gate.set()
    results = await asyncio.gather(*waiting, return_exceptions=True)

    assert all(isinstance(result, LookupError) for result in results)
    assert source.loads == 1
    assert cache.get("k") is None
    source.error = None
    assert await cache.get_or_load("k", source.load) == "v1"
    assert source.loads == 2


async def test_a_hit_due_for_refresh_is_answered_from_the_cache_and_refreshed_once() -> None:
    # A refresh share of 1 makes every entry due at once, without waiting for time to pass.
    cache: TTLCache[str, str] = TTLCache(ttl=60, refresh_share=1.0)
    source = Source()
    cache.put("k", "v1")
    source.value = "v2"
    source.gate.clear()

    hits = [cache.fresh("k", source.load) for _ in range(20)]
    await settle()

    assert hits == ["v1"] * 20
    assert source.loads == 1
    source.gate.set()
    await settle()
    assert cache.get("k") == "v2"


async def test_an_entry_whose_refresh_fails_is_dropped() -> None:
    cache: TTLCache[str, str] = TTLCache(ttl=60, refresh_share=1.0)
    source = Source()
    source.error = PermissionError("revoked")
    cache.put("k", "v1")

    assert cache.fresh("k", source.load) == "v1"
    await settle()

    assert cache.get("k") is None


async def test_an_entry_not_due_for_refresh_loads_nothing() -> None:
    cache: TTLCache[str, str] = TTLCache(ttl=60)
    source = Source()
    cache.put("k", "v1")

    assert cache.fresh("k", source.load) == "v1"
    await settle()

    assert source.loads == 0


async def test_a_load_running_during_an_invalidation_is_not_stored() -> None:
    cache: TTLCache[str, str] = TTLCache(ttl=60)
    stale, running = await a_load_held_open(cache, "before the revocation")

    cache.discard_where(lambda key, _: key == "k")
    stale.gate.set()

    assert await running == "before the revocation"
    assert cache.get("k") is None


async def test_a_request_after_an_invalidation_does_not_join_the_load_before_it() -> None:
    cache: TTLCache[str, str] = TTLCache(ttl=60)
    stale, running = await a_load_held_open(cache, "before")

    cache.clear()
    fresh = Source("after")

    assert await cache.get_or_load("k", fresh.load) == "after"
    assert cache.get("k") == "after"
    stale.gate.set()
    await running
    assert cache.get("k") == "after"


async def test_a_caller_that_goes_away_does_not_cancel_the_shared_load() -> None:
    cache: TTLCache[str, str] = TTLCache(ttl=60)
    source = Source()
    source.gate.clear()
    impatient = asyncio.create_task(cache.get_or_load("k", source.load))
    patient = asyncio.create_task(cache.get_or_load("k", source.load))
    await settle()

    impatient.cancel()
    source.gate.set()

    with pytest.raises(asyncio.CancelledError):
        await impatient
    assert await patient == "v1"
    assert source.loads == 1


def test_an_expired_entry_is_not_served() -> None:
    cache: TTLCache[str, str] = TTLCache(ttl=0)
    cache.put("k", "v1")

    assert cache.get("k") is None
