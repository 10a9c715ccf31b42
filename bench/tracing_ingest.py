"""Benchmark of trace ingestion through the real stack, from OTLP export to queryable span.

Realistic LLM traces (a workflow root and three chat children, about 1 KB of text in each
span's inputs or outputs, model, token counts) are encoded as OTLP/HTTP protobuf exports of
``--traces-per-export`` traces each (an OpenTelemetry BatchSpanProcessor sends up to 512
spans per export), and sent to a real ``agenta serve`` by ``C`` concurrent senders, for each
concurrency ``C`` of ``--concurrency``. A sender answered 503 waits ``Retry-After`` and sends
again (backpressure), so nothing is dropped on the client side. For each level it reports:

- accepted spans/s: spans over the time until the last export was acknowledged;
- end-to-end spans/s and the time until every span is queryable (stored with its
  roll-ups: the span count read straight from the database);
- lost spans (sent and acknowledged but never stored; must be 0) and 503 retries;
- the CPU time spent per span by the serve and worker processes, by Postgres (the backends
  of the benchmark's database and the server's background writers) and by the benchmark
  client itself (sending, polling the count), their sum, and the whole machine's busy CPU
  (what others ran on a shared machine shows as the difference): the rates reflect the CPU
  the stack could get, the CPU per span what it needs. Exports are built before a level
  starts, so the client's figure is the sending alone.

Stacks:
- embedded (default): SQLite, the span consumer runs inside ``agenta serve``;
- production: ``--database-url postgresql://... --redis-url redis://...``: Redis stream and
  one ``agenta worker`` consuming it (the database is dropped and recreated, the Redis
  database flushed).

    .venv/bin/python bench/tracing_ingest.py [--spans 20000] [--concurrency 1,4,16]
    .venv/bin/python bench/tracing_ingest.py --target 5000 \\
        --database-url postgresql://postgres@127.0.0.1/agenta_bench_tracing \\
        --redis-url redis://127.0.0.1:6379/15

Exits with status 1 when a span is lost, or when ``--target`` (end-to-end spans/s) is given
and the best level falls short of it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import resource
import sqlite3
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg
import redis
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, InstrumentationScope, KeyValue
from opentelemetry.proto.resource.v1.resource_pb2 import Resource
from opentelemetry.proto.trace.v1.trace_pb2 import ResourceSpans, ScopeSpans
from opentelemetry.proto.trace.v1.trace_pb2 import Span as OtlpSpan
from psycopg import sql

# The benchmark reuses the suite's process and seeding helpers from the checkout.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from agenta.migrate import upgrade
from tests.core.tracing.e2e_support import seed_owner, server_env
from tests.support.accounts import Persona
from tests.support.processes import AgentaProcess, ServerProcess

OTLP_PATH = "/api/otlp/v1/traces"
STARTUP_SECONDS = 180.0
PROSE = (
    "the capital of France is Paris a city on the Seine known for museums cafes and its "
    "tower built for the world fair of eighteen eighty nine which draws millions of visitors "
    "every year while the river banks are a heritage site and the metro connects districts"
)
WORDS = PROSE.split(" ")


@dataclass(frozen=True)
class Level:
    """The figures of one concurrency level."""

    concurrency: int
    spans: int
    accept_seconds: float
    queryable_seconds: float
    lost: int
    retries: int
    cpu_seconds: dict[str, float]

    @property
    def accepted_rate(self) -> float:
        return self.spans / self.accept_seconds

    @property
    def end_to_end_rate(self) -> float:
        return self.spans / self.queryable_seconds


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--spans", type=int, default=20_000, help="spans per level")
    parser.add_argument("--concurrency", default="1,4,16", help="comma-separated sender counts")
    parser.add_argument("--traces-per-export", type=int, default=50)
    parser.add_argument("--database-url", help="Postgres URL (production mode, with --redis-url)")
    parser.add_argument("--redis-url", help="Redis URL (production mode)")
    parser.add_argument("--target", type=float, help="required end-to-end spans/s")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per level")
    return parser.parse_args()


def text(rng: random.Random, size: int = 1000) -> str:
    """About `size` characters of plausible prose."""
    words: list[str] = []
    length = 0
    while length < size:
        word = rng.choice(WORDS)
        words.append(word)
        length += len(word) + 1
    return " ".join(words)


def attributes(values: dict[str, str | float]) -> list[KeyValue]:
    return [
        KeyValue(
            key=key,
            value=AnyValue(double_value=value)
            if isinstance(value, float)
            else AnyValue(string_value=value),
        )
        for key, value in values.items()
    ]


def trace_spans(rng: random.Random, now: int) -> list[OtlpSpan]:
    """One LLM trace as the Agenta SDK exports it: a workflow root, three chat calls."""
    trace_id, root_id = os.urandom(16), os.urandom(8)
    question = text(rng)
    spans = [
        OtlpSpan(
            trace_id=trace_id,
            span_id=root_id,
            name="generate",
            kind=OtlpSpan.SPAN_KIND_SERVER,
            start_time_unix_nano=now,
            end_time_unix_nano=now + 4_000_000_000,
            attributes=attributes(
                {
                    "ag.type.node": "workflow",
                    "ag.data.inputs.question": question,
                    "ag.data.outputs.__default__": text(rng, 300),
                    "ag.refs.application.slug": "geo-qa",
                    "ag.session.id": f"session-{rng.randrange(500)}",
                }
            ),
        )
    ]
    for index in range(3):
        prompt = '@ag.type=json:[{"role": "user", "content": "' + text(rng, 700) + '"}]'
        spans.append(
            OtlpSpan(
                trace_id=trace_id,
                span_id=os.urandom(8),
                parent_span_id=root_id,
                name=f"chat-{index}",
                kind=OtlpSpan.SPAN_KIND_CLIENT,
                start_time_unix_nano=now + index * 1_000_000_000,
                end_time_unix_nano=now + (index + 1) * 1_000_000_000,
                attributes=attributes(
                    {
                        "ag.type.node": "chat",
                        "ag.data.inputs.prompt": prompt,
                        "ag.data.outputs.completion": text(rng, 300),
                        "ag.meta.response.model": "gpt-4o-mini",
                        "ag.metrics.unit.tokens.prompt": float(rng.randint(150, 400)),
                        "ag.metrics.unit.tokens.completion": float(rng.randint(20, 120)),
                    }
                ),
            )
        )
    return spans


def make_exports(spans: int, traces_per_export: int, seed: int) -> list[bytes]:
    """Protobuf export bodies holding about `spans` spans in all."""
    rng = random.Random(seed)
    resource = Resource(attributes=attributes({"service.name": "bench"}))
    exports = []
    now = time.time_ns()
    for _ in range(max(1, spans // (4 * traces_per_export))):
        batch = [span for _ in range(traces_per_export) for span in trace_spans(rng, now)]
        scope = ScopeSpans(scope=InstrumentationScope(name="agenta.tracer"), spans=batch)
        request = ExportTraceServiceRequest(
            resource_spans=[ResourceSpans(resource=resource, scope_spans=[scope])]
        )
        exports.append(request.SerializeToString())
    return exports


async def send(url: str, api_key: str, exports: list[bytes], concurrency: int) -> int:
    """Send every export with `concurrency` senders; returns the number of 503 retries."""
    pending = list(exports)
    retries = 0
    headers = {"Content-Type": "application/x-protobuf", "Authorization": f"ApiKey {api_key}"}

    async def sender(client: httpx.AsyncClient) -> None:
        nonlocal retries
        while pending:
            body = pending.pop()
            while True:
                response = await client.post(url + OTLP_PATH, content=body, headers=headers)
                if response.status_code == 200:
                    break
                if response.status_code not in (429, 503):
                    raise RuntimeError(f"export refused: {response.status_code} {response.text}")
                retries += 1
                await asyncio.sleep(float(response.headers.get("retry-after", "1")))

    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(timeout=120, limits=limits) as client:
        await asyncio.gather(*(sender(client) for _ in range(concurrency)))
    return retries


def span_count(database_url: str, project_id: str) -> int:
    """Stored spans of a project, read straight from the database."""
    query = "SELECT count(*) FROM spans WHERE project_id = "
    if database_url.startswith("sqlite"):
        path = database_url.split(":///", 1)[1]
        with sqlite3.connect(path, timeout=30) as connection:
            return int(
                connection.execute(query + "?", (project_id.replace("-", ""),)).fetchone()[0]
            )
    with psycopg.connect(database_url.replace("+psycopg", "")) as connection:
        return int(connection.execute(query + "%s", (project_id,)).fetchone()[0])


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def client_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def machine_busy_seconds() -> float:
    """CPU seconds all processes of the machine have used since boot (all but idle)."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle, iowait = fields[3], fields[4]
    return (sum(fields[:8]) - idle - iowait) / os.sysconf("SC_CLK_TCK")


