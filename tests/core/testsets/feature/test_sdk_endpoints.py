"""The endpoints the official SDK calls, with the exact paths, statuses and shapes it needs."""

from __future__ import annotations

import uuid
from typing import Any

from tests.support.accounts import api_headers

ROWS = [
    {"country": "France", "correct_answer": "Paris"},
    {"country": "Peru", "correct_answer": "Lima"},
]


def sdk_body(name: str = "Capitals", rows: Any = ROWS, **fields: Any) -> dict[str, Any]:
    slug = f"{name.lower().replace(' ', '-')}-{uuid.uuid4().hex[-12:]}"
    testcases = [{"data": row} for row in rows]
    return {"testset": {"slug": slug, "name": name, "data": {"testcases": testcases}, **fields}}


async def create(client: Any, **options: Any) -> dict[str, Any]:
    response = await client.post("/api/simple/testsets/", json=sdk_body(**options))
    assert response.status_code == 200, response.text
    return dict(response.json()["testset"])


async def retrieve(client: Any, **refs: Any) -> Any:
    return await client.post("/api/testsets/revisions/retrieve", json=refs)


async def test_creating_answers_200_with_uuid_ids_and_only_testcases_in_data(
    api: Any, owner: Any
) -> None:
    testset = await create(api(owner))
    uuid.UUID(testset["id"])
    assert set(testset["data"]) == {"testcases"}
    cases = testset["data"]["testcases"]
    assert [case["data"] for case in cases] == ROWS
    assert all(uuid.UUID(case["id"]) and case["testset_id"] == testset["id"] for case in cases)
    assert testset["flags"] == {"has_testcases": True, "has_traces": False}


async def test_retrieving_by_test_set_gives_the_latest_revision_with_a_string_version(
    api: Any, owner: Any
) -> None:
    testset = await create(api(owner))
    response = await retrieve(
        api(owner), testset_ref={"id": testset["id"]}, testset_revision_ref=None
    )
    assert response.status_code == 200
    revision = response.json()["testset_revision"]
    assert (revision["version"], revision["testset_id"]) == ("1", testset["id"])
    assert set(revision["data"]) == {"testcases"}
    assert [case["data"] for case in revision["data"]["testcases"]] == ROWS


async def test_retrieving_by_revision_id_or_slug_and_version_pins_that_revision(
    api: Any, owner: Any
) -> None:
    testset = await create(api(owner))
    await api(owner).put(
        f"/api/simple/testsets/{testset['id']}",
        json={"testset": {"id": testset["id"], "data": {"testcases": [{"data": {"a": "b"}}]}}},
    )
    first = (await retrieve(api(owner), testset_ref={"id": testset["id"]})).json()
    first_id = first["testset_revision"]["id"]
    by_id = await retrieve(api(owner), testset_revision_ref={"id": first_id})
    by_version = await retrieve(
        api(owner), testset_ref={"slug": testset["slug"]}, testset_revision_ref={"version": "1"}
    )
    assert first["testset_revision"]["version"] == "2"
    assert by_id.json()["testset_revision"]["version"] == "2"
    assert by_version.json()["testset_revision"]["data"]["testcases"][0]["data"] == ROWS[0]


async def test_retrieving_something_unknown_answers_200_with_nothing(api: Any, owner: Any) -> None:
    response = await retrieve(api(owner), testset_ref={"id": str(uuid.uuid4())})
    assert response.status_code == 200
    assert response.json() == {"count": 0, "testset_revision": None}


async def test_fetching_an_unknown_or_foreign_test_set_is_404(
    api: Any, owner: Any, outsider: Any
) -> None:
    testset = await create(api(owner))
    unknown = await api(owner).get(f"/api/simple/testsets/{uuid.uuid4()}")
    foreign = await api(outsider).get(f"/api/simple/testsets/{testset['id']}")
    assert (unknown.status_code, foreign.status_code) == (404, 404)


async def test_updating_with_new_rows_commits_and_with_the_same_rows_does_not(
    api: Any, owner: Any
) -> None:
    testset = await create(api(owner))
    path = f"/api/simple/testsets/{testset['id']}"
    same = {
        "testset": {"id": testset["id"], "name": "Capitals", "data": sdk_body()["testset"]["data"]}
    }
    unchanged = await api(owner).put(path, json=same)
    rows = [{"country": "Chad", "correct_answer": "N'Djamena"}]
    changed = await api(owner).put(
        path,
        json={
            "testset": {
                "id": testset["id"],
                "name": None,
                "data": sdk_body(rows=rows)["testset"]["data"],
            }
        },
    )
    assert unchanged.status_code == changed.status_code == 200
    assert unchanged.json()["testset"]["version"] == "1"
    assert changed.json()["testset"]["version"] == "2"
    assert changed.json()["testset"]["name"] == "Capitals"
    assert [case["data"] for case in changed.json()["testset"]["data"]["testcases"]] == rows


async def test_querying_by_name_matches_any_case_and_omits_rows(api: Any, owner: Any) -> None:
    await create(api(owner), name="World capitals")
    await create(api(owner), name="Rivers")
    everything = await api(owner).post("/api/simple/testsets/query", json={})
    by_name = await api(owner).post(
        "/api/simple/testsets/query", json={"testset": {"name": "CAPITAL"}}
    )
    assert everything.status_code == 200
    assert everything.json()["count"] == 2
    assert [t["name"] for t in by_name.json()["testsets"]] == ["World capitals"]
    assert "data" not in by_name.json()["testsets"][0]


async def test_the_generated_clients_bare_key_is_accepted(api: Any, owner: Any) -> None:
    testset = await create(api(owner))
    assert owner.api_key is not None
    response = await api(owner).client.get(
        f"/api/simple/testsets/{testset['id']}", headers=api_headers(owner.api_key, scheme="")
    )
    assert response.status_code == 200


async def test_bad_chat_rows_are_refused_with_the_testcase_number(api: Any, owner: Any) -> None:
    rows = [{"messages": [{"role": "user", "content": "Hi"}]}, {"messages": []}]
    response = await api(owner).post("/api/simple/testsets/", json=sdk_body(rows=rows))
    assert response.status_code == 422
    assert response.json()["details"]["problems"][0]["message"].startswith("testcase 2:")


async def test_tags_that_the_sdk_could_not_read_back_are_refused(api: Any, owner: Any) -> None:
    response = await api(owner).post("/api/simple/testsets/", json=sdk_body(tags={"n": 3}))
    assert response.status_code == 400
    assert "tags.n" in response.json()["message"]
