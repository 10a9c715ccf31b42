"""The official ``agenta`` SDK from PyPI, unmodified, against a real ``agenta serve`` process.

The SDK runs in its own venv (see ``tests.support.sdk_venv``); a user and an API key are made
in the server's database with the accounts test helpers (what ``agenta users create`` and
``agenta keys create`` do). The script in ``scripts/registry_flow.py`` creates an app and a
variant, commits twice, deploys the first commit to production, fetches by environment and by
variant version, reads the history and deletes the variant; the test checks every answer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from agenta.db import Database
from tests.conftest import TEST_SECRET_KEY
from tests.support.accounts import make_user
from tests.support.processes import ServerProcess, base_env
from tests.support.sdk_venv import require_sdk, run_sdk_script

SCRIPT = Path(__file__).parent / "scripts" / "registry_flow.py"
EMAIL = "sdk-user@example.com"

pytestmark = pytest.mark.slow


@pytest.fixture
def server_env(database_url: str, tmp_path: Path) -> dict[str, str]:
    return base_env(
        AGENTA_DATA_DIR=str(tmp_path / "data"),
        AGENTA_DATABASE_URL=database_url,
        AGENTA_SECRET_KEY=TEST_SECRET_KEY,
        AGENTA_LOG_LEVEL="WARNING",
    )


@pytest.fixture
def server(server_env: dict[str, str], tmp_path: Path) -> Iterator[ServerProcess]:
    process = ServerProcess(server_env, tmp_path / "serve.log")
    process.start()
    try:
        process.wait_ready()
        yield process
    finally:
        process.stop()


async def make_api_key(database_url: str) -> str:
    """A user with a project (default environments included) and an API key there."""
    db = Database.unpooled(database_url)
    try:
        persona = await make_user(db, email=EMAIL, with_api_key=True)
    finally:
        await db.dispose()
    assert persona.api_key is not None
    return persona.api_key


async def test_the_official_sdk_drives_the_whole_registry_flow(
    server: ServerProcess, database_url: str, tmp_path: Path
) -> None:
    python = require_sdk()
    api_key = await make_api_key(database_url)

    result = await asyncio.to_thread(
        run_sdk_script,
        python,
        SCRIPT.read_text(),
        tmp_path,
        env={"SDK_TEST_HOST": server.url, "SDK_TEST_API_KEY": api_key},
    )

    first = {"prompt": {"messages": [{"role": "user", "content": "Capital of {{country}}?"}]}}
    second = {
        "prompt": {"messages": [{"role": "user", "content": "What is the capital of {{country}}?"}]}
    }
    assert result["app"]["slug"] == "sdk-app"
    assert result["created"]["variant_slug"] == "default"
    assert result["created"]["params"] == first
    assert result["committed"]["params"] == second
    assert result["committed"]["variant_version"] == result["created"]["variant_version"] + 1
    assert result["committed"]["committed_by"] == EMAIL
    assert result["deployment"]["environment_slug"] == "production"
    assert result["deployment"]["variant_version"] == result["created"]["variant_version"]
    assert result["by_environment"] == first
    assert result["by_version"] == second
    assert result["latest"] == second
    versions = [entry["variant_version"] for entry in result["history"]]
    assert versions == [
        result["committed"]["variant_version"],
        result["created"]["variant_version"],
    ]
    assert "default" not in result["remaining_variants"]
