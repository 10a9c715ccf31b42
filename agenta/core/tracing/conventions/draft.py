"""What convention handlers write into while one span is being normalised.

Normalisation walks a span's flat attributes once. For each key, the handlers of the
conventions owning that key's first segment (`ag`, `gen_ai`, `llm`, ...) are asked in turn
to *claim* it; a handler that claims a key records its meaning in the `Draft` (a token
count, the request model, part of the inputs, ...). Unclaimed keys are kept as they are.
The draft is then turned into a `Span` by `normalize.py`.

Canonical values live in `Draft.ag`, the nested `ag` attribute tree Agenta stores; a few
values that need a final decision (span type, tokens, costs, inputs/outputs assembled from
several keys) are held apart until the end.

Also here: the small value helpers every convention needs (nested assignment, numbered-key
lists, `@ag.type=json:` decoding, lenient numbers and JSON text).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import msgspec

JSON_TAG = "@ag.type=json:"
# Where a scalar goes when a dotted key later needs the same path to be an object.
DEFAULT_KEY = "__default__"
ABSENT: Any = object()
_FAST_JSON = msgspec.json.Decoder()
_LENIENT_JSON = json.JSONDecoder(parse_constant=str)

_TOKEN_KINDS = {
    "prompt": "prompt",
    "prompt_tokens": "prompt",
    "input": "prompt",
    "input_tokens": "prompt",
    "completion": "completion",
    "completion_tokens": "completion",
    "output": "completion",
    "output_tokens": "completion",
    "total": "total",
    "total_tokens": "total",
    "cached": "cached",
    "cache_read": "cached",
    "cached_tokens": "cached",
    "cache_read_input_tokens": "cached",
    "cache_read.input_tokens": "cached",
    "prompt_details.cache_read": "cached",
    "reasoning": "reasoning",
    "reasoning_tokens": "reasoning",
    "reasoning.output_tokens": "reasoning",
    "completion_details.reasoning": "reasoning",
    "cache_write": "cache_write",
    "cache_creation": "cache_write",
    "cache_creation_input_tokens": "cache_write",
    "cache_creation.input_tokens": "cache_write",
    "prompt_details.cache_write": "cache_write",
}


@dataclass(slots=True)
class Draft:
    """The canonical reading of one span, filled in by convention handlers."""

    ag: dict[str, Any] = field(default_factory=dict)
    span_type: str | None = None
    span_type_hint: str | None = None
    trace_type: str | None = None
    tokens: dict[str, float] = field(default_factory=dict)
    costs: dict[str, float] = field(default_factory=dict)
    references: dict[str, dict[str, str]] = field(default_factory=dict)
    inputs_parts: dict[str, Any] = field(default_factory=dict)
    outputs_parts: dict[str, Any] = field(default_factory=dict)
    inputs_value: Any = ABSENT
    outputs_value: Any = ABSENT
    indexed: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    session_id: str | None = None
    user_id: str | None = None
    agent_id: str | None = None
    # Set when a key had a numbered segment (a flattened list), so `ag` needs `listify`.
    has_numbered_keys: bool = False

    def put(self, path: Sequence[str], value: Any) -> None:
        """Set a value in the `ag` tree, e.g. `put(("meta", "system"), "openai")`."""
        assign(self.ag, path, value)

    def put_meta(self, path: Sequence[str], value: Any) -> None:
        """Set a value under `ag.meta`."""
        assign(self.ag.setdefault("meta", {}), path, value)

    def add_token(self, kind: str, value: Any) -> None:
        """Record a token count; `kind` may be any known alias ("input_tokens", ...)."""
        if (number := to_number(value)) is not None:
            self.tokens[_TOKEN_KINDS.get(kind, kind)] = number

    def add_cost(self, kind: str, value: Any) -> None:
        """Record a reported cost in USD for `kind` (prompt, completion, total, ...)."""
        if (number := to_number(value)) is not None:
            self.costs[kind] = number

    def add_reference(self, entity: str, field_name: str, value: Any) -> None:
        """Record one field (id, slug or version) of a reference to an Agenta entity."""
        if value is not None:
            self.references.setdefault(entity, {})[field_name] = str(value)

    def put_indexed(self, side: str, name: str, path: Sequence[str], value: Any) -> None:
        """Collect a numbered item (`<index>.<field>...`) of an inputs/outputs list."""
        assign(self.indexed.setdefault((side, name), {}), path, value)

    def set_session(self, value: Any) -> None:
        """Record the session id (also kept at `ag.session.id`)."""
        self.session_id = str(value)
        self.put(("session", "id"), self.session_id)

    def set_user(self, value: Any) -> None:
        """Record the end-user id (also kept at `ag.user.id`)."""
        self.user_id = str(value)
        self.put(("user", "id"), self.user_id)

    def set_agent(self, value: Any) -> None:
        """Record the agent id (also kept at `ag.agent.id`)."""
        self.agent_id = str(value)
        self.put(("agent", "id"), self.agent_id)


def assign(tree: dict[str, Any], path: Sequence[str], value: Any) -> None:
    """Set `value` at `path` in a nested dict, creating objects on the way.

    Nothing is lost on a clash: a scalar that must become an object moves to
    `DEFAULT_KEY`, and two objects at the same path are merged.
    """
    node = tree
    for part in path[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = {} if child is None else {DEFAULT_KEY: child}
            node[part] = child
        node = child
    leaf = path[-1]
    existing = node.get(leaf)
    if isinstance(existing, dict):
        if isinstance(value, dict):
            merge(existing, value)
        else:
            existing[DEFAULT_KEY] = value
    else:
        node[leaf] = value


def merge(target: dict[str, Any], source: dict[str, Any]) -> None:
    """Deep-merge `source` into `target`; on a scalar clash `source` wins."""
    for key, value in source.items():
        assign(target, (key,), value)


def listify(node: Any) -> Any:
    """Turn objects whose keys are all numbers ("0", "1", ...) into lists, recursively."""
    if not isinstance(node, dict):
        return node
    if node and all(key.isdigit() for key in node):
        return [listify(node[key]) for key in sorted(node, key=int)]
    return {key: listify(value) for key, value in node.items()}


def decode_tagged(value: Any) -> Any:
    """Decode the Agenta SDK's `@ag.type=json:<json>` strings; other values pass through."""
    if isinstance(value, str) and value.startswith(JSON_TAG):
        return _loads(value[len(JSON_TAG) :], value)
    return value


