"""Every way of committing a test set revision reports one ``testset.committed`` per revision:
the REST API (create, commit rows or edits, upload, rows added), the SDK's endpoints and the
pages (create form, upload, editor)."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from tests.core.events.reported.conftest import Deliveries, activity
from tests.support.accounts import Persona, csrf_token, login_as

COMMITTED = "testset.committed"
ROWS = [{"question": "Capital of France?", "correct_answer": "Paris"}]
CSV = b"question,correct_answer\nCapital of Japan?,Tokyo\n"


async def ok(response: Any) -> dict[str, Any]:
    assert response.status_code in (200, 201), response.text
    return dict(response.json())


def versions(events: list[dict[str, Any]]) -> list[tuple[str, int]]:
    return [(event["data"]["testset_id"], event["data"]["version"]) for event in events]


async def test_each_commit_through_the_rest_api_is_reported_once_with_the_key_that_made_it(
    client: AsyncTestClient[Any],
    deliveries: Deliveries,
    owner: Persona,
) -> None:
    api = owner.headers
    body = {"name": "Capitals", "rows": ROWS}
    created = await ok(await client.post("/api/testsets", json=body, headers=api))
    testset_id = created["testset"]["id"]
    commit = f"/api/testsets/{testset_id}/revisions/commit"
    await ok(await client.post(commit, json={"base_version": 1, "rows": ROWS * 2}, headers=api))
    edit = {"op": "set_cell", "row": "b0", "column": "correct_answer", "value": "paris"}
    await ok(await client.post(commit, json={"base_version": 2, "operations": [edit]}, headers=api))
    upload = {"file": ("more.csv", CSV, "text/csv")}
    form = {"testset_id": testset_id, "message": "from a file"}
    await ok(await client.post("/api/testsets/upload", files=upload, data=form, headers=api))
    added = {"testset_id": testset_id, "rows": [{"question": "2+2?", "correct_answer": "4"}]}
    await ok(await client.post("/api/testsets/rows/add", json=added, headers=api))

    events = await activity(client, owner, COMMITTED)
    assert versions(events) == [(testset_id, version) for version in range(1, 6)]
    assert events[3]["data"]["message"] == "from a file"
    assert events[0]["data"]["testset_slug"] == created["testset"]["slug"]
    assert events[0]["data"]["name"] == "Capitals"
    assert {event["actor"]["api_key_id"] for event in events} == {str(owner.api_key_id)}
    received = await deliveries.of(COMMITTED)
    assert sorted(p["id"] for p in received) == sorted(e["id"] for e in events)


async def test_the_sdk_endpoints_report_a_commit_only_when_rows_change(
    client: AsyncTestClient[Any],
    deliveries: Deliveries,
    owner: Persona,
) -> None:
    cases = {"testcases": [{"data": row} for row in ROWS]}
    body = {"testset": {"name": "Capitals", "data": cases}}
    created = await client.post("/api/simple/testsets/", json=body, headers=owner.headers)
    testset_id = (await ok(created))["testset"]["id"]
    path = f"/api/simple/testsets/{testset_id}"
    same = {"testset": {"id": testset_id, "data": cases}}
    await ok(await client.put(path, json=same, headers=owner.headers))
    changed = {"testset": {"id": testset_id, "data": {"testcases": [{"data": {"a": "b"}}]}}}
    await ok(await client.put(path, json=changed, headers=owner.headers))

    events = await activity(client, owner, COMMITTED)
    assert versions(events) == [(testset_id, 1), (testset_id, 2)]
    received = await deliveries.of(COMMITTED)
    assert sorted(p["id"] for p in received) == sorted(e["id"] for e in events)


async def test_the_create_form_the_upload_page_and_the_editor_report_as_the_session_user(
    client: AsyncTestClient[Any],
    deliveries: Deliveries,
    owner: Persona,
) -> None:
    await login_as(client, owner)
    form = {"name": "Blank", "columns": "input", "_csrf_token": await csrf_token(client)}
    blank = await client.post("/testsets", data=form, follow_redirects=False)
    assert blank.status_code == 303, blank.text
    upload = await client.post(
        "/testsets/upload",
        files={"file": ("capitals.csv", CSV, "text/csv")},
        data={"_csrf_token": await csrf_token(client)},
        follow_redirects=False,
    )
    assert upload.status_code == 303, upload.text
    editor = str(upload.headers["location"]).split("?")[0]
    edit = {"op": "set_cell", "row": "b0", "column": "correct_answer", "value": "東京"}
    token = await csrf_token(client)
    drafted = await client.post(f"{editor}/draft", data={"_csrf_token": token, **edit})
    assert drafted.status_code in (200, 303), drafted.text
    commit = await client.post(
        f"{editor}/commit", data={"_csrf_token": token, "message": "local name"}
    )
    assert commit.status_code in (200, 303), commit.text

    events = await activity(client, owner, COMMITTED)
    uploaded_id = editor.rsplit("/", 1)[1]
    assert [event["data"]["version"] for event in events] == [1, 1, 2]
    assert [event["data"]["testset_id"] for event in events][1:] == [uploaded_id, uploaded_id]
    assert events[0]["data"]["name"] == "Blank"
    assert events[2]["data"]["message"] == "local name"
    assert {event["actor"]["label"] for event in events} == {f"{owner.email} via session"}
    received = await deliveries.of(COMMITTED)
    assert sorted(p["id"] for p in received) == sorted(e["id"] for e in events)


async def test_a_refused_commit_reports_nothing(
    client: AsyncTestClient[Any], owner: Persona
) -> None:
    created = await client.post(
        "/api/testsets", json={"name": "Capitals", "rows": ROWS}, headers=owner.headers
    )
    testset_id = (await ok(created))["testset"]["id"]
    stale = await client.post(
        f"/api/testsets/{testset_id}/revisions/commit",
        json={"base_version": 7, "rows": ROWS},
        headers=owner.headers,
    )
    assert stale.status_code == 409, stale.text
    assert versions(await activity(client, owner, COMMITTED)) == [(testset_id, 1)]
