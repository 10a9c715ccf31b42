"""The official ``agenta`` SDK's test set calls (``ag.testsets``) against a real server.

The SDK runs unmodified in its own venv (``tests.support.sdk_venv``). The script below creates a
test set, lists, fetches, edits and upserts it, then retrieves the first revision by its id;
the test checks every answer, and that each edit became a new revision in our database.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from agenta.core.testsets.models import TestsetRevision
from agenta.db import Database
from tests.conftest import TEST_SECRET_KEY
from tests.support.accounts import make_user
from tests.support.processes import ServerProcess, base_env
from tests.support.sdk_venv import require_sdk, run_sdk_script

pytestmark = pytest.mark.slow

SCRIPT = """
import asyncio, json, os
import agenta as ag

FIRST = [
    {"country": "France", "correct_answer": "Paris"},
    {"country": "Peru", "correct_answer": "Lima"},
]
SECOND = [{"country": "Chad", "correct_answer": "N'Djamena", "level": "hard"}]
THIRD = [{"country": "Japan", "correct_answer": "Tokyo"}]


def shown(revision):
    if revision is None:
        return None
    return {
        "id": str(revision.id),
        "testset_id": str(revision.testset_id),
        "name": revision.name,
        "version": revision.version,
        "rows": [case.data for case in revision.data.testcases],
        "case_ids": [str(case.id) for case in revision.data.testcases],
    }


async def main():
    ag.init(host=os.environ["SDK_TEST_HOST"], api_key=os.environ["SDK_TEST_API_KEY"])
    created = await ag.testsets.acreate(name="Capitals", data=FIRST)
    other = await ag.testsets.acreate(name="Rivers", data=[{"river": "Nile"}])
    listed = await ag.testsets.alist()
    fetched = await ag.testsets.afetch(testset_id=created.testset_id)
    edited = await ag.testsets.aedit(testset_id=created.testset_id, name="Capitals", data=SECOND)
    upserted = await ag.testsets.aupsert(name="Capitals", data=THIRD)
    first = await ag.testsets.aretrieve(testset_revision_id=created.id)
    latest = await ag.testsets.aretrieve(testset_id=created.testset_id)
    missing = await ag.testsets.afetch(testset_id=os.environ["SDK_TEST_UNKNOWN_ID"])
    print(json.dumps({
        "created": shown(created),
        "other": shown(other),
        "listed": sorted(revision.name for revision in listed),
        "fetched": shown(fetched),
        "edited": shown(edited),
        "upserted": shown(upserted),
        "first": shown(first),
        "latest": shown(latest),
        "missing": shown(missing),
    }))


asyncio.run(main())
"""

FIRST = [
    {"country": "France", "correct_answer": "Paris"},
    {"country": "Peru", "correct_answer": "Lima"},
]


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[ServerProcess]:
    env = base_env(
        AGENTA_DATA_DIR=str(tmp_path / "data"),
        AGENTA_DATABASE_URL=database_url,
        AGENTA_SECRET_KEY=TEST_SECRET_KEY,
        AGENTA_LOG_LEVEL="WARNING",
    )
    process = ServerProcess(env, tmp_path / "serve.log")
    process.start()
    try:
        process.wait_ready()
        yield process
    finally:
        process.stop()


async def api_key_for_new_user(database_url: str) -> str:
    db = Database.unpooled(database_url)
    try:
        persona = await make_user(db, email="sdk-testsets@example.com", with_api_key=True)
    finally:
        await db.dispose()
    assert persona.api_key is not None
    return persona.api_key


async def stored_versions(database_url: str, testset_id: str) -> list[int]:
    db = Database.unpooled(database_url)
    try:
        async with db.session() as session:
            found = await session.scalars(
                select(TestsetRevision.version)
                .where(TestsetRevision.testset_id == uuid.UUID(testset_id))
                .order_by(TestsetRevision.version)
            )
            return list(found)
    finally:
        await db.dispose()


async def test_the_official_sdk_creates_lists_fetches_and_updates_test_sets(
    server: ServerProcess, database_url: str, tmp_path: Path
) -> None:
    python = require_sdk()
    api_key = await api_key_for_new_user(database_url)

    result = await asyncio.to_thread(
        run_sdk_script,
        python,
        SCRIPT,
        tmp_path,
        env={
            "SDK_TEST_HOST": server.url,
            "SDK_TEST_API_KEY": api_key,
            "SDK_TEST_UNKNOWN_ID": str(uuid.uuid4()),
        },
    )

    created, fetched = result["created"], result["fetched"]
    assert created["rows"] == FIRST
    assert (created["name"], created["version"]) == ("Capitals", "1")
    assert result["listed"] == ["Capitals", "Rivers"]
    assert fetched["rows"] == FIRST
    assert fetched["case_ids"] == created["case_ids"]
    assert result["edited"]["rows"] == [
        {"country": "Chad", "correct_answer": "N'Djamena", "level": "hard"}
    ]
    assert result["upserted"]["testset_id"] == created["testset_id"]
    assert result["upserted"]["rows"] == [{"country": "Japan", "correct_answer": "Tokyo"}]
    assert result["first"]["rows"] == FIRST
    assert (result["latest"]["version"], result["latest"]["rows"]) == (
        "3",
        result["upserted"]["rows"],
    )
    assert result["missing"] is None
    assert await stored_versions(database_url, created["testset_id"]) == [1, 2, 3]
