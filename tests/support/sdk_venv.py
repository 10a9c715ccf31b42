"""The official ``agenta`` SDK from PyPI, installed in a virtual environment of its own.

The SDK is a separate distribution with the same import name as our package, so it can never
share the suite's interpreter: it lives in a venv under ``~/.cache/agenta-tests`` keyed by its
version (``sdk-venv-0.125.1``), built once and reused by later runs. A marker file is written
only after a complete install, so an interrupted build is redone; a file lock keeps parallel
xdist workers from building it twice.

Scripts run with ``run_sdk_script``: the script file sits in its own folder (so ``sys.path[0]``
never points at our checkout), ``PYTHONPATH`` is cleared, and ``LITELLM_LOCAL_MODEL_COST_MAP``
stops litellm from trying to download its price list at import time.

``SdkUnavailable`` says why the venv could not be built (PyPI unreachable, most likely); tests
skip on it unless ``AGENTA_TEST_REQUIRE_SERVICES=1``.
"""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.services import services_required

SDK_VERSION = "0.125.1"
INSTALL_TIMEOUT_SECONDS = 900
MARKER = ".agenta-sdk-complete"


class SdkUnavailable(RuntimeError):
    """The SDK's virtual environment could not be built; the message says why."""


def cache_dir() -> Path:
    root = os.environ.get("AGENTA_TEST_CACHE_DIR")
    return Path(root) if root else Path.home() / ".cache" / "agenta-tests"


def venv_dir(version: str = SDK_VERSION) -> Path:
    return cache_dir() / f"sdk-venv-{version}"


def venv_python(venv: Path) -> Path:
    return venv / "bin" / "python"


def ensure_sdk_venv(version: str = SDK_VERSION) -> Path:
    """The python of a venv holding ``agenta==version``; builds it on first use."""
    venv = venv_dir(version)
    venv.parent.mkdir(parents=True, exist_ok=True)
    with open(venv.parent / f".sdk-venv-{version}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (venv / MARKER).exists():
            _build(venv, version)
    return venv_python(venv)


def _build(venv: Path, version: str) -> None:
    _run([sys.executable, "-m", "venv", "--clear", str(venv)], "create the SDK venv")
    pip = [str(venv_python(venv)), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    _run([*pip, f"agenta=={version}"], f"install agenta=={version} from PyPI")
    (venv / MARKER).write_text(version)


def _run(command: list[str], what: str) -> None:
    try:
        result = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=INSTALL_TIMEOUT_SECONDS,
            env=_clean_env(),
        )
    except subprocess.TimeoutExpired as exc:
        raise SdkUnavailable(f"could not {what}: timed out after {exc.timeout} s") from exc
    if result.returncode != 0:
        tail = (result.stderr or result.stdout).strip().splitlines()[-5:]
        raise SdkUnavailable(f"could not {what}: " + " | ".join(tail))


def _clean_env(**extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME"} and not key.startswith("AGENTA_")
    }
    env["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
    env.update(extra)
    return env


def require_sdk(version: str = SDK_VERSION) -> Path:
    """The SDK venv's python, or skip (fail when services are required) if it cannot be built."""
    try:
        return ensure_sdk_venv(version)
    except SdkUnavailable as exc:
        reason = f"the official agenta SDK is unavailable: {exc}"
        if services_required():
            pytest.fail(f"{reason} (required: AGENTA_TEST_REQUIRE_SERVICES=1)", pytrace=False)
        pytest.skip(reason)


def run_sdk_script(
    python: Path, script: str, workdir: Path, *, env: dict[str, str], timeout: float = 180
) -> dict[str, object]:
    """Run ``script`` with the SDK's python; it must print one JSON object as its last line."""
    folder = workdir / "sdk-script"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "script.py"
    path.write_text(script)
    result = subprocess.run(
        [str(python), str(path)],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=folder,
        env=_clean_env(**env),
    )
    if result.returncode != 0:
        raise AssertionError(
            f"the SDK script failed ({result.returncode}):\n{result.stdout[-3000:]}\n"
            f"{result.stderr[-5000:]}"
        )
    lines = [line for line in result.stdout.strip().splitlines() if line.strip()]
    if not lines:
        raise AssertionError(f"the SDK script printed nothing:\n{result.stderr[-3000:]}")
    return json.loads(lines[-1])  # type: ignore[no-any-return]
