"""The prompt configuration: ``PromptTemplate`` and the ``ModelConfig`` it calls.

These are the typed forms of the JSON stored at ``parameters.prompt`` of a revision
(agenta-behaviour.md §3.4). ``config_parsing.parse_prompt_template`` builds them from JSON and
reports every invalid field by its path; ``to_dict`` writes them back without the unset fields.

Messages, tools, ``response_format`` and ``chat_template_kwargs`` are user JSON: they are kept as
the given dicts and forwarded as they are, never reshaped.

Policies (which errors trigger a retry or a fallback) default to ``capacity`` (server errors,
timeouts and 429), while the default retry count is zero and the fallback list empty: a config
gets retries or fallbacks by saying how many or which, without also having to name a policy.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, Literal

TemplateFormat = Literal["curly", "mustache", "fstring", "jinja2"]
FallbackPolicy = Literal["off", "availability", "capacity", "access", "context", "any"]
RetryPolicy = Literal["off", "availability", "capacity", "transient", "any"]

TEMPLATE_FORMATS: tuple[str, ...] = ("curly", "mustache", "fstring", "jinja2")
FALLBACK_POLICIES: tuple[str, ...] = ("off", "availability", "capacity", "access", "context", "any")
RETRY_POLICIES: tuple[str, ...] = ("off", "availability", "capacity", "transient", "any")
REASONING_EFFORTS: tuple[str, ...] = ("none", "minimal", "low", "medium", "high", "xhigh")
MESSAGE_ROLES: tuple[str, ...] = ("developer", "system", "user", "assistant", "tool", "function")

DEFAULT_MODEL = "gpt-4o-mini"

# ModelConfig fields that are call parameters, in the order they are forwarded.
_CALL_PARAMS = (
    "temperature",
    "max_tokens",
    "top_p",
    "frequency_penalty",
    "presence_penalty",
    "reasoning_effort",
    "stop",
    "seed",
    "chat_template_kwargs",
    "response_format",
    "tools",
    "tool_choice",
)


def _default_messages() -> list[dict[str, Any]]:
    return [{"role": "system", "content": ""}, {"role": "user", "content": ""}]


@dataclass(frozen=True)
class ModelConfig:
    """Which model to call and with which parameters (``llm_config``)."""

    model: str = DEFAULT_MODEL
    connection: str | None = None
    temperature: float | None = None
    max_tokens: int | None = None
    top_p: float | None = None
    frequency_penalty: float | None = None
    presence_penalty: float | None = None
    reasoning_effort: str | None = None
    stop: str | list[str] | None = None
    seed: int | None = None
    chat_template_kwargs: dict[str, Any] | None = None
    response_format: dict[str, Any] | None = None
    stream: bool | None = None
    tools: list[dict[str, Any]] | None = None
    tool_choice: str | dict[str, Any] | None = None

    def call_params(self) -> dict[str, Any]:
        """The set call parameters, by their OpenAI names (``tool_choice`` only with tools)."""
        params = {name: getattr(self, name) for name in _CALL_PARAMS}
        if not self.tools:
            params.pop("tool_choice")
        return {name: value for name, value in params.items() if value is not None}

    def to_dict(self) -> dict[str, Any]:
        """The config as JSON, without unset fields."""
        return _set_fields(self)


@dataclass(frozen=True)
class RetryConfig:
    """How often to retry one model, and the first backoff delay in milliseconds."""

    max_retries: int = 0
    base_delay: int = 200

    def to_dict(self) -> dict[str, Any]:
        """The config as JSON."""
        return {"max_retries": self.max_retries, "base_delay": self.base_delay}


@dataclass(frozen=True)
class PromptTemplate:
    """A prompt: template messages, how to render them, and which model(s) to call."""

    messages: list[dict[str, Any]] = field(default_factory=_default_messages)
    template_format: TemplateFormat = "curly"
    input_keys: list[str] | None = None
    llm_config: ModelConfig = field(default_factory=ModelConfig)
    fallback_configs: list[ModelConfig] = field(default_factory=list)
    fallback_policy: FallbackPolicy = "capacity"
    retry_config: RetryConfig = field(default_factory=RetryConfig)
    retry_policy: RetryPolicy = "capacity"

    def model_configs(self) -> list[ModelConfig]:
        """The primary config followed by the fallbacks, in the order they are tried."""
        return [self.llm_config, *self.fallback_configs]

    def to_dict(self) -> dict[str, Any]:
        """The prompt as JSON, in the shape ``parse_prompt_template`` reads."""
        data = _set_fields(self)
        data["llm_config"] = self.llm_config.to_dict()
        data["fallback_configs"] = [config.to_dict() for config in self.fallback_configs]
        data["retry_config"] = self.retry_config.to_dict()
        return data


def _set_fields(instance: Any) -> dict[str, Any]:
    values = ((item.name, getattr(instance, item.name)) for item in fields(instance))
    return {name: value for name, value in values if value is not None}
