"""Accepted spans survive a killed process and are stored exactly once.

- embedded mode (SQLite): exports stream into `agenta serve`, which is killed with SIGKILL
  while its span queue still holds batches; after a restart every accepted span is stored,
  none twice, and the queue is empty;
- production mode (Postgres + Redis): exports are queued in the Redis stream before any
  worker runs; a worker is killed with SIGKILL mid-drain, leaving entries pending; a new
  worker reclaims them, and every span is stored exactly once, the stream left empty.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
import redis

from agenta.core.tracing.queue_redis import GROUP, STREAM
from tests.core.tracing.e2e_support import (
    OTLP_PATH,
    Export,
    llm_exports,
    queued_batches,
    seed_owner,
    server_env,
    stored_span_ids,
)
from tests.support import databases
from tests.support.accounts import Persona
from tests.support.processes import AgentaProcess, ServerProcess

pytestmark = pytest.mark.slow

PROTOBUF = {"Content-Type": "application/x-protobuf"}


def send_all(
    url: str, owner: Persona, exports: list[Export], stop: threading.Event | None = None
) -> set[tuple[str, str]]:
    """Send exports from 4 threads; the ids of those answered 200 (until `stop` is set)."""
    headers = {**PROTOBUF, "Authorization": f"ApiKey {owner.api_key}"}
    accepted: set[tuple[str, str]] = set()
    lock = threading.Lock()

    def send(export: Export) -> None:
        if stop is not None and stop.is_set():
            return
        try:
            response = httpx.post(url + OTLP_PATH, content=export.body, headers=headers, timeout=30)
        except httpx.HTTPError:
            return  # the server died with this request in flight: it was never accepted
        if response.status_code == 200:
            with lock:
                accepted.update(export.ids)

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(send, exports))
    return accepted


def wait_until(
    condition: Callable[[], bool], timeout: float, what: str, every: float = 0.2
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout} s waiting until {what}")


def assert_stored_exactly_once(
    stored: list[tuple[str, str]], accepted: set[tuple[str, str]], sent: set[tuple[str, str]]
) -> None:
    assert len(stored) == len(set(stored)), "a span was stored twice"
    assert accepted <= set(stored), f"{len(accepted - set(stored))} accepted spans were lost"
    assert set(stored) <= sent


def test_a_killed_serve_process_stores_every_queued_span_once_after_restart(
    sqlite_template: Path, tmp_path: Path
) -> None:
    database_url = databases.fresh_sqlite(sqlite_template, tmp_path)
    owner = seed_owner(database_url)
    env = server_env(tmp_path, database_url)
    exports = llm_exports(160, traces_per_export=25)
    sent = {pair for export in exports for pair in export.ids}
    server = ServerProcess(env, tmp_path / "serve.log").start()
    server.wait_ready()
    stop = threading.Event()
    sender = ThreadPoolExecutor(1).submit(send_all, server.url, owner, exports, stop)
    # The consumer keeps up closely, so watch for a backlog and kill the moment one exists.
    wait_until(lambda: queued_batches(database_url) >= 3, 60, "batches wait", every=0.002)
    server.kill()
    stop.set()
    accepted = sender.result()
    left_in_queue = queued_batches(database_url)

    restarted = ServerProcess(env, tmp_path / "serve-again.log").start()
    try:
        restarted.wait_ready()
        wait_until(lambda: queued_batches(database_url) == 0, 120, "the queue is drained")
    finally:
        restarted.stop()

    assert left_in_queue > 0
    assert_stored_exactly_once(stored_span_ids(database_url, owner.project_id), accepted, sent)


def test_a_killed_worker_leaves_pending_entries_that_another_worker_stores_once(
    postgres_url: str, redis_url: str, tmp_path: Path
) -> None:
    owner = seed_owner(postgres_url)
    env = server_env(tmp_path, postgres_url, AGENTA_REDIS_URL=redis_url)
    exports = llm_exports(200, traces_per_export=25)
    sent = {pair for export in exports for pair in export.ids}
    stream = redis.Redis.from_url(redis_url)
    server = ServerProcess(env, tmp_path / "serve.log", "--no-migrate").start()
    try:
        server.wait_ready()
        accepted = send_all(server.url, owner, exports)
        assert accepted == sent  # no worker yet: everything waits in the stream
        assert stream.xlen(STREAM) == len(exports)

        worker = AgentaProcess(["worker"], env, tmp_path / "worker.log").start()
        worker.wait_for_log("Agenta worker listening")
        wait_until(
            lambda: len(stored_span_ids(postgres_url, owner.project_id)) > 0, 60, "spans are stored"
        )
        worker.kill()
        pending = stream.xpending(STREAM, GROUP)["pending"]
        stored_at_kill = len(stored_span_ids(postgres_url, owner.project_id))

        heir = AgentaProcess(["worker"], env, tmp_path / "worker-again.log").start()
        try:
            wait_until(lambda: stream.xlen(STREAM) == 0, 120, "the stream is drained")
        finally:
            heir.stop()
    finally:
        server.stop()
        stream.close()

    assert stored_at_kill < len(sent), "the worker finished before it could be killed"
    assert pending > 0 or stored_at_kill < len(sent)
    assert_stored_exactly_once(stored_span_ids(postgres_url, owner.project_id), accepted, sent)
