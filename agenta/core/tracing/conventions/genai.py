"""OpenTelemetry GenAI semantic conventions (`gen_ai.*`), current and older spellings.

Covers the attributes the GenAI semantic conventions define for model calls, agents and
tools, and the older spellings still emitted by many instrumentations (OpenLLMetry among
them): `gen_ai.usage.prompt_tokens`/`completion_tokens`, numbered
`gen_ai.prompt.<n>.<field>` / `gen_ai.completion.<n>.<field>` messages.

Where things go:
- request/response settings -> `ag.meta.request.*` / `ag.meta.response.*` (the request and
  response model included, which is where the span's model is read from);
- usage -> tokens; `gen_ai.operation.name` -> a span-type hint;
- messages (`gen_ai.input.messages`, numbered prompts, ...) -> `inputs.prompt`, and
  completions / output messages -> `outputs.completion`, as Agenta stores them;
- `gen_ai.conversation.id` -> session id, `gen_ai.agent.id` -> agent id.
Unrecognised `gen_ai.*` keys are left unmapped.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from agenta.core.tracing.conventions.draft import Draft, parse_json_text

NAME = "gen_ai"
ROOTS = ("gen_ai",)

_OPERATION_TYPES = {
    "chat": "chat",
    "generate_content": "chat",
    "text_completion": "completion",
    "embeddings": "embedding",
    "execute_tool": "tool",
    "invoke_agent": "agent",
    "create_agent": "agent",
    "invoke_workflow": "workflow",
    "retrieval": "query",
}

Action = Callable[[Any, Draft], None]


def _meta(*path: str) -> Action:
    return lambda value, draft: draft.put_meta(path, value)


def _token(kind: str) -> Action:
    return lambda value, draft: draft.add_token(kind, value)


def _input_part(name: str) -> Action:
    return lambda value, draft: draft.inputs_parts.__setitem__(name, parse_json_text(value))


def _output_part(name: str) -> Action:
    return lambda value, draft: draft.outputs_parts.__setitem__(name, parse_json_text(value))


def _operation(value: Any, draft: Draft) -> None:
    if isinstance(value, str) and value in _OPERATION_TYPES:
        draft.span_type_hint = _OPERATION_TYPES[value]
    draft.put_meta(("operation",), value)


def _inputs_value(value: Any, draft: Draft) -> None:
    draft.inputs_value = parse_json_text(value)


def _outputs_value(value: Any, draft: Draft) -> None:
    draft.outputs_value = parse_json_text(value)


def _agent_id(value: Any, draft: Draft) -> None:
    draft.set_agent(value)


def _session(value: Any, draft: Draft) -> None:
    draft.set_session(value)


_EXACT: dict[str, Action] = {
    "gen_ai.system": _meta("system"),
    "gen_ai.provider.name": _meta("provider"),
    "gen_ai.operation.name": _operation,
    "gen_ai.usage.input_tokens": _token("prompt"),
    "gen_ai.usage.prompt_tokens": _token("prompt"),
    "gen_ai.usage.output_tokens": _token("completion"),
    "gen_ai.usage.completion_tokens": _token("completion"),
    "gen_ai.usage.total_tokens": _token("total"),
    "gen_ai.usage.cache_read.input_tokens": _token("cached"),
    "gen_ai.usage.cache_read_input_tokens": _token("cached"),
    "gen_ai.usage.cache_creation.input_tokens": _token("cache_write"),
    "gen_ai.usage.cache_creation_input_tokens": _token("cache_write"),
    "gen_ai.usage.reasoning.output_tokens": _token("reasoning"),
    "gen_ai.usage.reasoning_tokens": _token("reasoning"),
    "gen_ai.conversation.id": _session,
    "gen_ai.agent.id": _agent_id,
    "gen_ai.prompt": _input_part("prompt"),
    "gen_ai.input.messages": _input_part("prompt"),
    "gen_ai.system_instructions": _input_part("system_instructions"),
    "gen_ai.tool.definitions": _input_part("tools"),
    "gen_ai.retrieval.query.text": _input_part("query"),
    "gen_ai.completion": _output_part("completion"),
    "gen_ai.output.messages": _output_part("completion"),
    "gen_ai.retrieval.documents": _output_part("documents"),
    "gen_ai.tool.call.arguments": _inputs_value,
    "gen_ai.tool.call.result": _outputs_value,
}

# Namespaces kept as metadata at the same path under `ag.meta` (gen_ai.request.x -> request.x).
_META_NAMESPACES = frozenset(("request", "response", "agent", "tool", "openai", "output"))


def claim(key: str, parts: list[str], value: Any, draft: Draft) -> bool:
    """Record a `gen_ai.*` attribute in the draft; False for keys we do not know."""
    if (action := _EXACT.get(key)) is not None:
        action(value, draft)
        return True
    if len(parts) < 3:
        return False
    namespace = parts[1]
    if namespace in ("prompt", "completion") and parts[2].isdigit():
        side, name = ("inputs", "prompt") if namespace == "prompt" else ("outputs", "completion")
        draft.put_indexed(side, name, parts[2:], value)
        return True
    if namespace == "usage":
        draft.add_token(".".join(parts[2:]), value)
        return True
    if namespace in _META_NAMESPACES:
        draft.put_meta(parts[1:], value)
        return True
    return False
