"""The probes: liveness, readiness and the API health check."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from agenta.settings import Settings


async def test_it_is_alive_without_touching_anything(client: AsyncTestClient[Any]) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_it_is_ready_when_the_database_answers(client: AsyncTestClient[Any]) -> None:
    response = await client.get("/ready")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok"}


async def test_the_api_health_check_answers_ok(client: AsyncTestClient[Any]) -> None:
    response = await client.get("/api/health")
    assert response.json() == {"status": "ok"}


async def test_it_is_not_ready_when_redis_is_unreachable(
    make_settings: Any, sqlite_url: str, make_client: Any
) -> None:
    settings: Settings = make_settings(sqlite_url, redis_url="redis://127.0.0.1:1/0")
    # The app starts (Redis connects lazily) but must say Redis is the problem.
    async with make_client(settings, run_jobs=False) as client:
        response = await client.get("/ready")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["redis"].startswith("unreachable")
    assert "redis" in body["message"]


async def test_every_response_carries_a_request_id(client: AsyncTestClient[Any]) -> None:
    response = await client.get("/api/health", headers={"X-Request-ID": "abc123"})
    assert response.headers["x-request-id"] == "abc123"
    fresh = await client.get("/api/health")
    assert len(fresh.headers["x-request-id"]) == 32


async def test_unknown_api_paths_get_the_error_format(client: AsyncTestClient[Any]) -> None:
    response = await client.get("/api/does-not-exist")
    assert response.status_code == 404
    assert response.json() == {"status": 404, "message": "Not Found", "detail": "Not Found"}


async def test_the_openapi_schema_is_served(client: AsyncTestClient[Any]) -> None:
    schema = (await client.get("/api/openapi.json")).json()
    assert schema["info"]["title"] == "Agenta API"
    assert "/api/health" in schema["paths"]
    docs = await client.get("/api/docs")
    assert docs.status_code == 200
