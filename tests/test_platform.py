"""The platform's service slots and stop hooks: singletons created once, cleaned up at stop."""

from __future__ import annotations

from agenta.platform import Platform
from agenta.settings import Settings


async def test_a_service_is_built_once_and_closed_when_the_platform_stops(
    settings: Settings,
) -> None:
    platform = await Platform.start(settings, run_jobs=False)
    closed: list[object] = []

    async def close(value: object) -> None:
        closed.append(value)

    first = platform.service("thing", object, close=close)
    second = platform.service("thing", object, close=close)
    assert first is second
    await platform.stop()
    assert closed == [first]


async def test_stop_hooks_run_newest_first_and_a_failing_hook_does_not_stop_the_others(
    settings: Settings,
) -> None:
    platform = await Platform.start(settings, run_jobs=False)
    order: list[str] = []

    async def first() -> None:
        order.append("first")

    async def broken() -> None:
        order.append("broken")
        raise RuntimeError("cannot close")

    async def last() -> None:
        order.append("last")

    for hook in (first, broken, last):
        platform.on_stop(hook)
    await platform.stop()
    assert order == ["last", "broken", "first"]


async def test_stop_hooks_run_only_once(settings: Settings) -> None:
    platform = await Platform.start(settings, run_jobs=False)
    calls: list[int] = []

    async def hook() -> None:
        calls.append(1)

    platform.on_stop(hook)
    await platform.stop()
    await platform.stop()
    assert calls == [1]
