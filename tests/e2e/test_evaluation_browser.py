"""Evaluations in Chromium against a real server: start a run from the form, watch its progress
bar move, run another, compare the two, and download the results.

The fake LLM server (its own process) answers after 100 ms and the runs go one row at a time, so
the progress bar is seen part-way before the run succeeds.
"""

from __future__ import annotations

import asyncio
import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import TEST_SECRET_KEY
from tests.core.evaluations.stack import FakeLLMProcess, Seeded, seed_project
from tests.support import databases
from tests.support.accounts import PASSWORD
from tests.support.browser import chromium_page
from tests.support.processes import ServerProcess, base_env
from tests.support.services import require

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROWS = 30


@pytest.fixture
def stack(sqlite_template: Path, tmp_path: Path) -> Iterator[tuple[ServerProcess, Seeded]]:
    require("chromium")
    database_url = databases.fresh_sqlite(sqlite_template, tmp_path)
    fake = FakeLLMProcess(tmp_path / "llm.log", latency=0.1).start()
    seeded = asyncio.run(seed_project(database_url, rows=ROWS, extra_apps={"nope": "no idea"}))
    env = base_env(
        AGENTA_DATA_DIR=str(tmp_path / "data"),
        AGENTA_DATABASE_URL=database_url,
        AGENTA_SECRET_KEY=TEST_SECRET_KEY,
        AGENTA_LOG_LEVEL="WARNING",
        AGENTA_HTMX_CDN_URL="off",
        **fake.env(),
    )
    server = ServerProcess(env, tmp_path / "serve.log").start()
    try:
        server.wait_ready()
        yield server, seeded
    finally:
        server.stop()
        fake.stop()


async def start_run(page: Any, url: str, app: str) -> str:
    """Fill the new-run form for ``app`` with both evaluators; returns the run page's URL."""
    await page.goto(url + "/evaluations")
    await page.get_by_role("link", name="New run").click()
    await page.wait_for_url("**/evaluations/new")
    boxes = page.locator('input[name="revision_ids"]')
    for index in range(await boxes.count()):
        label = await page.locator("fieldset.choices label").nth(index).inner_text()
        await boxes.nth(index).set_checked(label.strip().startswith(f"{app} /"))
    await page.get_by_label("exact").check()
    await page.get_by_label("has-digit").check()
    await page.get_by_label("Concurrency").fill("1")
    await page.get_by_role("button", name="Start run").click()
    await page.wait_for_url(re.compile(r".*/evaluations/[0-9a-f-]{36}\?notice=.*"))
    return str(page.url).split("?")[0]


async def seen_progress(page: Any) -> list[str]:
    """Progress texts as the polling updates them, until the run succeeds."""
    seen: list[str] = []
    async with asyncio.timeout(60):
        while True:
            status = page.locator("#run-status")
            if await status.count() and await status.inner_text() == "succeeded":
                return seen
            text = page.locator("#progress-text")
            if await text.count():
                seen.append(await text.inner_text())
            await asyncio.sleep(0.2)


async def test_a_run_from_the_ui_shows_progress_compares_and_exports(
    stack: tuple[ServerProcess, Seeded],
) -> None:
    server, seeded = stack
    async with chromium_page(accept_downloads=True) as page:
        await page.goto(server.url + "/login?next=/evaluations")
        await page.get_by_label("E-mail").fill(seeded.persona.email)
        await page.get_by_label("Password").fill(PASSWORD)
        await page.get_by_role("button", name="Log in").click()
        await page.wait_for_url("**/evaluations")

        first = await start_run(page, server.url, "echo")
        progress = await seen_progress(page)
        assert any(not text.startswith("100.0%") for text in progress), progress
        await page.locator("#results-table").wait_for()
        assert await page.locator("tr[data-row]").count() == ROWS

        async with page.expect_download() as download_info:
            await page.locator("#export-csv").click()
        download = await download_info.value
        rows = list(csv.DictReader(io.StringIO(Path(await download.path()).read_text())))
        assert len(rows) == ROWS and rows[0]["output"] == "country 0"
        assert rows[0]["exact.success"] == "true"

        second = await start_run(page, server.url, "nope")
        await seen_progress(page)

        await page.goto(server.url + "/evaluations")
        for url in (first, second):
            await page.locator(f'input[value="{url.rsplit("/", 1)[1]}"]').check()
        await page.get_by_role("button", name="Compare selected").click()
        await page.wait_for_url("**/evaluations/compare?**")
        verdict = page.locator('tr[data-metric="exact"] [data-verdict]')
        # The baseline is the newest run ("nope", never right), so the echo run is better.
        assert await verdict.get_attribute("data-verdict") == "better"
        assert await page.locator("#comparison-rows tbody tr").count() == ROWS
