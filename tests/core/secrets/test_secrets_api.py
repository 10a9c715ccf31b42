"""The vault's REST API: keys go in and never come out; every change is checked and scoped."""

from __future__ import annotations

from collections.abc import Callable

from agenta.core.secrets.runtime import vault_runtime
from agenta.core.secrets.vault import project_connections
from agenta.platform import Platform
from tests.core.secrets.conftest import PersonaClient, new_secret
from tests.support.account_fixtures import MakePersona
from tests.support.accounts import Persona

RAW_KEY = "sk-test-0123456789abcdefWXYZ"
Api = Callable[[Persona], PersonaClient]


async def connections_of(platform: Platform, persona: Persona) -> dict[str, object]:
    async with platform.db.session() as session:
        records = await project_connections(
            session, vault_runtime(platform).box, persona.project_id
        )
    return {record.slug: record for record in records}


async def test_a_saved_key_is_answered_only_as_its_last_characters(
    api: Api, owner: Persona
) -> None:
    created = await api(owner).post("/api/secrets/", new_secret(key=RAW_KEY))
    listed = await api(owner).get("/api/secrets/")
    read = await api(owner).get(f"/api/secrets/{created.json()['id']}")

    assert created.status_code == 201
    for response in (created, listed, read):
        assert response.status_code in (200, 201)
        assert RAW_KEY not in response.text
    record = read.json()
    assert record["data"]["provider"]["key"] is None
    assert record["value_status"] == {"configured": True, "preview": "…WXYZ", "extras": []}
    assert record["write_only"] is True
    assert (record["slug"], record["kind"], record["header"]["name"]) == (
        "openai",
        "provider_key",
        "OpenAI",
    )


async def test_the_list_is_a_plain_json_list_as_the_sdk_expects(api: Api, owner: Persona) -> None:
    await api(owner).post("/api/secrets/", new_secret("anthropic", "sk-ant-abcdefghijklmnop"))
    await api(owner).post(
        "/api/secrets/",
        new_secret(
            "custom",
            None,
            kind="custom_provider",
            name="Local vLLM",
            url="http://gpu:8000/v1",
            models=["llama-3"],
        ),
    )

    listed = (await api(owner).get("/api/secrets/")).json()

    assert isinstance(listed, list)
    assert [(item["kind"], item["slug"]) for item in listed] == [
        ("provider_key", "anthropic"),
        ("custom_provider", "Local-vLLM"),
    ]
    custom = listed[1]["data"]
    assert custom["provider_slug"] == "Local-vLLM"
    assert custom["model_keys"] == ["Local-vLLM/llama-3"]
    assert listed[1]["value_status"]["configured"] is False


async def test_the_stored_key_reaches_the_llm_layer_decrypted(
    api: Api, owner: Persona, platform: Platform
) -> None:
    await api(owner).post("/api/secrets/", new_secret(key=RAW_KEY, models=["gpt-4o"]))

    connection = (await connections_of(platform, owner))["openai"]

    assert connection.api_key == RAW_KEY  # type: ignore[attr-defined]
    assert connection.models == ("gpt-4o",)  # type: ignore[attr-defined]


async def test_an_update_without_a_key_keeps_the_stored_key(
    api: Api, owner: Persona, platform: Platform
) -> None:
    await api(owner).post("/api/secrets/", new_secret(key=RAW_KEY))
    change = {"secret": {"kind": "provider_key", "data": {"kind": "openai", "models": ["o3"]}}}

    updated = await api(owner).put("/api/secrets/openai", change)

    assert updated.status_code == 200
    assert updated.json()["data"]["models"] == [{"slug": "o3"}]
    connection = (await connections_of(platform, owner))["openai"]
    assert connection.api_key == RAW_KEY  # type: ignore[attr-defined]


async def test_a_new_key_replaces_the_old_one(api: Api, owner: Persona, platform: Platform) -> None:
    await api(owner).post("/api/secrets/", new_secret(key=RAW_KEY))

    await api(owner).put("/api/secrets/openai", new_secret(key="sk-another-key-0000001111"))

    connection = (await connections_of(platform, owner))["openai"]
    assert connection.api_key == "sk-another-key-0000001111"  # type: ignore[attr-defined]


