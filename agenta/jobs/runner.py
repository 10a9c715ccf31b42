"""The in-process runner of embedded mode: jobs and cron ticks inside ``agenta serve``.

It polls the jobs table (and wakes at once on local enqueues), claims runnable rows and runs them
with bounded concurrency through ``agenta.jobs.execute``. Cron entries are turned into job rows
with an idempotency key per tick, so each tick runs once however many serve processes share the
database. Stopping the runner cancels running jobs; their leases expire and they run again later.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from datetime import datetime

from agenta.db import utcnow
from agenta.jobs import store
from agenta.jobs.execute import run_claimed
from agenta.jobs.queue import JobQueue
from agenta.jobs.registry import CronSpec, JobContext, JobRegistry
from agenta.llm import LLMClient
from agenta.llm.pool import preload_openai_sdk

log = logging.getLogger("agenta.jobs")


def cron_key(name: str, tick: datetime) -> str:
    return f"cron:{name}:{tick:%Y-%m-%dT%H:%M}"


def preload(registry: JobRegistry) -> None:
    """Import at a runner's start-up what its first jobs would otherwise import (seconds of
    CPU without cached bytecode): the provider SDK and the jobs' own modules. Blocks: use a
    thread."""
    preload_openai_sdk()
    registry.import_modules()


def runner_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class InProcessRunner:
    """Runs queued jobs in this process, at most ``concurrency`` at a time."""

    def __init__(
        self,
        queue: JobQueue,
        context: JobContext,
        *,
        concurrency: int = 8,
        poll_interval: float = 0.5,
        lease: float = 30.0,
        cron: bool = True,
    ) -> None:
        self.queue = queue
        self.context = context
        self.concurrency = concurrency
        self.poll_interval = poll_interval
        self.lease = lease
        self.cron = cron
        self.name = runner_name()
        self._running: set[asyncio.Task[None]] = set()
        self._loops: list[asyncio.Task[None]] = []
        self._last_tick: datetime | None = None
        # The runner closes the client only if it made it.
        self._owns_llm = context.llm is None
        self.llm = context.llm or LLMClient()

    def start(self) -> None:
        # Not awaited: start-up goes on while the thread imports.
        asyncio.get_running_loop().run_in_executor(None, preload, self.queue.registry)
        self._loops.append(asyncio.create_task(self._poll_loop(), name="jobs-poll"))
        if self.cron and self.queue.registry.crons:
            self._loops.append(asyncio.create_task(self._cron_loop(), name="jobs-cron"))

    async def stop(self, grace: float = 10.0) -> None:
        """Cancel the loops and running jobs; wait at most ``grace`` seconds for them to end.

        A job that ignores cancellation (stuck in a driver call, say) is left behind rather than
        holding up shutdown: its lease runs out and another runner takes it up again.
        """
        tasks = [*self._loops, *self._running]
        for task in tasks:
            task.cancel()
        if tasks:
            done, pending = await asyncio.wait(tasks, timeout=grace)
            for task in done:  # mark failures as seen: they were logged where they happened
                if not task.cancelled():
                    task.exception()
            if pending:
                names = sorted(task.get_name() for task in pending)
                log.warning("jobs did not stop in time", extra={"tasks": names})
        self._loops.clear()
        # A job left behind (it ignored cancellation) may still call through the client.
        if self._owns_llm and all(task.done() for task in tasks):
            await self.llm.aclose()

    async def run_until_idle(self, timeout: float = 30.0) -> None:
        """Run due jobs until none are left (for tests and the CLI); raises on timeout."""
        async with asyncio.timeout(timeout):
            while True:
                started = await self._fill_slots()
                if not started and not self._running:
                    return
                await asyncio.sleep(0.01)

    async def _poll_loop(self) -> None:
        while True:
            try:
                await self._fill_slots()
            except Exception:
                log.exception("job poll failed")
            self.queue.wakeup.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.queue.wakeup.wait(), self.poll_interval)

    async def _fill_slots(self) -> int:
        free = self.concurrency - len(self._running)
        if free <= 0:
            return 0
        started = 0
        for job_id in await store.runnable_ids(self.context.db, free):
            claimed = await store.claim(self.context.db, job_id, self.name, self.lease)
            if claimed is None:
                continue
            task = asyncio.create_task(self._run(claimed))
            self._running.add(task)
            task.add_done_callback(self._running.discard)
            started += 1
        return started

    async def _run(self, claimed: store.ClaimedJob) -> None:
        registry = self.queue.registry
        spec = (
            registry.spec_for_cron(claimed.name)
            if claimed.name in registry.crons
            else registry.get(claimed.name)
        )
        ctx = JobContext(
            settings=self.context.settings,
            db=self.context.db,
            queue=self.queue,
            redis=self.context.redis,
            llm=self.llm,
        )
        outcome = await run_claimed(spec, claimed, ctx, worker=self.name, lease=self.lease)
        if outcome.status == "retry":
            self.queue.wakeup.set()

    async def _cron_loop(self) -> None:
        while True:
            now = utcnow()
            tick = now.replace(second=0, microsecond=0)
            if tick != self._last_tick:
                self._last_tick = tick
                await self._enqueue_due(tick)
            await asyncio.sleep(60 - now.second - now.microsecond / 1e6 + 0.01)

    async def _enqueue_due(self, tick: datetime) -> None:
        for cron in self.queue.registry.crons.values():
            if tick.minute in cron.minutes():
                await self._enqueue_tick(cron, tick)

    async def _enqueue_tick(self, cron: CronSpec, tick: datetime) -> None:
        try:
            async with self.context.db.session() as session:
                job_id = await store.insert_job(
                    session, cron.name, {}, max_tries=1, idempotency_key=cron_key(cron.name, tick)
                )
            if job_id is not None:
                self.queue.wakeup.set()
        except Exception:
            log.exception("could not enqueue cron tick", extra={"cron": cron.name})
