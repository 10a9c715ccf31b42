"""Packaging: the nginx site, the compose stack and the image definition.

The nginx tests run Debian's nginx with the shipped ``deploy/nginx/agenta.conf`` in front of a
small echo server, and check what actually crosses the proxy: forwarded headers, unbuffered
streams, body size limits, compression, cache headers and upstream keep-alive. Docker cannot run
here, so ``compose.yaml`` and the ``Dockerfile`` are checked by reading them: the compose
environment must be accepted by our own ``Settings.from_env``, and the image's health check
command is run for real against a listening server.
"""

from __future__ import annotations

import fnmatch
import gzip
import http.client
import json
import os
import re
import shlex
import socket
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from agenta.cli import build_parser
from agenta.settings import Settings
from tests.support.echo_upstream import FLOOD_BYTES, EchoUpstream
from tests.support.nginx import (
    REPO_ROOT,
    RunningNginx,
    check_config,
    free_port,
    require_nginx,
    write_config,
)

MIB = 1024 * 1024
SECRET = "s" * 48
APP_SERVICES = ("migrate", "api", "worker")
FLOOD_WAIT_SECONDS = 0.5


@pytest.fixture(scope="module")
def upstream() -> Iterator[EchoUpstream]:
    with EchoUpstream() as server:
        yield server


