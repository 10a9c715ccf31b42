"""Operating-system isolation of the sandbox process, applied before it reads any user code.

Runs inside the sandbox process only (standard library). In order:
1. Network: a new, empty network namespace (``unshare(CLONE_NEWNET)`` through ``ctypes``), which
   leaves only a loopback interface that is down. As root this needs no more; otherwise we try
   a user namespace as well (``CLONE_NEWUSER``), which many kernels allow. If neither works the
   sandbox still runs (the audit hook refuses sockets) and reports the network as not isolated.
2. Privileges: as root, drop to ``nobody`` (uid/gid 65534, no supplementary groups), so the
   process cannot read the server's private files even through a hole in the upper layers.
3. Resource limits: CPU seconds (SIGXCPU, then SIGKILL one second later), address space,
   file size 0 (no file can be written), open files, processes 0 (no fork), no core dumps.
Limits come last: lowering them never needs privileges, and the drop to ``nobody`` must not be
checked against the process limit.
"""

from __future__ import annotations

import ctypes
import os
import resource
from typing import Any

CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
NOBODY = 65534


def isolate(config: dict[str, Any]) -> dict[str, Any]:
    """Apply all isolation steps; return a report of what was achieved."""
    was_root = os.geteuid() == 0
    network_isolated = _unshare_network(was_root)
    if was_root:
        _drop_privileges(config.get("uid", NOBODY))
    _limit_resources(config)
    return {
        "network_isolated": network_isolated,
        "privileges_dropped": was_root,
        "uid": os.getuid(),
        "environment_variables": sorted(os.environ),
    }


def _unshare_network(as_root: bool) -> bool:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return False
    flags = CLONE_NEWNET if as_root else CLONE_NEWUSER | CLONE_NEWNET
    return libc.unshare(flags) == 0


def _drop_privileges(uid: int) -> None:
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)
    if os.getuid() != uid or os.geteuid() != uid:
        raise RuntimeError("could not drop privileges")


def _limit_resources(config: dict[str, Any]) -> None:
    cpu = int(config["cpu_seconds"])
    _set(resource.RLIMIT_CPU, cpu, cpu + 1)
    _set(resource.RLIMIT_AS, int(config["memory_bytes"]))
    _set(resource.RLIMIT_FSIZE, 0)
    _set(resource.RLIMIT_NOFILE, int(config["max_open_files"]))
    _set(resource.RLIMIT_NPROC, 0)
    _set(resource.RLIMIT_CORE, 0)


def _set(limit: int, soft: int, hard: int | None = None) -> None:
    hard = soft if hard is None else hard
    _current_soft, current_hard = resource.getrlimit(limit)
    if current_hard != resource.RLIM_INFINITY:
        # Never ask for more than we have: raising a hard limit needs privileges we dropped.
        hard = min(hard, current_hard)
        soft = min(soft, hard)
    resource.setrlimit(limit, (soft, hard))
