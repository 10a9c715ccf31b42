"""OpenInference attributes (Arize Phoenix and the `openinference-instrumentation-*` family).

- `openinference.span.kind` -> span type (LLM -> chat, RETRIEVER -> query,
  RERANKER -> rerank, GUARDRAIL/EVALUATOR -> task, ...);
- `input.value` / `output.value` -> inputs / outputs (JSON text is parsed; a plain inputs
  value is wrapped as `{"input": value}` by normalisation, since inputs are an object);
- numbered `llm.input_messages.<n>.message.*` -> `inputs.prompt`, `llm.output_messages`
  -> `outputs.completion`, `llm.tools.<n>.tool.json_schema` -> `inputs.tools`, embeddings,
  retrieved and reranked documents likewise; the `message` / `tool_call` / `document` ...
  wrapper segments are dropped so items have the plain OpenAI shape. When messages are
  present they replace the raw `input.value` / `output.value` (the same data, serialised);
- `llm.model_name` (and embedding / reranker model names) -> `ag.meta.request.model`,
  `llm.provider` / `llm.system` -> meta, `llm.invocation_parameters` -> `ag.meta.request`;
- `llm.token_count.*` -> tokens (cache-read and reasoning details included),
  `llm.cost.*` -> reported costs;
- `session.id` / `user.id` -> session / user ids; `metadata`, `tag.tags`, `tool.*`,
  `tool_call.*`, prompt templates and graph nodes -> `ag.meta.*`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from agenta.core.tracing.conventions.draft import Draft, parse_json_text, strip_wrappers

NAME = "openinference"
ROOTS = (
    "openinference",
    "input",
    "output",
    "llm",
    "session",
    "user",
    "metadata",
    "tag",
    "agent",
    "embedding",
    "retrieval",
    "reranker",
    "tool",
    "tool_call",
    "graph",
)

_SPAN_KINDS = {
    "LLM": "chat",
    "CHAIN": "chain",
    "TOOL": "tool",
    "AGENT": "agent",
    "RETRIEVER": "query",
    "EMBEDDING": "embedding",
    "RERANKER": "rerank",
    "GUARDRAIL": "task",
    "EVALUATOR": "task",
    "PROMPT": "task",
    "UNKNOWN": "unknown",
}
_WRAPPERS = frozenset(
    ("message", "tool_call", "message_content", "document", "embedding", "prompt", "completion")
)
# Numbered lists: key prefix -> (side, name) in inputs/outputs.
_LISTS = {
    ("llm", "input_messages"): ("inputs", "prompt"),
    ("llm", "output_messages"): ("outputs", "completion"),
    ("llm", "prompts"): ("inputs", "prompt"),
    ("llm", "choices"): ("outputs", "completion"),
    ("llm", "tools"): ("inputs", "tools"),
    ("embedding", "embeddings"): ("inputs", "embeddings"),
    ("retrieval", "documents"): ("outputs", "documents"),
    ("reranker", "input_documents"): ("inputs", "documents"),
    ("reranker", "output_documents"): ("outputs", "documents"),
}
_META_NAMESPACES = frozenset(("tool", "tool_call", "graph", "agent"))

Action = Callable[[Any, Draft], None]


def _meta(*path: str) -> Action:
    return lambda value, draft: draft.put_meta(path, parse_json_text(value))


def _span_kind(value: Any, draft: Draft) -> None:
    draft.span_type = _SPAN_KINDS.get(str(value).upper(), "unknown")


def _inputs_value(value: Any, draft: Draft) -> None:
    draft.inputs_value = parse_json_text(value)


def _outputs_value(value: Any, draft: Draft) -> None:
    draft.outputs_value = parse_json_text(value)


def _invocation_parameters(value: Any, draft: Draft) -> None:
    parameters = parse_json_text(value)
    if isinstance(parameters, dict):
        draft.put_meta(("request",), parameters)
    else:
        draft.put_meta(("request", "invocation_parameters"), value)


def _input_part(name: str) -> Action:
    return lambda value, draft: draft.inputs_parts.__setitem__(name, parse_json_text(value))


def _output_part(name: str) -> Action:
    return lambda value, draft: draft.outputs_parts.__setitem__(name, parse_json_text(value))


def _session(value: Any, draft: Draft) -> None:
    draft.set_session(value)


def _user(value: Any, draft: Draft) -> None:
    draft.set_user(value)


_EXACT: dict[str, Action] = {
    "openinference.span.kind": _span_kind,
    "input.value": _inputs_value,
    "output.value": _outputs_value,
    "input.mime_type": _meta("input", "mime_type"),
    "output.mime_type": _meta("output", "mime_type"),
    "llm.model_name": _meta("request", "model"),
    "llm.request.model_name": _meta("request", "model"),
    "llm.response.model_name": _meta("response", "model"),
    "llm.provider": _meta("provider"),
    "llm.system": _meta("system"),
    "llm.invocation_parameters": _invocation_parameters,
    "llm.function_call": _output_part("function_call"),
    "llm.finish_reason": _meta("response", "finish_reason"),
    "embedding.model_name": _meta("request", "model"),
    "embedding.invocation_parameters": _invocation_parameters,
    "embedding.text": _input_part("text"),
    "embedding.vector": _output_part("vector"),
    "reranker.model_name": _meta("request", "model"),
    "reranker.query": _input_part("query"),
    "reranker.top_k": _meta("request", "top_k"),
    "session.id": _session,
    "user.id": _user,
    "metadata": _meta("metadata"),
    "tag.tags": _meta("tags"),
}


def claim(key: str, parts: list[str], value: Any, draft: Draft) -> bool:
    """Record an OpenInference attribute in the draft; False for keys we do not know."""
    if (action := _EXACT.get(key)) is not None:
        action(value, draft)
        return True
    if parts[0] in _META_NAMESPACES and len(parts) >= 2:
        draft.put_meta(parts, parse_json_text(value))
        return True
    if len(parts) < 3:
        return False
    head = (parts[0], parts[1])
    if head in _LISTS and parts[2].isdigit():
        _list_item(head, parts[2:], value, draft)
        return True
    if head == ("llm", "token_count"):
        draft.add_token(".".join(parts[2:]), value)
        return True
    if head == ("llm", "cost"):
        draft.add_cost(".".join(parts[2:]), value)
        return True
    if head == ("llm", "prompt_template"):
        draft.put_meta(parts[1:], parse_json_text(value))
        return True
    return False


def _list_item(head: tuple[str, str], path: list[str], value: Any, draft: Draft) -> None:
    side, name = _LISTS[head]
    path = strip_wrappers(path, _WRAPPERS)
    if head == ("llm", "tools") and path[1:] == ["tool", "json_schema"]:
        # The whole tool definition is one JSON string; store the object itself.
        draft.put_indexed(side, name, path[:1], parse_json_text(value))
        return
    draft.put_indexed(side, name, path, value)
