"""The evaluation and evaluator pages, driven like a browser: forms, htmx partials, downloads."""

from __future__ import annotations

import asyncio
import csv
import io
import re
from collections.abc import Awaitable, Callable
from typing import Any

from litestar.testing import AsyncTestClient

from tests.core.evaluations import conftest as evaluation_fixtures
from tests.support.accounts import Persona, csrf_token, login_as

# The evaluation tests' fixtures: an app running its jobs against the fake LLM server, and
# factories of apps, test sets and evaluators.
client = evaluation_fixtures.client
provider_env = evaluation_fixtures.provider_env
make_app = evaluation_fixtures.make_app
make_testset = evaluation_fixtures.make_testset
make_evaluator = evaluation_fixtures.make_evaluator

Factory = Callable[..., Awaitable[Any]]
ANSWERING = {
    "messages": [{"role": "user", "content": "{{correct_answer}}"}],
    "template_format": "curly",
    "llm_config": {"model": "gpt-4o-mini"},
}


async def submit(client: AsyncTestClient[Any], path: str, data: dict[str, Any]) -> Any:
    return await client.post(path, data={"_csrf_token": await csrf_token(client), **data})


async def start_from_form(client: AsyncTestClient[Any], **data: Any) -> str:
    """Post the new-run form; returns the run's page path."""
    response = await submit(client, "/evaluations", data)
    assert response.status_code == 200, response.text
    path = str(response.url.path)
    assert re.fullmatch(r"/evaluations/[0-9a-f-]{36}", path), path
    return path


async def wait_for_status(client: AsyncTestClient[Any], path: str, status: str) -> str:
    async with asyncio.timeout(20):
        while f'id="run-status">{status}<' not in (page := (await client.get(path)).text):
            await asyncio.sleep(0.05)
    return page


async def test_a_run_started_from_the_form_shows_progress_aggregates_and_results(
    client: AsyncTestClient[Any],
    owner: Persona,
    make_app: Factory,
    make_testset: Factory,
    make_evaluator: Factory,
) -> None:
    revision = await make_app("capitals", ANSWERING)
    testset = await make_testset()
    exact = await make_evaluator("exact")
    await login_as(client, owner)

    form = await client.get("/evaluations/new")
    assert "capitals / " in form.text and "capitals v1 (3 rows)" in form.text
    path = await start_from_form(
        client,
        name="Capitals check",
        testset_revision_id=str(testset),
        revision_ids=str(revision),
        evaluator_ids=str(exact),
        repeats="1",
        concurrency="2",
    )
    page = await wait_for_status(client, path, "succeeded")

    assert "Capitals check" in page
    assert "100.0% · 6 / 6 cells" in page
    assert page.count('<tr data-row="') == 3
    assert '<th class="num" data-aggregate="exact">mean 1.000<br>pass 100.0%' in page
    listing = await client.get("/evaluations")
    assert "Capitals check" in listing.text and 'class="pill ok">succeeded' in listing.text


async def test_a_run_that_cannot_start_keeps_the_form_as_typed_and_starts_nothing(
    client: AsyncTestClient[Any],
    owner: Persona,
    make_app: Factory,
    make_testset: Factory,
    make_evaluator: Factory,
) -> None:
    first = await make_app("capitals", ANSWERING)
    second = await make_app("rivers", ANSWERING)
    testset = await make_testset()
    exact = await make_evaluator("exact")
    await login_as(client, owner)

    response = await submit(
        client,
        "/evaluations",
        {
            "name": "Nightly <check>",
            "testset_revision_id": str(testset),
            "revision_ids": str(second),
            "evaluator_ids": str(exact),
            "repeats": "3",
            "concurrency": "lots",
            "spend_cap": "0.5",
            "use_cache": "on",
        },
    )

    assert response.status_code == 422
    page = response.text
    assert re.search(r'id="form-error">concurrency must be a whole number', page)
    assert 'value="Nightly &lt;check&gt;"' in page
    assert f'<option value="{testset}" selected>' in page
    assert f'value="{second}" checked>' in page and f'value="{first}">' in page
    assert f'value="{exact}" checked>' in page
    assert 'name="repeats" value="3"' in page and 'name="spend_cap" value="0.5"' in page
    assert 'name="concurrency" value="lots"' in page and 'name="use_cache" checked>' in page
    assert "Nightly" not in (await client.get("/evaluations")).text


