"""Uploading files through the API: real-world shapes are read, broken files change nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest

CSV_MIME = "text/csv"


async def upload(client: Any, content: bytes, filename: str = "set.csv", **fields: str) -> Any:
    return await client.post(
        "/api/testsets/upload", files={"file": (filename, content, CSV_MIME)}, data=fields
    )


async def all_rows(client: Any, testset_id: str, version: str = "latest") -> list[dict[str, Any]]:
    response = await client.get(
        f"/api/testsets/{testset_id}/revisions/{version}/rows", params={"limit": 1000}
    )
    assert response.status_code == 200, response.text
    return [row["data"] for row in response.json()["rows"]]


async def test_a_csv_upload_creates_a_test_set_named_after_the_file(api: Any, owner: Any) -> None:
    content = b"country,correct_answer\nFrance,Paris\nJapan,Tokyo\n"
    response = await upload(api(owner), content, "capitals.csv")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["testset"]["name"] == "capitals"
    assert body["revision"]["version"] == 1
    assert body["revision"]["message"] == "Imported 2 rows from capitals.csv"
    assert body["testset"]["columns"] == ["country", "correct_answer"]
    assert await all_rows(api(owner), body["testset"]["id"]) == [
        {"country": "France", "correct_answer": "Paris"},
        {"country": "Japan", "correct_answer": "Tokyo"},
    ]


async def test_an_excel_style_file_with_bom_semicolons_crlf_and_embedded_newlines_is_read(
    api: Any, owner: Any
) -> None:
    text = (
        "question;context;correct_answer\r\n"
        '"Capital of Côte d\'Ivoire?";"Two lines:\r\nfirst; second";Yamoussoukro\r\n'
        '"Quote ""this""";مصر 日本 🌍;"naïve, café"\r\n'
    )
    response = await upload(api(owner), b"\xef\xbb\xbf" + text.encode("utf-8"), "excel.csv")
    assert response.status_code == 200, response.text
    rows = await all_rows(api(owner), response.json()["testset"]["id"])
    assert rows == [
        {
            "question": "Capital of Côte d'Ivoire?",
            "context": "Two lines:\nfirst; second",
            "correct_answer": "Yamoussoukro",
        },
        {"question": 'Quote "this"', "context": "مصر 日本 🌍", "correct_answer": "naïve, café"},
    ]


async def test_json_and_json_lines_keep_value_types(api: Any, owner: Any) -> None:
    items = [{"q": "2+2", "n": 4, "ok": True, "tags": ["math"]}, {"q": "none", "n": None}]
    as_json = await upload(api(owner), json.dumps(items).encode(), "set.json")
    lines = "\n".join(json.dumps(item) for item in items).encode()
    as_jsonl = await upload(api(owner), lines, "set.jsonl")
    for response in (as_json, as_jsonl):
        assert response.status_code == 200, response.text
        assert await all_rows(api(owner), response.json()["testset"]["id"]) == items


async def test_a_chat_test_set_keeps_its_messages_as_a_list(api: Any, owner: Any) -> None:
    messages = json.dumps([{"role": "user", "content": "Hi"}]).replace('"', '""')
    content = f'messages,correct_answer\n"{messages}",Hello\n'.encode()
    response = await upload(api(owner), content)
    assert response.status_code == 200, response.text
    rows = await all_rows(api(owner), response.json()["testset"]["id"])
    assert rows[0]["messages"] == [{"role": "user", "content": "Hi"}]


BROKEN = {
    "ragged row": (b"a,b\n1,2\n3,4,5,6\n", "set.csv", 3),
    "unclosed quote": (b'a,b\n1,"open\n2,3\n', "set.csv", 2),
    "latin-1 bytes": ("a,b\nFran\xe7ais,1\n".encode("latin-1"), "set.csv", 2),
    "workbook": (b"PK\x03\x04\x14\x00\x00\x00", "set.xlsx", None),
    "bad chat messages": (b'messages\n"[{""role"": ""robot""}]"\n', "set.csv", 2),
    "json syntax": (b'[{"a": 1},\n {"a": }]', "set.json", 2),
    "NUL character": (b'[{"a": "x\\u0000y"}]', "set.json", None),
    "infinite number": (b'[{"a": 1e999}]', "set.json", None),
    "empty file": (b"", "set.csv", None),
}


