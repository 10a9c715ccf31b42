"""Our REST API: listing, archiving, history, commits, row pages, diffs and adding rows."""

from __future__ import annotations

from typing import Any

ROWS = [
    {"question": "France?", "correct_answer": "Paris"},
    {"question": "Japan?", "correct_answer": "Tokyo"},
    {"question": "Peru?", "correct_answer": "Lima"},
]


async def create(client: Any, name: str = "Capitals", rows: Any = ROWS) -> dict[str, Any]:
    response = await client.post("/api/testsets", json={"name": name, "rows": rows})
    assert response.status_code == 200, response.text
    return dict(response.json()["testset"])


async def commit(client: Any, testset_id: str, **body: Any) -> Any:
    return await client.post(f"/api/testsets/{testset_id}/revisions/commit", json=body)


async def test_test_sets_are_listed_newest_change_first_and_searchable(
    api: Any, owner: Any
) -> None:
    await create(api(owner), "Capitals")
    await create(api(owner), "Rivers")
    listed = (await api(owner).get("/api/testsets")).json()
    found = (await api(owner).get("/api/testsets", params={"search": "RIV"})).json()
    assert [t["name"] for t in listed["testsets"]] == ["Rivers", "Capitals"]
    assert [t["name"] for t in found["testsets"]] == ["Rivers"]
    assert found["testsets"][0]["row_count"] == 3


async def test_an_archived_test_set_leaves_the_list_but_still_resolves(
    api: Any, owner: Any
) -> None:
    testset = await create(api(owner))
    archived = await api(owner).post(f"/api/testsets/{testset['id']}/archive")
    listed = (await api(owner).get("/api/testsets")).json()["testsets"]
    everything = (await api(owner).get("/api/testsets", params={"include_archived": "true"})).json()
    read = await api(owner).get(f"/api/testsets/{testset['id']}")
    assert archived.json()["testset"]["archived"] is True
    assert listed == []
    assert [t["id"] for t in everything["testsets"]] == [testset["id"]]
    assert read.status_code == 200
    await api(owner).post(f"/api/testsets/{testset['id']}/unarchive")
    assert len((await api(owner).get("/api/testsets")).json()["testsets"]) == 1


async def test_a_test_set_can_be_renamed(api: Any, owner: Any) -> None:
    testset = await create(api(owner))
    response = await api(owner).client.patch(
        f"/api/testsets/{testset['id']}", json={"name": "World capitals"}, headers=owner.headers
    )
    assert response.json()["testset"]["name"] == "World capitals"


async def test_operations_commit_a_new_revision_with_its_message(api: Any, owner: Any) -> None:
    testset = await create(api(owner))
    operations = [
        {"op": "set_cell", "row": 1, "column": "correct_answer", "value": "Tōkyō"},
        {"op": "delete_row", "row": 2},
        {"op": "add_row", "data": {"question": "Chad?", "correct_answer": "N'Djamena"}},
        {"op": "rename_column", "column": "correct_answer", "to": "expected"},
    ]
    response = await commit(
        api(owner), testset["id"], base_version=1, message="tidy", operations=operations
    )
    assert response.status_code == 200, response.text
    revision = response.json()["revision"]
    rows = await api(owner).get(f"/api/testsets/{testset['id']}/revisions/2/rows")
    history = await api(owner).get(f"/api/testsets/{testset['id']}/revisions")
    assert (revision["version"], revision["message"]) == (2, "tidy")
    assert (revision["columns"], revision["answer_column"]) == (
        ["question", "expected"],
        "expected",
    )
    assert [row["data"] for row in rows.json()["rows"]] == [
        {"question": "France?", "expected": "Paris"},
        {"question": "Japan?", "expected": "Tōkyō"},
        {"question": "Chad?", "expected": "N'Djamena"},
    ]
    assert [r["version"] for r in history.json()["revisions"]] == [2, 1]


async def test_a_commit_on_an_old_version_is_a_conflict(api: Any, owner: Any) -> None:
    testset = await create(api(owner))
    delete = [{"op": "delete_row", "row": 0}]
    await commit(api(owner), testset["id"], base_version=1, operations=delete)
    response = await commit(api(owner), testset["id"], base_version=1, operations=delete)
    assert response.status_code == 409
    assert "version 2 is the latest" in response.json()["message"]


