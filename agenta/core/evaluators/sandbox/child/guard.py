"""The audit hook: the interpreter-level guard installed just before user code runs.

Runs inside the sandbox process only (standard library). PEP 578 audit hooks see sensitive
operations however they are reached, including from objects user code was never meant to touch.
Once installed (audit hooks cannot be removed), the hook refuses:
- every file open (the code needs none; the modules it may use were imported beforehand);
- every new import (same reason);
- anything in ``os``, ``socket``, ``subprocess``, ``ctypes``, ``shutil``, ``resource``,
  ``mmap``, ``fcntl``, ``pty``, ``signal``, ``sqlite3`` and the network clients;
- ``sys.addaudithook``, ``sys.settrace``/``setprofile`` and frame listings, ``gc`` walks over all
  objects, ``code``/``function`` construction, ``marshal``/``pickle`` loading, ``input``,
  ``breakpoint``, and reading generator and coroutine frames.
The hook keeps its rules in default arguments, not module globals, so replacing this module's
globals does not weaken it. Violations raise ``SandboxViolation`` (a ``PermissionError``).
"""

from __future__ import annotations

import sys
from typing import Any

FORBIDDEN_PREFIXES = (
    "os.", "socket.", "subprocess.", "ctypes.", "shutil.", "resource.", "mmap.", "fcntl.",
    "pty.", "signal.", "sqlite3.", "urllib.", "http.", "ftplib.", "smtplib.", "poplib.",
    "imaplib.", "nntplib.", "telnetlib.", "webbrowser.", "glob.", "tempfile.", "syslog.",
    "winreg.", "msvcrt.", "marshal.", "cpython.", "gc.", "sys.set", "_winapi.",
)  # fmt: skip

FORBIDDEN_EVENTS = frozenset(
    {
        "open",
        "import",
        "sys.addaudithook",
        "sys._current_frames",
        "code.__new__",
        "function.__new__",
        "pickle.find_class",
        "builtins.input",
        "builtins.breakpoint",
    }
)

FRAME_ATTRIBUTES = frozenset({"gi_frame", "cr_frame", "ag_frame", "gi_code", "cr_code", "ag_code"})


class SandboxViolation(PermissionError):
    """An operation the sandbox forbids."""


def install() -> None:
    """Install the hook for the rest of the process's life.

    The hook holds its own copies of the rules (immutable default arguments) and is referenced
    from nowhere else, so nothing reachable from user code can change what it refuses.
    """

    def hook(
        event: str,
        args: tuple[Any, ...],
        events: frozenset[str] = FORBIDDEN_EVENTS,
        prefixes: tuple[str, ...] = FORBIDDEN_PREFIXES,
        frames: frozenset[str] = FRAME_ATTRIBUTES,
        violation: type[SandboxViolation] = SandboxViolation,
    ) -> None:
        if event == "object.__getattr__":
            if len(args) > 1 and args[1] in frames:
                raise violation(f"reading attribute {args[1]!r} is not allowed in the sandbox")
        elif event in events or event.startswith(prefixes):
            if event == "open" and args:
                raise violation(f"opening {args[0]!r} is not allowed in the sandbox")
            if event == "import" and args:
                raise violation(f"importing {args[0]!r} is not allowed in the sandbox")
            raise violation(f"'{event}' is not allowed in the sandbox")

    sys.addaudithook(hook)
