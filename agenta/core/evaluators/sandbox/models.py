"""Value types of the sandbox: its limits, one job, and what came back."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class SandboxLimits:
    """Per-process limits. CPU is whole seconds (the kernel's granularity); wall time may be less.

    ``output_bytes`` caps the reply (result and printed text); ``print_chars`` caps the printed
    text kept inside that reply.
    """

    cpu_seconds: int = 2
    wall_seconds: float = 5.0
    memory_bytes: int = 256 * 2**20
    output_bytes: int = 1_000_000
    print_chars: int = 10_000
    max_open_files: int = 16

    def __post_init__(self) -> None:
        if self.cpu_seconds < 1:
            raise ValueError("cpu_seconds must be at least 1")
        if self.wall_seconds <= 0:
            raise ValueError("wall_seconds must be positive")
        if self.memory_bytes < 64 * 2**20:
            raise ValueError("memory_bytes below 64 MB cannot start the interpreter")

    def child_config(self) -> dict[str, Any]:
        """The limits the sandbox process applies to itself."""
        return {
            "cpu_seconds": self.cpu_seconds,
            "memory_bytes": self.memory_bytes,
            "output_bytes": self.output_bytes,
            "print_chars": self.print_chars,
            "max_open_files": self.max_open_files,
        }


@dataclass(frozen=True)
class SandboxJob:
    """Call ``function(*args)`` defined by ``code``; ``args`` must be JSON."""

    code: str
    args: list[Any]
    function: str = "evaluate"


@dataclass(frozen=True)
class SandboxOutcome:
    """The result of one job.

    ``ok`` with ``value``, or ``error`` with ``error_kind``: ``invalid-code``, ``forbidden``,
    ``code-error``, ``invalid-result``, ``cpu-time``, ``wall-time``, ``memory``,
    ``output-too-large`` or ``crashed``. ``stdout`` is what the code printed; ``isolation`` is
    the sandbox process's own report (network namespace, privileges, uid, environment size);
    ``elapsed_ms`` is measured from sending the job to the end of the process.
    """

    ok: bool
    value: Any = None
    error: str | None = None
    error_kind: str | None = None
    stdout: str = ""
    elapsed_ms: float = 0.0
    isolation: dict[str, Any] = field(default_factory=dict)
