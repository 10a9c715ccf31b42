"""``agenta eval run`` against a real server, as a CI pipeline would call it."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import TEST_SECRET_KEY
from tests.core.evaluations.stack import FakeLLMProcess, Seeded, seed_project
from tests.support import databases
from tests.support.processes import ServerProcess, base_env

pytestmark = pytest.mark.slow

# The installed console script, as CI calls it.
AGENTA = str(Path(sys.executable).parent / "agenta")


@pytest.fixture(scope="module")
def stack(
    sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[ServerProcess, Seeded]]:
    folder = tmp_path_factory.mktemp("eval-cli")
    database_url = databases.fresh_sqlite(sqlite_template, folder)
    fake = FakeLLMProcess(folder / "llm.log").start()
    seeded = asyncio.run(seed_project(database_url, rows=5))
    env = base_env(
        AGENTA_DATA_DIR=str(folder / "data"),
        AGENTA_DATABASE_URL=database_url,
        AGENTA_SECRET_KEY=TEST_SECRET_KEY,
        AGENTA_LOG_LEVEL="WARNING",
        **fake.env(),
    )
    server = ServerProcess(env, folder / "serve.log").start()
    try:
        server.wait_ready()
        yield server, seeded
    finally:
        server.stop()
        fake.stop()


def eval_run(stack: tuple[ServerProcess, Seeded], *args: str) -> subprocess.CompletedProcess[str]:
    server, seeded = stack
    env = base_env(AGENTA_HOST=server.url, AGENTA_API_KEY=seeded.api_key)
    command = [AGENTA, "eval", "run", "--app", seeded.app_slug]
    command += ["--variant", seeded.variant_slug, "--testset", seeded.testset_slug, *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)


def test_a_run_that_meets_its_thresholds_exits_zero(stack: tuple[ServerProcess, Seeded]) -> None:
    done = eval_run(
        stack,
        "--evaluator", "exact",
        "--evaluator", "has-digit",
        "--fail-under", "exact.pass_rate=1",
        "--fail-under", "has-digit=0.5",
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "succeeded: 100% (15/15 cells)" in done.stdout
    assert "PASS exact.pass_rate >= 1 (1.000)" in done.stdout
    assert "PASS has-digit >= 0.5 (1.000)" in done.stdout


def test_a_missed_threshold_exits_one_and_says_which(stack: tuple[ServerProcess, Seeded]) -> None:
    done = eval_run(stack, "--evaluator", "exact", "--fail-under", "judge=0.5")
    assert done.returncode == 1
    assert "FAIL judge: the run has no evaluator 'judge'" in done.stdout


def test_a_wrong_reference_is_reported_without_a_traceback(
    stack: tuple[ServerProcess, Seeded],
) -> None:
    done = eval_run(stack, "--evaluator", "nope")
    assert done.returncode == 1
    assert "the server answered 404: run.evaluators[0]: no evaluator 'nope'" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_server_and_key_are_required(tmp_path: Path) -> None:
    command = [AGENTA, "eval", "run", "--app", "a", "--variant", "v"]
    command += ["--testset", "t"]
    done = subprocess.run(command, env=base_env(), capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "give the server with --url or AGENTA_HOST" in done.stderr
