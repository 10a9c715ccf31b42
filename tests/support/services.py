"""Which outside services the suite can use, and what to do when one is missing.

Tests that need PostgreSQL, Redis, nginx or Chromium call ``require(name)``: it returns the
connection details, or skips the test with the reason. With ``AGENTA_TEST_REQUIRE_SERVICES=1``
(set by ``.ci/run``) a missing service fails the test instead, so CI cannot pass by skipping.
"""

from __future__ import annotations

import functools
import os
import shutil
import socket
from urllib.parse import urlparse

import pytest

POSTGRES_URL = os.environ.get(
    "AGENTA_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("AGENTA_TEST_REDIS_URL", "redis://127.0.0.1:6379")
CHROMIUM = os.environ.get("AGENTA_TEST_CHROMIUM", "/usr/bin/chromium")
NGINX = os.environ.get("AGENTA_TEST_NGINX", "/usr/sbin/nginx")


def services_required() -> bool:
    return os.environ.get("AGENTA_TEST_REQUIRE_SERVICES", "") in {"1", "true", "yes"}


@functools.cache
def _reachable(url: str) -> bool:
    parsed = urlparse(url.replace("+psycopg", ""))
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 0), 1):
            return True
    except OSError:
        return False


def availability(name: str) -> str | None:
    """None when the service is usable, else why not."""
    if name == "postgres":
        return None if _reachable(POSTGRES_URL) else f"PostgreSQL not reachable at {POSTGRES_URL}"
    if name == "redis":
        return None if _reachable(REDIS_URL) else f"Redis not reachable at {REDIS_URL}"
    if name == "chromium":
        return None if os.path.exists(CHROMIUM) else f"Chromium not installed at {CHROMIUM}"
    if name == "nginx":
        found = os.path.exists(NGINX) or shutil.which("nginx")
        return None if found else f"nginx not installed at {NGINX}"
    raise ValueError(f"unknown service {name!r}")


def require(name: str) -> None:
    """Skip (or, in CI, fail) the calling test when service ``name`` is missing."""
    reason = availability(name)
    if reason is None:
        return
    if services_required():
        pytest.fail(f"{reason} (required: AGENTA_TEST_REQUIRE_SERVICES=1)", pytrace=False)
    pytest.skip(reason)
