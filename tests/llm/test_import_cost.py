"""Importing the LLM layer must not load the provider SDKs or Jinja2 (server start-up < 3 s)."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ["openai", "anthropic", "httpx2", "jinja2", "chevron", "pydantic"]


def test_importing_agenta_llm_loads_no_sdk_or_template_engine() -> None:
    script = (
        "import json, sys; import agenta.llm; "
        f"print(json.dumps([name for name in {HEAVY!r} if name in sys.modules]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert json.loads(result.stdout) == []
