"""Benchmark of an evaluation run: 1,000 rows x 3 evaluators (one an LLM judge), concurrency 20.

The fake OpenAI server runs as its own process and answers every call after ``--latency``
seconds (100 ms by default). A row costs two model calls (the app, then the judge), so the ideal
wall time is ``rows x 2 x latency / concurrency`` (10 s with the defaults); the target is to stay
within 1.2x of it, with the process running the job under 300 MB.

The run goes through the real stack: a user, an app, a test set and three evaluator
configurations are seeded into a fresh database, ``agenta serve`` takes the run through the API,
and the run job executes where it would in production:

- embedded mode (default): SQLite, jobs inside ``agenta serve``; its memory is measured;
- ``--database-url postgresql://... --redis-url redis://...``: an ``agenta worker`` (arq) runs the
  job; the worker's memory is measured.

The wall time is the run's own clock (created to finished, from the server's timestamps), so
the time to start the processes is not counted. Peak memory is the process's high-water mark
(``VmHWM``). On a shared machine the ideal is out of reach whatever the code does, so the
benchmark also measures, right after the run, the floor of the same model calls made alone
(two calls per row through one ``LLMClient`` at the same concurrency, no database, no
evaluators) and reports the run's time against it: that ratio is the platform's own overhead.

    .venv/bin/python bench/evaluation_run.py [--rows 1000] [--concurrency 20] [--latency 0.1]

Exits with status 1 when the run does not succeed, takes longer than ``--max-ratio`` times the
ideal, or the job's process peaks above ``--max-memory-mb``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

# The benchmark reuses the suite's fake LLM server and seeding helpers from the checkout.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from agenta.llm import CallPlan, CallTarget, LLMClient, ModelConfig, resolve_model
from agenta.llm.pool import preload_openai_sdk
from agenta.migrate import upgrade
from tests.conftest import TEST_SECRET_KEY
from tests.core.evaluations.stack import FakeLLMProcess, RunClient, seed_project
from tests.support.processes import AgentaProcess, ServerProcess, base_env


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--latency", type=float, default=0.1, help="seconds per model answer")
    parser.add_argument("--database-url", help="Postgres URL (default: a fresh SQLite file)")
    parser.add_argument("--redis-url", help="Redis URL: run the job in an arq worker")
    parser.add_argument("--max-ratio", type=float, default=1.2)
    parser.add_argument("--max-memory-mb", type=float, default=300.0)
    return parser.parse_args()


def peak_memory_mb(pid: int) -> float:
    """The process's peak resident memory (``VmHWM``), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for process {pid}")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> int:
    options = parse_args()
    folder = Path(tempfile.mkdtemp(prefix="agenta-bench-eval-"))
    fake = FakeLLMProcess(folder / "llm.log", latency=options.latency).start()
    try:
        run, memory, cpu = run_through_the_stack(options, folder, fake)
        floor = asyncio.run(calls_alone(fake, options))
    finally:
        fake.stop()
    return report(options, run, memory, cpu, floor)


def run_through_the_stack(
    options: argparse.Namespace, folder: Path, fake: FakeLLMProcess
) -> tuple[dict, float, list[float]]:
    """Seed, start the processes, run; the run record, peak memory and CPU seconds used."""
    database_url = options.database_url or f"sqlite+aiosqlite:///{folder / 'agenta.db'}"
    upgrade(database_url)
    seeded = asyncio.run(seed_project(database_url, rows=options.rows, judge=True))
    extra = {"AGENTA_REDIS_URL": options.redis_url} if options.redis_url else {}
    env = base_env(
        AGENTA_DATA_DIR=str(folder / "data"),
        AGENTA_DATABASE_URL=database_url,
        AGENTA_SECRET_KEY=TEST_SECRET_KEY,
        AGENTA_LOG_LEVEL="WARNING",
        **fake.env(),
        **extra,
    )
    server = ServerProcess(env, folder / "serve.log").start()
    worker = AgentaProcess(["worker"], env, folder / "worker.log") if options.redis_url else None
    try:
        # Start-up is not measured; on a loaded machine it can take well over the default 30 s.
        server.wait_ready(timeout=180)
        if worker is not None:
            worker.start().wait_for_log("Agenta worker listening")
        job_process = worker or server
        assert job_process.proc is not None and fake.proc is not None
        pids = (job_process.proc.pid, fake.proc.pid)
        cpu_before = [cpu_seconds(pid) for pid in pids]
        client = RunClient(server.url, seeded.api_key)
        run = client.create(seeded, concurrency=options.concurrency)
        run = client.wait(run["id"], timeout=600, poll=1.0)
        cpu = [cpu_seconds(pid) - before for pid, before in zip(pids, cpu_before, strict=True)]
        return run, peak_memory_mb(job_process.proc.pid), cpu
    finally:
        for process in (worker, server):
            if process is not None:
                process.stop()


async def calls_alone(fake: FakeLLMProcess, options: argparse.Namespace) -> float:
    """Seconds for the run's model calls alone: per row, an answer then a judgement."""
    preload_openai_sdk()  # as the job's process did at start-up: the import is not a call's cost
    client = LLMClient()
    model = resolve_model("gpt-4o-mini", env=fake.env())
    semaphore = asyncio.Semaphore(options.concurrency)

    async def row(index: int) -> None:
        async with semaphore:
            for text in (f"country {index}", f"Question: country {index}"):
                message = [{"role": "user", "content": text}]
                plan = CallPlan(messages=message, targets=[CallTarget(model, ModelConfig())])
                await client.complete(plan)

    started = time.perf_counter()
    try:
        await asyncio.gather(*(row(index) for index in range(options.rows)))
    finally:
        await client.aclose()
    return time.perf_counter() - started


def report(
    options: argparse.Namespace, run: dict, memory: float, cpu: list[float], floor: float
) -> int:
    created = datetime.fromisoformat(run["created_at"])
    finished = datetime.fromisoformat(run["finished_at"] or run["created_at"])
    wall = (finished - created).total_seconds()
    ideal = options.rows * 2 * options.latency / options.concurrency
    mode = "arq worker (Postgres, Redis)" if options.redis_url else "embedded (SQLite, in serve)"
    print(f"mode:          {mode}")
    print(f"run:           {run['status']}, {run['cells_done']}/{run['cells_total']} cells")
    print(f"rows:          {options.rows} x 3 evaluators (LLM judge included)")
    print(f"concurrency:   {options.concurrency}, model latency {options.latency * 1000:.0f} ms")
    print(f"wall time:     {wall:.2f} s (ideal {ideal:.2f} s, ratio {wall / ideal:.2f})")
    print(f"throughput:    {options.rows / wall:.1f} rows/s")
    print(f"calls alone:   {floor:.2f} s now (run / calls alone: {wall / floor:.2f})")
    print(f"peak memory:   {memory:.0f} MB (the process running the job)")
    print(f"cpu time:      {cpu[0]:.2f} s in the job's process, {cpu[1]:.2f} s in the fake LLM")
    print(f"machine load:  {os.getloadavg()[0]:.2f} (1 min average, {os.cpu_count()} CPUs)")
    failed = run["status"] != "succeeded"
    failed |= wall > ideal * options.max_ratio or memory > options.max_memory_mb
    return 1 if failed else 0


if __name__ == "__main__":
    started = time.perf_counter()
    status = main()
    print(f"benchmark took {time.perf_counter() - started:.1f} s in all")
    sys.exit(status)