def parse_json_text(value: Any) -> Any:
    """Parse a string that holds a JSON object or array; anything else is returned as-is."""
    if isinstance(value, str) and value[:1] in ("{", "["):
        return _loads(value, value)
    return value


def _loads(text: str, fallback: Any) -> Any:
    # Stored attributes must stay valid for PostgreSQL JSONB: no NUL characters (an escaped
    # one would come back from json.loads) and no NaN/Infinity (kept as their names).
    if "\\u0000" in text:
        text = text.replace("\\u0000", "")
    try:
        # msgspec reads valid JSON several times faster and refuses everything it does not
        # read exactly as the standard library would (NaN, out-of-range floats, lone
        # surrogates), which the standard library then reads as before.
        return _FAST_JSON.decode(text)
    except msgspec.DecodeError:
        pass
    try:
        return _LENIENT_JSON.decode(text)
    except ValueError:
        return fallback


def to_number(value: Any) -> float | None:
    """Read a count or amount sent as int, float or numeric string; None if it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def strip_wrappers(path: Sequence[str], wrappers: frozenset[str]) -> list[str]:
    """Drop wrapper segments that directly follow an index.

    OpenInference writes `llm.input_messages.0.message.role`; the `message` wrapper adds
    nothing once the item is in a list, so `0.message.role` becomes `0.role`.
    """
    result: list[str] = []
    previous_is_index = False
    for part in path:
        if previous_is_index and part in wrappers:
            previous_is_index = False
            continue
        result.append(part)
        previous_is_index = part.isdigit()
    return result