@pytest.mark.parametrize("case", list(BROKEN))
async def test_a_broken_file_is_refused_with_the_line_and_reason_and_changes_nothing(
    api: Any, owner: Any, table_counts: Any, case: str
) -> None:
    content, filename, line = BROKEN[case]
    before = await table_counts()
    response = await upload(api(owner), content, filename)
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["message"].startswith("The file was not imported")
    problems = body["details"]["problems"]
    assert problems and problems[0]["message"]
    assert problems[0]["line"] == line
    assert await table_counts() == before


async def test_a_broken_file_for_an_existing_test_set_leaves_it_at_its_version(
    api: Any, owner: Any, table_counts: Any
) -> None:
    first = (await upload(api(owner), b"a\n1\n")).json()["testset"]
    before = await table_counts()
    response = await upload(api(owner), b"a,b\n1\n2,3,4\n", testset_id=first["id"])
    assert response.status_code == 422
    assert await table_counts() == before
    assert (await api(owner).get(f"/api/testsets/{first['id']}")).json()["testset"]["version"] == 1


async def test_a_good_file_for_an_existing_test_set_becomes_its_next_revision(
    api: Any, owner: Any
) -> None:
    first = (await upload(api(owner), b"a\n1\n")).json()["testset"]
    response = await upload(api(owner), b"a\n1\n2\n", testset_id=first["id"], message="more")
    assert response.status_code == 200, response.text
    assert response.json()["revision"]["version"] == 2
    assert response.json()["revision"]["message"] == "more"
    assert await all_rows(api(owner), first["id"]) == [{"a": "1"}, {"a": "2"}]


async def test_one_hundred_thousand_rows_import_in_one_upload(api: Any, owner: Any) -> None:
    lines = ["id,question,correct_answer"]
    lines += [f'{n},"Question {n}, with a comma",Answer {n} ✓' for n in range(100_000)]
    response = await upload(api(owner), "\n".join(lines).encode(), "big.csv")
    assert response.status_code == 200, response.text
    testset_id = response.json()["testset"]["id"]
    assert response.json()["revision"]["row_count"] == 100_000
    last = await api(owner).get(
        f"/api/testsets/{testset_id}/revisions/1/rows", params={"offset": 99_999}
    )
    assert last.json()["rows"][0]["data"]["id"] == "99999"
    assert last.json()["next_offset"] is None


async def test_a_file_over_the_size_limit_is_refused_before_it_is_read(
    make_settings: Any, make_client: Any, database_url: str, owner: Any
) -> None:
    small = make_settings(database_url, testset_max_bytes=1024)
    async with make_client(small) as client:
        response = await client.post(
            "/api/testsets/upload",
            files={"file": ("big.csv", b"a\n" + b"x\n" * 2_000_000, CSV_MIME)},
            headers=owner.headers,
        )
        just_over = await client.post(
            "/api/testsets/upload",
            files={"file": ("big.csv", b"a\n" + b"x\n" * 600, CSV_MIME)},
            headers=owner.headers,
        )
    assert response.status_code == 413
    assert just_over.status_code == 422
    assert "the limit is 1.0 KB" in just_over.json()["details"]["problems"][0]["message"]


async def test_a_file_with_more_rows_than_allowed_is_refused(
    make_settings: Any, make_client: Any, database_url: str, owner: Any
) -> None:
    async with make_client(make_settings(database_url, testset_max_rows=3)) as client:
        response = await client.post(
            "/api/testsets/upload",
            files={"file": ("set.csv", b"a\n1\n2\n3\n4\n", CSV_MIME)},
            headers=owner.headers,
        )
    assert response.status_code == 422
    assert "more than 3 rows" in response.json()["message"]


async def test_a_viewer_may_not_upload(api: Any, make_persona: Any) -> None:
    viewer = await make_persona("viewer")
    response = await upload(api(viewer), b"a\n1\n")
    assert response.status_code == 403


async def test_a_request_without_a_file_field_is_refused(api: Any, owner: Any) -> None:
    response = await api(owner).post("/api/testsets/upload", data={"name": "x"})
    assert response.status_code == 400
    assert 'field named "file"' in response.json()["message"]
