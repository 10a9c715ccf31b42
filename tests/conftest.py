"""Shared fixtures: settings and databases (SQLite and Postgres), Redis, apps and clients.

Tests that take ``settings`` (or ``database_url``) run once on SQLite and once on Postgres.
``AGENTA_TEST_DATABASES=sqlite`` limits a local run to SQLite. Fixtures are small factories:
``make_settings(**overrides)``, ``make_client(settings)``.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from agenta.app import create_app
from agenta.platform import Platform
from agenta.settings import Settings
from tests.support import databases, redis_databases
from tests.support.services import REDIS_URL, require

pytest_plugins = [
    "tests.fakes.fixtures",
    "tests.support.account_fixtures",
    "tests.fakes.oauth_fixtures",
]

TEST_SECRET_KEY = "test-secret-key-for-the-agenta-suite-0123456789"
DATABASES = [
    name
    for name in os.environ.get("AGENTA_TEST_DATABASES", "sqlite,postgres").split(",")
    if name in {"sqlite", "postgres"}
]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return databases.migrated_sqlite_template(tmp_path_factory.mktemp("sqlite-template"))


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """This worker's own migrated Postgres database (created once per session)."""
    require("postgres")
    name = f"agenta_test_{databases.worker_id()}"
    yield databases.create_postgres_database(name)
    databases.drop_postgres_database(name)


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    return databases.fresh_sqlite(sqlite_template, tmp_path)


@pytest.fixture
def postgres_url(request: pytest.FixtureRequest) -> str:
    require("postgres")
    url = str(request.getfixturevalue("postgres_database"))
    databases.truncate_all(url)
    return url


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest) -> str:
    """An empty, migrated database: SQLite in one run of the test, Postgres in the other."""
    return str(request.getfixturevalue(f"{request.param}_url"))


@pytest.fixture
def make_settings(tmp_path: Path) -> Callable[..., Settings]:
    def make(database_url: str, env: dict[str, str] | None = None, **overrides: Any) -> Settings:
        """Settings read from the suite's environment plus `env`, then `overrides` applied."""
        suite_env = {
            "AGENTA_DATA_DIR": str(tmp_path / "data"),
            "AGENTA_DATABASE_URL": database_url,
            "AGENTA_SECRET_KEY": TEST_SECRET_KEY,
            "AGENTA_HTMX_CDN_URL": "off",
            "AGENTA_LOG_LEVEL": "WARNING",
        }
        return Settings.from_env({**suite_env, **(env or {})}).with_overrides(**overrides)

    return make


@pytest.fixture
def settings(make_settings: Callable[..., Settings], database_url: str) -> Settings:
    return make_settings(database_url, job_poll_interval=0.05)


@pytest.fixture(scope="session")
def redis_database_number() -> Iterator[int]:
    """This test process's own Redis database, claimed for the session."""
    require("redis")
    number, lock = redis_databases.claim_database(REDIS_URL)
    yield number
    lock.close()


@pytest.fixture
def redis_url(redis_database_number: int) -> Iterator[str]:
    """This test process's own Redis database, flushed before and after the test."""
    import redis

    url = f"{REDIS_URL.rstrip('/')}/{redis_database_number}"
    client = redis.Redis.from_url(url)
    client.flushdb()
    yield url
    client.flushdb()
    client.close()


@pytest.fixture
def make_client() -> Callable[..., AbstractAsyncContextManager[AsyncTestClient[Any]]]:
    """``async with make_client(settings) as client:`` runs the app with its lifespan."""

    def make(settings: Settings, **app_options: Any) -> AsyncTestClient[Any]:
        return AsyncTestClient(app=create_app(settings, **app_options))

    return make


@pytest.fixture
async def client(
    settings: Settings, make_client: Callable[..., AsyncTestClient[Any]]
) -> AsyncIterator[AsyncTestClient[Any]]:
    async with make_client(settings) as test_client:
        yield test_client


@pytest.fixture
async def platform(settings: Settings) -> AsyncIterator[Platform]:
    """The platform's resources without the HTTP app and without running jobs."""
    started = await Platform.start(settings, run_jobs=False)
    yield started
    await started.stop()
