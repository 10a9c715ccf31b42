"""Run Debian's nginx, unprivileged and self-contained, with the repository's site configuration.

The repository's ``deploy/nginx/agenta.conf`` is used as shipped except for its ``listen`` line,
which moves from port 80 to a free loopback port. Its upstream comes from
``deploy/nginx/upstream.conf`` with the ``api:8000`` address swapped for a test server. Both go
into a scratch folder beside a minimal main ``nginx.conf`` that keeps every path nginx writes
(pid, logs, temp files) inside that folder, so no root-owned system path is touched.

The site includes ``agenta/upstream.conf`` relative to nginx's configuration folder: in the
official image that is /etc/nginx, here it is the scratch folder, so the same include works.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path
from types import TracebackType

import pytest

NGINX_BINARY = Path("/usr/sbin/nginx")
REPO_ROOT = Path(__file__).resolve().parents[2]
SITE_CONF = REPO_ROOT / "deploy" / "nginx" / "agenta.conf"
UPSTREAM_CONF = REPO_ROOT / "deploy" / "nginx" / "upstream.conf"
SHIPPED_LISTEN = "listen 80;"
SHIPPED_UPSTREAM_ADDRESS = "server api:8000"
START_TIMEOUT_SECONDS = 5.0


def require_nginx() -> Path:
    """Return the nginx binary, or skip (fail when services are required) if it is missing."""
    if os.access(NGINX_BINARY, os.X_OK):
        return NGINX_BINARY
    reason = f"Debian's nginx is not installed at {NGINX_BINARY} (apt-get install nginx)"
    if os.environ.get("AGENTA_TEST_REQUIRE_SERVICES") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


def free_port() -> int:
    """A loopback port that was free a moment ago."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _replace_once(text: str, old: str, new: str, source: Path) -> str:
    count = text.count(old)
    if count != 1:
        raise ValueError(f"{source} must contain {old!r} exactly once, found it {count} times")
    return text.replace(old, new)


def render_site(port: int) -> str:
    """The shipped site configuration, listening on ``127.0.0.1:port`` instead of port 80."""
    return _replace_once(
        SITE_CONF.read_text(), SHIPPED_LISTEN, f"listen 127.0.0.1:{port};", SITE_CONF
    )


def render_upstream(address: str) -> str:
    """The shipped upstream block, pointing at ``address`` (``host:port``) instead of the api."""
    return _replace_once(
        UPSTREAM_CONF.read_text(), SHIPPED_UPSTREAM_ADDRESS, f"server {address}", UPSTREAM_CONF
    )


def _main_conf(workdir: Path, site: Path) -> str:
    # Workers of a root master drop to "nobody", who could not write the temp files below.
    user = "user root;\n" if os.geteuid() == 0 else ""
    temp_paths = "".join(
        f"    {kind}_temp_path {workdir / 'temp' / kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return (
        f"{user}worker_processes 1;\n"
        "events { worker_connections 128; }\n"
        "http {\n"
        "    include /etc/nginx/mime.types;\n"
        "    default_type application/octet-stream;\n"
        f"    access_log {workdir / 'access.log'};\n"
        f"{temp_paths}"
        f"    include {site};\n"
        "}\n"
    )


def write_config(workdir: Path, upstream_address: str, port: int) -> Path:
    """Lay out a runnable configuration in ``workdir``; returns the main configuration file."""
    (workdir / "agenta").mkdir(parents=True, exist_ok=True)
    (workdir / "temp").mkdir(exist_ok=True)
    (workdir / "agenta" / "upstream.conf").write_text(render_upstream(upstream_address))
    site = workdir / "agenta.conf"
    site.write_text(render_site(port))
    main = workdir / "nginx.conf"
    main.write_text(_main_conf(workdir, site))
    return main


def nginx_command(workdir: Path, conf: Path, *flags: str) -> list[str]:
    """The command line that runs nginx in the foreground with all its files in ``workdir``."""
    globals_ = f"daemon off; pid {workdir / 'nginx.pid'}; error_log {workdir / 'error.log'};"
    return [str(require_nginx()), "-p", str(workdir), "-c", str(conf), "-g", globals_, *flags]


def check_config(workdir: Path, conf: Path) -> subprocess.CompletedProcess[str]:
    """Run ``nginx -t`` on the configuration; the result carries nginx's verdict in stderr."""
    return subprocess.run(
        nginx_command(workdir, conf, "-t"), capture_output=True, text=True, timeout=10
    )


class RunningNginx:
    """nginx serving the configuration in ``workdir`` on ``127.0.0.1:port`` until exit."""

    def __init__(self, workdir: Path, conf: Path, port: int) -> None:
        self.workdir = workdir
        self.conf = conf
        self.port = port
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> RunningNginx:
        self._process = subprocess.Popen(
            nginx_command(self.workdir, self.conf),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self._wait_until_listening(self._process)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._process is None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()

    def error_log(self) -> str:
        """What nginx logged so far (empty if it logged nothing)."""
        path = self.workdir / "error.log"
        return path.read_text() if path.exists() else ""

    def _wait_until_listening(self, process: subprocess.Popen[bytes]) -> None:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"nginx exited with {process.returncode}:\n{self.error_log()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.02)
        process.kill()
        raise RuntimeError(f"nginx did not listen on port {self.port}:\n{self.error_log()}")