async def test_a_fresh_run_form_ticks_the_first_revision_with_the_default_numbers(
    client: AsyncTestClient[Any], owner: Persona, make_app: Factory, make_testset: Factory
) -> None:
    first = await make_app("capitals", ANSWERING)
    await make_testset()
    await login_as(client, owner)

    page = (await client.get("/evaluations/new")).text

    assert f'value="{first}" checked>' in page and 'id="form-error"' not in page
    assert 'name="repeats" value="1"' in page and 'name="concurrency" value="10"' in page


async def test_the_progress_partial_polls_until_the_run_ends_then_reloads_once(
    client: AsyncTestClient[Any], owner: Persona, make_app: Factory, make_testset: Factory
) -> None:
    await login_as(client, owner)
    path = await start_from_form(
        client, testset_revision_id=str(await make_testset()), revision_ids=str(await make_app())
    )
    await wait_for_status(client, path, "succeeded")

    live = await client.get(path + "/progress?live=1")
    settled = await client.get(path + "/progress")

    assert live.headers.get("hx-refresh") == "true"
    assert "hx-trigger" not in live.text
    assert "hx-refresh" not in settled.headers


async def test_results_filter_sort_and_export_from_the_run_page(
    client: AsyncTestClient[Any],
    owner: Persona,
    make_app: Factory,
    make_testset: Factory,
    make_evaluator: Factory,
) -> None:
    await login_as(client, owner)
    exact = await make_evaluator("exact")
    path = await start_from_form(
        client,
        testset_revision_id=str(await make_testset()),
        revision_ids=str(await make_app()),
        evaluator_ids=str(exact),
    )
    await wait_for_status(client, path, "succeeded")

    searched = await client.get(path + "/results?search=peru")
    failed = await client.get(path + f"/results?evaluator={exact}&verdict=fail")
    passed = await client.get(path + f"/results?evaluator={exact}&verdict=pass")
    descending = await client.get(path + "/results?order=desc")
    exported = await client.get(path + "/export?format=csv")

    assert searched.text.count('<tr data-row="') == 1 and "Peru" in searched.text
    assert failed.text.count('<tr data-row="') == 3  # the app echoes the country
    assert "No row matches" in passed.text
    assert re.findall(r'data-row="(\d)"', descending.text) == ["2", "1", "0"]
    assert exported.headers["content-disposition"].endswith('.csv"')
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [row["output"] for row in rows] == ["France", "Japan", "Peru"]


async def test_a_cell_opens_its_trace(
    client: AsyncTestClient[Any], owner: Persona, make_app: Factory, make_testset: Factory
) -> None:
    await login_as(client, owner)
    path = await start_from_form(
        client, testset_revision_id=str(await make_testset()), revision_ids=str(await make_app())
    )
    page = await wait_for_status(client, path, "succeeded")
    cell_path = re.search(r'href="(/evaluations/[^"]+/cells/[^"]+)" class="trace-link"', page)
    assert cell_path is not None

    cell = await client.get(cell_path.group(1))

    assert cell.status_code == 200
    assert 'data-span="completion"' in cell.text and 'data-span="llm"' in cell.text


