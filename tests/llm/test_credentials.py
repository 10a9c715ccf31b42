"""Which provider and credentials serve a model: vault records first, then the environment."""

from __future__ import annotations

import pytest

from agenta.llm import ConnectionRecord, CredentialsError, connection_model_names, resolve_model

OPENAI_KEY = ConnectionRecord(slug="openai-key", kind="openai", api_key="sk-vault")
ANTHROPIC_KEY = ConnectionRecord(slug="anthropic-key", kind="anthropic", api_key="ak-vault")
LOCAL_OLLAMA = ConnectionRecord(
    slug="my-ollama",
    kind="ollama",
    base_url="http://gpu-box:11434/v1",
    models=("llama3.2", "qwen2.5"),
    custom=True,
)
AZURE = ConnectionRecord(
    slug="azure-prod",
    kind="azure",
    api_key="az-key",
    base_url="https://corp.openai.azure.com",
    extra={"api_version": "2024-10-21"},
    custom=True,
)
ENV = {
    "OPENAI_API_KEY": "sk-env",
    "OPENAI_BASE_URL": "http://proxy.test/v1",
    "ANTHROPIC_API_KEY": "ak-env",
}


def test_a_bare_openai_model_uses_the_project_key() -> None:
    resolved = resolve_model("gpt-4o", connections=[OPENAI_KEY], env=ENV)
    assert (resolved.provider, resolved.model_id) == ("openai", "gpt-4o")
    assert resolved.credentials.api_key == "sk-vault"
    assert resolved.connection == "openai-key"


def test_the_environment_base_url_applies_to_a_vault_key_without_one() -> None:
    resolved = resolve_model("gpt-4o", connections=[OPENAI_KEY], env=ENV)
    assert resolved.credentials.base_url == "http://proxy.test/v1"
    without_env = resolve_model("gpt-4o", connections=[OPENAI_KEY], env={})
    assert without_env.credentials.base_url == "https://api.openai.com/v1"


def test_without_a_vault_key_the_environment_is_the_fallback() -> None:
    resolved = resolve_model("anthropic/claude-haiku-4-5", env=ENV)
    assert (resolved.provider, resolved.model_id) == ("anthropic", "claude-haiku-4-5")
    assert resolved.credentials.api_key == "ak-env"
    assert resolved.credentials.base_url == "https://api.anthropic.com"
    assert resolved.connection is None


def test_the_environment_is_ignored_when_local_secrets_are_not_allowed() -> None:
    with pytest.raises(
        CredentialsError, match="add an Anthropic API key to the project's vault"
    ) as caught:
        resolve_model("claude-haiku-4-5", env=ENV, allow_env=False)
    assert caught.value.reason == "missing-secret"


def test_a_missing_key_names_the_provider_model_and_variable() -> None:
    with pytest.raises(CredentialsError, match=r"no API key for provider 'groq'.*GROQ_API_KEY"):
        resolve_model("groq/llama-3.1-8b-instant", env={})


def test_the_provider_comes_from_the_catalog_or_naming_habits() -> None:
    assert resolve_model("claude-sonnet-4-5", env=ENV).provider == "anthropic"
    assert resolve_model("claude-9-future", env=ENV).provider == "anthropic"
    assert resolve_model("o3-pro", env=ENV).provider == "openai"
    assert resolve_model("deepseek-chat", env={"DEEPSEEK_API_KEY": "d"}).provider == "deepseek"


def test_model_ids_with_slashes_keep_everything_after_the_provider() -> None:
    resolved = resolve_model("openrouter/openai/gpt-4o-mini", env={"OPENROUTER_API_KEY": "or"})
    assert (resolved.provider, resolved.model_id) == ("openrouter", "openai/gpt-4o-mini")
    assert resolved.credentials.base_url == "https://openrouter.ai/api/v1"


def test_an_unknown_model_or_provider_asks_for_a_provider_prefix() -> None:
    with pytest.raises(CredentialsError, match="name it as provider/model") as caught:
        resolve_model("mystery-model", env=ENV)
    assert caught.value.reason == "unknown-provider"
    with pytest.raises(CredentialsError, match="unknown provider 'acme'"):
        resolve_model("acme/model-1", env=ENV)


def test_custom_connections_are_addressed_by_slug_in_both_spellings() -> None:
    for name in ("my-ollama/llama3.2", "my-ollama/ollama/llama3.2"):
        resolved = resolve_model(name, connections=[LOCAL_OLLAMA], env=ENV)
        assert (resolved.provider, resolved.model_id) == ("ollama", "llama3.2")
        assert resolved.credentials.base_url == "http://gpu-box:11434/v1"
        assert resolved.credentials.api_key is None


def test_a_bare_model_listed_by_a_custom_connection_goes_there() -> None:
    resolved = resolve_model("qwen2.5", connections=[OPENAI_KEY, LOCAL_OLLAMA], env=ENV)
    assert resolved.connection == "my-ollama"


def test_an_explicit_connection_slug_wins_and_must_serve_the_model() -> None:
    resolved = resolve_model("gpt-4o", connections=[OPENAI_KEY, AZURE], connection="azure-prod")
    assert resolved.provider == "azure"
    assert resolved.credentials.extra == {"api_version": "2024-10-21"}
    with pytest.raises(CredentialsError, match="does not serve model 'mistral'") as mismatch:
        resolve_model("mistral", connections=[LOCAL_OLLAMA], connection="my-ollama")
    assert mismatch.value.reason == "connection-model-mismatch"
    with pytest.raises(CredentialsError, match="unknown connection 'nope'") as unknown:
        resolve_model("gpt-4o", connections=[OPENAI_KEY], connection="nope")
    assert unknown.value.reason == "unknown-connection"


def test_a_family_record_listing_the_model_is_preferred() -> None:
    general = ConnectionRecord(slug="general", kind="openai", api_key="sk-general")
    special = ConnectionRecord(slug="special", kind="openai", api_key="sk-o3", models=("o3",))
    assert resolve_model("o3", connections=[general, special]).connection == "special"
    assert resolve_model("gpt-4o", connections=[general, special]).connection == "general"


def test_an_azure_or_custom_connection_without_base_url_is_refused() -> None:
    broken = ConnectionRecord(slug="bare", kind="custom", models=("m",), custom=True)
    with pytest.raises(CredentialsError, match="has no base URL for model 'bare/m'"):
        resolve_model("bare/m", connections=[broken])


def test_keyless_local_servers_resolve_from_their_default_endpoint() -> None:
    resolved = resolve_model("ollama/llama3.2", env={})
    assert resolved.credentials.base_url == "http://localhost:11434/v1"
    assert resolved.credentials.api_key is None


def test_custom_connection_models_are_listed_for_the_picker_under_their_slug() -> None:
    assert connection_model_names([OPENAI_KEY, LOCAL_OLLAMA, AZURE]) == {
        "my-ollama": ["my-ollama/llama3.2", "my-ollama/qwen2.5"]
    }
