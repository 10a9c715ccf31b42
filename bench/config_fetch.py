"""Benchmark of the config fetch a user's app makes on every request: by environment, API key.

Sets up a Postgres database of its own (migrated, one user with an API key, one application with
a realistic prompt deployed to production), starts one ``agenta serve`` process on it, then
drives it from this process with ``--clients`` concurrent keep-alive HTTP/1.1 connections for
``--seconds`` after a warm-up, twice per endpoint: saturated (each client sends its next request
as soon as the last one is answered: the throughput) and paced (the clients together send
``--min-rps`` requests/s on a fixed schedule: the latency at the target load; with closed-loop
clients the latency is only concurrency / throughput). Two endpoints are measured:

- ``GET /api/configs?application=…&environment=production`` (the compact, ETag-carrying fetch);
- ``POST /api/applications/revisions/retrieve`` with ``environment_ref`` + ``key`` (what the
  official SDK's ``ConfigManager.get_from_registry`` sends).

The load generator speaks HTTP over raw asyncio streams with pre-built requests, so that the
client spends as little CPU as possible on a machine it shares with the server. It reports
requests/s, p50/p99 latency and the server's CPU time per request (the
figure that does not depend on what else the machine is doing: 1 s divided by it is what one
free core sustains) per endpoint, and exits 1 if ``--check`` is given and a target
(``--min-rps``, ``--max-p99-ms``) is missed.

    .venv/bin/python bench/config_fetch.py [--clients 50] [--seconds 10] [--check]

``AGENTA_BENCH_POSTGRES_URL`` (default: the test server, database ``agenta_bench_config``)
names the database; it is dropped and re-created. ``--redis-url`` (or ``AGENTA_BENCH_REDIS_URL``)
runs the server in production mode; without Redis the config cache expires every 2 s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg
from psycopg import sql

from agenta.db import Database
from agenta.migrate import upgrade

ADMIN_URL = os.environ.get(
    "AGENTA_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
DATABASE = "agenta_bench_config"
SECRET_KEY = "bench-secret-key-for-the-config-fetch-0123456789"
APP_SLUG = "support-bot"
PROMPT = {
    "messages": [
        {"role": "system", "content": "You are a helpful support assistant for {{company}}."},
        {"role": "user", "content": "{{question}}"},
    ],
    "template_format": "mustache",
    "llm_config": {"model": "gpt-4o-mini", "temperature": 0.2, "max_tokens": 512},
}


@dataclass(frozen=True)
class Result:
    name: str
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int
    # The seconds (from the start of the measurement) holding the slowest 1% of requests: a
    # stall that recurs every few seconds shows up as evenly spaced numbers.
    worst_seconds: tuple[int, ...]
    server_cpu_seconds: float
    client_cpu_seconds: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    @property
    def cpu_us_per_request(self) -> float:
        """Server CPU time (user + system) per request: what one free core would sustain."""
        return self.server_cpu_seconds / max(self.requests, 1) * 1e6

    @property
    def client_us_per_request(self) -> float:
        return self.client_cpu_seconds / max(self.requests, 1) * 1e6


def create_database() -> str:
    """Drop and create the benchmark database, migrated; returns its async URL."""
    admin = ADMIN_URL.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as conn:
        name = sql.Identifier(DATABASE)
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(name))
    url = ADMIN_URL.rsplit("/", 1)[0] + "/" + DATABASE
    upgrade(url)
    return url


async def create_api_key(url: str) -> str:
    """A user (with a project and its default environments) and an API key there."""
    from agenta.core.access.api_keys import create_api_key as issue
    from agenta.core.accounts.users import sign_up

    db = Database.unpooled(url)
    try:
        async with db.session() as session:
            user, tenancy = await sign_up(
                session, email="bench@example.com", password="correct horse battery staple"
            )
            raw, _ = await issue(
                session, project_id=tenancy.project.id, user_id=user.id, name="bench"
            )
    finally:
        await db.dispose()
    return raw


def seed(base_url: str, api_key: str) -> None:
    """One application committed twice, its latest revision deployed to production."""
    with httpx.Client(base_url=base_url, headers={"Authorization": f"ApiKey {api_key}"}) as c:
        created = c.post(
            "/api/simple/applications/", json={"application": {"slug": APP_SLUG}}
        ).raise_for_status()
        variant_id = created.json()["application"]["variant_id"]
        committed = c.post(
            "/api/applications/revisions/commit",
            json={
                "application_revision": {
                    "application_variant_id": variant_id,
                    "data": {"parameters": {"prompt": PROMPT}},
                    "message": "Support prompt",
                }
            },
        ).raise_for_status()
        c.post(
            "/api/applications/revisions/deploy",
            json={
                "application_revision_ref": {"id": committed.json()["application_revision"]["id"]},
                "environment_ref": {"slug": "production"},
            },
        ).raise_for_status()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(url: str, port: int, log: Path, redis_url: str | None) -> subprocess.Popen[bytes]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("AGENTA_")}
    if redis_url:
        env["AGENTA_REDIS_URL"] = redis_url
    env.update(
        AGENTA_DATABASE_URL=url,
        AGENTA_SECRET_KEY=SECRET_KEY,
        AGENTA_PORT=str(port),
        AGENTA_LOG_LEVEL="WARNING",
        AGENTA_HTMX_CDN_URL="off",
        AGENTA_DATA_DIR=str(log.parent / "data"),
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "agenta.cli", "serve"],
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited:\n{log.read_text()[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/ready", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"the server did not get ready:\n{log.read_text()[-2000:]}")


def build_request(method: str, path: str, api_key: str, body: bytes = b"") -> bytes:
    lines = [
        f"{method} {path} HTTP/1.1",
        "Host: 127.0.0.1",
        f"Authorization: ApiKey {api_key}",
        "Connection: keep-alive",
    ]
    if method == "POST":
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def read_response(reader: asyncio.StreamReader) -> int:
    """Read one response; returns its status code."""
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n"):
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    if length:
        await reader.readexactly(length)
    return status


async def client_loop(
    port: int,
    request: bytes,
    stop_at: float,
    measure_from: float,
    latencies: list[tuple[float, float]],
    interval: float | None,
) -> int:
    """Send requests until ``stop_at``: back to back, or one every ``interval`` seconds.

    Paced latencies count from when a request was due, not when it could be sent, so a slow
    server cannot hide its queueing by delaying the client (no coordinated omission).
    """
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    errors = 0
    due = time.perf_counter() + (random.random() * interval if interval else 0.0)
    try:
        while due < stop_at:
            if interval:
                await asyncio.sleep(max(0.0, due - time.perf_counter()))
            else:
                due = time.perf_counter()
            writer.write(request)
            status = await read_response(reader)
            done = time.perf_counter()
            if status != 200:
                errors += 1
            if due >= measure_from:
                latencies.append((done - due, due - measure_from))
            due = due + interval if interval else done
    finally:
        writer.close()
    return errors


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def process_cpu(pid: int, measure_from: float, stop_at: float) -> float:
    await asyncio.sleep(measure_from - time.perf_counter())
    before = cpu_seconds(pid)
    await asyncio.sleep(stop_at - time.perf_counter())
    return cpu_seconds(pid) - before


async def run_load(
    name: str, port: int, pid: int, request: bytes, clients: int, seconds: float, rate: float | None
) -> Result:
    """``clients`` connections for ``seconds`` after a warm-up; paced at ``rate`` if given."""
    warmup = 2.0
    start = time.perf_counter()
    measure_from, stop_at = start + warmup, start + warmup + seconds
    interval = clients / rate if rate else None
    latencies: list[tuple[float, float]] = []
    cpu = asyncio.create_task(process_cpu(pid, measure_from, stop_at))
    client_cpu = asyncio.create_task(process_cpu(os.getpid(), measure_from, stop_at))
    errors = await asyncio.gather(
        *(
            client_loop(port, request, stop_at, measure_from, latencies, interval)
            for _ in range(clients)
        )
    )
    ordered = sorted(latency for latency, _ in latencies)
    return Result(
        name=f"{name} [{f'paced {rate:.0f}/s' if rate else 'saturated'}]",
        requests=len(ordered),
        seconds=seconds,
        p50_ms=statistics.median(ordered) * 1000,
        p99_ms=ordered[int(len(ordered) * 0.99) - 1] * 1000,
        errors=sum(errors),
        worst_seconds=worst_seconds(latencies),
        server_cpu_seconds=await cpu,
        client_cpu_seconds=await client_cpu,
    )


def worst_seconds(latencies: list[tuple[float, float]]) -> tuple[int, ...]:
    """The distinct whole seconds in which the slowest 1% of requests were due."""
    slowest = sorted(latencies, reverse=True)[: max(1, len(latencies) // 100)]
    return tuple(sorted({int(due) for _, due in slowest}))


def report(result: Result, *, min_rps: float | None, max_p99_ms: float | None) -> bool:
    """Print one line; True when the result meets the targets given for it."""
    met = result.errors == 0
    if min_rps is not None:
        met = met and result.rps >= min_rps
    if max_p99_ms is not None:
        met = met and result.p99_ms < max_p99_ms
    print(
        f"{result.name:<62} {result.rps:6.0f} req/s  p50 {result.p50_ms:6.2f} ms  "
        f"p99 {result.p99_ms:7.2f} ms  errors {result.errors}  "
        f"CPU µs/req server {result.cpu_us_per_request:3.0f} client "
        f"{result.client_us_per_request:3.0f}  {'ok' if met else 'MISSED'}  "
        f"slowest 1% in seconds {list(result.worst_seconds)}",
        flush=True,
    )
    return met


def use_uvloop() -> None:
    """The client's event loop costs CPU the server could use: take the faster one if present."""
    try:
        import uvloop
    except ImportError:
        return
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())


