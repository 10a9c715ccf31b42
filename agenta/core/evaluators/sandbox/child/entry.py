"""The sandbox process's main program: prepare, isolate, wait for one job, run it, reply, exit.

Runs inside the sandbox process only; it is started as ``python -I -S -c <bootstrap> <config>``
with an empty environment, in an empty private working directory (see ``..process``).

Protocol: one JSON job on stdin (``{"code", "function", "args", "check_source"}``), one JSON reply
on stdout: ``{"ok": true, "value": ...}`` or ``{"ok": false, "kind": ..., "message": ...}``,
both with ``"stdout"`` (what the code printed, capped) and ``"isolation"`` (what the operating
system isolation achieved). A process serves one job, then exits; nothing survives between jobs.

Order matters: the allowed modules are imported first (as root, from the real standard library),
then the process isolates itself, and only then reads the job, checks the code, closes the
interpreter with the audit hook, and runs the code.
"""

from __future__ import annotations

import importlib
import json
import os
import signal
import sys
import traceback
from typing import Any

from . import guard, isolation, namespace, policy

SOURCE_NAME = "<evaluator>"

# Imported up front because the allowed modules (or the error path) load them lazily and no file
# may be opened once the code runs: strptime's helper, common codecs, the traceback machinery.
EXTRA_PRELOADS = (
    "_strptime",
    "encodings.ascii",
    "encodings.latin_1",
    "encodings.utf_16",
    "encodings.utf_32",
    "encodings.idna",
    "linecache",
)


class CpuTimeExceeded(BaseException):
    """Raised from the SIGXCPU handler when the soft CPU limit is reached."""


class JobFailed(Exception):
    """A failure to report, with its kind."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


def main(config_text: str) -> None:
    """Run one job under ``config`` (JSON text) and exit."""
    config = json.loads(config_text)
    for module in sorted(policy.ALLOWED_MODULES) + list(EXTRA_PRELOADS):
        importlib.import_module(module)
    report = isolation.isolate(config)
    signal.signal(signal.SIGXCPU, _on_cpu_limit)
    reply_stream = sys.stdout.buffer
    job_text = sys.stdin.buffer.read()
    if not job_text:  # a warm process released without a job
        os._exit(0)
    job = json.loads(job_text)
    printed = namespace.CappedOutput(int(config["print_chars"]))
    sys.stdout = sys.stderr = printed  # type: ignore[assignment]
    reply = _run_job(job, config, printed)
    reply |= {"stdout": printed.getvalue(), "isolation": report}
    _send(reply_stream, reply, int(config["output_bytes"]))
    os._exit(0)


def _on_cpu_limit(signum: int, frame: Any) -> None:
    raise CpuTimeExceeded


def _run_job(job: dict[str, Any], config: dict[str, Any], printed: Any) -> dict[str, Any]:
    try:
        value = _execute(job)
        return {"ok": True, "value": value}
    except JobFailed as failure:
        return {"ok": False, "kind": failure.kind, "message": failure.message}
    except CpuTimeExceeded:
        message = f"the code used more than {config['cpu_seconds']} s of CPU time and was stopped"
        return {"ok": False, "kind": "cpu-time", "message": message}
    except MemoryError:
        limit = int(config["memory_bytes"]) // 2**20
        message = f"the code ran out of memory (the sandbox allows {limit} MB)"
        return {"ok": False, "kind": "memory", "message": message}


def _execute(job: dict[str, Any]) -> Any:
    source = job["code"]
    if job.get("check_source", True):
        problems = policy.check_source(source)
        if problems:
            raise JobFailed("invalid-code", "; ".join(problems))
    user_globals = namespace.build_globals(
        policy.ALLOWED_MODULES, EXTRA_PRELOADS, policy.attribute_problem
    )
    code = _compile(source)
    guard.install()
    _call_user_code(lambda: exec(code, user_globals), source)
    function = user_globals.get(job["function"])
    if not callable(function):
        raise JobFailed("invalid-code", f"the code must define a function '{job['function']}'")
    result = _call_user_code(lambda: function(*job["args"]), source)
    return _checked_result(result)


def _compile(source: str) -> Any:
    try:
        return compile(source, SOURCE_NAME, "exec")
    except (SyntaxError, ValueError) as exc:
        line = getattr(exc, "lineno", None) or 0
        raise JobFailed("invalid-code", f"line {line}: syntax error: {exc}") from None


def _call_user_code(run: Any, source: str) -> Any:
    try:
        return run()
    except (CpuTimeExceeded, MemoryError):
        raise
    except guard.SandboxViolation as exc:
        raise JobFailed("forbidden", f"{exc}{_where(exc, source)}") from None
    except namespace.SandboxImportError as exc:
        raise JobFailed("forbidden", f"{exc}{_where(exc, source)}") from None
    except BaseException as exc:  # anything the user's code raises, SystemExit included
        raise JobFailed("code-error", _describe_exception(exc, source)) from None


def _where(exc: BaseException, source: str) -> str:
    lines = _user_frames(exc, source)
    return f" ({lines[-1].strip()})" if lines else ""


def _describe_exception(exc: BaseException, source: str) -> str:
    text = _safe_str(exc)
    headline = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    frames = _user_frames(exc, source)
    return headline + ("\nTraceback (user code):\n" + "\n".join(frames) if frames else "")


def _safe_str(exc: BaseException) -> str:
    try:
        return str(exc)
    except Exception:  # a user-defined __str__ may itself fail
        return "(the exception could not be displayed)"


def _user_frames(exc: BaseException, source: str) -> list[str]:
    """The user-code frames of the traceback, read without touching any file."""
    source_lines = source.splitlines()
    frames = []
    for frame, line in traceback.walk_tb(exc.__traceback__):
        if frame.f_code.co_filename != SOURCE_NAME:
            continue
        text = source_lines[line - 1].strip() if 0 < line <= len(source_lines) else ""
        frames.append(f"  line {line}, in {frame.f_code.co_name}: {text}")
    return frames


def _checked_result(value: Any) -> Any:
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError, RecursionError) as exc:
        raise JobFailed(
            "invalid-result",
            f"the function returned a value that is not plain JSON "
            f"(numbers, booleans, text, lists, objects): {exc}",
        ) from None
    return value


def _send(stream: Any, reply: dict[str, Any], limit: int) -> None:
    data = json.dumps(reply).encode()
    if len(data) > limit:
        size = len(data)
        reply = {
            "ok": False,
            "kind": "output-too-large",
            "message": f"the result is {size} bytes, more than the {limit}-byte limit",
            "stdout": "",
            "isolation": reply["isolation"],
        }
        data = json.dumps(reply).encode()
    stream.write(data)
    stream.flush()
