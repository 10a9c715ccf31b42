"""Config fetch: the cached GET with ETags, the legacy endpoint, freshness after changes."""

from __future__ import annotations

from typing import Any

from tests.core.registry.conftest import PersonaClient
from tests.core.registry.test_sdk_endpoints import create_app
from tests.support.accounts import Persona


async def commit(sdk: PersonaClient, app: dict[str, Any], parameters: dict[str, Any]) -> Any:
    response = await sdk.post(
        "/api/applications/revisions/commit",
        {
            "application_revision": {
                "application_variant_id": app["variant_id"],
                "data": {"parameters": parameters},
                "message": "change",
            }
        },
    )
    assert response.status_code == 200, response.text
    return response.json()["application_revision"]


async def deploy(sdk: PersonaClient, revision_id: str, environment: str = "production") -> None:
    response = await sdk.post(
        "/api/applications/revisions/deploy",
        {"application_revision_ref": {"id": revision_id}, "environment_ref": {"slug": environment}},
    )
    assert response.status_code == 200, response.text


async def test_the_get_endpoint_answers_304_when_the_etag_matches(api: Any, owner: Persona) -> None:
    sdk = api(owner)
    app = await create_app(sdk)
    await deploy(sdk, app["revision_id"])

    first = await sdk.get("/api/configs?application=my-app&environment=production")
    again = await sdk.get(
        "/api/configs?application=my-app&environment=production",
        headers={"If-None-Match": first.headers["etag"]},
    )

    assert first.status_code == 200
    assert first.json()["params"] == app["data"]["parameters"]
    assert first.json()["environment"]["slug"] == "production"
    assert again.status_code == 304
    assert again.content == b""


async def test_a_commit_changes_the_latest_config_and_its_etag(api: Any, owner: Persona) -> None:
    sdk = api(owner)
    app = await create_app(sdk)
    url = f"/api/configs?application=my-app&variant={app['variant_slug']}"
    before = await sdk.get(url)

    await commit(sdk, app, {"temperature": 0.1})
    after = await sdk.get(url, headers={"If-None-Match": before.headers["etag"]})

    assert after.status_code == 200
    assert after.json()["params"] == {"temperature": 0.1}
    assert after.json()["variant"]["version"] == "2"
    assert after.headers["etag"] != before.headers["etag"]


async def test_a_deploy_changes_what_the_environment_serves_at_once(
    api: Any, owner: Persona
) -> None:
    sdk = api(owner)
    app = await create_app(sdk)
    body = {"environment_ref": {"slug": "staging"}, "key": "my-app.revision"}
    empty = await sdk.post("/api/applications/revisions/retrieve", body)

    revision = await commit(sdk, app, {"v": 2})
    await deploy(sdk, revision["id"], "staging")
    served = await sdk.post("/api/applications/revisions/retrieve", body)

    assert empty.json()["application_revision"] is None
    assert served.json()["application_revision"]["id"] == revision["id"]
    assert served.json()["environment_revision"]["version"] == "2"


async def test_an_older_environment_state_can_be_fetched_by_version(
    api: Any, owner: Persona
) -> None:
    sdk = api(owner)
    app = await create_app(sdk)
    await deploy(sdk, app["revision_id"])
    second = await commit(sdk, app, {"v": 2})
    await deploy(sdk, second["id"])

    old = await sdk.get(
        "/api/configs?application=my-app&environment=production&environment_version=2"
    )
    current = await sdk.get("/api/configs?application=my-app&environment=production")

    assert old.json()["revision"]["id"] == app["revision_id"]
    assert current.json()["revision"]["id"] == second["id"]


async def test_a_missing_config_is_a_404_on_the_get_endpoint(api: Any, owner: Persona) -> None:
    response = await api(owner).get("/api/configs?application=nothing&environment=production")

    assert response.status_code == 404


async def test_the_legacy_fetch_defaults_to_production_with_integer_versions(
    api: Any, owner: Persona
) -> None:
    sdk = api(owner)
    app = await create_app(sdk)
    await deploy(sdk, app["revision_id"])

    response = await sdk.post(
        "/api/variants/configs/fetch", {"application_ref": {"slug": "my-app"}}
    )

    body = response.json()
    assert response.status_code == 200
    assert body["params"] == app["data"]["parameters"]
    assert body["variant_ref"]["version"] == 1
    assert body["environment_ref"]["slug"] == "production"
    assert body["environment_ref"]["version"] == 2
    assert body["variant_lifecycle"]["updated_by"] == owner.email


async def test_the_legacy_fetch_by_variant_and_version(api: Any, owner: Persona) -> None:
    sdk = api(owner)
    app = await create_app(sdk)
    await commit(sdk, app, {"v": 2})

    response = await sdk.post(
        "/api/variants/configs/fetch",
        {
            "application_ref": {"slug": "my-app"},
            "variant_ref": {"slug": app["variant_slug"], "version": 1},
        },
    )

    assert response.json()["params"] == app["data"]["parameters"]
    assert response.json()["environment_ref"] is None


async def test_rollback_through_the_api_restores_the_earlier_deployment(
    api: Any, owner: Persona
) -> None:
    sdk = api(owner)
    app = await create_app(sdk)
    await deploy(sdk, app["revision_id"])
    second = await commit(sdk, app, {"v": 2})
    await deploy(sdk, second["id"])

    rolled = await sdk.post(
        "/api/environments/revisions/rollback",
        {"environment_ref": {"slug": "production"}, "environment_revision_ref": {"version": "2"}},
    )
    served = await sdk.get("/api/configs?application=my-app&environment=production")
    log = await sdk.post(
        "/api/environments/revisions/log", {"environment_ref": {"slug": "production"}}
    )

    assert rolled.status_code == 200, rolled.text
    assert rolled.json()["environment_revision"]["version"] == "4"
    assert served.json()["revision"]["id"] == app["revision_id"]
    entries = log.json()["environment_revisions"]
    assert [e["version"] for e in entries] == ["4", "3", "2", "1"]
    assert entries[0]["changes"][0]["kind"] == "changed"
    assert entries[0]["updated_by"] == owner.email


async def test_the_diff_endpoint_compares_two_revisions_field_by_field(
    api: Any, owner: Persona
) -> None:
    sdk = api(owner)
    app = await create_app(sdk)
    second = await commit(sdk, app, {"prompt": {"llm_config": {"model": "gpt-4o"}}})

    response = await sdk.post(
        "/api/applications/revisions/diff",
        {"old_revision_ref": {"id": app["revision_id"]}, "new_revision_ref": {"id": second["id"]}},
    )

    fields = {row["path"]: row for row in response.json()["fields"]}
    assert fields["uri"]["status"] == "same"
    assert fields["parameters.prompt.llm_config.model"]["status"] == "changed"
    assert fields["parameters.prompt.llm_config.model"]["new"] == "gpt-4o"
    assert fields["parameters.prompt.messages[0].role"]["status"] == "removed"
