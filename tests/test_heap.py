"""The start-up heap of a serve process is frozen out of the garbage collector's way."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import TEST_SECRET_KEY
from tests.support.processes import base_env

# A fresh interpreter: freezing is for real processes, never for the one running the suite.
SCRIPT = """
import gc, sys
from agenta.app import create_app_from_env

assert gc.get_freeze_count() == 0
app = create_app_from_env()
frozen = gc.get_freeze_count()
assert frozen > 100_000, frozen  # modules, the app, the ORM, the provider SDK
assert "openai" in sys.modules and "agenta.core.evaluations.execution" in sys.modules
"""


def test_the_serve_factory_imports_what_jobs_use_then_freezes_the_start_up_heap(
    tmp_path: Path,
) -> None:
    env = base_env(AGENTA_DATA_DIR=str(tmp_path / "data"), AGENTA_SECRET_KEY=TEST_SECRET_KEY)
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
