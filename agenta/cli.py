"""The ``agenta`` command: serve, worker, migrate, and operator tools.

Each sub-command reads ``Settings.from_env`` once; flags such as ``--port`` override it by
setting the matching ``AGENTA_*`` variable for this process and the server processes it starts.
Features add their own sub-commands through ``COMMAND_MODULES`` (each module has ``register``).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import os
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from agenta import __version__
from agenta.settings import Settings, SettingsError

COMMAND_MODULES: list[str] = ["agenta.core.accounts.cli", "agenta.core.evaluations.cli"]

Handler = Callable[[argparse.Namespace], int]


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "handler"):
        parser.print_help()
        return 2
    try:
        return int(args.handler(args) or 0)
    except SettingsError as exc:
        print(f"agenta: configuration error: {exc}", file=sys.stderr)
        return 2
    except CommandError as exc:
        print(f"agenta: {exc}", file=sys.stderr)
        return 1


class CommandError(Exception):
    """A command could not do what was asked; the message says why."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="agenta", description="Agenta: the open-source LLMOps platform."
    )
    parser.add_argument("--version", action="version", version=f"agenta {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the web server (API, services and pages)")
    serve.add_argument("--host", help="address to bind (default AGENTA_HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default AGENTA_PORT or 8000)")
    serve.add_argument("--workers", type=int, default=1, help="server processes (default 1)")
    serve.add_argument(
        "--no-migrate", action="store_true", help="do not migrate the embedded database"
    )
    serve.set_defaults(handler=cmd_serve)

    worker = commands.add_parser("worker", help="run an arq job worker (needs AGENTA_REDIS_URL)")
    worker.add_argument("--check", action="store_true", help="exit 0 if a worker is healthy")
    worker.add_argument("--burst", action="store_true", help="stop once the queue is empty")
    worker.set_defaults(handler=cmd_worker)

    migrate = commands.add_parser("migrate", help="upgrade the database schema to the latest")
    migrate.set_defaults(handler=cmd_migrate)

    jobs = commands.add_parser("jobs", help="job queue tools").add_subparsers(metavar="ACTION")
    ping = jobs.add_parser("ping", help="enqueue a no-op job and wait until a runner ran it")
    ping.add_argument("--timeout", type=float, default=30.0)
    ping.set_defaults(handler=cmd_jobs_ping)

    for name in COMMAND_MODULES:
        importlib.import_module(name).register(commands)
    return parser


def _apply_overrides(host: str | None, port: int | None) -> None:
    if host:
        os.environ["AGENTA_HOST"] = host
    if port:
        os.environ["AGENTA_PORT"] = str(port)


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from agenta.migrate import upgrade

    _apply_overrides(args.host, args.port)
    settings = Settings.from_env()
    if settings.is_sqlite and not args.no_migrate:
        upgrade(settings.database_url)
    url = f"http://{settings.host}:{settings.port}"
    mode = "embedded (SQLite, in-process jobs)" if settings.embedded else "production"
    print(f"Agenta {__version__} serving at {url} — {mode} mode", flush=True)
    uvicorn.run(
        "agenta.app:create_app_from_env",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=args.workers if args.workers > 1 else None,
        log_level=settings.log_level.lower(),
        access_log=False,
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        timeout_graceful_shutdown=10,
    )
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    from arq.worker import Worker, check_health

    from agenta.heap import freeze_startup_heap
    from agenta.jobs.catalog import build_consumers, build_registry
    from agenta.jobs.worker import build_worker_settings, redis_settings
    from agenta.logs import configure_logging

    settings = Settings.from_env()
    if settings.redis_url is None:
        raise CommandError(
            "AGENTA_REDIS_URL is not set: workers run only in production mode "
            "(in embedded mode `agenta serve` runs jobs itself)"
        )
    if args.check:
        return check_health(redis_settings(settings.redis_url), "arq:queue")
    configure_logging(settings.log_level)
    options = build_worker_settings(settings, build_registry(), build_consumers())
    startup = options["on_startup"]
    where = settings.redis_url.split("@")[-1]

    async def announce_when_ready(ctx: dict[str, Any]) -> None:
        # Jobs are taken only once the startup hook is done: say so then, not before.
        await startup(ctx)
        freeze_startup_heap()
        print(f"Agenta worker listening on {where}", flush=True)

    options["on_startup"] = announce_when_ready
    worker = Worker(**options, burst=args.burst)
    worker.run()
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    from agenta.migrate import upgrade

    settings = Settings.from_env()
    upgrade(settings.database_url)
    print("database is up to date", flush=True)
    return 0


def cmd_jobs_ping(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    elapsed = asyncio.run(_ping(settings, args.timeout))
    print(f"a runner ran the ping job in {elapsed * 1000:.0f} ms", flush=True)
    return 0


async def _ping(settings: Settings, timeout: float) -> float:
    from agenta.jobs import store
    from agenta.jobs.models import SUCCEEDED
    from agenta.platform import Platform

    platform = await Platform.start(settings, run_jobs=False)
    try:
        started = time.perf_counter()
        job_id = await platform.queue.enqueue("system.ping")
        assert isinstance(job_id, uuid.UUID)
        while time.perf_counter() - started < timeout:
            job = await store.get_job(platform.db, job_id)
            if job is not None and job.status == SUCCEEDED:
                return time.perf_counter() - started
            await asyncio.sleep(0.1)
        raise CommandError(f"no runner picked up the ping job within {timeout:g} s")
    finally:
        await platform.stop()


if __name__ == "__main__":
    raise SystemExit(main())
