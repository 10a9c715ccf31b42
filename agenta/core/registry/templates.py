"""Application types and the configuration a new application starts with.

Three types, told apart by flags as the official SDK sends them: ``completion`` (the default,
single turn), ``chat`` (``is_chat``, multi-turn) and ``custom`` (``is_custom``: user code behind
a URL, kept in ``data.url``). Built-in types start with a prompt template in
``data.parameters.prompt`` and the handler's URI in ``data.uri``, so the playground and the
services can run them as soon as they are created.
"""

from __future__ import annotations

import copy
from typing import Any, Literal
from urllib.parse import urlsplit

from agenta.errors import AppError

AppType = Literal["completion", "chat", "custom"]
APP_TYPES: tuple[AppType, ...] = ("completion", "chat", "custom")

_COMPLETION_PROMPT: dict[str, Any] = {
    "messages": [
        {"role": "system", "content": "You are an expert in geography."},
        {"role": "user", "content": "What is the capital of {{country}}?"},
    ],
    "template_format": "mustache",
    "input_keys": None,
    "llm_config": {"model": "gpt-4o-mini"},
}

_CHAT_PROMPT: dict[str, Any] = {
    "messages": [
        {
            "role": "system",
            "content": "You are a helpful customer service assistant."
            "{{#context}}\n<context>{{context}}</context>{{/context}}",
        }
    ],
    "template_format": "mustache",
    "input_keys": None,
    "llm_config": {"model": "gpt-4o-mini"},
}


def app_type_of(flags: dict[str, Any] | None) -> AppType:
    """The type an application's flags describe."""
    flags = flags or {}
    if flags.get("is_custom"):
        return "custom"
    if flags.get("is_chat"):
        return "chat"
    return "completion"


def flags_for(app_type: AppType) -> dict[str, Any]:
    """The flags that mark an application of ``app_type``."""
    if app_type not in APP_TYPES:
        raise AppError(f"application type must be one of {', '.join(APP_TYPES)}, got {app_type!r}")
    return {
        "is_application": True,
        "is_chat": app_type == "chat",
        "is_custom": app_type == "custom",
    }


def initial_data(app_type: AppType, url: str | None = None) -> dict[str, Any]:
    """The data of a new application's first revision."""
    if app_type == "custom":
        # The SDK creates custom applications before their service has a URL.
        if url is None:
            return {"parameters": {}}
        return {"url": check_url(url, "application.data.url"), "parameters": {}}
    prompt = _CHAT_PROMPT if app_type == "chat" else _COMPLETION_PROMPT
    return {
        "uri": f"agenta:builtin:{app_type}:v0",
        "parameters": {"prompt": copy.deepcopy(prompt)},
    }


def check_url(url: str | None, field: str) -> str:
    """An http(s) URL for a custom application; a 400 naming ``field`` otherwise."""
    if not url or not isinstance(url, str):
        raise AppError(f"{field} is required for a custom application: the URL of its service")
    parts = urlsplit(url.strip())
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise AppError(f"{field} must be an http:// or https:// URL, got {url!r}")
    return url.strip()
