"""The Anthropic Messages wire format of the fake LLM: requests in, bodies and SSE out.

Like the real API it rejects a request without ``max_tokens``. Streams send the real event
sequence: ``message_start`` (input usage), ``ping``, then per content block
``content_block_start``/``content_block_delta``.../``content_block_stop``, then
``message_delta`` (stop reason, output usage) and ``message_stop``. Usage counts input the
Anthropic way: ``input_tokens`` excludes ``cache_read_input_tokens``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from tests.fakes.llm_replies import ChatInput, Reply, ToolSpec, stream_pieces

_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    529: "overloaded_error",
}
_STOP_REASONS = {"stop": "end_turn", "tool_calls": "tool_use", "length": "max_tokens"}


def read_chat(body: Mapping[str, Any]) -> ChatInput:
    """The neutral view of a Messages API request."""
    messages = body.get("messages") or []
    texts, images = _block_texts(body.get("system"))
    for message in messages:
        message_texts, message_images = _block_texts(message.get("content"))
        texts.extend(message_texts)
        images += message_images
    choice = body.get("tool_choice") or {}
    output_format = (body.get("output_config") or {}).get("format") or {}
    return ChatInput(
        model=str(body.get("model", "")),
        texts=texts,
        last_user_text=_last_user_text(messages),
        ends_with_tool_result=_tool_result(messages),
        images=images,
        tools=[
            ToolSpec(tool["name"], tool["input_schema"])
            for tool in body.get("tools") or []
            if "input_schema" in tool
        ],
        forced_tool={"any": "*", "tool": choice.get("name")}.get(choice.get("type", "")),
        tools_disabled=choice.get("type") == "none",
        json_schema=output_format.get("schema")
        if output_format.get("type") == "json_schema"
        else None,
    )


def _block_texts(content: Any) -> tuple[list[str], int]:
    if isinstance(content, str):
        return [content], 0
    blocks = content or []
    texts = [block["text"] for block in blocks if block.get("type") == "text"]
    for block in blocks:
        if block.get("type") == "tool_result":
            texts.extend(_block_texts(block.get("content"))[0])
    return texts, sum(1 for block in blocks if block.get("type") == "image")


def _last_user_text(messages: list[Mapping[str, Any]]) -> str:
    for message in reversed(messages):
        content = message.get("content")
        if message.get("role") == "user" and not _is_tool_results(content):
            return " ".join(_block_texts(content)[0])
    return ""


def _tool_result(messages: list[Mapping[str, Any]]) -> str | None:
    if messages and _is_tool_results(messages[-1].get("content")):
        return " ".join(_block_texts(messages[-1]["content"])[0])
    return None


def _is_tool_results(content: Any) -> bool:
    return isinstance(content, list) and any(
        block.get("type") == "tool_result" for block in content
    )


def request_problem(body: Mapping[str, Any]) -> str | None:
    """Why the real API would reject this request, if it would."""
    if not isinstance(body.get("max_tokens"), int):
        return "max_tokens: Field required"
    return None


def message_body(reply: Reply, model: str, number: int) -> dict[str, Any]:
    """A ``message`` body."""
    return {
        **_message_head(model, number),
        "content": _content_blocks(reply),
        "stop_reason": _STOP_REASONS[reply.finish_reason],
        "usage": _usage(reply),
    }


def _message_head(model: str, number: int) -> dict[str, Any]:
    return {
        "id": f"msg_fake_{number}",
        "type": "message",
        "role": "assistant",
        "model": model,
        "stop_sequence": None,
    }


def _content_blocks(reply: Reply) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = []
    if reply.content is not None:
        blocks.append({"type": "text", "text": reply.content})
    for call in reply.tool_calls:
        blocks.append(
            {
                "type": "tool_use",
                "id": call.id,
                "name": call.name,
                "input": json.loads(call.arguments),
            }
        )
    return blocks


def _usage(reply: Reply, *, output_tokens: int | None = None) -> dict[str, Any]:
    usage: dict[str, Any] = {
        "input_tokens": reply.prompt_tokens - reply.cached_tokens,
        "output_tokens": reply.completion_tokens if output_tokens is None else output_tokens,
        "cache_read_input_tokens": reply.cached_tokens,
        "cache_creation_input_tokens": 0,
    }
    if reply.reasoning_tokens:
        usage["output_tokens_details"] = {"thinking_tokens": reply.reasoning_tokens}
    return usage


def stream_events(reply: Reply, model: str, number: int) -> list[bytes]:
    """The SSE events of a streamed answer."""
    start = {
        **_message_head(model, number),
        "content": [],
        "stop_reason": None,
        "usage": _usage(reply, output_tokens=1),
    }
    events: list[dict[str, Any]] = [{"type": "message_start", "message": start}, {"type": "ping"}]
    for index, block in enumerate(_content_blocks(reply)):
        events.extend(_block_events(index, block))
    delta = {"stop_reason": _STOP_REASONS[reply.finish_reason], "stop_sequence": None}
    output_usage = {"output_tokens": reply.completion_tokens}
    if reply.reasoning_tokens:
        output_usage["output_tokens_details"] = {"thinking_tokens": reply.reasoning_tokens}
    events.append({"type": "message_delta", "delta": delta, "usage": output_usage})
    events.append({"type": "message_stop"})
    return [_sse(event) for event in events]


def _block_events(index: int, block: dict[str, Any]) -> list[dict[str, Any]]:
    if block["type"] == "text":
        opening = {"type": "text", "text": ""}
        pieces = [{"type": "text_delta", "text": piece} for piece in stream_pieces(block["text"])]
    else:
        opening = {**block, "input": {}}
        arguments = json.dumps(block["input"])
        pieces = [
            {"type": "input_json_delta", "partial_json": piece}
            for piece in stream_pieces(arguments)
        ]
    events = [{"type": "content_block_start", "index": index, "content_block": opening}]
    events.extend(
        {"type": "content_block_delta", "index": index, "delta": piece} for piece in pieces
    )
    events.append({"type": "content_block_stop", "index": index})
    return events


def _sse(event: Mapping[str, Any]) -> bytes:
    return f"event: {event['type']}\ndata: {json.dumps(event)}\n\n".encode()


def error_body(status: int, message: str | None) -> dict[str, Any]:
    """An Anthropic error body for ``status``."""
    kind = _ERROR_TYPES.get(status, "api_error")
    return {
        "type": "error",
        "error": {"type": kind, "message": message or f"fake provider error {status}"},
    }


def models_body(names: tuple[str, ...]) -> dict[str, Any]:
    """The Anthropic shape of ``/v1/models``."""
    data = [
        {"id": name, "type": "model", "display_name": name, "created_at": "2025-01-01T00:00:00Z"}
        for name in names
    ]
    return {"data": data, "has_more": False, "first_id": names[0], "last_id": names[-1]}
