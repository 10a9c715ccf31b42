"""Real ``agenta serve`` and ``agenta worker`` processes for end-to-end tests.

``AgentaProcess`` starts the command with its own environment and log file, waits for readiness
(``/ready`` for servers, a log line for workers), and can stop it politely or kill it hard.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def base_env(**overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AGENTA_")}
    env.update({"AGENTA_LOG_LEVEL": "INFO", "AGENTA_HTMX_CDN_URL": "off"})
    env.update(overrides)
    return env


class AgentaProcess:
    """One ``agenta`` sub-command running as a child process."""

    def __init__(self, args: list[str], env: dict[str, str], log_path: Path) -> None:
        self.args = args
        self.env = env
        self.log_path = log_path
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> AgentaProcess:
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "agenta.cli", *self.args],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=self.env.get("AGENTA_TEST_CWD"),
        )
        return self

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def wait_for_log(self, text: str, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.log():
                return
            self._check_alive()
            time.sleep(0.05)
        raise TimeoutError(f"{text!r} did not appear in the log:\n{self.log()[-3000:]}")

    def _check_alive(self) -> None:
        assert self.proc is not None
        if self.proc.poll() is not None:
            raise RuntimeError(f"process exited with {self.proc.returncode}:\n{self.log()[-3000:]}")

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


class ServerProcess(AgentaProcess):
    """``agenta serve`` on a free port; ``url`` is its base URL."""

    def __init__(self, env: dict[str, str], log_path: Path, *extra: str) -> None:
        self.port = free_port()
        env = {**env, "AGENTA_PORT": str(self.port), "AGENTA_HOST": "127.0.0.1"}
        env.setdefault("AGENTA_PUBLIC_URL", f"http://127.0.0.1:{self.port}")
        super().__init__(["serve", *extra], env, log_path)
        self.url = f"http://127.0.0.1:{self.port}"

    def wait_ready(self, timeout: float = 90.0) -> float:
        """Wait until ``/ready`` answers 200; returns the seconds it took."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            self._check_alive()
            try:
                if httpx.get(self.url + "/ready", timeout=1).status_code == 200:
                    return time.monotonic() - started
            except httpx.HTTPError:
                pass
            time.sleep(0.03)
        raise TimeoutError(f"server not ready after {timeout} s:\n{self.log()[-3000:]}")


@contextmanager
def served(tmp_path: Path, **env: str) -> Iterator[ServerProcess]:
    """A ready ``agenta serve`` on a fresh embedded data folder under ``tmp_path`` (plus ``env``),
    stopped afterwards; its log is ``tmp_path/serve.log``."""
    process = ServerProcess(base_env(AGENTA_TEST_CWD=str(tmp_path), **env), tmp_path / "serve.log")
    process.start()
    try:
        process.wait_ready()
        yield process
    finally:
        process.stop()
