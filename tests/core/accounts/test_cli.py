"""``agenta users create`` and ``agenta keys create`` for scripted set-up."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any
from uuid import UUID

from litestar.testing import AsyncTestClient

from tests.conftest import TEST_SECRET_KEY


def agenta(database_url: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        "AGENTA_DATABASE_URL": database_url,
        "AGENTA_SECRET_KEY": TEST_SECRET_KEY,
        "AGENTA_DATA_DIR": str(tmp_path / "cli-data"),
        "AGENTA_LOG_LEVEL": "WARNING",
        "PATH": "/usr/bin:/bin",
    }
    return subprocess.run(
        [sys.executable, "-m", "agenta.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def test_a_scripted_user_and_key_reach_the_api(
    database_url: str, tmp_path: Path, client: AsyncTestClient[Any]
) -> None:
    created = agenta(
        database_url, tmp_path, "users", "create", "--email", "ops@example.com",
        "--password", "scripted setup", "--name", "Ops",
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    user_id = UUID(created.stdout.strip())
    issued = agenta(database_url, tmp_path, "keys", "create", "--email", "OPS@example.com")
    assert issued.returncode == 0, issued.stderr
    key = issued.stdout.strip()
    response = await client.get("/api/projects/current", headers={"Authorization": f"ApiKey {key}"})
    assert response.status_code == 200
    assert response.json()["user_id"] == str(user_id)
    assert response.json()["project_slug"] == "default"
    events = await client.get(
        "/api/events",
        params={"type": "api_key.created"},
        headers={"Authorization": f"ApiKey {key}"},
    )
    [created_event] = events.json()["events"]
    assert created_event["data"]["prefix"] == key.split(".")[0]
    assert created_event["actor"]["label"] == "ops@example.com via cli"


def test_the_commands_explain_what_is_wrong(database_url: str, tmp_path: Path) -> None:
    duplicate = [
        agenta(database_url, tmp_path, "users", "create", "--email", "a@example.com",
               "--password", "long enough")
        for _ in range(2)
    ]  # fmt: skip
    assert duplicate[1].returncode == 1
    assert "already exists" in duplicate[1].stderr
    unknown = agenta(database_url, tmp_path, "keys", "create", "--email", "b@example.com")
    assert unknown.returncode == 1
    assert "No user with the e-mail address b@example.com" in unknown.stderr
    wrong_project = agenta(
        database_url, tmp_path, "keys", "create", "--email", "a@example.com", "--project", "nope"
    )
    assert "no project with slug 'nope' (their projects: default)" in wrong_project.stderr
