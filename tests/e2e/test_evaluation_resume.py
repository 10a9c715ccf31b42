"""Runs survive a killed process: every cell is written exactly once, finished cells are kept.

A run long enough to interrupt (rows x 100 ms answers from the fake LLM server, running as its
own process) is started through the API; once part of it is written, the process running it
is killed with SIGKILL. Another one is started and the run finishes. The cells written before
the kill are still there, unchanged (same ids, same times), every cell exists once, and the
model was called again only for the units that were in flight when the process died.

- embedded mode: SQLite, jobs run inside ``agenta serve``; the serve process is killed;
- production mode: Postgres, Redis and an arq ``agenta worker``; the worker is killed, and the
  stale-job recovery cron hands the slice to a new worker once its lease expired.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import TEST_SECRET_KEY
from tests.core.evaluations.stack import (
    FakeLLMProcess,
    RunClient,
    Seeded,
    cell_snapshot,
    seed_project,
)
from tests.support import databases
from tests.support.processes import AgentaProcess, ServerProcess, base_env

pytestmark = pytest.mark.slow

ROWS = 160
CONCURRENCY = 4
CHUNK_ROWS = 40
CELLS_PER_ROW = 3  # the invocation, then two evaluators


@pytest.fixture
def fake_llm_process(tmp_path: Path) -> Iterator[FakeLLMProcess]:
    fake = FakeLLMProcess(tmp_path / "llm.log", latency=0.1).start()
    yield fake
    fake.stop()


def stack_env(tmp_path: Path, database_url: str, fake: FakeLLMProcess, **extra: str) -> dict:
    return base_env(
        AGENTA_DATA_DIR=str(tmp_path / "data"),
        AGENTA_DATABASE_URL=database_url,
        AGENTA_SECRET_KEY=TEST_SECRET_KEY,
        AGENTA_LOG_LEVEL="WARNING",
        AGENTA_JOB_LEASE_SECONDS="3",
        **fake.env(),
        **extra,
    )


def start_run(url: str, seeded: Seeded) -> tuple[RunClient, str]:
    client = RunClient(url, seeded.api_key)
    run = client.create(seeded, concurrency=CONCURRENCY, chunk_rows=CHUNK_ROWS)
    return client, run["id"]


def check_exactly_once(
    database_url: str, run_id: str, before: dict, final: dict, fake: FakeLLMProcess
) -> None:
    after = cell_snapshot(database_url, run_id)
    assert final["status"] == "succeeded", final
    assert len(after) == final["cells_total"] == ROWS * CELLS_PER_ROW
    assert 0 < len(before) < len(after)
    assert {key: after[key] for key in before} == before  # kept, never written again
    # Only uncommitted work is invoked twice: the units in flight when the process died, or, on
    # a loaded machine where a heartbeat came later than the 3 s lease, the rest of one slice
    # that a second runner took over while the first still ran it (its cells stay once each).
    assert ROWS <= fake.request_count() <= ROWS + CHUNK_ROWS


def test_a_killed_serve_process_finishes_its_run_on_restart_with_each_cell_once(
    sqlite_template: Path, tmp_path: Path, fake_llm_process: FakeLLMProcess
) -> None:
    database_url = databases.fresh_sqlite(sqlite_template, tmp_path)
    seeded = asyncio.run(seed_project(database_url, rows=ROWS))
    env = stack_env(tmp_path, database_url, fake_llm_process)
    first = ServerProcess(env, tmp_path / "serve-1.log").start()
    try:
        first.wait_ready()
        client, run_id = start_run(first.url, seeded)
        client.wait(run_id, until=0.3)
        first.kill()
    finally:
        first.stop()
    before = cell_snapshot(database_url, run_id)

    second = ServerProcess(env, tmp_path / "serve-2.log").start()
    try:
        second.wait_ready()
        final = RunClient(second.url, seeded.api_key).wait(run_id, timeout=120)
    finally:
        second.stop()
    check_exactly_once(database_url, run_id, before, final, fake_llm_process)


def test_a_killed_arq_worker_hands_its_run_to_another_with_each_cell_once(
    postgres_url: str, redis_url: str, tmp_path: Path, fake_llm_process: FakeLLMProcess
) -> None:
    seeded = asyncio.run(seed_project(postgres_url, rows=ROWS))
    env = stack_env(tmp_path, postgres_url, fake_llm_process, AGENTA_REDIS_URL=redis_url)
    server = ServerProcess(env, tmp_path / "serve.log").start()
    first = AgentaProcess(["worker"], env, tmp_path / "worker-1.log").start()
    second = None
    try:
        server.wait_ready()
        first.wait_for_log("Agenta worker listening")
        client, run_id = start_run(server.url, seeded)
        client.wait(run_id, until=0.3)
        first.kill()
        before = cell_snapshot(postgres_url, run_id)
        second = AgentaProcess(["worker"], env, tmp_path / "worker-2.log").start()
        # The stale-job cron runs at the start of each minute.
        final = client.wait(run_id, timeout=180)
    finally:
        for process in (first, second, server):
            if process is not None:
                process.stop()
    check_exactly_once(postgres_url, run_id, before, final, fake_llm_process)
