"""The database handle on SQLite: shutting down while a statement waits on the file's lock."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

# Runs in its own interpreter: the hang, when there is one, is in the event loop's shutdown.
# The writer is cancelled while SQLite makes it wait for another connection's lock; the
# pause after the cancel lets SQLAlchemy start closing its connection before the loop ends.
# Whether the connection is then stopped twice depends on timing (garbage collection among
# it): without the guard in agenta.db this script hung in two runs out of three.
SCRIPT = textwrap.dedent(
    """
    import asyncio, os, sqlite3, sys, tempfile, threading
    from sqlalchemy import text
    from agenta.db import Database

    path = os.path.join(tempfile.mkdtemp(dir=sys.argv[1]), "locked.db")
    setup = sqlite3.connect(path)
    setup.execute("PRAGMA journal_mode=WAL")
    setup.execute("CREATE TABLE t (x)")
    setup.commit()
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("INSERT INTO t VALUES (1)")
    threading.Timer(3.0, lambda: holder.execute("COMMIT")).start()

    async def write(db):
        async with db.session() as s:
            await s.execute(text("INSERT INTO t VALUES (2)"))

    async def main():
        db = Database(f"sqlite+aiosqlite:///{path}")
        asyncio.create_task(write(db), name="writer")
        await asyncio.sleep(0.5)
        for task in asyncio.all_tasks():
            if task.get_name() == "writer":
                task.cancel()
        await asyncio.sleep(0.1)

    asyncio.run(main())
    print("shut down")
    """
)


def test_a_write_cancelled_while_waiting_on_the_lock_lets_the_process_shut_down(
    tmp_path: Path,
) -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "shut down"
