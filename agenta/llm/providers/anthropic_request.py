"""Translate an OpenAI-shaped chat request into Anthropic Messages API arguments.

The request's shape changes as the Messages API requires; the user's JSON inside it does not:
JSON schemas (``response_format.json_schema.schema``, a tool's ``parameters``) are passed on as the
very same values, key order and all. What moves where:

* leading ``system``/``developer`` messages become ``system``; later ones stay system messages;
* ``image_url`` parts become ``image`` blocks (base64 for ``data:`` URLs, else ``url``), ``file``
  parts ``document`` blocks; blocks already in Anthropic's shape pass through;
* assistant ``tool_calls`` become ``tool_use`` blocks, ``tool`` messages ``tool_result`` blocks
  (consecutive results share one user turn);
* ``tools`` take ``input_schema`` from ``parameters``; ``tool_choice`` auto/none/required/named;
* ``response_format`` json_schema/json_object becomes ``output_config.format``;
  ``reasoning_effort`` becomes ``output_config.effort`` (``none`` disables thinking);
* ``stop`` becomes ``stop_sequences``; ``max_tokens`` is required, defaulting to 4096.

Parameters the Messages API (version 2026-10-21, SDK 2.x) no longer has or never had are left
out: ``temperature``, ``top_p``, penalties, ``seed`` and ``chat_template_kwargs``
(``DROPPED_PARAMS``; the SDK removed them and the API rejects them).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from agenta.llm.errors import ErrorKind, ProviderError
from agenta.llm.providers.base import ChatRequest

DEFAULT_MAX_TOKENS = 4096
DROPPED_PARAMS = frozenset(
    {
        "temperature",
        "top_p",
        "frequency_penalty",
        "presence_penalty",
        "seed",
        "chat_template_kwargs",
    }
)
_SYSTEM_ROLES = ("system", "developer")
_EFFORTS = {"minimal": "low", "low": "low", "medium": "medium", "high": "high", "xhigh": "xhigh"}
_TOOL_CHOICES = {"auto": {"type": "auto"}, "none": {"type": "none"}, "required": {"type": "any"}}


def anthropic_arguments(model: str, request: ChatRequest) -> dict[str, Any]:
    """Keyword arguments of ``messages.create`` for ``request``."""
    params = request.params
    system, messages = _split_system(request.messages)
    arguments: dict[str, Any] = {
        "model": model,
        "messages": _convert_messages(messages),
        "max_tokens": params.get("max_tokens") or DEFAULT_MAX_TOKENS,
    }
    if system:
        arguments["system"] = system
    if params.get("stop"):
        stop = params["stop"]
        arguments["stop_sequences"] = [stop] if isinstance(stop, str) else list(stop)
    if params.get("tools"):
        arguments["tools"] = [_tool(tool) for tool in params["tools"]]
        if params.get("tool_choice") is not None:
            arguments["tool_choice"] = _tool_choice(params["tool_choice"])
    arguments.update(_output_options(params))
    return arguments


def _split_system(
    messages: Sequence[Mapping[str, Any]],
) -> tuple[list[dict[str, Any]], list[Mapping[str, Any]]]:
    blocks: list[dict[str, Any]] = []
    index = 0
    while index < len(messages) and messages[index].get("role") in _SYSTEM_ROLES:
        blocks.extend(_text_blocks(messages[index].get("content")))
        index += 1
    return blocks, list(messages[index:])


def _text_blocks(content: Any) -> list[dict[str, Any]]:
    if isinstance(content, str):
        return [{"type": "text", "text": content}] if content else []
    return [_part(part) for part in content or [] if part.get("type") != "text" or part["text"]]


def _convert_messages(messages: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    converted: list[dict[str, Any]] = []
    for message in messages:
        role = message.get("role")
        if role in ("tool", "function"):
            _append_tool_result(converted, message)
        elif role == "assistant":
            converted.append({"role": "assistant", "content": _assistant_content(message)})
        elif _has_content(message.get("content")):
            target_role = "system" if role in _SYSTEM_ROLES else "user"
            converted.append({"role": target_role, "content": _content(message["content"])})
    return converted


def _has_content(content: Any) -> bool:
    return bool(content) if isinstance(content, str | list) else False


def _content(content: str | list[Any]) -> str | list[dict[str, Any]]:
    return content if isinstance(content, str) else [_part(part) for part in content]


def _assistant_content(message: Mapping[str, Any]) -> str | list[dict[str, Any]]:
    content = message.get("content")
    tool_calls = message.get("tool_calls") or []
    if not tool_calls:
        return _content(content) if _has_content(content) else ""
    blocks = _text_blocks(content) if _has_content(content) else []
    blocks.extend(_tool_use(call) for call in tool_calls)
    return blocks


def _tool_use(call: Mapping[str, Any]) -> dict[str, Any]:
    function = call.get("function") or {}
    arguments = function.get("arguments") or "{}"
    try:
        tool_input = json.loads(arguments) if isinstance(arguments, str) else arguments
    except json.JSONDecodeError:
        tool_input = {"arguments": arguments}
    return {
        "type": "tool_use",
        "id": call.get("id"),
        "name": function.get("name"),
        "input": tool_input,
    }


def _append_tool_result(converted: list[dict[str, Any]], message: Mapping[str, Any]) -> None:
    content = message.get("content")
    result = {
        "type": "tool_result",
        "tool_use_id": message.get("tool_call_id") or message.get("name"),
        "content": _content(content) if _has_content(content) else "",
    }
    previous = converted[-1] if converted else None
    if previous and previous["role"] == "user" and _is_tool_results(previous["content"]):
        previous["content"].append(result)
    else:
        converted.append({"role": "user", "content": [result]})


def _is_tool_results(content: Any) -> bool:
    return isinstance(content, list) and all(
        block.get("type") == "tool_result" for block in content
    )


def _part(part: Mapping[str, Any]) -> dict[str, Any]:
    kind = part.get("type")
    if kind == "image_url":
        return {"type": "image", "source": _source(part["image_url"]["url"])}
    if kind == "file":
        return {"type": "document", "source": _document_source(part["file"])}
    if kind == "input_audio":
        raise ProviderError(
            provider="anthropic",
            status=400,
            message="audio input parts are not supported by Anthropic models",
            kind=ErrorKind.BAD_REQUEST,
        )
    return dict(part)


def _source(url: str, media_type: str | None = None) -> dict[str, Any]:
    if url.startswith("data:") and "," in url:
        header, data = url[len("data:") :].split(",", 1)
        return {"type": "base64", "media_type": header.split(";")[0] or media_type, "data": data}
    return {"type": "url", "url": url}


def _document_source(file: Mapping[str, Any]) -> dict[str, Any]:
    if file.get("file_id"):
        return {"type": "file", "file_id": file["file_id"]}
    media_type = file.get("mime_type") or "application/pdf"
    if file.get("file_data"):
        data = file["file_data"]
        if data.startswith("data:"):
            return _source(data, media_type)
        return {"type": "base64", "media_type": media_type, "data": data}
    return {"type": "url", "url": file.get("file_url")}


def _tool(tool: Mapping[str, Any]) -> Mapping[str, Any]:
    if tool.get("type", "function") != "function" or "function" not in tool:
        return tool
    function = tool["function"]
    converted: dict[str, Any] = {"name": function["name"]}
    if function.get("description"):
        converted["description"] = function["description"]
    converted["input_schema"] = function.get("parameters") or {"type": "object", "properties": {}}
    if function.get("strict") is not None:
        converted["strict"] = function["strict"]
    return converted


def _tool_choice(choice: str | Mapping[str, Any]) -> Mapping[str, Any]:
    if isinstance(choice, str):
        return _TOOL_CHOICES.get(choice, {"type": "auto"})
    if choice.get("type") == "function":
        return {"type": "tool", "name": choice["function"]["name"]}
    return choice


def _output_options(params: Mapping[str, Any]) -> dict[str, Any]:
    options: dict[str, Any] = {}
    output_config: dict[str, Any] = {}
    response_format = params.get("response_format") or {}
    if response_format.get("type") == "json_schema":
        schema = response_format["json_schema"]["schema"]
        output_config["format"] = {"type": "json_schema", "schema": schema}
    elif response_format.get("type") == "json_object":
        output_config["format"] = {"type": "json_schema", "schema": {"type": "object"}}
    effort = params.get("reasoning_effort")
    if effort == "none":
        options["thinking"] = {"type": "disabled"}
    elif effort in _EFFORTS:
        output_config["effort"] = _EFFORTS[effort]
    if output_config:
        options["output_config"] = output_config
    return options
