"""Starting one sandbox process and exchanging one job with it (blocking; run in a thread).

``spawn`` starts ``python -I -S -c <bootstrap>`` (isolated mode: no environment variables read,
no user site, no script directory on the path; no ``site``: no site-packages) with an empty
environment, in a fresh private temporary directory, in its own session, with no inherited file
descriptors except its pipes. The process prepares and isolates itself (``child.entry``) and then
waits for its job, which is what lets a pool keep processes warm.

``exchange`` writes the job, reads the reply and anything written to stderr, and enforces the
wall-clock limit and the reply size cap from outside: past either, the whole process group is
killed. It never trusts the process to stop by itself.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from .models import SandboxLimits

CHILD_PACKAGE_PARENT = str(Path(__file__).resolve().parent)
BOOTSTRAP = (
    "import sys\n"
    f"sys.path.insert(0, {CHILD_PACKAGE_PARENT!r})\n"
    "from child.entry import main\n"
    "del sys.path[0]\n"
    "main(sys.argv[1])\n"
)
STDERR_KEEP_BYTES = 4096
_READ_CHUNK = 65536


@dataclass
class ChildProcess:
    """A started sandbox process and its private working directory."""

    process: subprocess.Popen[bytes]
    workdir: str

    def discard(self) -> None:
        """Kill the process group (if still running), reap it, remove the directory."""
        if self.process.poll() is None:
            _kill_group(self.process)
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()
        shutil.rmtree(self.workdir, ignore_errors=True)


@dataclass(frozen=True)
class RawExchange:
    """What one exchange observed."""

    stdout: bytes
    stderr: bytes
    returncode: int | None
    timed_out: bool
    overflowed: bool
    elapsed_ms: float


def spawn(limits: SandboxLimits, python: str) -> ChildProcess:
    """Start a sandbox process that prepares itself and waits for a job."""
    workdir = tempfile.mkdtemp(prefix="agenta-sandbox-")
    os.chmod(workdir, 0o700)  # once it runs as nobody, the process cannot even list it
    config = json.dumps(limits.child_config())
    process = subprocess.Popen(
        [python, "-I", "-S", "-c", BOOTSTRAP, config],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=workdir,
        env={},
        close_fds=True,
        start_new_session=True,
    )
    return ChildProcess(process, workdir)


def exchange(child: ChildProcess, payload: bytes, limits: SandboxLimits) -> RawExchange:
    """Send ``payload``, collect the reply under the limits, and discard the process."""
    started = time.monotonic()
    deadline = started + limits.wall_seconds
    try:
        stdout, stderr, timed_out, overflowed = _pump(child.process, payload, deadline, limits)
    finally:
        child.discard()
    elapsed_ms = (time.monotonic() - started) * 1000
    return RawExchange(stdout, stderr, child.process.returncode, timed_out, overflowed, elapsed_ms)


def _pump(
    process: subprocess.Popen[bytes], payload: bytes, deadline: float, limits: SandboxLimits
) -> tuple[bytes, bytes, bool, bool]:
    """Write the job and read both outputs until EOF, the deadline or the size cap."""
    assert process.stdin and process.stdout and process.stderr
    out, err = bytearray(), bytearray()
    pending = memoryview(payload)
    with selectors.DefaultSelector() as selector:
        os.set_blocking(process.stdin.fileno(), False)
        selector.register(process.stdin, selectors.EVENT_WRITE)
        selector.register(process.stdout, selectors.EVENT_READ, out)
        selector.register(process.stderr, selectors.EVENT_READ, err)
        while len(selector.get_map()) > 0:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return bytes(out), bytes(err), True, False
            for key, _events in selector.select(remaining):
                if key.fileobj is process.stdin:
                    pending = _write_some(selector, process, pending)
                    continue
                chunk = os.read(key.fd, _READ_CHUNK)
                if not chunk:
                    selector.unregister(key.fileobj)
                    continue
                key.data.extend(chunk)
                if len(out) > limits.output_bytes:
                    return bytes(out), bytes(err), False, True
                del err[:-STDERR_KEEP_BYTES]
    return bytes(out), bytes(err), False, False


def _write_some(
    selector: selectors.BaseSelector, process: subprocess.Popen[bytes], pending: memoryview
) -> memoryview:
    assert process.stdin
    try:
        pending = pending[os.write(process.stdin.fileno(), pending) :]
    except BlockingIOError:
        return pending
    except BrokenPipeError:
        pending = pending[len(pending) :]  # the process is gone; its exit status will tell
    if not pending:
        selector.unregister(process.stdin)
        process.stdin.close()
    return pending


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
