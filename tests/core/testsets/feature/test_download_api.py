"""Downloading revisions: every format round-trips, old revisions stay downloadable."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest

ROWS = [
    {"question": "Capital of France?", "correct_answer": "Paris", "notes": "line one\nline two"},
    {"question": "¿Capital de Perú?", "correct_answer": "Lima 🌎", "notes": 'says "hi", twice'},
]


async def create(client: Any, rows: list[dict[str, Any]], name: str = "Capitals") -> str:
    response = await client.post("/api/testsets", json={"name": name, "rows": rows})
    assert response.status_code == 200, response.text
    return str(response.json()["testset"]["id"])


async def download(client: Any, testset_id: str, version: str = "latest", **params: Any) -> Any:
    response = await client.get(
        f"/api/testsets/{testset_id}/revisions/{version}/download", params=params
    )
    assert response.status_code == 200, response.text
    return response


async def test_a_csv_download_reads_back_as_the_same_rows(api: Any, owner: Any) -> None:
    testset_id = await create(api(owner), ROWS)
    response = await download(api(owner), testset_id, format="csv")
    assert response.headers["content-type"].startswith("text/csv")
    assert 'filename="Capitals-v1.csv"' in response.headers["content-disposition"]
    assert list(csv.DictReader(io.StringIO(response.text, newline=""))) == ROWS


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
async def test_json_downloads_keep_types_and_column_order(api: Any, owner: Any, fmt: str) -> None:
    rows = [{"b": 1, "a": [True, None], "c": {"x": "é"}}, {"b": 2.5}]
    testset_id = await create(api(owner), rows)
    text = (await download(api(owner), testset_id, format=fmt)).text
    read = json.loads(text) if fmt == "json" else [json.loads(line) for line in text.splitlines()]
    assert read == rows
    assert list(read[0]) == ["b", "a", "c"]


async def test_a_download_re_uploads_to_the_same_test_case_ids(api: Any, owner: Any) -> None:
    testset_id = await create(api(owner), ROWS)
    exported = (await download(api(owner), testset_id, format="csv", ids="true")).content
    assert exported.startswith(b"__id__,question")
    response = await api(owner).post(
        "/api/testsets/upload",
        files={"file": ("again.csv", exported, "text/csv")},
        data={"testset_id": testset_id},
    )
    assert response.status_code == 200, response.text
    pages = [
        await api(owner).get(f"/api/testsets/{testset_id}/revisions/{version}/rows")
        for version in (1, 2)
    ]
    first, second = ([row["id"] for row in page.json()["rows"]] for page in pages)
    assert first == second


async def test_an_older_revision_downloads_as_it_was(api: Any, owner: Any) -> None:
    testset_id = await create(api(owner), ROWS)
    edit = {"op": "set_cell", "row": 0, "column": "correct_answer", "value": "PARIS"}
    committed = await api(owner).post(
        f"/api/testsets/{testset_id}/revisions/commit",
        json={"base_version": 1, "message": "shout", "operations": [edit]},
    )
    assert committed.status_code == 200, committed.text
    old = await download(api(owner), testset_id, "1", format="jsonl")
    new = await download(api(owner), testset_id, "2", format="jsonl")
    assert json.loads(old.text.splitlines()[0])["correct_answer"] == "Paris"
    assert json.loads(new.text.splitlines()[0])["correct_answer"] == "PARIS"


async def test_an_excel_download_starts_with_a_byte_order_mark(api: Any, owner: Any) -> None:
    testset_id = await create(api(owner), ROWS)
    response = await download(api(owner), testset_id, format="csv", bom="true")
    assert response.content.startswith(b"\xef\xbb\xbfquestion,")


async def test_a_large_revision_streams_in_order(api: Any, owner: Any) -> None:
    rows = [{"n": str(number)} for number in range(5_000)]
    testset_id = await create(api(owner), rows)
    response = await download(api(owner), testset_id, format="jsonl")
    assert [json.loads(line)["n"] for line in response.text.splitlines()] == [
        str(number) for number in range(5_000)
    ]


async def test_an_empty_revision_downloads_as_its_header(api: Any, owner: Any) -> None:
    response = await api(owner).post("/api/testsets", json={"name": "Empty", "columns": ["q", "a"]})
    testset_id = response.json()["testset"]["id"]
    assert (await download(api(owner), testset_id, format="csv")).text == "q,a\r\n"
    assert (await download(api(owner), testset_id, format="json")).text == "[]\n"


@pytest.mark.parametrize(
    ("version", "params", "status"),
    [("1", {"format": "xlsx"}, 400), ("7", {}, 404), ("one", {}, 400)],
)
async def test_bad_download_requests_say_what_is_wrong(
    api: Any, owner: Any, version: str, params: dict[str, str], status: int
) -> None:
    testset_id = await create(api(owner), ROWS)
    response = await api(owner).get(
        f"/api/testsets/{testset_id}/revisions/{version}/download", params=params
    )
    assert response.status_code == status
    assert response.json()["message"]