@pytest.fixture(scope="module")
def proxy(upstream: EchoUpstream, tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """The port of a running nginx that serves the shipped site in front of ``upstream``."""
    require_nginx()
    workdir = tmp_path_factory.mktemp("nginx")
    port = free_port()
    conf = write_config(workdir, upstream.address, port)
    with RunningNginx(workdir, conf, port):
        yield port


def fetch(
    port: int, path: str, method: str = "GET", body: bytes | None = None, **headers: str
) -> tuple[int, dict[str, str], bytes]:
    """One request on a fresh connection: status, lower-cased headers, body."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        names = {name.replace("_", "-"): value for name, value in headers.items()}
        conn.request(method, path, body=body, headers=names)
        response = conn.getresponse()
        received = {name.lower(): value for name, value in response.getheaders()}
        return response.status, received, response.read()
    finally:
        conn.close()


def echo_of(port: int, path: str, **headers: str) -> dict[str, Any]:
    status, _, body = fetch(port, path, **headers)
    assert status == 200, body
    return json.loads(body)


# nginx in front of the app


def test_nginx_accepts_the_shipped_site_configuration(
    upstream: EchoUpstream, tmp_path: Path
) -> None:
    require_nginx()
    conf = write_config(tmp_path, upstream.address, free_port())
    result = check_config(tmp_path, conf)
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


@pytest.mark.parametrize("path", ["/", "/api/x", "/services/completion/v0/invoke"])
def test_nginx_forwards_each_area_with_forwarding_headers(proxy: int, path: str) -> None:
    echo = echo_of(proxy, path)
    headers = echo["headers"]
    assert echo["path"] == path
    assert headers["host"] == "127.0.0.1"
    assert headers["x-forwarded-for"] == "127.0.0.1"
    assert headers["x-forwarded-proto"] == "http"
    assert headers["x-forwarded-port"] == str(proxy)
    assert re.fullmatch(r"[0-9a-f]{32}", headers["x-request-id"])


def test_nginx_passes_on_the_callers_request_id(proxy: int) -> None:
    echo = echo_of(proxy, "/api/x", X_Request_ID="trace-123")
    assert echo["headers"]["x-request-id"] == "trace-123"


def test_nginx_reuses_upstream_connections_over_http_1_1(proxy: int) -> None:
    first = echo_of(proxy, "/api/first")
    second = echo_of(proxy, "/api/second")
    assert first["version"] == second["version"] == "HTTP/1.1"
    assert "connection" not in first["headers"]
    assert first["client_port"] == second["client_port"]


def test_nginx_delivers_each_event_of_a_service_stream_as_it_is_sent(
    proxy: int, upstream: EchoUpstream
) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", proxy, timeout=10)
    try:
        # A client that accepts gzip must still get each chunk as it is produced.
        conn.request("GET", "/services/chat/v0/stream", headers={"Accept-Encoding": "gzip"})
        response = conn.getresponse()
        received = b""
        while b"data: first" not in received:
            chunk = response.read1(1024)
            assert chunk, "stream ended before the first event arrived"
            received += chunk
        upstream.release_stream.set()
        received += response.read()
    finally:
        conn.close()
    assert "content-encoding" not in {name.lower() for name, _ in response.getheaders()}
    assert upstream.stream_releases == [True], "the first event arrived only after the last"
    assert received.endswith(b"data: last\n\n")


def test_nginx_passes_service_streams_through_without_absorbing_them(
    proxy: int, upstream: EchoUpstream
) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", proxy, timeout=10)
    try:
        conn.connect()
        # A small receive window, so what the upstream manages to send ends up inside nginx.
        conn.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
        conn.request("GET", "/services/chat/v0/flood")
        response = conn.getresponse()
        absorbed = upstream.flood_finished.wait(FLOOD_WAIT_SECONDS)
        body = response.read()
    finally:
        conn.close()
    assert len(body) == FLOOD_BYTES
    assert not absorbed, (
        f"nginx took all {FLOOD_BYTES} bytes while its client read nothing: it buffers /services"
    )


def test_nginx_accepts_a_55_mb_upload(proxy: int) -> None:
    status, _, body = fetch(proxy, "/api/testsets/upload", method="POST", body=b"x" * 55 * MIB)
    assert status == 200
    assert json.loads(body)["body_length"] == 55 * MIB


def test_nginx_refuses_a_70_mb_upload_with_413(proxy: int) -> None:
    status, _, _ = fetch(proxy, "/api/testsets/upload", method="POST", body=b"x" * 70 * MIB)
    assert status == 413


def test_nginx_compresses_json_responses(proxy: int) -> None:
    status, headers, body = fetch(proxy, "/api/x?pad=4000", Accept_Encoding="gzip")
    assert status == 200
    assert headers["content-encoding"] == "gzip"
    assert json.loads(gzip.decompress(body))["path"] == "/api/x?pad=4000"


def test_nginx_gives_static_files_a_long_public_cache_lifetime(proxy: int) -> None:
    _, static_headers, _ = fetch(proxy, "/static/app.css")
    _, api_headers, _ = fetch(proxy, "/api/x")
    assert static_headers["cache-control"] == "public, max-age=604800"
    assert api_headers["cache-control"] == "no-store"


# compose.yaml


def load_compose() -> dict[str, Any]:
    return yaml.safe_load((REPO_ROOT / "compose.yaml").read_text())


_VARIABLE = re.compile(r"\$\{(?P<name>\w+)(?::(?P<op>[-?])(?P<arg>[^}]*))?\}")


def interpolate(value: str, environ: Mapping[str, str]) -> str:
    """Resolve compose's ``${NAME}``, ``${NAME:-default}`` and ``${NAME:?error}`` forms."""

    def substitute(match: re.Match[str]) -> str:
        current = environ.get(match["name"], "")
        if current or match["op"] is None:
            return current
        if match["op"] == "-":
            return match["arg"]
        raise ValueError(match["arg"])

    return _VARIABLE.sub(substitute, value)


class RecordingEnviron(dict[str, str]):
    """An environment that remembers which variables were looked up."""

    def __init__(self, values: Mapping[str, str]) -> None:
        super().__init__(values)
        self.looked_up: set[str] = set()

    def get(self, key: str, default: Any = None) -> Any:
        self.looked_up.add(key)
        return super().get(key, default)


def app_environment(service: str, environ: Mapping[str, str]) -> dict[str, str]:
    raw = load_compose()["services"][service]["environment"]
    return {name: interpolate(str(value), environ) for name, value in raw.items()}


def test_compose_runs_the_whole_stack() -> None:
    services = load_compose()["services"]
    assert set(services) == {"postgres", "redis", "migrate", "api", "worker", "nginx"}
    assert services["postgres"]["image"] == "postgres:16"
    assert services["redis"]["image"] == "redis:7"
    assert services["nginx"]["image"].startswith("nginx:")
    assert services["migrate"]["command"] == ["agenta", "migrate"]
    assert services["api"]["command"] == ["agenta", "serve", "--host", "0.0.0.0", "--workers", "2"]
    assert services["worker"]["command"] == ["agenta", "worker"]
    assert all(services[name]["build"] == "." for name in APP_SERVICES)


def test_every_command_in_compose_and_the_image_is_one_the_cli_accepts() -> None:
    services = load_compose()["services"]
    commands = [services[name]["command"] for name in APP_SERVICES]
    commands.append(services["worker"]["healthcheck"]["test"][1:])
    commands.append(json.loads(instruction("CMD")[-1]))
    parser = build_parser()
    for command in commands:
        assert command[0] == "agenta", command
        try:
            parser.parse_args(command[1:])
        except SystemExit:
            pytest.fail(f"the agenta CLI rejects {shlex.join(command)}")


def test_compose_starts_services_only_once_their_dependencies_are_ready() -> None:
    services = load_compose()["services"]
    assert "healthcheck" in services["postgres"]
    assert "healthcheck" in services["redis"]

    def conditions(name: str) -> dict[str, str]:
        return {dep: spec["condition"] for dep, spec in services[name]["depends_on"].items()}

    ready = {
        "migrate": "service_completed_successfully",
        "postgres": "service_healthy",
        "redis": "service_healthy",
    }
    assert conditions("migrate") == {"postgres": "service_healthy"}
    assert conditions("api") == ready
    assert conditions("worker") == ready
    assert conditions("nginx") == {"api": "service_healthy"}


def test_compose_shares_one_agenta_environment_across_app_services() -> None:
    compose = load_compose()
    shared = compose["x-agenta-env"]
    for name in APP_SERVICES:
        assert shared.items() <= compose["services"][name]["environment"].items(), name


def test_compose_environment_is_accepted_by_the_settings() -> None:
    for name in APP_SERVICES:
        env = app_environment(name, {"AGENTA_SECRET_KEY": SECRET})
        recording = RecordingEnviron(env)
        settings = Settings.from_env(recording)
        assert settings.database_url.startswith("postgresql+psycopg://")
        assert settings.redis_url == "redis://redis:6379/0"
        assert settings.secret_key == SECRET
        undocumented = {key for key in env if key.startswith("AGENTA_")} - recording.looked_up
        assert not undocumented, f"{name} sets variables the settings never read: {undocumented}"


def test_compose_refuses_to_start_without_a_secret_key() -> None:
    with pytest.raises(ValueError, match="set AGENTA_SECRET_KEY"):
        app_environment("api", {})


def test_compose_mounts_the_site_where_nginx_finds_its_include() -> None:
    nginx = load_compose()["services"]["nginx"]
    mounts = dict(volume.removesuffix(":ro").split(":") for volume in nginx["volumes"])
    site = (REPO_ROOT / "deploy/nginx/agenta.conf").read_text()
    include = re.search(r"^include (\S+);", site, re.MULTILINE)
    assert include is not None, "agenta.conf does not include its upstream"
    assert mounts["./deploy/nginx/upstream.conf"] == f"/etc/nginx/{include[1]}"
    assert mounts["./deploy/nginx/agenta.conf"].startswith("/etc/nginx/conf.d/")
    assert all((REPO_ROOT / source).is_file() for source in mounts)
    assert nginx["ports"] == ["${HTTP_PORT:-80}:80"]


# Dockerfile


def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    text = (REPO_ROOT / "Dockerfile").read_text()
    logical = re.sub(r"\\\n\s*", " ", text)
    lines = [line.strip() for line in logical.splitlines()]
    pairs = [line.split(maxsplit=1) for line in lines if line and not line.startswith("#")]
    return [(pair[0].upper(), pair[1] if len(pair) > 1 else "") for pair in pairs]


def instruction(name: str) -> list[str]:
    return [arguments for keyword, arguments in dockerfile() if keyword == name]


def image_env() -> dict[str, str]:
    pairs = [token.split("=", 1) for args in instruction("ENV") for token in shlex.split(args)]
    return dict(pairs)


def test_image_is_python_3_11_slim_and_runs_as_an_unprivileged_user() -> None:
    assert all(base.split()[0] == "python:3.11-slim" for base in instruction("FROM"))
    users = instruction("USER")
    assert users, "the image never leaves root"
    assert users[-1] not in {"root", "0"}
    assert any("useradd" in run and users[-1] in run for run in instruction("RUN"))


def test_image_serves_the_app_by_default_on_port_8000() -> None:
    assert json.loads(instruction("CMD")[-1]) == ["agenta", "serve", "--host", "0.0.0.0"]
    assert instruction("EXPOSE") == ["8000"]


def test_image_keeps_its_data_on_a_volume() -> None:
    data_dir = image_env()["AGENTA_DATA_DIR"]
    assert json.loads(instruction("VOLUME")[-1]) == [data_dir]
    assert load_compose()["x-agenta-env"]["AGENTA_DATA_DIR"] == data_dir


def test_image_installs_without_a_pip_cache() -> None:
    installs = [run for run in instruction("RUN") if "pip install" in run]
    assert installs
    assert all("--no-cache-dir" in run for run in installs)


def test_image_health_check_probes_health_on_the_app_port(upstream: EchoUpstream) -> None:
    (healthcheck,) = instruction("HEALTHCHECK")
    command = healthcheck.split(" CMD ", 1)[1]
    assert "/health" in command
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    port = upstream.address.rsplit(":", 1)[1]
    up = subprocess.run(["sh", "-c", command], env={**env, "AGENTA_PORT": port}, timeout=10)
    down = subprocess.run(
        ["sh", "-c", command], env={**env, "AGENTA_PORT": str(free_port())}, timeout=10
    )
    assert up.returncode == 0
    assert down.returncode != 0


def test_docker_context_keeps_the_source_and_leaves_out_local_state() -> None:
    patterns = (REPO_ROOT / ".dockerignore").read_text().splitlines()
    patterns = [line.strip() for line in patterns if line.strip() and not line.startswith("#")]

    def ignored(name: str) -> bool:
        return any(fnmatch.fnmatch(name, pattern.removeprefix("**/")) for pattern in patterns)

    assert not any(ignored(name) for name in ("agenta", "migrations", "pyproject.toml"))
    assert all(ignored(name) for name in (".git", ".venv", ".env", ".agenta"))
