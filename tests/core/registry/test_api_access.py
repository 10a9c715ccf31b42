"""Who may do what through the registry API, and how bad requests are answered."""

from __future__ import annotations

from typing import Any

from tests.core.registry.test_sdk_endpoints import create_app
from tests.support.account_fixtures import MakePersona
from tests.support.accounts import Persona


async def test_a_viewer_reads_but_cannot_commit_or_deploy(
    api: Any, owner: Persona, make_persona: MakePersona
) -> None:
    app = await create_app(api(owner))
    viewer = api(await make_persona("viewer"))

    read = await viewer.get(f"/api/simple/applications/{app['id']}")
    commit = await viewer.post(
        "/api/applications/revisions/commit",
        {"application_revision": {"application_variant_id": app["variant_id"], "data": {}}},
    )
    deploy = await viewer.post(
        "/api/applications/revisions/deploy",
        {
            "application_revision_ref": {"id": app["revision_id"]},
            "environment_ref": {"slug": "staging"},
        },
    )

    assert read.status_code == 200
    assert commit.status_code == 403
    assert "edit_applications" in commit.json()["message"]
    assert deploy.status_code == 403


async def test_an_editor_commits_but_cannot_deploy(
    api: Any, owner: Persona, make_persona: MakePersona
) -> None:
    app = await create_app(api(owner))
    editor = api(await make_persona("editor"))

    commit = await editor.post(
        "/api/applications/revisions/commit",
        {"application_revision": {"application_variant_id": app["variant_id"], "data": {"x": 1}}},
    )
    deploy = await editor.post(
        "/api/applications/revisions/deploy",
        {
            "application_revision_ref": {"id": app["revision_id"]},
            "environment_ref": {"slug": "staging"},
        },
    )

    assert commit.status_code == 200
    assert deploy.status_code == 403


async def test_another_organization_sees_nothing_of_the_project(
    api: Any, owner: Persona, outsider: Persona
) -> None:
    app = await create_app(api(owner))
    stranger = api(outsider)

    by_id = await stranger.get(f"/api/simple/applications/{app['id']}")
    listed = await stranger.post("/api/simple/applications/query", {})
    retrieved = await stranger.post(
        "/api/applications/revisions/retrieve",
        {"application_revision_ref": {"id": app["revision_id"]}},
    )

    assert by_id.status_code == 404
    assert listed.json()["count"] == 0
    assert retrieved.json() == {"count": 0, "application_revision": None}


async def test_requests_without_a_key_are_refused(client: Any) -> None:
    response = await client.get("/api/configs?application=my-app&environment=production")

    assert response.status_code == 401


async def test_a_bad_slug_is_a_400_naming_the_field(api: Any, owner: Persona) -> None:
    response = await api(owner).post(
        "/api/simple/applications/", {"application": {"slug": "has space"}}
    )

    assert response.status_code == 400
    assert "application.slug" in response.json()["message"]


async def test_a_wrongly_typed_field_is_a_400_naming_its_path(api: Any, owner: Persona) -> None:
    response = await api(owner).post("/api/simple/applications/", {"application": {"slug": 42}})

    assert response.status_code == 400
    assert "application.slug" in response.json()["message"]


async def test_a_taken_slug_is_a_409(api: Any, owner: Persona) -> None:
    sdk = api(owner)
    await create_app(sdk, "twice")

    response = await sdk.post("/api/simple/applications/", {"application": {"slug": "twice"}})

    assert response.status_code == 409
    assert "twice" in response.json()["message"]


async def test_a_missing_variant_id_on_commit_names_the_field(api: Any, owner: Persona) -> None:
    response = await api(owner).post(
        "/api/applications/revisions/commit", {"application_revision": {"data": {}}}
    )

    assert response.status_code == 400
    assert "application_revision.application_variant_id is required" in response.json()["message"]


async def test_protecting_an_environment_needs_deploy_environments(
    api: Any, owner: Persona, make_persona: MakePersona
) -> None:
    environments = await api(owner).post("/api/simple/environments/query", {})
    production = next(e for e in environments.json()["environments"] if e["slug"] == "production")
    editor = api(await make_persona("editor"))

    refused = await editor.post(f"/api/simple/environments/{production['id']}/guard")
    guarded = await api(owner).post(f"/api/simple/environments/{production['id']}/guard")

    assert refused.status_code == 403
    assert guarded.json()["environment"]["flags"]["is_guarded"] is True