async def test_a_bad_operation_is_refused_with_its_number(api: Any, owner: Any) -> None:
    testset = await create(api(owner))
    operations = [{"op": "delete_row", "row": 0}, {"op": "set_cell", "row": 9, "column": "x"}]
    response = await commit(api(owner), testset["id"], base_version=1, operations=operations)
    assert response.status_code == 400
    assert response.json()["message"].startswith("Operation 2: ")


async def test_whole_rows_can_replace_a_revision(api: Any, owner: Any) -> None:
    testset = await create(api(owner))
    response = await commit(
        api(owner), testset["id"], base_version=1, rows=[{"q": "only"}], columns=["q", "a"]
    )
    assert response.status_code == 200, response.text
    assert response.json()["revision"]["columns"] == ["q", "a"]
    assert response.json()["revision"]["row_count"] == 1


async def test_rows_are_paged_and_searched(api: Any, owner: Any) -> None:
    rows = [{"n": f"row {number}"} for number in range(120)]
    testset = await create(api(owner), rows=rows)
    base = f"/api/testsets/{testset['id']}/revisions/latest/rows"
    page = (await api(owner).get(base, params={"offset": 100, "limit": 50})).json()
    found = (await api(owner).get(base, params={"search": "row 11", "limit": 5})).json()
    assert [row["position"] for row in page["rows"]] == list(range(100, 120))
    assert page["next_offset"] is None
    assert [row["data"]["n"] for row in found["rows"]] == [
        f"row {n}" for n in (11, 110, 111, 112, 113)
    ]
    assert found["next_offset"] == 5


async def test_the_diff_reports_changed_added_removed_rows_and_renamed_columns(
    api: Any, owner: Any
) -> None:
    testset = await create(api(owner))
    operations = [
        {"op": "set_cell", "row": 0, "column": "correct_answer", "value": "Paris!"},
        {"op": "delete_row", "row": 1},
        {"op": "add_row", "data": {"question": "Chad?"}},
        {"op": "rename_column", "column": "question", "to": "prompt"},
    ]
    await commit(api(owner), testset["id"], base_version=1, operations=operations)
    response = await api(owner).get(
        f"/api/testsets/{testset['id']}/diff", params={"from_version": 1, "to_version": 2}
    )
    diff = response.json()["diff"]
    assert diff["counts"] == {"added": 1, "removed": 1, "changed": 1, "unchanged": 1}
    assert diff["renamed_columns"] == {"question": "prompt"}
    assert diff["changed_rows"][0]["columns"] == ["correct_answer"]


async def test_rows_from_traces_are_mapped_and_appended(api: Any, owner: Any) -> None:
    testset = await create(api(owner))
    spans = [{"inputs": {"question": "Chad?"}, "outputs": "N'Djamena"}]
    response = await api(owner).post(
        "/api/testsets/rows/add",
        json={
            "testset_id": testset["id"],
            "rows": spans,
            "mapping": {"question": "inputs.question", "correct_answer": "outputs"},
        },
    )
    assert response.status_code == 200, response.text
    assert response.json()["revision"]["row_count"] == 4
    assert response.json()["revision"]["message"] == "Added 1 row"


async def test_adding_rows_needs_a_test_set_or_a_name(api: Any, owner: Any) -> None:
    response = await api(owner).post("/api/testsets/rows/add", json={"rows": [{"a": "1"}]})
    assert response.status_code == 400
    assert "testset_id" in response.json()["message"]


async def test_a_viewer_reads_but_cannot_commit(api: Any, owner: Any, make_persona: Any) -> None:
    testset = await create(api(owner))
    viewer = await make_persona("viewer")
    read = await api(viewer).get(f"/api/testsets/{testset['id']}/revisions/1/rows")
    refused = await commit(
        api(viewer), testset["id"], base_version=1, operations=[{"op": "delete_row", "row": 0}]
    )
    assert read.status_code == 200
    assert refused.status_code == 403
    assert "edit_testsets" in refused.json()["message"]


async def test_an_editor_can_commit(api: Any, owner: Any, make_persona: Any) -> None:
    testset = await create(api(owner))
    editor = await make_persona("editor")
    response = await commit(
        api(editor), testset["id"], base_version=1, operations=[{"op": "delete_row", "row": 0}]
    )
    assert response.status_code == 200, response.text
