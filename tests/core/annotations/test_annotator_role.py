"""The annotator role: it can run every annotation workflow, and nothing beyond its permissions.

The workflows (a queue from a trace filter, reviews, an A/B queue over two revisions) are
driven end to end with an annotator's key. Then the whole route table is walked: every route of
the annotations and online evaluation features lets an annotator through its guard, and every
route needing a permission the role lacks refuses it with a 403 naming that permission.
"""

from __future__ import annotations

import asyncio
from typing import Any

from litestar.testing import AsyncTestClient

from agenta.core.access.permissions import ROLES, Permission
from agenta.platform import Platform
from tests.core.access.route_table import Endpoint, application_endpoints, fill_path
from tests.core.annotations.conftest import Factory, create_queue, next_item, results, review
from tests.core.annotations.traces import store_trace
from tests.support.account_fixtures import MakePersona
from tests.support.accounts import Persona

ANNOTATOR = ROLES["annotator"]
MINE = ("/api/annotations", "/annotations", "/api/online", "/online")


def test_an_annotator_is_a_viewer_who_may_also_edit_annotations_runs_and_spans() -> None:
    extra = {Permission.EDIT_ANNOTATIONS, Permission.EDIT_EVALUATION_RUNS, Permission.EDIT_SPANS}
    assert extra == ANNOTATOR - ROLES["viewer"]


async def test_an_annotator_creates_queues_and_reviews_traces_and_ab_pairs(
    client: AsyncTestClient[Any],
    platform: Platform,
    owner: Persona,
    make_persona: MakePersona,
    finished_run: Factory,
) -> None:
    annotator = await make_persona("annotator")
    await store_trace(platform.db, owner.project_id, error=True)
    traced = await create_queue(
        client,
        annotator,
        name="Mine",
        source={"type": "filter", "filters": {"status": "error"}},
    )
    item = await next_item(client, annotator, traced["id"])
    assert item is not None
    body = {"answers": {"quality-rating": {"approved": False}}}
    assert (await review(client, annotator, traced["id"], item["id"], **body)).status_code == 200

    run_id, (a, b) = await finished_run("{{correct_answer}}", "{{country}}")
    sides = {"a": {"run_id": str(run_id), "revision_id": str(a)}}
    sides["b"] = {"run_id": str(run_id), "revision_id": str(b)}
    paired = await create_queue(client, annotator, name="A/B", source={"type": "ab", **sides})
    pair = await next_item(client, annotator, paired["id"])
    assert pair is not None
    assert (
        await review(client, annotator, paired["id"], pair["id"], vote="tie")
    ).status_code == 200
    assert (await results(client, annotator, paired["id"]))["ab"]["overall"]["ties"] == 1


async def test_an_annotator_passes_every_guard_of_these_features_and_no_other_it_lacks(
    client: AsyncTestClient[Any], make_persona: MakePersona
) -> None:
    annotator = await make_persona("annotator")
    problems = []
    for endpoint in _guarded():
        lacking = [p for p in endpoint.rule.permissions if p not in ANNOTATOR]  # type: ignore[union-attr]
        if not lacking and not endpoint.path.startswith(MINE):
            continue
        response = await _call(client, endpoint, annotator)
        if lacking and response.status_code != 403:
            problems.append(f"{endpoint.label}: {response.status_code}, lacks {lacking[0]}")
        elif lacking and str(lacking[0]) not in response.text:
            problems.append(f"{endpoint.label}: the 403 does not name {lacking[0]}")
        elif not lacking and response.status_code in (401, 403):
            problems.append(f"{endpoint.label}: refused ({response.status_code})")
    assert any(e.path.startswith(MINE) for e in _guarded()), "the features' routes are missing"
    assert not problems, "\n".join(problems)


def _guarded() -> list[Endpoint]:
    return [
        endpoint
        for endpoint in application_endpoints()
        if endpoint.rule is not None
        and endpoint.rule.kind == "project"
        and endpoint.method not in ("ASGI", "WEBSOCKET")
    ]


async def _call(client: AsyncTestClient[Any], endpoint: Endpoint, persona: Persona) -> Any:
    options: dict[str, Any] = {"headers": persona.headers, "follow_redirects": False}
    if endpoint.method in {"POST", "PUT", "PATCH"}:
        options["json"] = {}
    url = fill_path(endpoint.path, {})
    return await asyncio.wait_for(client.request(endpoint.method, url, **options), 20)
