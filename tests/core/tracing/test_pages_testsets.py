"""Adding traces and spans to a test set from the explorer, and annotating a trace."""

from __future__ import annotations

import re
from typing import Any

from litestar.testing import AsyncTestClient

from agenta.core.testsets.revisions import get_revision
from agenta.core.testsets.storage import all_rows
from agenta.core.testsets.testsets import TestsetQuery, find_testsets
from agenta.core.tracing.annotations import AnnotationFilter, query_annotations
from agenta.core.tracing.span import Span
from agenta.core.tracing.store import write_spans
from agenta.platform import Platform
from tests.core.tracing.storage_support import llm_trace
from tests.support.account_fixtures import MakePersona
from tests.support.accounts import Persona, csrf_token, login_as

ADD = "/observability/testsets/add"


async def store(platform: Platform, persona: Persona, *traces: list[Span]) -> list[list[Span]]:
    async with platform.db.session() as session:
        for spans in traces:
            await write_spans(session, persona.project_id, spans)
    return list(traces)


async def submit(client: AsyncTestClient[Any], path: str, fields: dict[str, Any]) -> Any:
    return await client.post(path, data={"_csrf_token": await csrf_token(client), **fields})


async def rows_of(platform: Platform, persona: Persona, name: str) -> list[dict[str, Any]]:
    async with platform.db.session() as session:
        [testset] = await find_testsets(session, persona.project_id, TestsetQuery(name=name))
        revision = await get_revision(session, testset)
        return [row.data for row in await all_rows(session, revision.id)]


def capitals(country: str, answer: str) -> list[Span]:
    return llm_trace(
        root_attributes={
            "ag.data.inputs.country": country,
            "ag.data.outputs.__default__": answer,
        }
    )


async def test_the_form_suggests_columns_from_the_selected_traces(
    client: AsyncTestClient[Any], platform: Platform, owner: Persona
) -> None:
    [france, japan] = await store(
        platform, owner, capitals("France", "Paris"), capitals("Japan", "Tokyo")
    )
    await login_as(client, owner)

    page = await client.get(
        ADD, params=[("select", france[0].trace_id), ("select", japan[0].trace_id)]
    )

    assert page.status_code == 200
    assert "2 spans selected" in page.text
    assert re.findall(r'name="column" value="([^"]*)"', page.text) == [
        "country",
        "correct_answer",
        "",
        "",
    ]
    assert re.findall(r'name="path" value="([^"]*)"', page.text) == [
        "inputs.country",
        "outputs.__default__",  # how the SDK sends a plain return value
        "",
        "",
    ]
    assert "Tokyo" in page.text


async def test_two_traces_become_a_new_test_set_with_one_row_each(
    client: AsyncTestClient[Any], platform: Platform, owner: Persona
) -> None:
    traces = await store(platform, owner, capitals("France", "Paris"), capitals("Japan", "Tokyo"))
    await login_as(client, owner)

    done = await submit(
        client,
        ADD,
        {
            "select": [spans[0].trace_id for spans in traces],
            "column": ["country", "correct_answer", ""],
            "path": ["inputs.country", "outputs.__default__", ""],
            "target": "new",
            "name": "Capitals from traces",
        },
    )

    assert done.status_code == 200 and done.url.path.startswith("/testsets/")
    assert "Added 2 rows to test set Capitals from traces (revision 1)" in done.text
    assert await rows_of(platform, owner, "Capitals from traces") == [
        {"country": "France", "correct_answer": "Paris"},
        {"country": "Japan", "correct_answer": "Tokyo"},
    ]
    events = await client.get("/api/events", params={"type": "testset.committed"})
    [event] = events.json()["events"]
    assert (event["data"]["name"], event["data"]["version"]) == ("Capitals from traces", 1)
    assert event["actor"]["user_id"] == str(owner.user_id)


async def test_a_span_is_appended_to_an_existing_test_set(
    client: AsyncTestClient[Any], platform: Platform, owner: Persona
) -> None:
    [first, second] = await store(
        platform, owner, capitals("France", "Paris"), capitals("Peru", "Lima")
    )
    await login_as(client, owner)
    fields = {"column": ["country"], "path": ["inputs.country"], "target": "new", "name": "Grow"}
    await submit(client, ADD, {**fields, "select": first[0].trace_id})
    async with platform.db.session() as session:
        [testset] = await find_testsets(session, owner.project_id, TestsetQuery(name="Grow"))
    chat = second[1]

    done = await submit(
        client,
        ADD,
        {
            "select": f"{chat.trace_id}:{chat.span_id}",
            "column": ["country", "prompt"],
            "path": ["inputs.country", "inputs.prompt.0.content"],
            "target": "existing",
            "testset_id": str(testset.id),
        },
    )

    assert done.url.path == f"/testsets/{testset.id}"
    assert "Added 1 row to test set Grow (revision 2)" in done.text
    assert await rows_of(platform, owner, "Grow") == [
        {"country": "France"},
        {"prompt": "What is the capital of France?"},
    ]


