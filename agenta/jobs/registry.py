"""Job and cron declarations shared by the in-process runner and the arq worker.

A job function is ``async def fn(ctx: JobContext, **kwargs)``; its keyword arguments are JSON
values (they are stored in the jobs table). Features declare ``JobSpec``/``CronSpec`` lists and the
composition root (``agenta.jobs.catalog``) gathers them into one ``JobRegistry``; nothing registers
itself at import time.
"""

from __future__ import annotations

import importlib
import random
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from uuid import UUID

if TYPE_CHECKING:
    from redis.asyncio import Redis

    from agenta.db import Database
    from agenta.jobs.queue import JobQueue
    from agenta.llm import LLMClient
    from agenta.settings import Settings

JobFunction = Callable[..., Awaitable[Any]]


@dataclass
class JobContext:
    """What a running job can use: settings, the database, the queue, and who it is.

    ``llm`` is the runner's LLM client, shared by its jobs for the life of the process (its
    provider clients and their connections are reused from one run or slice to the next); the
    runner closes it after its jobs have stopped. Without one, a job opens its own.
    """

    settings: Settings
    db: Database
    queue: JobQueue
    redis: Redis | None = None
    llm: LLMClient | None = None
    job_id: UUID | None = None
    attempt: int = 1
    extras: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class JobSpec:
    """A job function with its limits: a timeout per attempt and a number of tries."""

    name: str
    func: JobFunction
    timeout: float = 300.0
    max_tries: int = 5
    backoff_base: float = 2.0
    backoff_max: float = 300.0
    # Modules the function imports only when it runs (to break an import cycle): runners import
    # them at start-up, so that the first job a process runs does not pay for it.
    imports: tuple[str, ...] = ()

    def backoff(self, attempt: int) -> float:
        """Exponential backoff with full jitter before try ``attempt + 1``."""
        ceiling = min(self.backoff_max, self.backoff_base * 2 ** max(attempt - 1, 0))
        return random.uniform(ceiling / 2, ceiling)


@dataclass(frozen=True)
class CronSpec:
    """A job function run on a schedule: every ``every_minutes`` minutes, at second 0."""

    name: str
    func: JobFunction
    every_minutes: int = 1
    timeout: float = 300.0
    imports: tuple[str, ...] = ()  # as for ``JobSpec``

    def minutes(self) -> set[int]:
        return set(range(0, 60, self.every_minutes))


class UnknownJobError(KeyError):
    """Enqueued a job name that no feature declared."""


class JobRegistry:
    """All the jobs and cron entries of the platform, by name."""

    def __init__(self, jobs: Iterable[JobSpec] = (), crons: Iterable[CronSpec] = ()) -> None:
        self.jobs: dict[str, JobSpec] = {}
        self.crons: dict[str, CronSpec] = {}
        for spec in jobs:
            if spec.name in self.jobs:
                raise ValueError(f"job {spec.name!r} is declared twice")
            self.jobs[spec.name] = spec
        for cron in crons:
            if cron.name in self.crons or cron.name in self.jobs:
                raise ValueError(f"cron {cron.name!r} clashes with another job or cron")
            self.crons[cron.name] = cron

    def import_modules(self) -> None:
        """Import the modules the jobs and crons import when they run (slow: use a thread)."""
        for spec in [*self.jobs.values(), *self.crons.values()]:
            for module in spec.imports:
                importlib.import_module(module)

    def get(self, name: str) -> JobSpec:
        try:
            return self.jobs[name]
        except KeyError:
            raise UnknownJobError(f"no job is named {name!r}") from None

    def spec_for_cron(self, name: str) -> JobSpec:
        cron = self.crons[name]
        return JobSpec(name=cron.name, func=cron.func, timeout=cron.timeout, max_tries=1)