POSTGRES_HELPERS = ("checkpointer", "background writer", "walwriter", "autovacuum launcher")


def postgres_cpu(database_url: str) -> dict[int, float]:
    """CPU seconds so far of each Postgres process working for the benchmark's database."""
    if database_url.startswith("sqlite"):
        return {}
    with psycopg.connect(database_url.replace("+psycopg", "")) as connection:
        rows = connection.execute(
            "SELECT pid FROM pg_stat_activity "
            "WHERE datname = current_database() OR backend_type = ANY(%s)",
            (list(POSTGRES_HELPERS),),
        ).fetchall()
    usage: dict[int, float] = {}
    for (pid,) in rows:
        # A process may have ended meanwhile, or Postgres may run on another machine.
        with contextlib.suppress(OSError):
            usage[pid] = cpu_seconds(pid)
    return usage


def postgres_delta(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU used between two snapshots; a process started meanwhile counts from zero."""
    return sum(used - before.get(pid, 0.0) for pid, used in after.items())


def cpu_snapshot(processes: dict[str, int]) -> dict[str, float]:
    snapshot = {name: cpu_seconds(pid) for name, pid in processes.items()}
    snapshot["client"] = client_cpu_seconds()
    snapshot["machine"] = machine_busy_seconds()
    return snapshot


def run_level(
    url: str,
    database_url: str,
    concurrency: int,
    args: argparse.Namespace,
    processes: dict[str, int],
) -> Level:
    owner: Persona = seed_owner(database_url)
    assert owner.api_key is not None
    exports = make_exports(args.spans, args.traces_per_export, seed=concurrency)
    total = len(exports) * args.traces_per_export * 4
    postgres_before = postgres_cpu(database_url)
    cpu_before = cpu_snapshot(processes)
    started = time.perf_counter()
    retries = asyncio.run(send(url, owner.api_key, exports, concurrency))
    accepted = time.perf_counter() - started
    deadline = started + args.timeout
    stored = 0
    while time.perf_counter() < deadline:
        stored = span_count(database_url, str(owner.project_id))
        if stored >= total:
            break
        time.sleep(0.05)
    queryable = time.perf_counter() - started
    cpu_after = cpu_snapshot(processes)
    cpu = {name: cpu_after[name] - cpu_before[name] for name in processes}
    if not database_url.startswith("sqlite"):
        cpu["postgres"] = postgres_delta(postgres_before, postgres_cpu(database_url))
    cpu["client"] = cpu_after["client"] - cpu_before["client"]
    cpu["all"] = sum(cpu.values())
    cpu["machine"] = cpu_after["machine"] - cpu_before["machine"]
    return Level(concurrency, total, accepted, queryable, total - stored, retries, cpu)


def fresh_postgres(url: str) -> str:
    base, name = url.rsplit("/", 1)
    admin = base.replace("+psycopg", "") + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return url if "+psycopg" in url else url.replace("postgresql://", "postgresql+psycopg://")


def main() -> int:
    args = parse_args()
    levels = [int(value) for value in args.concurrency.split(",")]
    folder = Path(tempfile.mkdtemp(prefix="agenta-tracing-bench-"))
    production = bool(args.database_url and args.redis_url)
    if production:
        database_url = fresh_postgres(args.database_url)
        redis.Redis.from_url(args.redis_url).flushdb()
        env = server_env(folder, database_url, AGENTA_REDIS_URL=args.redis_url)
    else:
        database_url = f"sqlite+aiosqlite:///{folder / 'agenta.db'}"
        env = server_env(folder, database_url)
    env["AGENTA_LOG_LEVEL"] = "WARNING"
    upgrade(database_url)
    server = ServerProcess(env, folder / "serve.log", "--no-migrate").start()
    worker = AgentaProcess(["worker"], env, folder / "worker.log") if production else None
    results: list[Level] = []
    try:
        server.wait_ready(timeout=STARTUP_SECONDS)  # a loaded machine starts slowly
        assert server.proc is not None
        processes = {"serve": server.proc.pid}
        if worker is not None:
            worker.start().wait_for_log("Agenta worker listening", STARTUP_SECONDS)
            assert worker.proc is not None
            processes["worker"] = worker.proc.pid
        for concurrency in levels:
            results.append(run_level(server.url, database_url, concurrency, args, processes))
    finally:
        if worker is not None:
            worker.stop()
        server.stop()
    report(
        results, "production (Postgres + Redis + 1 worker)" if production else "embedded (SQLite)"
    )
    lost = sum(level.lost for level in results)
    best = max(level.end_to_end_rate for level in results)
    if lost or (args.target is not None and best < args.target):
        return 1
    return 0


def report(results: list[Level], stack: str) -> None:
    print(f"\n{stack}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    print("CPU per span in microseconds: all = the processes listed, machine = every process")
    names = list(results[0].cpu_seconds) if results else []
    cpu_headers = "".join(f" {name:>8}" for name in names)
    print(
        f"{'senders':>8} {'spans':>7} {'accepted/s':>11} {'queryable after':>16} "
        f"{'end-to-end/s':>13} {'lost':>5} {'503s':>5}{cpu_headers}"
    )
    for level in results:
        cpu = "".join(f" {level.cpu_seconds[name] / level.spans * 1e6:>8.0f}" for name in names)
        print(
            f"{level.concurrency:>8} {level.spans:>7} {level.accepted_rate:>11.0f} "
            f"{level.queryable_seconds:>15.2f}s {level.end_to_end_rate:>13.0f} "
            f"{level.lost:>5} {level.retries:>5}{cpu}"
        )


if __name__ == "__main__":
    raise SystemExit(main())
