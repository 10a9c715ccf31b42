"""Liveness and readiness probes.

``/health`` answers without touching anything (the process is up). ``/ready`` checks that the
database answers and, when configured, Redis; it says which one is not reachable with a 503.
``/api/health`` is the API-level probe the official SDK calls.
"""

from __future__ import annotations

import asyncio
from typing import Any

from litestar import Response, get
from litestar.di import NamedDependency
from sqlalchemy import text

from agenta.platform import Platform

CHECK_TIMEOUT = 2.0


@get("/health", sync_to_thread=False, include_in_schema=False, opt={"public": True})
def health() -> dict[str, str]:
    return {"status": "ok"}


@get("/api/health", sync_to_thread=False, tags=["system"], opt={"public": True})
def api_health() -> dict[str, str]:
    """Answers ``{"status": "ok"}`` while the API process is up."""
    return {"status": "ok"}


@get("/ready", include_in_schema=False, opt={"public": True})
async def ready(platform: NamedDependency[Platform]) -> Response[dict[str, Any]]:
    checks: dict[str, str] = {"database": await _check_database(platform)}
    if platform.redis is not None:
        checks["redis"] = await _check_redis(platform)
    failing = {name: state for name, state in checks.items() if state != "ok"}
    if failing:
        reason = "; ".join(f"{name}: {state}" for name, state in failing.items())
        return Response(
            {"status": "unavailable", "message": f"not ready ({reason})", "checks": checks},
            status_code=503,
        )
    return Response({"status": "ready", "checks": checks})


async def _check_database(platform: Platform) -> str:
    try:
        async with asyncio.timeout(CHECK_TIMEOUT), platform.db.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception as exc:
        return f"unreachable ({type(exc).__name__})"
    return "ok"


async def _check_redis(platform: Platform) -> str:
    assert platform.redis is not None
    try:
        async with asyncio.timeout(CHECK_TIMEOUT):
            await platform.redis.ping()
    except Exception as exc:
        return f"unreachable ({type(exc).__name__})"
    return "ok"


ROUTES = [health, api_health, ready]
