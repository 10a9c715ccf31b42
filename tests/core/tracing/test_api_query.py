"""The read API: queries, the SDK's read-back shapes, sessions, users, dashboard, access."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from agenta.core.tracing.store import write_spans
from agenta.platform import Platform
from tests.core.tracing.storage_support import EPOCH, llm_trace
from tests.support.accounts import Persona, api_headers


@pytest.fixture
async def two_traces(platform: Platform, owner: Persona) -> list[str]:
    """An older successful trace in session s-1 and a newer failed one in s-2."""
    first = llm_trace(at=EPOCH, root_attributes={"ag.session.id": "s-1", "ag.user.id": "ada"})
    second = llm_trace(
        at=EPOCH + timedelta(minutes=5),
        error_child=True,
        root_attributes={"ag.session.id": "s-2", "ag.user.id": "ada"},
    )
    async with platform.db.session() as session:
        await write_spans(session, owner.project_id, first)
        await write_spans(session, owner.project_id, second)
    return [first[0].trace_id, second[0].trace_id]


async def post(client: AsyncTestClient[Any], persona: Persona, path: str, body: Any) -> Any:
    assert persona.api_key is not None
    response = await client.post(path, json=body, headers=api_headers(persona.api_key))
    assert response.status_code == 200, response.text
    return response.json()


async def test_spans_query_pages_flat_spans(client, owner, two_traces) -> None:
    body = await post(client, owner, "/api/spans/query", {"windowing": {"limit": 4}})

    assert body["count"] == 4
    assert body["windowing"]["next"] is not None
    rest = await post(
        client,
        owner,
        "/api/spans/query",
        {"windowing": {"limit": 4, "next": body["windowing"]["next"]}},
    )
    assert rest["count"] == 2 and rest["windowing"]["next"] is None
    ids = {span["span_id"] for span in body["spans"] + rest["spans"]}
    assert len(ids) == 6


async def test_traces_query_returns_trees_of_the_matching_traces(client, owner, two_traces) -> None:
    body = await post(client, owner, "/api/traces/query", {"filters": {"status": "error"}})

    assert body["count"] == 1
    [trace] = body["traces"]
    assert trace["trace_id"] == two_traces[1]
    root = trace["spans"]["generate"]
    assert set(root["spans"]) == {"chat-0", "chat-1"}
    assert root["attributes"]["ag"]["metrics"]["errors"]["cumulative"] == 1


async def test_the_summary_format_gives_root_spans(client, owner, two_traces) -> None:
    body = await post(client, owner, "/api/traces/query", {"formatting": {"format": "summary"}})

    assert [trace["trace_id"] for trace in body["traces"]] == two_traces[::-1]
    assert all(trace["parent_id"] is None for trace in body["traces"])


async def test_the_sdk_read_backs_nest_attributes_root_first(client, owner, two_traces) -> None:
    headers = api_headers(owner.api_key or "")
    generated = (await client.get(f"/api/traces/{two_traces[0]}", headers=headers)).json()
    tracing = (await client.get(f"/api/tracing/traces/{two_traces[0]}", headers=headers)).json()

    assert generated["count"] == 1
    assert list(generated["trace"]["spans"]) == ["generate"]
    spans = tracing["traces"][two_traces[0]]["spans"]
    assert next(iter(spans)) == "generate"
    assert spans["generate"]["attributes"]["ag"]["data"]["outputs"] == {"__default__": "Paris"}


async def test_a_trace_not_stored_yet_is_not_found(client, owner) -> None:
    response = await client.get(
        "/api/tracing/traces/0af7651916cd43dd8448eb211c80319c",
        headers=api_headers(owner.api_key or ""),
    )

    assert response.status_code == 404


async def test_sessions_and_users_are_summarised(client, owner, two_traces) -> None:
    sessions = await post(client, owner, "/api/spans/sessions/query", {})
    users = await post(client, owner, "/api/spans/users/query", {})

    assert [(s["session_id"], s["errors"]) for s in sessions["sessions"]] == [
        ("s-2", 1),
        ("s-1", 0),
    ]
    assert [(u["user_id"], u["traces"], u["tokens"]) for u in users["users"]] == [("ada", 2, 60)]


async def test_the_dashboard_answers_buckets(client, owner, two_traces) -> None:
    window = {
        "oldest": EPOCH.isoformat(),
        "newest": (EPOCH + timedelta(minutes=10)).isoformat(),
        "interval": 5,
    }
    body = await post(client, owner, "/api/spans/analytics/query", {"windowing": window})

    assert [(b["requests"], b["errors"]) for b in body["buckets"]] == [(1, 0), (1, 1)]
    assert body["buckets"][0]["latency"]["p50"] == pytest.approx(3000.0)


async def test_a_bad_filter_is_a_400_naming_it(client, owner) -> None:
    response = await client.post(
        "/api/traces/query",
        json={"filters": {"colour": "red"}},
        headers=api_headers(owner.api_key or ""),
    )

    assert response.status_code == 400
    assert "colour" in response.json()["message"]


async def test_an_outsider_cannot_read_the_owners_traces(client, outsider, two_traces) -> None:
    headers = api_headers(outsider.api_key or "")
    listed = await post(client, outsider, "/api/traces/query", {})
    read = await client.get(f"/api/traces/{two_traces[0]}", headers=headers)

    assert listed["count"] == 0
    assert read.status_code == 404


async def test_reading_traces_needs_credentials(client) -> None:
    response = await client.get("/api/traces/0af7651916cd43dd8448eb211c80319c")

    assert response.status_code == 401
