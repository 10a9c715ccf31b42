"""Helpers shared by the registry's route modules: the registry dependency and field checks."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from typing import Any, TypeVar

from litestar.di import NamedDependency, Provide
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.access.principal import Principal
from agenta.core.registry.configs import ScopeOpener
from agenta.core.registry.runtime import runtime_of
from agenta.core.registry.scope import Scope
from agenta.core.revisions.references import Reference, ReferenceBody, to_reference
from agenta.errors import AppError
from agenta.platform import Platform

T = TypeVar("T")


async def provide_scope(
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
    platform: NamedDependency[Platform],
) -> Scope:
    """The registry registry of the request: its transaction, project and caller."""
    runtime = runtime_of(platform)
    return Scope.of(db_session, principal, runtime.feed if runtime else None, platform.queue)


SCOPE_DEPENDENCY = {"registry": Provide(provide_scope)}


@asynccontextmanager
async def read_scope(principal: Principal, platform: Platform) -> AsyncIterator[Scope]:
    """A scope in a fresh transaction, for config fetches that miss the cache."""
    async with platform.db.session() as session:
        yield Scope.of(session, principal, None)


def scope_opener(principal: Principal, platform: Platform) -> ScopeOpener:
    """Opens a read transaction only when called (a cache hit never does)."""
    return partial(read_scope, principal, platform)


def required(value: T | None, field: str) -> T:
    """``value``, or a 400 saying that ``field`` is required."""
    if value is None:
        raise AppError(f"{field} is required")
    return value


def reference(body: ReferenceBody | None, field: str) -> Reference | None:
    return to_reference(body, field)


def required_reference(body: ReferenceBody | None, field: str) -> Reference:
    """A non-empty reference, or a 400 naming ``field``."""
    found = to_reference(body, field)
    if found is None:
        raise AppError(f"{field} is required: give its id or slug")
    return found


def references(bodies: list[ReferenceBody] | None, field: str) -> list[Reference]:
    return [
        ref
        for index, body in enumerate(bodies or [])
        if (ref := to_reference(body, f"{field}[{index}]")) is not None
    ]


def envelope(name: str, record: dict[str, Any] | None) -> dict[str, Any]:
    """``{"count": 0|1, name: record}``."""
    return {"count": 0 if record is None else 1, name: record}


def listing(name: str, records: list[dict[str, Any]]) -> dict[str, Any]:
    """``{"count": n, name: [records]}``."""
    return {"count": len(records), name: records}
