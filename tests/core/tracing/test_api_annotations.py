"""Annotations: create, read, edit, delete and query, in both of Agenta's API shapes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from agenta.core.tracing.store import write_spans
from agenta.platform import Platform
from tests.core.tracing.storage_support import llm_trace
from tests.support.accounts import Persona, api_headers


@pytest.fixture
async def invocation(platform: Platform, owner: Persona) -> dict[str, str]:
    """A stored trace to annotate: its trace id, root span id and a child span id."""
    spans = llm_trace()
    async with platform.db.session() as session:
        await write_spans(session, owner.project_id, spans)
    return {"trace_id": spans[0].trace_id, "root": spans[0].span_id, "child": spans[1].span_id}


def feedback(trace_id: str, span_id: str | None = None, score: float = 1.0) -> dict[str, Any]:
    link: dict[str, Any] = {"trace_id": trace_id}
    if span_id:
        link["span_id"] = span_id
    return {
        "annotation": {
            "origin": "human",
            "kind": "adhoc",
            "channel": "web",
            "data": {"outputs": {"score": score, "comment": "spot on"}},
            "references": {"evaluator": {"slug": "helpfulness"}},
            "links": {"invocation": link},
            "meta": {"reviewer": "ada"},
        }
    }


class Api:
    """The test client speaking as one persona."""

    def __init__(self, client: AsyncTestClient[Any], persona: Persona) -> None:
        self.client = client
        self.headers = api_headers(persona.api_key or "")

    async def call(self, method: str, path: str, body: Any = None, status: int = 200) -> Any:
        response = await self.client.request(method, path, json=body, headers=self.headers)
        assert response.status_code == status, response.text
        return response.json()


@pytest.fixture
def api(client: AsyncTestClient[Any], owner: Persona) -> Api:
    return Api(client, owner)


async def test_an_annotation_of_a_span_is_created_and_read_back(api: Api, invocation) -> None:
    created = await api.call(
        "POST", "/api/annotations/", feedback(invocation["trace_id"], invocation["child"])
    )

    annotation = created["annotation"]
    assert created["count"] == 1
    assert (annotation["origin"], annotation["kind"], annotation["channel"]) == (
        "human",
        "adhoc",
        "web",
    )
    assert annotation["data"] == {"outputs": {"score": 1.0, "comment": "spot on"}}
    assert annotation["references"] == {"evaluator": {"slug": "helpfulness"}}
    assert annotation["links"]["invocation"]["span_id"] == invocation["child"]
    read = await api.call("GET", f"/api/annotations/{annotation['trace_id']}")
    assert read["annotation"] == annotation


async def test_annotating_a_trace_links_its_root_span(api: Api, invocation) -> None:
    created = await api.call("POST", "/api/annotations/", feedback(invocation["trace_id"]))

    link = created["annotation"]["links"]["invocation"]
    assert (link["trace_id"], link["span_id"]) == (invocation["trace_id"], invocation["root"])


async def test_annotations_are_found_by_what_they_annotate(api: Api, invocation) -> None:
    await api.call("POST", "/api/annotations/", feedback(invocation["trace_id"], score=0.2))
    await api.call(
        "POST", "/api/annotations/", feedback(invocation["trace_id"], invocation["child"])
    )

    by_trace = await api.call(
        "POST",
        "/api/annotations/query",
        {"annotation_links": [{"trace_id": invocation["trace_id"]}]},
    )
    by_span = await api.call(
        "POST",
        "/api/annotations/query",
        {
            "annotation": {
                "links": {
                    "invocation": {
                        "trace_id": invocation["trace_id"],
                        "span_id": invocation["child"],
                    }
                }
            }
        },
    )
    by_evaluator = await api.call(
        "POST",
        "/api/annotations/query",
        {"annotation": {"references": {"evaluator": {"slug": "helpfulness"}}, "origin": "human"}},
    )
    none = await api.call("POST", "/api/annotations/query", {"annotation": {"origin": "auto"}})

    assert by_trace["count"] == 2
    assert by_span["count"] == 1
    assert by_evaluator["count"] == 2
    assert none["count"] == 0


async def test_an_annotation_is_edited_and_deleted(api: Api, invocation) -> None:
    created = (await api.call("POST", "/api/annotations/", feedback(invocation["trace_id"])))[
        "annotation"
    ]
    path = f"/api/annotations/{created['trace_id']}"

    edited = await api.call("PATCH", path, {"annotation": {"data": {"outputs": {"score": 0.0}}}})
    deleted = await api.call("DELETE", path)

    assert edited["annotation"]["data"] == {"outputs": {"score": 0.0}}
    assert edited["annotation"]["meta"] == {"reviewer": "ada"}
    assert deleted["annotation_link"]["trace_id"] == created["trace_id"]
    await api.call("GET", path, status=404)


async def test_the_simple_traces_shape_is_the_same_service(api: Api, invocation) -> None:
    body = {"trace": feedback(invocation["trace_id"])["annotation"]}

    created = await api.call("POST", "/api/simple/traces/", body)
    found = await api.call(
        "POST", "/api/simple/traces/query", {"links": [{"trace_id": invocation["trace_id"]}]}
    )

    assert created["trace"]["links"]["invocation"]["trace_id"] == invocation["trace_id"]
    assert [trace["trace_id"] for trace in found["traces"]] == [created["trace"]["trace_id"]]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"data": {}}, "data must be a non-empty object"),
        ({"origin": "robot"}, "origin must be one of"),
        ({"links": {"invocation": {"trace_id": "short"}}}, "32-hex trace id"),
        ({"links": {"invocation": {"trace_id": "ab" * 16}}}, "has no stored span yet"),
        (
            {"references": {"evaluator": {}}},
            "references.evaluator must be an object with an id or a slug",
        ),
    ],
)
async def test_a_bad_annotation_is_refused_with_the_reason(
    api: Api, invocation, change: dict[str, Any], message: str
) -> None:
    body = feedback(invocation["trace_id"])
    body["annotation"].update(change)

    refused = await api.call("POST", "/api/annotations/", body, status=400)

    assert message in refused["message"]


async def test_a_viewer_reads_but_cannot_annotate(
    client: AsyncTestClient[Any], api: Api, make_persona: Callable[..., Any], invocation
) -> None:
    created = (await api.call("POST", "/api/annotations/", feedback(invocation["trace_id"])))[
        "annotation"
    ]
    viewer = Api(client, await make_persona("viewer"))

    await viewer.call("GET", f"/api/annotations/{created['trace_id']}")
    await viewer.call("POST", "/api/annotations/", feedback(invocation["trace_id"]), status=403)


async def test_annotations_are_not_listed_as_requests(api: Api, invocation) -> None:
    await api.call("POST", "/api/annotations/", feedback(invocation["trace_id"]))

    invocations = await api.call(
        "POST", "/api/traces/query", {"filters": {"trace_type": "invocation"}}
    )

    assert [trace["trace_id"] for trace in invocations["traces"]] == [invocation["trace_id"]]
