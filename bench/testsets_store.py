"""Benchmark of test sets end to end: a 100,000-row upload through the API, then the editor.

For each database (SQLite, and Postgres when reachable) it migrates a fresh database, makes a
user with an API key, starts ``agenta serve`` on it, and measures over HTTP on loopback:

* import: ``POST /api/testsets/upload`` of the 100,000-row CSV of ``testsets_import.py``
  (about 16 MB) until the answer, i.e. parsed, checked and committed;
* first page: ``GET /testsets/{id}``, the editor's HTML with its first 50 rows (median and
  worst of 20 requests after two warm-ups);
* a page in the middle, a search, committing a one-cell edit, and downloading the CSV.

The machine is shared, so next to wall-clock times it prints the server's CPU time for the
import and the load average: on a busy machine wall time is mostly waiting for a core.

    .venv/bin/python bench/testsets_store.py [--rows 100000] [--sqlite-only]
        [--postgres postgresql://postgres@127.0.0.1:5432/postgres]
        [--import-budget 10] [--page-budget 0.3]

Exits with status 1 when an import or a first page is over its budget.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import psycopg
from psycopg import sql

from agenta.core.access.api_keys import create_api_key
from agenta.core.accounts.users import sign_up
from agenta.core.testsets.codecs import export_rows
from agenta.db import Database
from agenta.migrate import upgrade

SECRET_KEY = "benchmark-secret-key-0123456789-abcdefghijklmnop"
DEFAULT_POSTGRES = os.environ.get(
    "AGENTA_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def make_csv(count: int) -> bytes:
    """The realistic rows of the codec benchmark, as CSV."""
    sys.path.insert(0, str(Path(__file__).parent))
    rows = importlib.import_module("testsets_import").make_rows(count)
    return b"".join(export_rows(rows, list(rows[0]), "csv"))


async def make_api_key(url: str) -> str:
    db = Database.unpooled(url)
    try:
        async with db.session() as session:
            user, tenancy = await sign_up(
                session, email="bench@example.com", password="benchmark password", name="Bench"
            )
            raw, _ = await create_api_key(
                session, project_id=tenancy.project.id, user_id=user.id, name="bench"
            )
    finally:
        await db.dispose()
    return raw


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far (Linux ``/proc``; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def serving(url: str, folder: Path) -> Iterator[tuple[str, int]]:
    """``agenta serve`` on ``url``'s database; yields its base URL and process id."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AGENTA_")}
    env |= {
        "AGENTA_DATABASE_URL": url,
        "AGENTA_SECRET_KEY": SECRET_KEY,
        "AGENTA_DATA_DIR": str(folder / "data"),
        "AGENTA_PORT": str(port),
        "AGENTA_LOG_LEVEL": "WARNING",
        "AGENTA_HTMX_CDN_URL": "off",
    }
    log = (folder / "serve.log").open("ab")
    process = subprocess.Popen(
        [sys.executable, "-m", "agenta.cli", "serve"], env=env, stdout=log, stderr=log
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base, process)
        yield base, process.pid
    finally:
        process.terminate()
        process.wait(15)


def wait_ready(base: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"agenta serve exited with {process.returncode}")
        try:
            if httpx.get(base + "/ready", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise TimeoutError("agenta serve did not become ready")


def timed(action: Callable[[], httpx.Response]) -> tuple[float, httpx.Response]:
    start = time.perf_counter()
    response = action()
    elapsed = time.perf_counter() - start
    if response.status_code != 200:
        raise RuntimeError(
            f"{response.request.url} answered {response.status_code}: {response.text[:300]}"
        )
    return elapsed, response


def repeated(action: Callable[[], httpx.Response], times: int = 20) -> list[float]:
    for _ in range(2):
        timed(action)
    return [timed(action)[0] for _ in range(times)]


def run(url: str, label: str, data: bytes, budgets: tuple[float, float]) -> bool:
    """Benchmark one database; True when within budget."""
    upgrade(url)
    key = asyncio.run(make_api_key(url))
    with tempfile.TemporaryDirectory() as folder, serving(url, Path(folder)) as (base, pid):
        client = httpx.Client(
            base_url=base, headers={"Authorization": f"ApiKey {key}"}, timeout=300
        )
        files = {"file": ("bench.csv", data, "text/csv")}
        cpu_before = cpu_seconds(pid)
        seconds, response = timed(lambda: client.post("/api/testsets/upload", files=files))
        import_cpu = cpu_seconds(pid) - cpu_before
        testset = response.json()["testset"]
        rows = testset["row_count"]
        editor = f"/testsets/{testset['id']}"
        first = repeated(lambda: client.get(editor))
        middle = repeated(lambda: client.get(editor, params={"offset": rows // 2}), 5)
        search = repeated(lambda: client.get(editor, params={"q": "row 4242,"}), 3)
        edit = {"op": "set_cell", "row": 7, "column": "category", "value": "edited"}
        body = {"base_version": 1, "message": "one cell", "operations": [edit]}
        commit, _ = timed(
            lambda: client.post(f"/api/testsets/{testset['id']}/revisions/commit", json=body)
        )
        download, exported = timed(
            lambda: client.get(f"/api/testsets/{testset['id']}/revisions/2/download?format=csv")
        )
    median_first, median_middle = statistics.median(first), statistics.median(middle)
    print(
        f"{label:8} import of {rows:,} rows ({len(data) / 1e6:.1f} MB): {seconds:.2f} s"
        f" (server CPU {import_cpu:.2f} s; load average {os.getloadavg()[0]:.1f})"
    )
    print(
        f"{label:8} first page: median {median_first * 1e3:.1f} ms, worst {max(first) * 1e3:.1f} ms"
    )
    print(f"{label:8} middle page {median_middle * 1e3:.1f} ms, search {min(search) * 1e3:.1f} ms")
    megabytes = len(exported.content) / 1e6
    print(
        f"{label:8} one-cell commit {commit:.2f} s, CSV download {download:.2f} s"
        f" ({megabytes:.1f} MB)"
    )
    import_budget, page_budget = budgets
    return seconds <= import_budget and median_first <= page_budget


@contextmanager
def postgres_database(admin_url: str) -> Iterator[str]:
    """A fresh database on the Postgres server of ``admin_url``, dropped afterwards."""
    plain = admin_url.replace("postgresql+psycopg://", "postgresql://")
    name = f"agenta_bench_testsets_{os.getpid()}"
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield "postgresql+psycopg://" + plain.split("://", 1)[1].rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(plain, autocommit=True) as conn:
            drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
            conn.execute(drop.format(sql.Identifier(name)))


def main() -> int:
    """Run the benchmark; non-zero exit when over budget."""
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--rows", type=int, default=100_000)
    options.add_argument("--postgres", default=DEFAULT_POSTGRES)
    options.add_argument("--sqlite-only", action="store_true")
    options.add_argument("--import-budget", type=float, default=10.0)
    options.add_argument("--page-budget", type=float, default=0.3)
    arguments = options.parse_args()
    data = make_csv(arguments.rows)
    budgets = (arguments.import_budget, arguments.page_budget)
    within = True
    with tempfile.TemporaryDirectory() as folder:
        within &= run(f"sqlite+aiosqlite:///{folder}/bench.db", "sqlite", data, budgets)
    if not arguments.sqlite_only:
        with postgres_database(arguments.postgres) as url:
            within &= run(url, "postgres", data, budgets)
    if not within:
        print("over budget")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
