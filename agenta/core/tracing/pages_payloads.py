"""How span payloads (inputs, outputs, parameters, ...) are shown: messages or JSON trees.

`payload_sections(value)` splits a payload into sections a template renders one by one:
- a list of chat messages (dicts with a `role` and `content` or `tool_calls`), under any key
  or as the whole payload, becomes a `messages` section: one bubble per message with its
  role, its text (content parts joined; other parts, such as images, listed by type) and
  its tool calls;
- a single message (an output such as `{"role": "assistant", "content": ...}`) likewise;
- text becomes a `text` section, shown as preformatted text;
- anything else becomes a `json` section holding a `JsonNode` tree the template renders as
  nested, collapsible `<details>`.

The trees are bounded (depth, items per level, characters per string) so a huge payload
cannot make a page enormous; what is cut is counted (`hidden`) and the whole payload stays
available in the raw JSON view. Nothing here produces markup: templates escape every key
and value, so trace content cannot inject HTML.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

DEFAULT_KEY = "__default__"
MAX_DEPTH = 8
MAX_ITEMS = 200
MAX_TEXT = 20_000
_RAW_LIMIT = 200_000


@dataclass(frozen=True, slots=True)
class JsonNode:
    """One JSON value: `kind` is object, array, string, number, boolean or null.

    Objects and arrays hold `children` as (key, node) pairs (array keys are indexes);
    `hidden` counts children left out; `text` is the rendered scalar (or, past the depth
    limit, the compact JSON of the whole subtree).
    """

    kind: str
    text: str = ""
    children: tuple[tuple[str, JsonNode], ...] = ()
    hidden: int = 0
    size: int = 0


@dataclass(frozen=True, slots=True)
class Message:
    """A chat message as shown: role, text, other content parts, tool calls."""

    role: str
    text: str
    parts: tuple[str, ...] = ()
    tool_calls: tuple[JsonNode, ...] = ()
    name: str = ""


@dataclass(frozen=True, slots=True)
class Section:
    """One part of a payload: `kind` is messages, text or json."""

    key: str
    kind: str
    messages: tuple[Message, ...] = ()
    text: str = ""
    tree: JsonNode | None = None


def payload_sections(value: Any) -> list[Section]:
    """The sections to show for one payload (empty for a missing payload)."""
    if value is None:
        return []
    if is_messages(value) or is_message(value):
        return [_messages_section("", value)]
    if isinstance(value, Mapping) and value:
        # The SDK files a plain return value under `__default__`: it has no name to show.
        return [
            _section("" if key == DEFAULT_KEY else str(key), item) for key, item in value.items()
        ]
    return [_section("", value)]


def _section(key: str, value: Any) -> Section:
    if is_messages(value) or is_message(value):
        return _messages_section(key, value)
    if isinstance(value, str):
        return Section(key, "text", text=_cut(value))
    return Section(key, "json", tree=json_tree(value))


def _messages_section(key: str, value: Any) -> Section:
    items = value if isinstance(value, list) else [value]
    return Section(key, "messages", messages=tuple(message_view(item) for item in items))


def is_message(value: Any) -> bool:
    """Whether `value` looks like one chat message."""
    return (
        isinstance(value, Mapping)
        and isinstance(value.get("role"), str)
        and ("content" in value or "tool_calls" in value)
    )


def is_messages(value: Any) -> bool:
    """Whether `value` is a non-empty list of chat messages."""
    return isinstance(value, list) and bool(value) and all(is_message(item) for item in value)


def message_view(message: Mapping[str, Any]) -> Message:
    """One message for display (content parts joined, tool calls as JSON trees)."""
    content = message.get("content")
    texts: list[str] = []
    parts: list[str] = []
    if isinstance(content, str):
        texts.append(content)
    elif isinstance(content, list):
        for part in content:
            text = _part_text(part)
            if text is not None:
                texts.append(text)
            else:
                parts.append(_part_label(part))
    elif content is not None:
        texts.append(json.dumps(content, ensure_ascii=False, default=str))
    calls = message.get("tool_calls") or []
    return Message(
        role=str(message.get("role")),
        text=_cut("\n".join(texts)),
        parts=tuple(parts),
        tool_calls=tuple(json_tree(call) for call in calls) if isinstance(calls, list) else (),
        name=str(message.get("name") or ""),
    )


def _part_text(part: Any) -> str | None:
    if isinstance(part, str):
        return part
    if isinstance(part, Mapping) and isinstance(part.get("text"), str):
        return str(part["text"])
    return None


def _part_label(part: Any) -> str:
    kind = part.get("type") if isinstance(part, Mapping) else None
    return f"[{kind or type(part).__name__} part]"


def json_tree(value: Any, depth: int = 0) -> JsonNode:
    """A bounded display tree of a JSON value (see the module docstring)."""
    if isinstance(value, Mapping):
        return _container("object", [(str(k), v) for k, v in value.items()], value, depth)
    if isinstance(value, list | tuple):
        return _container("array", [(str(i), v) for i, v in enumerate(value)], value, depth)
    if isinstance(value, bool):
        return JsonNode("boolean", "true" if value else "false")
    if value is None:
        return JsonNode("null", "null")
    if isinstance(value, int | float):
        return JsonNode("number", repr(value))
    return JsonNode("string", _cut(str(value)))


def _container(kind: str, items: list[tuple[str, Any]], value: Any, depth: int) -> JsonNode:
    if depth >= MAX_DEPTH:
        return JsonNode(kind, _cut(compact_json(value)), size=len(items))
    shown = tuple((key, json_tree(item, depth + 1)) for key, item in items[:MAX_ITEMS])
    return JsonNode(kind, children=shown, hidden=len(items) - len(shown), size=len(items))


def compact_json(value: Any) -> str:
    """`value` as one line of JSON (what could not be encoded shown as text)."""
    return json.dumps(value, ensure_ascii=False, default=str, separators=(",", ":"))


def pretty_json(value: Any) -> str:
    """`value` as indented JSON for the raw view, cut at a generous size."""
    text = json.dumps(value, ensure_ascii=False, default=str, indent=2)
    if len(text) > _RAW_LIMIT:
        return text[:_RAW_LIMIT] + f"\n… ({len(text) - _RAW_LIMIT:,} more characters)"
    return text


def short_text(value: Any, limit: int = 120) -> str:
    """A one-line preview of a payload for tables (messages show their last text)."""
    if value is None:
        return ""
    preview = _preview_value(value)
    text = preview if isinstance(preview, str) else compact_json(preview)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _preview_value(value: Any) -> Any:
    if is_messages(value):
        return message_view(value[-1]).text
    if is_message(value):
        return message_view(value).text
    if isinstance(value, Mapping) and len(value) == 1:
        return _preview_value(next(iter(value.values())))
    return value


def _cut(text: str) -> str:
    if len(text) <= MAX_TEXT:
        return text
    return text[:MAX_TEXT] + f"… ({len(text) - MAX_TEXT:,} more characters)"
