"""The real commands as a user runs them: ``agenta serve``, ``agenta worker``, ``agenta migrate``.

These start child processes, so each test costs about a second; they check start-up, readiness,
data kept across restarts, and jobs surviving a hard kill in both modes.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from agenta.jobs import store
from agenta.jobs.models import RUNNING, SUCCEEDED
from agenta.platform import Platform
from agenta.settings import Settings
from tests.conftest import TEST_SECRET_KEY
from tests.support.processes import AgentaProcess, ServerProcess, base_env


def lines(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


async def wait_for_status(platform: Platform, job_id: object, status: str, timeout: float) -> None:
    async with asyncio.timeout(timeout):
        while True:
            job = await store.get_job(platform.db, job_id)  # type: ignore[arg-type]
            if job is not None and job.status == status:
                return
            await asyncio.sleep(0.05)


def test_serve_starts_on_the_embedded_default_and_keeps_data_across_restarts(
    tmp_path: Path,
) -> None:
    env = base_env(AGENTA_TEST_CWD=str(tmp_path))
    server = ServerProcess(env, tmp_path / "serve.log").start()
    try:
        server.wait_ready()
        home = httpx.get(server.url + "/")
        assert home.status_code == 200 and "Agenta" in home.text
        assert (tmp_path / ".agenta" / "agenta.db").exists()
        assert "generated one into .agenta/secret_key" in server.log()
    finally:
        server.stop()
    key = (tmp_path / ".agenta" / "secret_key").read_text()
    again = ServerProcess(env, tmp_path / "serve2.log").start()
    try:
        again.wait_ready()
    finally:
        again.stop()
    assert (tmp_path / ".agenta" / "secret_key").read_text() == key


def test_serve_refuses_production_mode_without_a_secret_key(tmp_path: Path) -> None:
    env = base_env(AGENTA_REDIS_URL="redis://127.0.0.1:6379/0")
    result = subprocess.run(
        [sys.executable, "-m", "agenta.cli", "serve"],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "AGENTA_SECRET_KEY is required in production mode" in result.stderr


def test_worker_explains_that_it_needs_redis(tmp_path: Path) -> None:
    env = base_env(AGENTA_DATA_DIR=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "-m", "agenta.cli", "worker"],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 1
    assert "AGENTA_REDIS_URL is not set" in result.stderr


async def test_a_job_killed_mid_run_in_embedded_mode_completes_after_restart(
    sqlite_url: str, make_settings: object, tmp_path: Path
) -> None:
    settings: Settings = make_settings(sqlite_url)  # type: ignore[operator]
    record = tmp_path / "runs.txt"
    env = base_env(
        AGENTA_DATA_DIR=str(tmp_path / "data"),
        AGENTA_DATABASE_URL=sqlite_url,
        AGENTA_SECRET_KEY=TEST_SECRET_KEY,
        AGENTA_JOB_LEASE_SECONDS="1",
    )
    producer = await Platform.start(settings, run_jobs=False)
    try:
        job_id = await producer.queue.enqueue("system.ping", seconds=30, record_to=str(record))
        first = ServerProcess(env, tmp_path / "first.log").start()
        try:
            await wait_for_status(producer, job_id, RUNNING, timeout=30)
        finally:
            first.kill()
        async with producer.db.session() as session:
            # Make the rerun quick: same job, shorter sleep (the kwargs are the job's data).
            from sqlalchemy import update

            from agenta.jobs.models import Job

            await session.execute(
                update(Job)
                .where(Job.id == job_id)
                .values(kwargs={"seconds": 0.1, "record_to": str(record)})
            )
        second = ServerProcess(env, tmp_path / "second.log").start()
        try:
            await wait_for_status(producer, job_id, SUCCEEDED, timeout=30)
        finally:
            second.stop()
        job = await store.get_job(producer.db, job_id)
    finally:
        await producer.stop()
    assert job is not None and job.attempts == 2
    assert lines(record) == [f"{job_id} 2"]


@pytest.mark.redis
async def test_a_job_killed_mid_run_in_a_worker_completes_in_another_worker(
    postgres_url: str, redis_url: str, make_settings: object, tmp_path: Path
) -> None:
    settings: Settings = make_settings(postgres_url, redis_url=redis_url)  # type: ignore[operator]
    record = tmp_path / "runs.txt"
    env = base_env(
        AGENTA_DATABASE_URL=postgres_url,
        AGENTA_REDIS_URL=redis_url,
        AGENTA_SECRET_KEY=TEST_SECRET_KEY,
        AGENTA_JOB_LEASE_SECONDS="1",
    )
    producer = await Platform.start(settings)
    try:
        job_id = await producer.queue.enqueue("system.ping", seconds=30, record_to=str(record))
        first = AgentaProcess(["worker"], env, tmp_path / "w1.log").start()
        try:
            await wait_for_status(producer, job_id, RUNNING, timeout=30)
        finally:
            first.kill()
        from sqlalchemy import update

        from agenta.jobs.models import Job
        from agenta.jobs.registry import JobContext
        from agenta.jobs.worker import recover_stale_jobs

        async with producer.db.session() as session:
            await session.execute(
                update(Job)
                .where(Job.id == job_id)
                .values(kwargs={"seconds": 0.1, "record_to": str(record)})
            )
        await asyncio.sleep(1.2)  # the dead worker's lease runs out
        await recover_stale_jobs(
            JobContext(settings=settings, db=producer.db, queue=producer.queue)
        )
        second = AgentaProcess(["worker"], env, tmp_path / "w2.log").start()
        try:
            await wait_for_status(producer, job_id, SUCCEEDED, timeout=30)
        finally:
            second.stop()
    finally:
        await producer.stop()
    assert lines(record) == [f"{job_id} 2"]


def test_migrate_brings_an_empty_database_to_the_latest_schema(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"
    env = base_env(AGENTA_DATABASE_URL=url, AGENTA_SECRET_KEY=TEST_SECRET_KEY)
    result = subprocess.run(
        [sys.executable, "-m", "agenta.cli", "migrate"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "database is up to date" in result.stdout
