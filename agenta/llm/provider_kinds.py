"""The provider kinds we can talk to, and how.

Every kind speaks one of three wire protocols: ``openai`` (the chat-completions API, spoken by
OpenAI and by the OpenAI-compatible servers: Ollama, vLLM, LM Studio, Groq, Together, Mistral,
DeepSeek, OpenRouter, Gemini's compatibility endpoint...), ``azure`` (the same API behind Azure's
deployment URLs and ``api-version``) and ``anthropic`` (the Messages API). A kind adds a default
base URL and the environment variables that act as local fallbacks for its key and base URL
(names follow the common LiteLLM conventions, so existing ``.env`` files keep working).

Every kind with a public endpoint names it, so the SDKs never fall back to reading the process
environment themselves. The table is immutable data; ``provider_kind`` normalises the aliases
people type.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

Wire = Literal["openai", "azure", "anthropic"]

DEFAULT_AZURE_API_VERSION = "2024-10-21"


@dataclass(frozen=True)
class ProviderKind:
    """One provider family: its wire protocol, default endpoint and environment fallbacks.

    ``official_openai`` marks OpenAI's own API (and Azure's copy), which wants
    ``max_completion_tokens`` where compatible servers still read ``max_tokens``.
    """

    name: str
    label: str
    wire: Wire
    default_base_url: str | None = None
    key_env: str | None = None
    base_url_env: str | None = None
    needs_key: bool = True
    needs_base_url: bool = False
    official_openai: bool = False


_KINDS = (
    ProviderKind(
        "openai",
        "OpenAI",
        "openai",
        "https://api.openai.com/v1",
        key_env="OPENAI_API_KEY",
        base_url_env="OPENAI_BASE_URL",
        official_openai=True,
    ),
    ProviderKind(
        "anthropic",
        "Anthropic",
        "anthropic",
        "https://api.anthropic.com",
        key_env="ANTHROPIC_API_KEY",
        base_url_env="ANTHROPIC_BASE_URL",
    ),
    ProviderKind(
        "azure",
        "Azure OpenAI",
        "azure",
        key_env="AZURE_API_KEY",
        base_url_env="AZURE_API_BASE",
        needs_base_url=True,
        official_openai=True,
    ),
    ProviderKind(
        "gemini",
        "Google Gemini",
        "openai",
        "https://generativelanguage.googleapis.com/v1beta/openai/",
        "GEMINI_API_KEY",
    ),
    ProviderKind("mistral", "Mistral AI", "openai", "https://api.mistral.ai/v1", "MISTRAL_API_KEY"),
    ProviderKind("groq", "Groq", "openai", "https://api.groq.com/openai/v1", "GROQ_API_KEY"),
    ProviderKind(
        "together_ai", "Together AI", "openai", "https://api.together.xyz/v1", "TOGETHERAI_API_KEY"
    ),
    ProviderKind(
        "deepseek", "DeepSeek", "openai", "https://api.deepseek.com/v1", "DEEPSEEK_API_KEY"
    ),
    ProviderKind(
        "openrouter", "OpenRouter", "openai", "https://openrouter.ai/api/v1", "OPENROUTER_API_KEY"
    ),
    ProviderKind(
        "deepinfra",
        "DeepInfra",
        "openai",
        "https://api.deepinfra.com/v1/openai",
        "DEEPINFRA_API_KEY",
    ),
    ProviderKind(
        "perplexityai", "Perplexity", "openai", "https://api.perplexity.ai", "PERPLEXITYAI_API_KEY"
    ),
    ProviderKind(
        "ollama",
        "Ollama",
        "openai",
        "http://localhost:11434/v1",
        base_url_env="OLLAMA_API_BASE",
        needs_key=False,
    ),
    ProviderKind(
        "vllm",
        "vLLM",
        "openai",
        "http://localhost:8000/v1",
        base_url_env="VLLM_API_BASE",
        needs_key=False,
    ),
    ProviderKind(
        "lmstudio",
        "LM Studio",
        "openai",
        "http://localhost:1234/v1",
        base_url_env="LM_STUDIO_API_BASE",
        needs_key=False,
    ),
    ProviderKind("custom", "OpenAI-compatible", "openai", needs_key=False, needs_base_url=True),
)

PROVIDER_KINDS: MappingProxyType[str, ProviderKind] = MappingProxyType(
    {kind.name: kind for kind in _KINDS}
)

_ALIASES = MappingProxyType(
    {
        "mistralai": "mistral",
        "together": "together_ai",
        "togetherai": "together_ai",
        "azure_openai": "azure",
        "google": "gemini",
        "lm_studio": "lmstudio",
        "openai_compatible": "custom",
        "openai-compatible": "custom",
        "perplexity": "perplexityai",
    }
)


def provider_kind(name: str) -> ProviderKind | None:
    """The provider kind called ``name`` (aliases accepted, case-insensitive), or ``None``."""
    lowered = name.strip().lower()
    return PROVIDER_KINDS.get(_ALIASES.get(lowered, lowered))
