"""Exporting every matching trace (all pages) as CSV or JSON Lines, streamed."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest

from agenta.core.tracing import export
from agenta.core.tracing.store import write_spans
from agenta.platform import Platform
from tests.core.tracing.storage_support import EPOCH, llm_trace
from tests.support.accounts import Persona, api_headers


@pytest.fixture
async def many_traces(platform: Platform, owner: Persona) -> list[str]:
    """Seven traces a minute apart; the last one failed and has a formula-like name."""
    traces = [llm_trace(at=EPOCH + timedelta(minutes=index), children=1) for index in range(6)]
    traces.append(
        llm_trace(
            at=EPOCH + timedelta(minutes=6),
            children=1,
            error_child=True,
            root_name="=HYPERLINK()",
            root_attributes={"ag.refs.application.slug": "geo-qa"},
        )
    )
    async with platform.db.session() as session:
        for spans in traces:
            await write_spans(session, owner.project_id, spans)
    return [spans[0].trace_id for spans in traces]


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(export, "EXPORT_PAGE", 2)  # so the export walks several pages


async def test_a_jsonl_export_holds_every_matching_trace_with_its_spans(
    client, owner, many_traces, small_pages
) -> None:
    response = await client.post(
        "/api/traces/export", json={"format": "jsonl"}, headers=api_headers(owner.api_key or "")
    )

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/x-ndjson")
    assert "attachment" in response.headers["content-disposition"]
    lines = [json.loads(line) for line in response.text.splitlines()]
    assert [line["trace_id"] for line in lines] == many_traces[::-1]
    assert all(len(line["spans"]) == 2 for line in lines)
    assert lines[0]["spans"][0]["parent_id"] is None


async def test_a_csv_export_has_one_row_per_trace(client, owner, many_traces, small_pages) -> None:
    response = await client.get(
        "/api/traces/export?format=csv&status=error", headers=api_headers(owner.api_key or "")
    )

    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 1
    [row] = rows
    assert row["trace_id"] == many_traces[-1]
    assert row["span_name"] == "'=HYPERLINK()"
    assert row["application"] == "geo-qa"
    assert row["errors"] == "1"
    assert json.loads(row["outputs"]) == {"__default__": "Paris"}


async def test_an_export_with_time_bounds_in_the_query_string(
    client, owner, many_traces, small_pages
) -> None:
    oldest = (EPOCH + timedelta(minutes=2)).isoformat().replace("+00:00", "Z")
    newest = (EPOCH + timedelta(minutes=4)).isoformat().replace("+00:00", "Z")

    response = await client.get(
        "/api/traces/export",
        params={"format": "csv", "oldest": oldest, "newest": newest},
        headers=api_headers(owner.api_key or ""),
    )

    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [row["trace_id"] for row in rows] == many_traces[4:1:-1]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("format=xml", "format must be one of"),
        ("format=csv&min_cost=lots", "min_cost must be a number"),
    ],
)
async def test_a_bad_export_request_is_refused(client, owner, query: str, message: str) -> None:
    response = await client.get(
        f"/api/traces/export?{query}", headers=api_headers(owner.api_key or "")
    )

    assert response.status_code == 400
    assert message in response.json()["message"]
