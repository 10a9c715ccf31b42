"""Read a prompt configuration from JSON, reporting every invalid field by its path.

``parse_prompt_template`` collects all problems before failing, so one round trip shows the
author everything to fix: ``PromptConfigError`` carries messages such as
``prompt.llm_config.temperature: must be between 0 and 2``. Unknown keys are ignored, as the
original SDK does, so configs written by newer clients still load. Legacy ``system_prompt`` and
``user_prompt`` become messages when ``messages`` is absent.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from agenta.llm.errors import PromptConfigError
from agenta.llm.prompt_config import (
    FALLBACK_POLICIES,
    REASONING_EFFORTS,
    RETRY_POLICIES,
    TEMPLATE_FORMATS,
    ModelConfig,
    PromptTemplate,
    RetryConfig,
)
from agenta.llm.prompt_messages import check_messages

_RESPONSE_FORMATS = ("text", "json_object", "json_schema")
_TOOL_CHOICES = ("none", "auto", "required")


class _Reader:
    """Typed access to the fields of one JSON object, recording errors under its path."""

    def __init__(self, data: Mapping[str, Any], path: str, errors: list[str]) -> None:
        self.data = data
        self.path = path
        self.errors = errors

    def fail(self, name: str, message: str) -> None:
        self.errors.append(f"{self.path}.{name}: {message}")

    def number(self, name: str, low: float, high: float) -> float | None:
        value = self.data.get(name)
        if value is None:
            return None
        if not _is_number(value) or not math.isfinite(value):
            self.fail(name, f"must be a number, got {value!r}")
            return None
        if not low <= value <= high:
            self.fail(name, f"must be between {low:g} and {high:g}")
            return None
        return float(value)

    def integer(self, name: str, low: float = -math.inf, high: float = math.inf) -> int | None:
        value = self.data.get(name)
        if value is None:
            return None
        if not _is_integer(value):
            self.fail(name, f"must be an integer, got {value!r}")
            return None
        if not low <= value <= high:
            self.fail(name, f"must be between {low:g} and {high:g}")
            return None
        return int(value)

    def choice(self, name: str, options: Sequence[str], default: str | None = None) -> str | None:
        value = self.data.get(name)
        if value is None:
            return default
        if value not in options:
            self.fail(name, f"must be one of {', '.join(options)}, got {value!r}")
            return default
        return str(value)

    def typed(self, name: str, kind: type | tuple[type, ...], label: str) -> Any:
        value = self.data.get(name)
        if value is not None and not isinstance(value, kind):
            self.fail(name, f"must be {label}, got {type(value).__name__}")
            return None
        return value


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_integer(value: Any) -> bool:
    if isinstance(value, float):
        return value.is_integer()
    return isinstance(value, int) and not isinstance(value, bool)


def parse_prompt_template(data: Any, path: str = "prompt") -> PromptTemplate:
    """Build a ``PromptTemplate`` from JSON; raise ``PromptConfigError`` listing all problems."""
    errors: list[str] = []
    if not isinstance(data, Mapping):
        raise PromptConfigError([f"{path}: must be an object, got {type(data).__name__}"])
    fields = _Reader(data, path, errors)
    template = PromptTemplate(
        messages=_messages(data, path, errors),
        template_format=fields.choice("template_format", TEMPLATE_FORMATS, "curly"),  # type: ignore[arg-type]
        input_keys=_input_keys(fields),
        llm_config=_model_config(data.get("llm_config") or {}, f"{path}.llm_config", errors),
        fallback_configs=_fallbacks(fields),
        fallback_policy=fields.choice("fallback_policy", FALLBACK_POLICIES, "capacity"),  # type: ignore[arg-type]
        retry_config=_retry_config(data.get("retry_config") or {}, f"{path}.retry_config", errors),
        retry_policy=fields.choice("retry_policy", RETRY_POLICIES, "capacity"),  # type: ignore[arg-type]
    )
    if errors:
        raise PromptConfigError(errors)
    return template


def parse_model_config(data: Any, path: str = "llm_config") -> ModelConfig:
    """Build a ``ModelConfig`` from its JSON; raise ``PromptConfigError`` listing all problems."""
    errors: list[str] = []
    config = _model_config(data, path, errors)
    if errors:
        raise PromptConfigError(errors)
    return config


def _messages(data: Mapping[str, Any], path: str, errors: list[str]) -> list[dict[str, Any]]:
    messages = data.get("messages")
    if messages is None:
        messages = _legacy_messages(data)
    if messages is None:
        return PromptTemplate().messages
    if not isinstance(messages, list):
        errors.append(f"{path}.messages: must be a list of messages")
        return []
    errors.extend(check_messages(messages, f"{path}.messages"))
    return messages


def _legacy_messages(data: Mapping[str, Any]) -> list[dict[str, Any]] | None:
    system, user = data.get("system_prompt"), data.get("user_prompt")
    if system is None and user is None:
        return None
    legacy = [("system", system), ("user", user)]
    return [{"role": role, "content": text} for role, text in legacy if text is not None]


def _input_keys(fields: _Reader) -> list[str] | None:
    keys = fields.typed("input_keys", list, "a list of strings")
    if keys is None:
        return None
    if not all(isinstance(key, str) for key in keys):
        fields.fail("input_keys", "must be a list of strings")
        return None
    return list(keys)


def _fallbacks(fields: _Reader) -> list[ModelConfig]:
    configs = fields.typed("fallback_configs", list, "a list of model configs")
    path = f"{fields.path}.fallback_configs"
    return [
        _model_config(item, f"{path}[{index}]", fields.errors)
        for index, item in enumerate(configs or [])
    ]


def _retry_config(data: Any, path: str, errors: list[str]) -> RetryConfig:
    if not isinstance(data, Mapping):
        errors.append(f"{path}: must be an object with max_retries and base_delay")
        return RetryConfig()
    fields = _Reader(data, path, errors)
    max_retries = fields.integer("max_retries", 0, 5)
    base_delay = fields.integer("base_delay", 100, 1000)
    defaults = RetryConfig()
    return RetryConfig(
        max_retries=defaults.max_retries if max_retries is None else max_retries,
        base_delay=defaults.base_delay if base_delay is None else base_delay,
    )


def _model_config(data: Any, path: str, errors: list[str]) -> ModelConfig:
    if not isinstance(data, Mapping):
        errors.append(f"{path}: must be an object, got {type(data).__name__}")
        return ModelConfig()
    fields = _Reader(data, path, errors)
    return ModelConfig(
        model=_model_name(fields),
        connection=fields.typed("connection", str, "a string"),
        temperature=fields.number("temperature", 0, 2),
        max_tokens=fields.integer("max_tokens", 0, 64000),
        top_p=fields.number("top_p", 0, 1),
        frequency_penalty=fields.number("frequency_penalty", -2, 2),
        presence_penalty=fields.number("presence_penalty", -2, 2),
        reasoning_effort=fields.choice("reasoning_effort", REASONING_EFFORTS),
        stop=_stop(fields),
        seed=fields.integer("seed"),
        chat_template_kwargs=fields.typed("chat_template_kwargs", dict, "an object"),
        response_format=_response_format(fields),
        stream=fields.typed("stream", bool, "true or false"),
        tools=_tools(fields),
        tool_choice=_tool_choice(fields),
    )


def _model_name(fields: _Reader) -> str:
    model = fields.data.get("model")
    if model is None:
        return ModelConfig().model
    if not isinstance(model, str) or not model.strip():
        fields.fail("model", "must be a non-empty model name such as gpt-4o-mini or provider/model")
        return ModelConfig().model
    return model.strip()


def _stop(fields: _Reader) -> str | list[str] | None:
    stop = fields.data.get("stop")
    if stop is None or isinstance(stop, str):
        return stop
    if isinstance(stop, list) and all(isinstance(item, str) for item in stop):
        return stop
    fields.fail("stop", "must be a string or a list of strings")
    return None


def _response_format(fields: _Reader) -> dict[str, Any] | None:
    value = fields.typed("response_format", dict, "an object")
    if value is None:
        return None
    kind = value.get("type")
    if kind not in _RESPONSE_FORMATS:
        fields.fail(
            "response_format.type", f"must be one of {', '.join(_RESPONSE_FORMATS)}, got {kind!r}"
        )
        return None
    if kind == "json_schema":
        _check_json_schema(value.get("json_schema"), fields)
    return value


def _check_json_schema(spec: Any, fields: _Reader) -> None:
    where = "response_format.json_schema"
    if not isinstance(spec, Mapping):
        fields.fail(where, "must be an object with name and schema")
        return
    if not isinstance(spec.get("name"), str) or not spec["name"]:
        fields.fail(f"{where}.name", "must be a non-empty string")
    if not isinstance(spec.get("schema"), Mapping):
        fields.fail(f"{where}.schema", "must be a JSON schema object")
    if spec.get("strict") is not None and not isinstance(spec["strict"], bool):
        fields.fail(f"{where}.strict", "must be true or false")


def _tools(fields: _Reader) -> list[dict[str, Any]] | None:
    tools = fields.typed("tools", list, "a list of tool definitions")
    for index, tool in enumerate(tools or []):
        where = f"tools[{index}]"
        if not isinstance(tool, Mapping):
            fields.fail(where, "must be an object")
        elif tool.get("type", "function") == "function":
            function = tool.get("function")
            if not isinstance(function, Mapping) or not isinstance(function.get("name"), str):
                fields.fail(f"{where}.function.name", "is required for a function tool")
    return tools


def _tool_choice(fields: _Reader) -> str | dict[str, Any] | None:
    choice = fields.data.get("tool_choice")
    if choice is None or isinstance(choice, dict) or choice in _TOOL_CHOICES:
        return choice
    fields.fail("tool_choice", f"must be one of {', '.join(_TOOL_CHOICES)} or an object")
    return None
