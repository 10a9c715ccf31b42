"""The official ``agenta`` SDK from PyPI, unmodified, against a real ``agenta serve`` process.

The SDK runs in its own venv (see ``tests.support.sdk_venv``); a user and an API key are made
with the ``agenta users create`` and ``agenta keys create`` commands, as an operator would.
The script in ``scripts/registry_flow.py`` creates an app and a variant, commits twice, deploys
the first commit to production, fetches by environment and by variant version, reads the
history and deletes the variant; the test checks every answer.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import TEST_SECRET_KEY
from tests.support.accounts import PASSWORD
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


def agenta_command(env: dict[str, str], *args: str) -> str:
    """Run an ``agenta`` CLI command on the server's database; returns its last output line."""
    result = subprocess.run(
        [sys.executable, "-m", "agenta.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, f"agenta {' '.join(args)} failed:\n{result.stderr}"
    return result.stdout.strip().splitlines()[-1]


def make_api_key(env: dict[str, str]) -> str:
    """A user (with a project and its default environments) and an API key there."""
    agenta_command(env, "users", "create", "--email", EMAIL, "--password", PASSWORD)
    return agenta_command(env, "keys", "create", "--email", EMAIL)


async def test_the_official_sdk_drives_the_whole_registry_flow(
    server: ServerProcess, server_env: dict[str, str], tmp_path: Path
) -> None:
    python = require_sdk()
    api_key = await asyncio.to_thread(make_api_key, server_env)

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
