"""OpenLLMetry / Traceloop attributes (`traceloop.*` and its `llm.*` keys).

OpenLLMetry writes model-call details with the GenAI keys (handled by `genai.py`) plus its
own:
- `traceloop.span.kind` (workflow, task, agent, tool) -> span type, and
  `llm.request.type` (chat, completion, embedding, rerank) -> a span-type hint;
- `traceloop.entity.input` / `.output`: JSON text of a decorated function's arguments and
  result; LangChain wraps them as `{"inputs": ...}` / `{"outputs": ...}`, which is unwrapped;
- `traceloop.entity.*`, `traceloop.workflow.name` -> `ag.meta.entity.*` / `ag.meta.workflow.*`;
- `traceloop.association.properties.*` -> `ag.meta.association.*`, with `session_id` and
  `user_id` also becoming the span's session and user;
- `llm.usage.*` -> tokens; request knobs (`llm.is_streaming`, `llm.top_k`, `llm.headers`,
  ...) -> `ag.meta.request.*`; numbered `llm.request.functions.<n>.*` -> `inputs.functions`.
OpenInference shares the `llm` prefix; its keys are tried first (see `conventions/__init__`).
"""

from __future__ import annotations

from typing import Any

from agenta.core.tracing.conventions.draft import Draft, parse_json_text

NAME = "openllmetry"
ROOTS = ("traceloop", "llm")

_SPAN_KINDS = frozenset(("workflow", "task", "agent", "tool"))
_REQUEST_TYPES = {
    "chat": "chat",
    "completion": "completion",
    "embedding": "embedding",
    "rerank": "rerank",
}
_REQUEST_SETTINGS = {
    "is_streaming": "streaming",
    "headers": "headers",
    "top_k": "top_k",
    "frequency_penalty": "frequency_penalty",
    "presence_penalty": "presence_penalty",
    "user": "user",
}


def claim(key: str, parts: list[str], value: Any, draft: Draft) -> bool:
    """Record a `traceloop.*` or OpenLLMetry `llm.*` attribute; False for other keys."""
    if len(parts) < 2:
        return False
    if parts[0] == "traceloop":
        return _claim_traceloop(parts, value, draft)
    return _claim_llm(parts, value, draft)


def _claim_traceloop(parts: list[str], value: Any, draft: Draft) -> bool:
    namespace = parts[1]
    rest = parts[2:]
    if namespace == "span" and rest == ["kind"]:
        kind = str(value).lower()
        draft.span_type = kind if kind in _SPAN_KINDS else "unknown"
        return True
    if namespace == "entity" and rest in (["input"], ["output"]):
        _entity_payload(rest[0], value, draft)
        return True
    if namespace == "association" and rest[:1] == ["properties"] and len(rest) > 1:
        _association(rest[1:], value, draft)
        return True
    if namespace in ("entity", "workflow") and rest:
        draft.put_meta(parts[1:], value)
        return True
    return False


def _entity_payload(direction: str, value: Any, draft: Draft) -> None:
    payload = parse_json_text(value)
    wrapper = f"{direction}s"
    if isinstance(payload, dict) and wrapper in payload:
        payload = payload[wrapper]
    if direction == "input":
        draft.inputs_value = payload
    else:
        draft.outputs_value = payload


def _association(path: list[str], value: Any, draft: Draft) -> None:
    draft.put_meta(("association", *path), value)
    if len(path) == 1 and path[0] == "session_id":
        draft.set_session(value)
    elif len(path) == 1 and path[0] == "user_id":
        draft.set_user(value)


def _claim_llm(parts: list[str], value: Any, draft: Draft) -> bool:
    namespace = parts[1]
    if namespace == "usage" and len(parts) > 2:
        draft.add_token(".".join(parts[2:]), value)
        return True
    if namespace in _REQUEST_SETTINGS and len(parts) == 2:
        draft.put_meta(("request", _REQUEST_SETTINGS[namespace]), value)
        return True
    if namespace == "request" and len(parts) > 2:
        return _claim_request(parts[2:], value, draft)
    if namespace == "response" and len(parts) > 2:
        draft.put_meta(parts[1:], value)
        return True
    if namespace == "chat" and parts[2:] == ["stop_sequences"]:
        draft.put_meta(("request", "stop_sequences"), value)
        return True
    return False


def _claim_request(rest: list[str], value: Any, draft: Draft) -> bool:
    if rest == ["type"]:
        if isinstance(value, str) and value.lower() in _REQUEST_TYPES:
            draft.span_type_hint = _REQUEST_TYPES[value.lower()]
        draft.put_meta(("request", "type"), value)
        return True
    if rest[0] == "functions" and len(rest) > 2 and rest[1].isdigit():
        draft.put_indexed("inputs", "functions", rest[1:], value)
        return True
    return False