def main() -> int:
    use_uvloop()
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--min-rps", type=float, default=1500.0)
    parser.add_argument("--max-p99-ms", type=float, default=20.0)
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("AGENTA_BENCH_REDIS_URL"),
        help="run in production mode with this Redis (cache invalidated by pub/sub, no expiry "
        "refreshes, jobs not run in the serve process)",
    )
    args = parser.parse_args()

    url = create_database()
    api_key = asyncio.run(create_api_key(url))
    port = free_port()
    with tempfile.TemporaryDirectory() as scratch:
        server = start_server(url, port, Path(scratch) / "serve.log", args.redis_url)
        try:
            seed(f"http://127.0.0.1:{port}", api_key)
            retrieve_body = json.dumps(
                {
                    "resolve": True,
                    "environment_ref": {"slug": "production"},
                    "key": f"{APP_SLUG}.revision",
                }
            ).encode()
            loads = [
                (
                    "GET /api/configs (by environment)",
                    build_request(
                        "GET",
                        f"/api/configs?application={APP_SLUG}&environment=production",
                        api_key,
                    ),
                ),
                (
                    "POST /api/applications/revisions/retrieve",
                    build_request(
                        "POST", "/api/applications/revisions/retrieve", api_key, retrieve_body
                    ),
                ),
            ]
            mode = "Postgres + Redis" if args.redis_url else "Postgres, no Redis"
            print(f"{args.clients} clients, {args.seconds:.0f} s each, one serve process, {mode}")
            met = []
            for name, request in loads:
                saturated = asyncio.run(
                    run_load(name, port, server.pid, request, args.clients, args.seconds, None)
                )
                met.append(report(saturated, min_rps=args.min_rps, max_p99_ms=None))
                paced = asyncio.run(
                    run_load(
                        name, port, server.pid, request, args.clients, args.seconds, args.min_rps
                    )
                )
                met.append(report(paced, min_rps=None, max_p99_ms=args.max_p99_ms))
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(15)
    return 0 if all(met) or not args.check else 1


if __name__ == "__main__":
    sys.exit(main())
