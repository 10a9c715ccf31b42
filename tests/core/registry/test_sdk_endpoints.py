"""The endpoints the official SDK calls, with the paths, bodies and shapes it uses (contract §2).

Each test replays one SDK call sequence through the API with an API key, exactly as the SDK
sends it (trailing slashes, string versions, the odd keys), and checks the fields it reads.
"""

from __future__ import annotations

from typing import Any

from tests.core.registry.conftest import PersonaClient
from tests.support.accounts import Persona

PARAMS_V1 = {"prompt": {"messages": [{"role": "user", "content": "Hi {{name}}"}]}}
PARAMS_V2 = {"prompt": {"messages": [{"role": "user", "content": "Hello {{name}}"}]}}


async def create_app(sdk: PersonaClient, slug: str = "my-app", **flags: bool) -> dict[str, Any]:
    body: dict[str, Any] = {"application": {"slug": slug, "name": slug}}
    if flags:
        body["application"]["flags"] = flags
    response = await sdk.post("/api/simple/applications/", body)
    assert response.status_code == 200, response.text
    return response.json()["application"]


async def create_variant_with_commits(
    sdk: PersonaClient, app: dict[str, Any], slug: str, *params: dict[str, Any]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    response = await sdk.post(
        "/api/applications/variants/",
        {"application_variant": {"application_id": app["id"], "slug": slug}},
    )
    assert response.status_code == 200, response.text
    variant = response.json()["application_variant"]
    revisions = []
    for parameters in params:
        response = await sdk.post(
            "/api/applications/revisions/commit",
            {
                "application_revision": {
                    "application_id": app["id"],
                    "application_variant_id": variant["id"],
                    "slug": "0123456789ab",
                    "data": {"parameters": parameters},
                }
            },
        )
        assert response.status_code == 200, response.text
        revisions.append(response.json()["application_revision"])
    return variant, revisions


async def test_it_creates_an_application_with_a_random_variant_and_a_first_revision(
    api: Any, owner: Persona
) -> None:
    app = await create_app(api(owner), "chatbot", is_chat=True)

    assert app["slug"] == "chatbot"
    assert app["flags"]["is_chat"] is True
    assert len(app["variant_slug"]) == 12
    assert app["revision_id"] and app["version"] == "1"
    assert "prompt" in app["data"]["parameters"]


async def test_it_finds_an_application_by_slug_the_way_the_sdk_queries(
    api: Any, owner: Persona
) -> None:
    sdk = api(owner)
    app = await create_app(sdk, "first")
    await create_app(sdk, "second")

    found = await sdk.post("/api/simple/applications/query", {"application": {"slug": "first"}})
    listed = await sdk.post("/api/simple/applications/query", {})

    assert found.status_code == 200
    assert [a["id"] for a in found.json()["applications"]] == [app["id"]]
    assert listed.json()["count"] == 2


async def test_a_variant_commits_with_string_versions_and_an_author(
    api: Any, owner: Persona
) -> None:
    sdk = api(owner)
    app = await create_app(sdk)

    variant, revisions = await create_variant_with_commits(
        sdk, app, "default", PARAMS_V1, PARAMS_V2
    )

    assert [r["version"] for r in revisions] == ["1", "2"]
    second = revisions[1]
    assert second["application_variant_id"] == variant["id"]
    assert second["application_id"] == app["id"]
    assert second["data"]["parameters"] == PARAMS_V2
    assert second["updated_by"] == owner.email
    assert isinstance(second["created_at"], str)


async def test_it_fetches_by_variant_latest_and_at_a_version(api: Any, owner: Persona) -> None:
    sdk = api(owner)
    app = await create_app(sdk)
    await create_variant_with_commits(sdk, app, "default", PARAMS_V1, PARAMS_V2)
    refs = {"application_ref": {"slug": "my-app"}, "application_variant_ref": {"slug": "default"}}

    latest = await sdk.post(
        "/api/applications/revisions/retrieve",
        {"resolve": True, **refs, "application_revision_ref": None},
    )
    first = await sdk.post(
        "/api/applications/revisions/retrieve",
        {"resolve": True, **refs, "application_revision_ref": {"version": "1"}},
    )

    assert latest.json()["application_revision"]["data"]["parameters"] == PARAMS_V2
    assert first.json()["application_revision"]["data"]["parameters"] == PARAMS_V1
    assert first.json()["application_revision"]["version"] == "1"


async def test_a_variant_retrieve_that_finds_nothing_is_a_200_with_null(
    api: Any, owner: Persona
) -> None:
    sdk = api(owner)
    await create_app(sdk)

    response = await sdk.post(
        "/api/applications/revisions/retrieve",
        {
            "resolve": True,
            "application_ref": {"slug": "my-app"},
            "application_variant_ref": {"slug": "nope"},
            "application_revision_ref": None,
        },
    )

    assert response.status_code == 200
    assert response.json() == {"count": 0, "application_revision": None}


async def test_deploy_then_fetch_by_environment_key(api: Any, owner: Persona) -> None:
    sdk = api(owner)
    app = await create_app(sdk)
    variant, _ = await create_variant_with_commits(sdk, app, "default", PARAMS_V1, PARAMS_V2)

    deployed = await sdk.post(
        "/api/applications/revisions/deploy",
        {
            "application_ref": {"id": app["id"], "slug": app["slug"]},
            "application_variant_ref": {"id": variant["id"], "slug": "default"},
            "application_revision_ref": {"version": "1"},
            "environment_ref": {"slug": "production"},
        },
    )
    fetched = await sdk.post(
        "/api/applications/revisions/retrieve",
        {"resolve": True, "environment_ref": {"slug": "production"}, "key": "my-app.revision"},
    )
    environments = await sdk.post(
        "/api/simple/environments/query",
        {"environment": {"slug": "production"}, "environment_refs": [{"slug": "production"}]},
    )

    assert deployed.status_code == 200, deployed.text
    assert deployed.json()["application_revision"]["version"] == "1"
    assert fetched.json()["application_revision"]["data"]["parameters"] == PARAMS_V1
    production = environments.json()["environments"]
    assert [e["slug"] for e in production] == ["production"]
    assert (
        production[0]["data"]["references"]["my-app.revision"]["application_revision"]["version"]
        == "1"
    )


async def test_an_environment_fetch_for_an_undeployed_app_is_null(api: Any, owner: Persona) -> None:
    sdk = api(owner)
    await create_app(sdk)

    response = await sdk.post(
        "/api/applications/revisions/retrieve",
        {"resolve": True, "environment_ref": {"slug": "staging"}, "key": "my-app.revision"},
    )

    assert response.status_code == 200
    assert response.json()["application_revision"] is None


async def test_history_is_newest_first_and_delete_archives_the_variant(
    api: Any, owner: Persona
) -> None:
    sdk = api(owner)
    app = await create_app(sdk)
    variant, _ = await create_variant_with_commits(sdk, app, "default", PARAMS_V1, PARAMS_V2)

    log = await sdk.post(
        "/api/applications/revisions/log",
        {
            "application_revisions": {
                "application_id": app["id"],
                "application_variant_id": variant["id"],
            }
        },
    )
    archived = await sdk.post(f"/api/applications/variants/{variant['id']}/archive")
    remaining = await sdk.post(
        "/api/applications/variants/query", {"application_refs": [{"id": app["id"]}]}
    )

    assert [r["version"] for r in log.json()["application_revisions"]] == ["2", "1"]
    assert archived.status_code == 200
    assert archived.json()["application_variant"]["deleted_at"] is not None
    assert "default" not in [v["slug"] for v in remaining.json()["application_variants"]]


async def test_the_generated_client_s_bare_key_is_accepted(api: Any, owner: Persona) -> None:
    sdk = api(owner)
    app = await create_app(sdk)

    response = await sdk.get(
        f"/api/simple/applications/{app['id']}", headers={"Authorization": owner.api_key}
    )

    assert response.status_code == 200
    assert response.json()["application"]["slug"] == "my-app"


async def test_the_workflow_fallback_resolves_applications_and_misses_with_null(
    api: Any, owner: Persona
) -> None:
    sdk = api(owner)
    app = await create_app(sdk)

    found = await sdk.post(
        "/api/workflows/revisions/retrieve",
        {"resolve": True, "workflow_ref": {"slug": "my-app"}},
    )
    missing = await sdk.post(
        "/api/workflows/revisions/retrieve",
        {
            "resolve": True,
            "workflow_ref": {"slug": "my-app"},
            "workflow_variant_ref": {"slug": "nope"},
        },
    )

    assert found.json()["workflow_revision"]["id"] == app["revision_id"]
    assert found.json()["workflow_revision"]["workflow_id"] == app["id"]
    assert missing.status_code == 200
    assert missing.json() == {"count": 0, "workflow_revision": None}


async def test_the_app_manager_renames_and_deletes_an_application(api: Any, owner: Persona) -> None:
    sdk = api(owner)
    app = await create_app(sdk, "before")

    renamed = await sdk.put(
        f"/api/simple/applications/{app['id']}",
        {"application": {"id": app["id"], "slug": "after", "name": "after"}},
    )
    archived = await sdk.post(f"/api/simple/applications/{app['id']}/archive")
    listed = await sdk.post("/api/simple/applications/query", {})
    still_resolves = await sdk.post(
        "/api/applications/revisions/retrieve",
        {"application_revision_ref": {"id": app["revision_id"]}},
    )

    assert renamed.status_code == 200
    assert renamed.json()["application"]["slug"] == "after"
    assert renamed.json()["application"]["revision_id"] == app["revision_id"]
    assert archived.status_code == 200
    assert listed.json()["count"] == 0
    assert still_resolves.json()["application_revision"]["application_slug"] == "after"
