"""The official SDK's ``aevaluate`` against a real server: its run shows up like any other.

The SDK (from PyPI, in its own venv) creates a test set, upserts a Python application and a
Python evaluator, creates the run, mints scenarios, runs both functions locally, exports their
traces over OTLP, reads them back, posts every cell, refreshes metrics and closes the run. The
test then reads the run through our own API: every row has the application's output and the
evaluator's verdict, copied from the traces the SDK sent.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from agenta.db import Database
from tests.conftest import TEST_SECRET_KEY
from tests.support.accounts import make_user
from tests.support.processes import ServerProcess, base_env
from tests.support.sdk_venv import require_sdk, run_sdk_script

pytestmark = pytest.mark.slow

SCRIPT = """
import asyncio, json, os

import agenta as ag
from agenta.sdk.evaluations import aevaluate

ag.init(host=os.environ["SDK_TEST_HOST"], api_key=os.environ["SDK_TEST_API_KEY"])

CAPITALS = {"France": "Paris", "Japan": "Tokyo", "Peru": "Cusco"}


@ag.application(slug="capital-lookup", name="capital lookup")
async def capital(country: str):
    return CAPITALS.get(country, "unknown")


@ag.evaluator(slug="exact-capital", name="exact capital")
async def exact_capital(correct_answer: str, outputs):
    if isinstance(outputs, dict):
        outputs = outputs.get("__default__", outputs)
    ok = outputs == correct_answer
    return {"score": 1.0 if ok else 0.0, "success": ok}


async def main():
    testset = await ag.testsets.acreate(
        name="sdk capitals",
        data=[
            {"country": "France", "correct_answer": "Paris"},
            {"country": "Japan", "correct_answer": "Tokyo"},
            {"country": "Peru", "correct_answer": "Lima"},
        ],
    )
    result = await aevaluate(
        name="sdk run",
        testsets=[testset.id],
        applications=[capital],
        evaluators=[exact_capital],
    )
    ag.tracing.tracer_provider.force_flush()
    print(json.dumps({"run_id": str(result["run"].id), "scenarios": len(result["scenarios"])}))


asyncio.run(main())
"""


@pytest.fixture
def server(sqlite_url: str, tmp_path: Path) -> Iterator[ServerProcess]:
    env = base_env(
        AGENTA_DATA_DIR=str(tmp_path / "data"),
        AGENTA_DATABASE_URL=sqlite_url,
        AGENTA_SECRET_KEY=TEST_SECRET_KEY,
        AGENTA_LOG_LEVEL="WARNING",
    )
    process = ServerProcess(env, tmp_path / "serve.log").start()
    try:
        process.wait_ready()
        yield process
    finally:
        process.stop()


async def api_key_for(database_url: str) -> str:
    db = Database.unpooled(database_url)
    try:
        persona = await make_user(db, with_api_key=True)
    finally:
        await db.dispose()
    assert persona.api_key is not None
    return persona.api_key


async def read(server: ServerProcess, api_key: str, path: str) -> dict[str, Any]:
    headers = {"Authorization": f"ApiKey {api_key}"}
    async with httpx.AsyncClient(base_url=server.url, headers=headers, timeout=30) as http:
        response = await http.get(path)
        response.raise_for_status()
        return response.json()  # type: ignore[no-any-return]


async def test_aevaluate_runs_locally_and_its_run_shows_up_with_every_cell(
    server: ServerProcess, sqlite_url: str, tmp_path: Path
) -> None:
    python = require_sdk()
    api_key = await api_key_for(sqlite_url)

    outcome = await asyncio.to_thread(
        run_sdk_script,
        python,
        SCRIPT,
        tmp_path,
        env={"SDK_TEST_HOST": server.url, "SDK_TEST_API_KEY": api_key},
        timeout=300,
    )

    run_id = outcome["run_id"]
    assert outcome["scenarios"] == 3
    run = (await read(server, api_key, f"/api/evaluations/runs/{run_id}"))["run"]
    assert (run["status"], run["origin"]) == ("succeeded", "client")
    assert run["flags"]["is_closed"] is True
    results = await read(server, api_key, f"/api/evaluations/runs/{run_id}/results")
    rows = {row["inputs"]["country"]: row["entries"][0] for row in results["rows"] if row["inputs"]}
    assert {country: entry["invocation"]["output"] for country, entry in rows.items()} == {
        "France": "Paris",
        "Japan": "Tokyo",
        "Peru": "Cusco",
    }
    verdicts = {
        country: entry["evaluations"]["exact-capital"]["success"] for country, entry in rows.items()
    }
    assert verdicts == {"France": True, "Japan": True, "Peru": False}
    metrics = await read(server, api_key, f"/api/evaluations/runs/{run_id}/metrics")
    assert metrics["applications"][0]["evaluators"]["exact-capital"]["pass_rate"] == 2 / 3
