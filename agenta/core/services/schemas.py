"""JSON Schemas of the built-in services, with the ``x-ag-*`` hints a playground draws from.

``parameters_schema`` describes ``{"prompt": PromptTemplate}`` (agenta-behaviour.md §3.4 and
§3.5): the prompt is marked ``x-ag-type: prompt-template`` and its model field
``x-ag-type-ref: model`` with the catalog's models grouped by provider. ``inputs_schema`` lists
the variables the prompt reads (all strings) plus a chat's ``messages``; ``outputs_schema`` is
text for a completion and an assistant message for a chat.
"""

from __future__ import annotations

from typing import Any

from agenta.llm import load_catalog
from agenta.llm.prompt_config import (
    FALLBACK_POLICIES,
    MESSAGE_ROLES,
    REASONING_EFFORTS,
    RETRY_POLICIES,
    TEMPLATE_FORMATS,
)

_MESSAGE: dict[str, Any] = {
    "type": "object",
    "x-ag-type": "message",
    "properties": {
        "role": {"type": "string", "enum": list(MESSAGE_ROLES)},
        "content": {"anyOf": [{"type": "string"}, {"type": "array"}, {"type": "null"}]},
        "name": {"type": "string"},
        "tool_calls": {"type": "array"},
        "tool_call_id": {"type": "string"},
    },
    "required": ["role"],
}


def _number(low: float, high: float) -> dict[str, Any]:
    return {"type": "number", "minimum": low, "maximum": high}


def model_config_schema() -> dict[str, Any]:
    """The schema of ``llm_config`` (and of each fallback config)."""
    return {
        "type": "object",
        "x-ag-type": "llm",
        "properties": {
            "model": {
                "type": "string",
                "default": "gpt-4o-mini",
                "x-ag-type-ref": "model",
                "x-ag-type": "grouped_choice",
                "choices": load_catalog().groups(),
            },
            "connection": {"type": "string", "x-ag-type": "hidden"},
            "temperature": _number(0, 2),
            "max_tokens": {"type": "integer", "minimum": 0, "maximum": 64000},
            "top_p": _number(0, 1),
            "frequency_penalty": _number(-2, 2),
            "presence_penalty": _number(-2, 2),
            "reasoning_effort": {"type": "string", "enum": list(REASONING_EFFORTS)},
            "response_format": {"type": "object"},
            "tools": {"type": "array", "items": {"type": "object"}},
            "tool_choice": {"anyOf": [{"type": "string"}, {"type": "object"}]},
            "chat_template_kwargs": {"type": "object", "x-ag-type": "dict"},
        },
        "required": ["model"],
    }


def parameters_schema() -> dict[str, Any]:
    """The schema of a built-in service's parameters."""
    prompt = {
        "type": "object",
        "x-ag-type": "prompt-template",
        "properties": {
            "messages": {"type": "array", "x-ag-type": "messages", "items": _MESSAGE},
            "template_format": {
                "type": "string",
                "enum": list(TEMPLATE_FORMATS),
                "default": "curly",
            },
            "input_keys": {
                "anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "null"}]
            },
            "llm_config": model_config_schema(),
            "fallback_configs": {
                "type": "array",
                "x-ag-type": "llms",
                "items": model_config_schema(),
            },
            "fallback_policy": {"type": "string", "enum": list(FALLBACK_POLICIES)},
            "retry_config": {
                "type": "object",
                "properties": {
                    "max_retries": {"type": "integer", "minimum": 0, "maximum": 5},
                    "base_delay": {"type": "integer", "minimum": 100, "maximum": 1000},
                },
            },
            "retry_policy": {"type": "string", "enum": list(RETRY_POLICIES)},
        },
        "required": ["messages"],
    }
    return {"type": "object", "properties": {"prompt": prompt}, "required": ["prompt"]}


def inputs_schema(kind: str, variables: list[str]) -> dict[str, Any]:
    """The inputs a service takes: the prompt's variables (and the history for chat)."""
    properties: dict[str, Any] = {name: {"type": "string"} for name in variables}
    required = list(variables)
    if kind == "chat":
        properties["messages"] = {"type": "array", "x-ag-type": "messages", "items": _MESSAGE}
        required.append("messages")
    return {"type": "object", "properties": properties, "required": required}


def outputs_schema(kind: str) -> dict[str, Any]:
    """What a service answers."""
    if kind == "chat":
        return _MESSAGE
    return {"anyOf": [{"type": "string"}, {"type": "object"}, {"type": "array"}]}
