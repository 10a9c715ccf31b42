"""What the fake LLM answers, decided once for both wire formats.

Each wire module (OpenAI, Anthropic) reads its request into a ``ChatInput`` and renders a
``Reply``; this module decides the reply, deterministically:

1. a scripted reply, if the test scripted one (text, or ``{"content", "tool_calls"}``);
2. a tool call, when tools are given and either ``tool_choice`` forces one (``required``, a named
   function, Anthropic's ``any``/``tool``) or the last user message mentions a tool by name (and
   the conversation does not already end with a tool result); arguments fit the tool's schema;
3. JSON, when the request asks for ``json_schema`` (a value valid for simple schemas: every
   property present, enums take their first value, strings carry the echoed text) or
   ``json_object`` (``{"echo": text}``);
4. otherwise the last user message, echoed verbatim (``tool result: ...`` after a tool result,
   ``ok`` when there is no user text).

Token counts are words (plus 85 per image), so tests can predict usage.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

IMAGE_TOKENS = 85


@dataclass(frozen=True)
class ToolSpec:
    """A tool offered by the request: its name and JSON schema of arguments."""

    name: str
    parameters: Mapping[str, Any]


@dataclass(frozen=True)
class ChatInput:
    """A chat request, read from either wire format."""

    model: str
    texts: list[str] = field(default_factory=list)
    last_user_text: str = ""
    ends_with_tool_result: str | None = None
    images: int = 0
    tools: list[ToolSpec] = field(default_factory=list)
    forced_tool: str | None = None
    tools_disabled: bool = False
    json_schema: Mapping[str, Any] | None = None
    json_object: bool = False


@dataclass(frozen=True)
class FakeToolCall:
    """A tool call in the reply; ``arguments`` is a JSON string."""

    id: str
    name: str
    arguments: str


@dataclass(frozen=True)
class Reply:
    """The answer, with its usage."""

    content: str | None
    tool_calls: list[FakeToolCall]
    finish_reason: str
    prompt_tokens: int
    completion_tokens: int
    cached_tokens: int = 0
    reasoning_tokens: int = 0


def make_reply(
    chat: ChatInput,
    scripted: str | Mapping[str, Any] | None = None,
    *,
    cached_tokens: int = 0,
    reasoning_tokens: int = 0,
) -> Reply:
    """The deterministic reply to ``chat`` (see the module docstring for the rules)."""
    content, tool_calls = _answer(chat, scripted)
    prompt_tokens = max(
        1, sum(count_words(text) for text in chat.texts) + IMAGE_TOKENS * chat.images
    )
    output_words = count_words(content or "") + sum(
        count_words(call.arguments) for call in tool_calls
    )
    return Reply(
        content=content,
        tool_calls=tool_calls,
        finish_reason="tool_calls" if tool_calls else "stop",
        prompt_tokens=prompt_tokens,
        completion_tokens=max(1, output_words) + reasoning_tokens,
        cached_tokens=min(cached_tokens, prompt_tokens),
        reasoning_tokens=reasoning_tokens,
    )


def count_words(text: str) -> int:
    """The fake tokenizer: one token per whitespace-separated word."""
    return len(text.split())


def _answer(
    chat: ChatInput, scripted: str | Mapping[str, Any] | None
) -> tuple[str | None, list[FakeToolCall]]:
    if isinstance(scripted, str):
        return scripted, []
    if scripted is not None:
        calls = [
            FakeToolCall(f"call_{index}", call["name"], _as_json_text(call.get("arguments", {})))
            for index, call in enumerate(scripted.get("tool_calls", []))
        ]
        return scripted.get("content"), calls
    tool = _tool_to_call(chat)
    echo = chat.last_user_text or "ok"
    if tool is not None:
        arguments = json.dumps(value_for_schema(tool.parameters, echo))
        return None, [FakeToolCall("call_0", tool.name, arguments)]
    if chat.json_schema is not None:
        return json.dumps(value_for_schema(chat.json_schema, echo)), []
    if chat.json_object:
        return json.dumps({"echo": echo}), []
    if chat.ends_with_tool_result is not None:
        return f"tool result: {chat.ends_with_tool_result}", []
    return echo, []


def _as_json_text(arguments: Any) -> str:
    return arguments if isinstance(arguments, str) else json.dumps(arguments)


def _tool_to_call(chat: ChatInput) -> ToolSpec | None:
    if not chat.tools or chat.tools_disabled:
        return None
    if chat.forced_tool is not None:
        named = [tool for tool in chat.tools if tool.name == chat.forced_tool]
        return (named or chat.tools)[0]
    if chat.ends_with_tool_result is not None:
        return None
    mentioned = chat.last_user_text.lower()
    return next((tool for tool in chat.tools if tool.name.lower() in mentioned), None)


def value_for_schema(
    schema: Mapping[str, Any], text: str, root: Mapping[str, Any] | None = None
) -> Any:
    """A value valid for a simple JSON schema, with ``text`` in its strings."""
    root = root if root is not None else schema
    schema = _dereference(schema, root)
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    for combinator in ("anyOf", "oneOf", "allOf"):
        if schema.get(combinator):
            options = [option for option in schema[combinator] if option.get("type") != "null"]
            return value_for_schema((options or schema[combinator])[0], text, root)
    kind = schema.get("type", "object" if "properties" in schema else "string")
    if isinstance(kind, list):
        kind = next((item for item in kind if item != "null"), "null")
    return _value_of_type(kind, schema, text, root)


def _value_of_type(kind: str, schema: Mapping[str, Any], text: str, root: Mapping[str, Any]) -> Any:
    if kind == "object":
        properties = schema.get("properties", {})
        return {name: value_for_schema(sub, text, root) for name, sub in properties.items()}
    if kind == "array":
        item = value_for_schema(schema.get("items", {}), text, root)
        return [item] * max(1, int(schema.get("minItems", 1)))
    if kind in ("integer", "number"):
        low = schema.get("minimum", schema.get("exclusiveMinimum", 0))
        value = low + 1 if "exclusiveMinimum" in schema and "minimum" not in schema else low
        return int(value) if kind == "integer" else float(value)
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    return _string_for(schema, text)


def _string_for(schema: Mapping[str, Any], text: str) -> str:
    value = text
    minimum, maximum = schema.get("minLength", 0), schema.get("maxLength")
    if len(value) < minimum:
        value += "x" * (minimum - len(value))
    return value[:maximum] if maximum is not None else value


def _dereference(schema: Mapping[str, Any], root: Mapping[str, Any]) -> Mapping[str, Any]:
    reference = schema.get("$ref")
    if not isinstance(reference, str) or not reference.startswith("#/"):
        return schema
    target: Any = root
    for part in reference[2:].split("/"):
        target = target[part]
    return target


def stream_pieces(text: str) -> list[str]:
    """``text`` cut into streamable pieces (words with their following spaces)."""
    return re.findall(r"\S+\s*|\s+", text) or [""]
