"""``SandboxRunner``: run untrusted Python in a fresh, isolated process per job.

Each job gets its own process, used once and killed afterwards, so nothing one job does can
affect another. Starting an interpreter and importing the allowed modules takes a few tens of
milliseconds; a runner with ``warm_processes > 0`` keeps that many processes already prepared
and isolated (waiting for their job on stdin), which takes the start-up off the critical path.
A taken process is replaced at once, so the pool stays full while jobs run.

The blocking exchange runs in a worker thread (``asyncio.to_thread``), which keeps the runner
independent of any particular event loop. ``close()`` kills the warm processes; a runner is also
a context manager. Without ``close()`` the warm processes still end with the server, because
their stdin closes.

``check_source=False`` skips the static source check inside the sandbox; it exists only so that
tests can prove the lower layers (audit hook, operating-system isolation) hold on their own.
"""

from __future__ import annotations

import asyncio
import json
import signal
import sys
import threading
from types import TracebackType
from typing import Any

from .models import SandboxJob, SandboxLimits, SandboxOutcome
from .process import ChildProcess, RawExchange, exchange, spawn

_SIGNAL_MEANINGS = {
    signal.SIGXCPU: ("cpu-time", "the code used more than {cpu} s of CPU time and was killed"),
    signal.SIGKILL: ("cpu-time", "the code used more than {cpu} s of CPU time and was killed"),
    signal.SIGXFSZ: ("forbidden", "the code tried to write a file and was killed"),
    signal.SIGSEGV: ("crashed", "the sandbox process crashed (segmentation fault)"),
}


class SandboxRunner:
    """Runs ``SandboxJob``s under ``limits``; optionally keeps warm processes."""

    def __init__(
        self,
        limits: SandboxLimits | None = None,
        *,
        warm_processes: int = 0,
        check_source: bool = True,
        python: str = sys.executable,
    ) -> None:
        self.limits = limits or SandboxLimits()
        self.warm_processes = warm_processes
        self.check_source = check_source
        self.python = python
        self._warm: list[ChildProcess] = []
        self._lock = threading.Lock()
        self._closed = False

    async def run(self, job: SandboxJob) -> SandboxOutcome:
        """Run ``job`` in a fresh sandbox process."""
        return await asyncio.to_thread(self.run_blocking, job)

    def run_blocking(self, job: SandboxJob) -> SandboxOutcome:
        """The same as ``run``, for callers that are not async."""
        payload = json.dumps(
            {
                "code": job.code,
                "function": job.function,
                "args": job.args,
                "check_source": self.check_source,
            },
            default=str,  # dates and other non-JSON values in test cases arrive as text
        ).encode()
        return outcome_from(exchange(self._take(), payload, self.limits), self.limits)

    def prewarm(self) -> None:
        """Start the warm processes now rather than at the first job."""
        with self._lock:
            self._refill()

    def close(self) -> None:
        """Kill the warm processes; later jobs start cold processes."""
        with self._lock:
            self._closed = True
            warm, self._warm = self._warm, []
        for child in warm:
            child.discard()

    def __enter__(self) -> SandboxRunner:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _take(self) -> ChildProcess:
        with self._lock:
            child = None
            while self._warm and child is None:
                candidate = self._warm.pop(0)
                if candidate.process.poll() is None:
                    child = candidate
                else:
                    candidate.discard()
            self._refill()
        return child or spawn(self.limits, self.python)

    def _refill(self) -> None:
        while not self._closed and len(self._warm) < self.warm_processes:
            self._warm.append(spawn(self.limits, self.python))


def outcome_from(raw: RawExchange, limits: SandboxLimits) -> SandboxOutcome:
    """Interpret what an exchange observed."""
    if raw.timed_out:
        message = f"the code ran longer than {limits.wall_seconds:g} s and was stopped"
        return _failure(raw, "wall-time", message)
    if raw.overflowed:
        message = f"the code's output exceeded the {limits.output_bytes}-byte limit"
        return _failure(raw, "output-too-large", message)
    reply = _parse_reply(raw.stdout)
    if reply is None:
        return _failure(raw, *_exit_meaning(raw, limits))
    # The reply is untrusted (the code may have tampered with the process that wrote it).
    isolation = reply.get("isolation")
    common = {
        "stdout": str(reply.get("stdout", "")),
        "elapsed_ms": raw.elapsed_ms,
        "isolation": isolation if isinstance(isolation, dict) else {},
    }
    if reply.get("ok") is True:
        return SandboxOutcome(ok=True, value=reply.get("value"), **common)
    kind, message = str(reply.get("kind", "crashed")), str(reply.get("message", ""))
    return SandboxOutcome(ok=False, error=message, error_kind=kind, **common)


def _parse_reply(stdout: bytes) -> dict[str, Any] | None:
    try:
        reply = json.loads(stdout)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    return reply if isinstance(reply, dict) else None


def _exit_meaning(raw: RawExchange, limits: SandboxLimits) -> tuple[str, str]:
    code = raw.returncode
    if code is not None and code < 0 and -code in _SIGNAL_MEANINGS:
        kind, template = _SIGNAL_MEANINGS[signal.Signals(-code)]
        return kind, template.format(cpu=limits.cpu_seconds)
    detail = raw.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no message"]
    return "crashed", f"the sandbox process ended without a result (exit {code}): {detail[0]}"


def _failure(raw: RawExchange, kind: str, message: str) -> SandboxOutcome:
    return SandboxOutcome(ok=False, error=message, error_kind=kind, elapsed_ms=raw.elapsed_ms)
