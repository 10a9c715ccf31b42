"""The per-process cache of decrypted connections: fresh for a while, forgotten on change."""

from __future__ import annotations

import uuid

from agenta.core.secrets.cache import ConnectionCache
from agenta.llm import ConnectionRecord

PROJECT = uuid.uuid4()
OPENAI = (ConnectionRecord(slug="openai", kind="openai", api_key="sk-one"),)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_connections_are_served_until_they_expire() -> None:
    clock = Clock()
    cache = ConnectionCache(ttl=5, clock=clock)
    cache.put(PROJECT, OPENAI, cache.generation(PROJECT))

    clock.now += 4.9
    assert cache.get(PROJECT) == OPENAI
    clock.now += 0.2
    assert cache.get(PROJECT) is None


def test_a_change_forgets_the_project_and_refuses_fills_that_started_before_it() -> None:
    cache = ConnectionCache(ttl=5, clock=Clock())
    cache.put(PROJECT, OPENAI, cache.generation(PROJECT))
    started = cache.generation(PROJECT)

    cache.forget(PROJECT)
    cache.put(PROJECT, OPENAI, started)

    assert cache.get(PROJECT) is None


def test_projects_are_cached_apart_and_a_zero_ttl_caches_nothing() -> None:
    cache = ConnectionCache(ttl=5, clock=Clock())
    other = uuid.uuid4()
    cache.put(PROJECT, OPENAI, 0)
    assert cache.get(other) is None

    disabled = ConnectionCache(ttl=0, clock=Clock())
    disabled.put(PROJECT, OPENAI, 0)
    assert disabled.get(PROJECT) is None
