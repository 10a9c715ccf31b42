"""Redis databases for tests: each test process claims one of its own for the whole session.

Tests flush their Redis database before and after running, so two processes must never share
one, not even two suites run at once on one machine (a developer's run beside CI's). A process
claims the first database number whose lock file it can lock; the lock goes with the process,
so a crashed run frees its numbers. Database 0 is left to whatever else uses this Redis.
"""

from __future__ import annotations

import fcntl
import tempfile
from pathlib import Path
from typing import IO

FIRST, LAST = 1, 15
LOCK_FOLDER = Path(tempfile.gettempdir())


class NoFreeRedisDatabase(RuntimeError):
    """Every test database of this Redis is claimed by another test process."""


def claim_database(redis_url: str) -> tuple[int, IO[str]]:
    """A database number no other test process on this machine uses, and the lock that holds it
    (close it to give the number back)."""
    for number in range(FIRST, LAST + 1):
        lock = open(_lock_path(redis_url, number), "a")  # noqa: SIM115 - held for the session
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.close()
            continue
        return number, lock
    raise NoFreeRedisDatabase(
        f"Redis databases {FIRST}-{LAST} at {redis_url} are all used by other test processes"
    )


def _lock_path(redis_url: str, number: int) -> Path:
    server = redis_url.split("://", 1)[-1].rstrip("/").replace("/", "_").replace(":", "_")
    return LOCK_FOLDER / f"agenta-tests-redis-{server}-{number}.lock"