async def test_two_runs_compare_with_a_verdict_per_metric(
    client: AsyncTestClient[Any],
    owner: Persona,
    make_app: Factory,
    make_testset: Factory,
    make_evaluator: Factory,
) -> None:
    await login_as(client, owner)
    testset = str(
        await make_testset([{"country": f"c{i}", "correct_answer": f"c{i}"} for i in range(12)])
    )
    exact = str(await make_evaluator("exact"))
    worse = await make_app(
        "shouting", {**ANSWERING, "messages": [{"role": "user", "content": "no"}]}
    )
    better = await make_app(
        "echo", {**ANSWERING, "messages": [{"role": "user", "content": "{{country}}"}]}
    )
    first = await start_from_form(
        client, testset_revision_id=testset, revision_ids=str(worse), evaluator_ids=exact
    )
    second = await start_from_form(
        client, testset_revision_id=testset, revision_ids=str(better), evaluator_ids=exact
    )
    await wait_for_status(client, first, "succeeded")
    await wait_for_status(client, second, "succeeded")

    ids = [first.rsplit("/", 1)[1], second.rsplit("/", 1)[1]]
    page = await client.get(f"/evaluations/compare?runs={ids[0]}&runs={ids[1]}")

    assert page.status_code == 200
    exact_row = page.text.split('data-metric="exact"')[1].split("</tr>")[0]
    assert 'data-verdict="better"' in exact_row
    assert "Δ 1.000" in exact_row


async def test_an_evaluator_is_configured_tried_and_versioned_from_its_pages(
    client: AsyncTestClient[Any], owner: Persona
) -> None:
    await login_as(client, owner)
    assert "Exact Match" in (await client.get("/evaluators")).text
    form = await client.get("/evaluators/new?key=auto_regex_test")
    assert 'name="setting.regex_pattern"' in form.text

    tried = await submit(
        client,
        "/evaluators/try",
        {
            "evaluator_key": "auto_regex_test",
            "setting.regex_pattern": "^Par",
            "try_inputs": '{"country": "France"}',
            "try_output": "Paris",
        },
    )
    created = await submit(
        client,
        "/evaluators",
        {"evaluator_key": "auto_regex_test", "slug": "starts-par", "setting.regex_pattern": "^P"},
    )
    updated = await submit(
        client,
        str(created.url.path),
        {"setting.regex_pattern": "^Q", "present.case_sensitive": "1", "message": "stricter"},
    )

    assert 'id="try-verdict">pass<' in tried.text
    assert "Evaluator saved" in created.text
    assert "Saved as version 2" in updated.text
    assert 'value="^Q"' in updated.text and "stricter" in updated.text


async def test_a_bad_setting_is_named_and_nothing_is_saved(
    client: AsyncTestClient[Any], owner: Persona
) -> None:
    await login_as(client, owner)
    response = await submit(
        client,
        "/evaluators",
        {"evaluator_key": "auto_regex_test", "slug": "broken", "setting.regex_pattern": "("},
    )
    assert "regex_pattern" in response.text
    assert "broken" not in (await client.get("/evaluators")).text


async def test_a_gate_is_set_from_its_page_and_shows_why_a_revision_is_blocked(
    client: AsyncTestClient[Any],
    owner: Persona,
    make_app: Factory,
    make_testset: Factory,
    make_evaluator: Factory,
) -> None:
    await login_as(client, owner)
    await make_app("support")
    testset, exact = await make_testset(), await make_evaluator("exact")
    gates = await client.get("/evaluations/gates")
    production = re.search(r'href="/evaluations/gates/([0-9a-f-]{36})">production<', gates.text)
    assert production is not None
    path = f"/evaluations/gates/{production.group(1)}"

    saved = await submit(
        client,
        path,
        {
            "testset_revision_id": str(testset),
            "evaluator_ids": str(exact),
            "thresholds": "exact.pass_rate=0.9",
            "enabled": "on",
        },
    )
    wrong = await submit(
        client,
        path,
        {"testset_revision_id": str(testset), "evaluator_ids": str(exact), "thresholds": "oops"},
    )

    assert "Gate saved" in saved.text
    assert 'class="pill bad">blocked<' in saved.text
    assert "no succeeded run evaluated this revision" in saved.text
    assert "thresholds line 1: expected metric=number, got &#39;oops&#39;" in wrong.text
