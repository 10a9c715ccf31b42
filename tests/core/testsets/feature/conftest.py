"""Factories for test set service and API tests, on the test's database (SQLite and Postgres).

- ``open_session()``: a transaction on the test's database, committed on exit;
- ``make_testset(rows, name=..., persona=...)``: a test set whose first revision holds ``rows``;
- ``table_counts()``: the number of rows in each test set table, to prove nothing was written;
- ``api(persona)``: the test client sending that persona's API key (the personas ``owner``,
  ``outsider`` and ``make_persona`` come from ``tests.support.account_fixtures``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.testsets import adding
from agenta.core.testsets.models import (
    Testcase,
    Testset,
    TestsetDraft,
    TestsetRevision,
    TestsetRevisionRow,
)
from agenta.core.testsets.uploads import Committed
from agenta.platform import Platform
from tests.support.accounts import Persona

MAX_ROWS = 100_000
OpenSession = Callable[[], AbstractAsyncContextManager[AsyncSession]]
MakeTestset = Callable[..., Awaitable[Committed]]
TABLES = (Testset, TestsetRevision, Testcase, TestsetRevisionRow, TestsetDraft)


@pytest.fixture
def open_session(platform: Platform) -> OpenSession:
    @asynccontextmanager
    async def open_() -> AsyncIterator[AsyncSession]:
        async with platform.db.session() as session:
            yield session

    return open_


@pytest.fixture
def make_testset(open_session: OpenSession, owner: Persona) -> MakeTestset:
    async def make(
        rows: Sequence[Mapping[str, Any]],
        *,
        name: str = "Capitals",
        persona: Persona | None = None,
        message: str = "first",
    ) -> Committed:
        who = persona or owner
        async with open_session() as session:
            return await adding.add_rows(
                session,
                who.project_id,
                None,
                name,
                rows,
                None,
                message,
                who.user_id,
                max_rows=MAX_ROWS,
            )

    return make


@pytest.fixture
def table_counts(open_session: OpenSession) -> Callable[[], Awaitable[dict[str, int]]]:
    async def count() -> dict[str, int]:
        async with open_session() as session:
            return {
                table.__tablename__: int(
                    await session.scalar(select(func.count()).select_from(table)) or 0
                )
                for table in TABLES
            }

    return count


class PersonaClient:
    """The test client sending one persona's API key with every request."""

    def __init__(self, client: AsyncTestClient[Any], persona: Persona) -> None:
        self.client = client
        self.persona = persona

    async def get(self, path: str, **options: Any) -> Any:
        return await self.client.get(path, headers=self._headers(options), **options)

    async def post(self, path: str, json: Any = None, **options: Any) -> Any:
        if "files" not in options and "data" not in options:
            options["json"] = {} if json is None else json
        return await self.client.post(path, headers=self._headers(options), **options)

    async def put(self, path: str, json: Any, **options: Any) -> Any:
        return await self.client.put(path, json=json, headers=self._headers(options), **options)

    def _headers(self, options: dict[str, Any]) -> dict[str, str]:
        return {**self.persona.headers, **options.pop("headers", {})}


@pytest.fixture
def api(client: AsyncTestClient[Any]) -> Callable[[Persona], PersonaClient]:
    return lambda persona: PersonaClient(client, persona)