async def test_a_refused_submission_shows_the_form_again_with_what_was_typed(
    client: AsyncTestClient[Any], platform: Platform, owner: Persona
) -> None:
    [trace] = await store(platform, owner, capitals("France", "Paris"))
    await login_as(client, owner)

    half = await submit(
        client,
        ADD,
        {
            "select": trace[0].trace_id,
            "column": ["country"],
            "path": [""],
            "target": "new",
            "name": "X",
        },
    )
    unnamed = await submit(
        client,
        ADD,
        {
            "select": trace[0].trace_id,
            "column": ["country"],
            "path": ["inputs.country"],
            "target": "new",
        },
    )

    assert half.status_code == 422
    assert (
        "Nothing was added: give both a column and a path (got &#39;country&#39; alone)"
        in half.text
    )
    assert 'name="name" value="X"' in half.text
    assert unnamed.status_code == 422 and "give the new test set a name" in unnamed.text
    async with platform.db.session() as session:
        assert await find_testsets(session, owner.project_id) == []


async def test_traces_of_another_project_cannot_be_added(
    client: AsyncTestClient[Any], platform: Platform, owner: Persona, outsider: Persona
) -> None:
    [foreign] = await store(platform, outsider, capitals("Secretland", "Hidden"))
    await login_as(client, owner)

    form = await client.get(ADD, params={"select": foreign[0].trace_id})
    done = await submit(
        client,
        ADD,
        {
            "select": foreign[0].trace_id,
            "column": ["c"],
            "path": ["inputs"],
            "target": "new",
            "name": "N",
        },
    )

    assert "Hidden" not in form.text and "are not stored in this project" in form.text
    assert done.status_code == 422
    assert "none of the selected traces is stored in this project" in done.text


async def test_a_viewer_cannot_open_the_form(
    client: AsyncTestClient[Any], platform: Platform, make_persona: MakePersona
) -> None:
    viewer = await make_persona("viewer")
    [trace] = await store(platform, viewer, capitals("France", "Paris"))
    await login_as(client, viewer)

    response = await client.get(ADD, params={"select": trace[0].trace_id})

    assert response.status_code == 403


async def test_annotating_a_span_shows_the_annotation_on_the_trace_page(
    client: AsyncTestClient[Any], platform: Platform, make_persona: MakePersona
) -> None:
    annotator = await make_persona("annotator")
    [trace] = await store(platform, annotator, capitals("France", "Paris"))
    trace_id, chat = trace[0].trace_id, trace[1]
    await login_as(client, annotator)
    path = f"/observability/traces/{trace_id}"

    done = await submit(
        client,
        f"{path}/annotate",
        {"span_id": chat.span_id, "score": "0.8", "label": "good", "comment": "<b>close</b>"},
    )

    assert done.status_code == 200 and done.url.path == path
    assert "Annotation saved" in done.text
    row = done.text.split('<tr data-annotation="')[1].split("</tr>")[0]
    assert "human-feedback" in row and "chat-0" in row and "0.8" in row and "good" in row
    assert "&lt;b&gt;close&lt;/b&gt;" in row
    async with platform.db.session() as session:
        [stored] = await query_annotations(
            session, annotator.project_id, AnnotationFilter(links=[{"trace_id": trace_id}])
        )
    assert (stored["origin"], stored["channel"]) == ("human", "web")
    assert stored["links"]["invocation"]["span_id"] == chat.span_id


async def test_an_empty_or_wrong_annotation_is_refused_with_a_reason(
    client: AsyncTestClient[Any], platform: Platform, owner: Persona
) -> None:
    [trace] = await store(platform, owner, capitals("France", "Paris"))
    await login_as(client, owner)
    path = f"/observability/traces/{trace[0].trace_id}/annotate"

    empty = await submit(client, path, {"score": "", "comment": " "})
    wrong = await submit(client, path, {"score": "high"})
    elsewhere = await submit(client, path, {"score": "1", "span_id": "f" * 16})

    assert "Not annotated: give a score, a label or a comment" in empty.text
    assert "Not annotated: score must be a number, got &#39;high&#39;" in wrong.text
    assert "Not annotated: the trace has no span &#39;ffffffffffffffff&#39;" in elsewhere.text
    assert "No annotations yet." in elsewhere.text


async def test_a_viewer_cannot_annotate(
    client: AsyncTestClient[Any], platform: Platform, make_persona: MakePersona
) -> None:
    viewer = await make_persona("viewer")
    [trace] = await store(platform, viewer, capitals("France", "Paris"))
    await login_as(client, viewer)

    response = await submit(
        client, f"/observability/traces/{trace[0].trace_id}/annotate", {"score": "1"}
    )

    assert response.status_code == 403
