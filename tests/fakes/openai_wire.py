"""The OpenAI chat-completions wire format of the fake LLM: requests in, bodies and SSE out.

Shapes follow the public API reference: ``chat.completion`` bodies with ``usage`` details
(``cached_tokens``, ``reasoning_tokens``), streams of ``chat.completion.chunk`` events ending with
an optional usage chunk (``stream_options.include_usage``) and ``data: [DONE]``, error bodies
``{"error": {message, type, code}}``, embeddings (float or base64) and the model list.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import struct
import time
from collections.abc import Mapping
from typing import Any

from tests.fakes.llm_replies import ChatInput, Reply, ToolSpec, count_words, stream_pieces

_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "invalid_api_key",
    403: "permission_denied",
    404: "not_found",
    429: "rate_limit_exceeded",
}
EMBEDDING_DIMENSIONS = 64
MODELS = ("gpt-4o-mini", "gpt-4o", "fake-model")


def read_chat(body: Mapping[str, Any]) -> ChatInput:
    """The neutral view of an OpenAI chat request."""
    messages = body.get("messages") or []
    texts: list[str] = []
    images = 0
    for message in messages:
        message_texts, message_images = _content_texts(message.get("content"))
        texts.extend(message_texts)
        images += message_images
    return ChatInput(
        model=str(body.get("model", "")),
        texts=texts,
        last_user_text=_last_user_text(messages),
        ends_with_tool_result=_tool_result(messages),
        images=images,
        tools=[_tool(tool) for tool in body.get("tools") or [] if "function" in tool],
        forced_tool=_forced_tool(body.get("tool_choice")),
        tools_disabled=body.get("tool_choice") == "none",
        json_schema=_json_schema(body.get("response_format")),
        json_object=(body.get("response_format") or {}).get("type") == "json_object",
    )


def _content_texts(content: Any) -> tuple[list[str], int]:
    if isinstance(content, str):
        return [content], 0
    parts = content or []
    texts = [part["text"] for part in parts if part.get("type") == "text"]
    return texts, sum(1 for part in parts if part.get("type") == "image_url")


def _last_user_text(messages: list[Mapping[str, Any]]) -> str:
    for message in reversed(messages):
        if message.get("role") == "user":
            return " ".join(_content_texts(message.get("content"))[0])
    return ""


def _tool_result(messages: list[Mapping[str, Any]]) -> str | None:
    if messages and messages[-1].get("role") == "tool":
        return " ".join(_content_texts(messages[-1].get("content"))[0])
    return None


def _tool(tool: Mapping[str, Any]) -> ToolSpec:
    function = tool["function"]
    return ToolSpec(function["name"], function.get("parameters") or {})


def _forced_tool(choice: Any) -> str | None:
    if choice == "required":
        return "*"
    if isinstance(choice, Mapping) and choice.get("type") == "function":
        return choice["function"]["name"]
    return None


def _json_schema(response_format: Any) -> Mapping[str, Any] | None:
    if isinstance(response_format, Mapping) and response_format.get("type") == "json_schema":
        return response_format["json_schema"].get("schema") or {}
    return None


def completion_body(reply: Reply, model: str, number: int) -> dict[str, Any]:
    """A ``chat.completion`` body."""
    message: dict[str, Any] = {"role": "assistant", "content": reply.content, "refusal": None}
    if reply.tool_calls:
        message["tool_calls"] = [
            {
                "id": call.id,
                "type": "function",
                "function": {"name": call.name, "arguments": call.arguments},
            }
            for call in reply.tool_calls
        ]
    choice = {
        "index": 0,
        "message": message,
        "finish_reason": reply.finish_reason,
        "logprobs": None,
    }
    return {
        **_envelope("chat.completion", model, number),
        "choices": [choice],
        "usage": _usage(reply),
    }


def _envelope(kind: str, model: str, number: int) -> dict[str, Any]:
    return {
        "id": f"chatcmpl-fake-{number}",
        "object": kind,
        "created": int(time.time()),
        "model": model,
    }


def _usage(reply: Reply) -> dict[str, Any]:
    return {
        "prompt_tokens": reply.prompt_tokens,
        "completion_tokens": reply.completion_tokens,
        "total_tokens": reply.prompt_tokens + reply.completion_tokens,
        "prompt_tokens_details": {"cached_tokens": reply.cached_tokens},
        "completion_tokens_details": {"reasoning_tokens": reply.reasoning_tokens},
    }


def stream_events(reply: Reply, model: str, number: int, *, include_usage: bool) -> list[bytes]:
    """The SSE events of a streamed answer, ``[DONE]`` included."""
    deltas: list[dict[str, Any]] = [{"role": "assistant", "content": ""}]
    deltas.extend(
        {"content": piece} for piece in stream_pieces(reply.content or "") if reply.content
    )
    for index, call in enumerate(reply.tool_calls):
        head = {"index": index, "id": call.id, "type": "function"}
        deltas.append({"tool_calls": [{**head, "function": {"name": call.name, "arguments": ""}}]})
        for piece in stream_pieces(call.arguments):
            deltas.append({"tool_calls": [{"index": index, "function": {"arguments": piece}}]})
    chunks = [_chunk(model, number, delta, None) for delta in deltas]
    chunks.append(_chunk(model, number, {}, reply.finish_reason))
    if include_usage:
        chunks.append(
            {
                **_envelope("chat.completion.chunk", model, number),
                "choices": [],
                "usage": _usage(reply),
            }
        )
    return [_sse(chunk) for chunk in chunks] + [b"data: [DONE]\n\n"]


def _chunk(
    model: str, number: int, delta: dict[str, Any], finish_reason: str | None
) -> dict[str, Any]:
    choice = {"index": 0, "delta": delta, "finish_reason": finish_reason, "logprobs": None}
    return {**_envelope("chat.completion.chunk", model, number), "choices": [choice]}


def _sse(data: Mapping[str, Any]) -> bytes:
    return b"data: " + json.dumps(data).encode() + b"\n\n"


def error_body(status: int, message: str | None) -> dict[str, Any]:
    """An OpenAI error body for ``status``."""
    kind = _ERROR_TYPES.get(status, "server_error")
    text = message or f"fake provider error {status}"
    return {"error": {"message": text, "type": kind, "param": None, "code": kind}}


def embeddings_body(body: Mapping[str, Any]) -> dict[str, Any]:
    """Embeddings of the request's inputs: bag-of-words hashes, so similar texts are close."""
    inputs = body.get("input")
    texts = [inputs] if isinstance(inputs, str) else list(inputs or [])
    dimensions = int(body.get("dimensions") or EMBEDDING_DIMENSIONS)
    as_base64 = body.get("encoding_format") == "base64"
    data = [
        {
            "object": "embedding",
            "index": index,
            "embedding": _encode(embed(text, dimensions), as_base64),
        }
        for index, text in enumerate(texts)
    ]
    tokens = sum(count_words(str(text)) for text in texts)
    usage = {"prompt_tokens": tokens, "total_tokens": tokens}
    return {"object": "list", "data": data, "model": body.get("model", ""), "usage": usage}


def embed(text: str, dimensions: int = EMBEDDING_DIMENSIONS) -> list[float]:
    """A unit vector counting the hashed words of ``text``."""
    vector = [0.0] * dimensions
    for word in str(text).lower().split():
        bucket = int.from_bytes(hashlib.sha256(word.encode()).digest()[:4], "big") % dimensions
        vector[bucket] += 1.0
    norm = math.sqrt(sum(value * value for value in vector)) or 1.0
    return [value / norm for value in vector]


def _encode(vector: list[float], as_base64: bool) -> list[float] | str:
    if not as_base64:
        return vector
    return base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode()


def models_body() -> dict[str, Any]:
    """The ``/v1/models`` list."""
    data = [{"id": name, "object": "model", "created": 0, "owned_by": "fake"} for name in MODELS]
    return {"object": "list", "data": data}
