"""The providers settings page, driven like a browser: forms, flashes, htmx test results, and
never a key written back into the page."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from tests.fakes.llm_state import FakeLLM
from tests.support.account_fixtures import MakePersona
from tests.support.accounts import Persona, csrf_token, login_as

RAW_KEY = "sk-page-key-0123456789abcdefQRST"
PAGE = "/settings/providers"


async def submit(
    client: AsyncTestClient[Any], path: str, form: dict[str, str], **headers: str
) -> Any:
    data = {**form, "_csrf_token": await csrf_token(client)}
    return await client.post(path, data=data, headers=headers)


async def test_a_key_saved_on_the_page_shows_only_its_last_characters(
    client: AsyncTestClient[Any], owner: Persona
) -> None:
    await login_as(client, owner)

    saved = await submit(client, f"{PAGE}/keys", {"provider": "openai", "key": RAW_KEY})
    shown = await client.get(PAGE)

    assert saved.status_code == 200
    assert "OpenAI key saved (…QRST)" in saved.text
    for response in (saved, shown):
        assert RAW_KEY not in response.text
    assert "…QRST" in shown.text


async def test_saving_a_key_again_replaces_it(client: AsyncTestClient[Any], owner: Persona) -> None:
    await login_as(client, owner)
    await submit(client, f"{PAGE}/keys", {"provider": "anthropic", "key": RAW_KEY})

    await submit(
        client, f"{PAGE}/keys", {"provider": "anthropic", "key": "sk-ant-replacement-9999"}
    )

    listed = (await client.get("/api/secrets/")).json()
    assert [(item["slug"], item["value_status"]["preview"]) for item in listed] == [
        ("anthropic", "…9999")
    ]


class TestWithEnvironmentKeys:
    @pytest.fixture
    def provider_env(self, monkeypatch: pytest.MonkeyPatch, fake_llm: FakeLLM) -> None:
        for name, value in fake_llm.env().items():
            monkeypatch.setenv(name, value)

    async def test_the_page_says_which_providers_fall_back_on_the_environment(
        self, client: AsyncTestClient[Any], owner: Persona
    ) -> None:
        await login_as(client, owner)

        page = await client.get(PAGE)

        assert page.status_code == 200
        assert "from the environment (OPENAI_API_KEY)" in page.text
        assert "from the environment (ANTHROPIC_API_KEY)" in page.text
        assert "fake-openai-key" not in page.text


async def test_a_custom_provider_is_added_with_its_models(
    client: AsyncTestClient[Any], owner: Persona
) -> None:
    await login_as(client, owner)
    form = {
        "name": "GPU box",
        "slug": "gpu",
        "provider": "custom",
        "url": "http://gpu-box:8000/v1",
        "key": RAW_KEY,
        "models": "llama-3.1-8b\nqwen-2.5",
        "extras": '{"headers": {"X-Team": "research"}}',
    }

    added = await submit(client, f"{PAGE}/custom", form)

    assert "Custom provider gpu added" in added.text
    assert "gpu/llama-3.1-8b" in added.text and "gpu/qwen-2.5" in added.text
    assert RAW_KEY not in added.text and "research" not in added.text


async def test_a_bad_custom_provider_is_refused_with_the_reason(
    client: AsyncTestClient[Any], owner: Persona
) -> None:
    await login_as(client, owner)

    refused = await submit(
        client, f"{PAGE}/custom", {"slug": "box", "provider": "custom", "extras": "not json"}
    )

    assert refused.status_code == 400
    assert "Extra settings must be a JSON object" in refused.text


async def test_a_refused_custom_provider_keeps_what_was_typed_but_its_secrets(
    client: AsyncTestClient[Any], owner: Persona
) -> None:
    await login_as(client, owner)
    form = {
        "name": "GPU box",
        "slug": "gpu box!",
        "provider": "azure",
        "url": "http://gpu-box:8000/v1",
        "version": "2024-10-21",
        "key": RAW_KEY,
        "models": "llama-3.1-8b\nqwen-2.5",
        "extras": '{"headers": {"Authorization": "Bearer research"}}',
    }

    refused = await submit(client, f"{PAGE}/custom", form)

    assert refused.status_code in (400, 422), refused.text
    page = refused.text
    assert 'value="GPU box"' in page and 'value="gpu box!"' in page
    assert '<option value="azure" selected>' in page
    assert 'value="http://gpu-box:8000/v1"' in page and 'value="2024-10-21"' in page
    assert ">llama-3.1-8b\nqwen-2.5</textarea>" in page
    assert RAW_KEY not in page and "research" not in page
    assert "enter the API key and extra settings again" in page
    assert (await client.get("/api/secrets/")).json() == []


async def test_testing_a_connection_with_htmx_answers_the_status_cell(
    client: AsyncTestClient[Any], owner: Persona, fake_llm: FakeLLM
) -> None:
    await login_as(client, owner)
    await submit(
        client, f"{PAGE}/keys", {"provider": "openai", "key": RAW_KEY, "models": "gpt-4o-mini"}
    )

    works = await submit(client, f"{PAGE}/openai/test", {}, **{"HX-Request": "true"})
    fake_llm.fail_next(401, message="invalid key")
    fails = await submit(client, f"{PAGE}/openai/test", {}, **{"HX-Request": "true"})

    assert "works" in works.text and "<html" not in works.text
    assert "failed" in fails.text and "invalid key" in fails.text


async def test_deleting_a_key_removes_it(client: AsyncTestClient[Any], owner: Persona) -> None:
    await login_as(client, owner)
    await submit(client, f"{PAGE}/keys", {"provider": "openai", "key": RAW_KEY})

    deleted = await submit(client, f"{PAGE}/openai/delete", {})

    assert "OpenAI deleted." in deleted.text
    assert (await client.get("/api/secrets/")).json() == []


async def test_a_viewer_sees_the_page_without_forms(
    client: AsyncTestClient[Any], make_persona: MakePersona
) -> None:
    viewer = await make_persona("viewer")
    await login_as(client, viewer)

    page = await client.get(PAGE)
    refused = await submit(client, f"{PAGE}/keys", {"provider": "openai", "key": RAW_KEY})

    assert page.status_code == 200
    assert "Save key" not in page.text
    assert refused.status_code == 403
