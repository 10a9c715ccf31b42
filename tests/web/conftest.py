"""Fixtures of the page tests: ``server``, a real ``agenta serve`` for the Chromium tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.processes import ServerProcess, served
from tests.support.services import require


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    """``agenta serve`` on a fresh embedded data folder, for a browser to drive."""
    require("chromium")
    with served(tmp_path) as process:
        yield process
