"""Keeping a server process's start-up heap out of the garbage collector's way.

Everything a process builds while starting (modules, the application and its routes, ORM
mappers, provider SDKs and their types) lives as long as the process. Python's cyclic collector
still walks all of it at every full collection: about 100 ms with the event loop stopped, every
few seconds under load, which stalls every request and every model call in flight.
``freeze_startup_heap`` collects once, then moves what survives to the permanent generation
(``gc.freeze``), so later collections walk only what was allocated since. Only the entry points
of real processes call it (``agenta serve``, ``agenta worker``), never code that tests run
in-process.
"""

from __future__ import annotations

import gc


def freeze_startup_heap() -> None:
    """Collect garbage once, then exempt every object alive now from later collections."""
    gc.collect()
    gc.freeze()