async def test_a_second_key_for_a_provider_gets_its_own_slug(api: Api, owner: Persona) -> None:
    await api(owner).post("/api/secrets/", new_secret(key=RAW_KEY))

    second = await api(owner).post("/api/secrets/", new_secret(key="sk-second-key-1234567890"))

    assert second.status_code == 201
    assert second.json()["slug"] == "openai-2"


async def test_a_custom_provider_slug_is_unique_in_the_project(api: Api, owner: Persona) -> None:
    body = new_secret(
        "custom", None, kind="custom_provider", slug="ollama-box", url="http://box:11434/v1"
    )
    await api(owner).post("/api/secrets/", body)

    again = await api(owner).post("/api/secrets/", body)

    assert again.status_code == 409
    assert "ollama-box" in again.json()["message"]


async def test_a_custom_provider_cannot_take_a_providers_name(api: Api, owner: Persona) -> None:
    body = new_secret("custom", None, kind="custom_provider", slug="anthropic", url="http://x:1/v1")

    refused = await api(owner).post("/api/secrets/", body)

    assert refused.status_code == 400
    assert "provider's name" in refused.json()["message"]


async def test_incomplete_or_malformed_secrets_are_refused_naming_the_field(
    api: Api, owner: Persona
) -> None:
    cases = {
        "secret.data.kind: unknown provider 'openia'": new_secret("openia"),
        "secret.data.provider.key is required for OpenAI": new_secret(key=None),
        "secret.data.provider.url is required for OpenAI-compatible": new_secret(
            "custom", None, kind="custom_provider", slug="box"
        ),
        "secret.data.provider.url must be an http:// or https:// URL": new_secret(
            "custom", None, kind="custom_provider", slug="box", url="ftp://box"
        ),
        "secret.kind must be one of": {"secret": {"kind": "sso_provider", "data": {}}},
        "secret.data.models[1]": new_secret(models=["gpt-4o", "two words"]),
    }
    for message, body in cases.items():
        refused = await api(owner).post("/api/secrets/", body)
        assert refused.status_code == 400, body
        assert message in refused.json()["message"]


async def test_a_secret_is_found_by_id_or_slug_and_gone_after_deletion(
    api: Api, owner: Persona
) -> None:
    created = (await api(owner).post("/api/secrets/", new_secret())).json()

    by_slug = await api(owner).get("/api/secrets/openai")
    deleted = await api(owner).delete(f"/api/secrets/{created['id']}")
    after = await api(owner).get(f"/api/secrets/{created['id']}")

    assert by_slug.json()["id"] == created["id"]
    assert deleted.status_code == 204
    assert after.status_code == 404


async def test_the_original_vault_paths_answer_too(api: Api, owner: Persona) -> None:
    created = await api(owner).post("/api/vault/v1/secrets/", new_secret())

    listed = await api(owner).get("/api/vault/v1/secrets/")

    assert created.status_code == 201
    assert [item["slug"] for item in listed.json()] == ["openai"]


async def test_a_viewer_sees_secrets_but_cannot_change_them(
    api: Api, owner: Persona, make_persona: MakePersona
) -> None:
    viewer = await make_persona("viewer")
    await api(owner).post("/api/secrets/", new_secret())

    listed = await api(viewer).get("/api/secrets/")
    refused = await api(viewer).post("/api/secrets/", new_secret("anthropic"))
    not_deleted = await api(viewer).delete("/api/secrets/openai")

    assert [item["slug"] for item in listed.json()] == ["openai"]
    assert refused.status_code == 403
    assert not_deleted.status_code == 403


async def test_another_projects_secrets_are_invisible(
    api: Api, owner: Persona, outsider: Persona
) -> None:
    created = (await api(owner).post("/api/secrets/", new_secret())).json()

    listed = await api(outsider).get("/api/secrets/")
    read = await api(outsider).get(f"/api/secrets/{created['id']}")
    deleted = await api(outsider).delete(f"/api/secrets/{created['id']}")

    assert listed.json() == []
    assert read.status_code == 404
    assert deleted.status_code == 404
