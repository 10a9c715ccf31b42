"""Benchmark of the latency the services layer adds over calling the model provider directly.

Starts the fake OpenAI-compatible server (``tests.fakes.llm_server``) and one ``agenta serve``
process (embedded mode, SQLite, in a temporary folder) whose environment points
``OPENAI_BASE_URL`` at the fake, makes a user and an API key, then measures from this process,
with one keep-alive HTTP client, the same chat call made two ways:

- directly: ``POST <fake>/v1/chat/completions`` with the body our provider would send;
- through the services: ``POST /services/completion/v0/invoke`` with inline parameters
  (authentication, rendering, the project's vault lookup, the provider call, the trace).

Calls alternate (direct, services, direct, ...) so both see the same machine noise. Reported:
p50 and p99 of each path and their difference (the overhead), non-streamed; and the time to
first token streamed (the first content chunk of the direct SSE stream against the first
``delta`` event of the services' SSE stream). The fake answers at once, so the direct figures
are the cost of one local HTTP round trip and the difference is what the services add.

    .venv/bin/python bench/services_overhead.py [--requests 500] [--check]

``--check`` exits 1 when the p50 overhead is not under ``--max-p50-overhead-ms`` (5).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from agenta.db import Database
from agenta.migrate import upgrade

ROOT = Path(__file__).resolve().parent.parent
SECRET_KEY = "bench-secret-key-for-the-services-overhead-0123456789"
MESSAGES = [
    {"role": "system", "content": "You are a helpful assistant for {{company}}."},
    {"role": "user", "content": "{{question}}"},
]
INPUTS = {"company": "ACME", "question": "How do I reset my password on the website?"}
PROMPT = {
    "messages": MESSAGES,
    "template_format": "curly",
    "llm_config": {"model": "gpt-4o-mini", "temperature": 0.2, "max_tokens": 256},
}
DIRECT_BODY = {
    "model": "gpt-4o-mini",
    "messages": [
        {"role": "system", "content": "You are a helpful assistant for ACME."},
        {"role": "user", "content": INPUTS["question"]},
    ],
    "temperature": 0.2,
    "max_completion_tokens": 256,
}

Call = Callable[[], Awaitable[float]]


@dataclass(frozen=True)
class Figures:
    """Latencies of one path, in milliseconds."""

    samples: list[float]

    @property
    def p50(self) -> float:
        return statistics.median(self.samples)

    @property
    def p99(self) -> float:
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args} exited:\n{log.read_text()[-2000:]}")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError(f"{process.args} did not start:\n{log.read_text()[-2000:]}")


def start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", *args],
        env=env,
        cwd=ROOT,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )


async def create_api_key(url: str) -> str:
    """A user (with a project) and an API key there."""
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


async def timed(send: Callable[[], Awaitable[None]]) -> float:
    started = time.perf_counter()
    await send()
    return (time.perf_counter() - started) * 1000


def batch_calls(client: httpx.AsyncClient, fake: str, server: str, key: str) -> tuple[Call, Call]:
    service_body = {"data": {"inputs": INPUTS, "parameters": {"prompt": PROMPT}}}
    headers = {"Authorization": f"ApiKey {key}"}

    async def direct() -> None:
        response = await client.post(f"{fake}/v1/chat/completions", json=DIRECT_BODY)
        response.raise_for_status()

    async def services() -> None:
        response = await client.post(
            f"{server}/services/completion/v0/invoke", json=service_body, headers=headers
        )
        response.raise_for_status()

    return (lambda: timed(direct)), (lambda: timed(services))


def first_token_calls(
    client: httpx.AsyncClient, fake: str, server: str, key: str
) -> tuple[Call, Call]:
    service_body = {"data": {"inputs": INPUTS, "parameters": {"prompt": PROMPT}}}
    headers = {"Authorization": f"ApiKey {key}", "Accept": "text/event-stream"}

    async def first_line(
        method: str, url: str, body: object, marker: str, **extra: object
    ) -> float:
        started = time.perf_counter()
        async with client.stream(method, url, json=body, **extra) as response:  # type: ignore[arg-type]
            lines = response.aiter_lines()
            async for line in lines:
                if marker in line:
                    elapsed = (time.perf_counter() - started) * 1000
                    async for _ in lines:  # read the rest, so the connection can be reused
                        pass
                    return elapsed
        raise RuntimeError(f"no {marker!r} in the stream of {url}")

    async def direct() -> float:
        body = {**DIRECT_BODY, "stream": True}
        return await first_line(
            "POST", f"{fake}/v1/chat/completions", body, '"delta": {"content": "'
        )

    async def services() -> float:
        url = f"{server}/services/completion/v0/invoke"
        return await first_line("POST", url, service_body, '"type":"delta"', headers=headers)

    return direct, services


async def alternate(
    direct: Call, services: Call, count: int, warmup: int
) -> tuple[Figures, Figures]:
    for _ in range(warmup):
        await direct()
        await services()
    direct_ms, services_ms = [], []
    for _ in range(count):
        direct_ms.append(await direct())
        services_ms.append(await services())
    return Figures(direct_ms), Figures(services_ms)


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used so far (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def report(title: str, direct: Figures, services: Figures) -> dict[str, float]:
    overhead = {"p50": services.p50 - direct.p50, "p99": services.p99 - direct.p99}
    print(f"\n{title} ({len(direct.samples)} calls each)")
    print(f"  direct to the fake provider: p50 {direct.p50:7.2f} ms   p99 {direct.p99:7.2f} ms")
    print(f"  through /services:           p50 {services.p50:7.2f} ms   p99 {services.p99:7.2f} ms")
    p50, p99 = overhead["p50"], overhead["p99"]
    print(f"  overhead:                    p50 {p50:7.2f} ms   p99 {p99:7.2f} ms")
    return overhead


async def measure(
    fake: str, server: str, key: str, count: int, server_pid: int
) -> dict[str, dict[str, float]]:
    limits = httpx.Limits(max_keepalive_connections=4)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:
        direct, services = batch_calls(client, fake, server, key)
        for _ in range(50):
            await direct()
            await services()
        used = cpu_seconds(server_pid)
        batch = report("Non-streamed", *await alternate(direct, services, count, warmup=0))
        await asyncio.sleep(0.5)  # let the last batch of traces be written
        batch["server_cpu_ms"] = (cpu_seconds(server_pid) - used) / count * 1000
        print(f"  server CPU per invocation (traces included): {batch['server_cpu_ms']:.2f} ms")
        direct, services = first_token_calls(client, fake, server, key)
        stream = report(
            "Streamed, time to first token",
            *await alternate(direct, services, max(count // 2, 20), warmup=20),
        )
    return {"batch": batch, "stream": stream}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=500, help="measured calls per path")
    parser.add_argument("--max-p50-overhead-ms", type=float, default=5.0)
    parser.add_argument("--check", action="store_true", help="exit 1 when over the target")
    parser.add_argument("--json", action="store_true", help="also print the figures as JSON")
    options = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="agenta-bench-services-"))
    database = f"sqlite+aiosqlite:///{folder / 'agenta.db'}"
    upgrade(database)
    key = asyncio.run(create_api_key(database))
    fake_port, server_port = free_port(), free_port()
    fake_url = f"http://127.0.0.1:{fake_port}"
    env = {name: value for name, value in os.environ.items() if not name.startswith("AGENTA_")}
    fake = start(["tests.fakes.llm_server", "--port", str(fake_port)], env, folder / "fake.log")
    env.update(
        AGENTA_DATABASE_URL=database,
        AGENTA_SECRET_KEY=SECRET_KEY,
        AGENTA_PORT=str(server_port),
        AGENTA_LOG_LEVEL="WARNING",
        AGENTA_HTMX_CDN_URL="off",
        AGENTA_DATA_DIR=str(folder / "data"),
        OPENAI_API_KEY="bench-openai-key",
        OPENAI_BASE_URL=f"{fake_url}/v1",
    )
    server = start(["agenta.cli", "serve"], env, folder / "serve.log")
    try:
        wait_until(f"{fake_url}/v1/models", fake, folder / "fake.log")
        wait_until(f"http://127.0.0.1:{server_port}/ready", server, folder / "serve.log")
        figures = asyncio.run(
            measure(fake_url, f"http://127.0.0.1:{server_port}", key, options.requests, server.pid)
        )
    finally:
        for process in (server, fake):
            process.send_signal(signal.SIGTERM)
            process.wait(15)
    if options.json:
        print(json.dumps(figures))
    if options.check and figures["batch"]["p50"] >= options.max_p50_overhead_ms:
        print(f"\nFAIL: p50 overhead over {options.max_p50_overhead_ms} ms")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
