"""Read an invoke request: inputs, inline parameters, references, selector and flags.

The body follows the official SDK's ``WorkflowInvokeRequest`` (agenta-behaviour.md §3.2)::

    {"version"?, "data": {"inputs": {...}, "parameters"?: {"prompt": ...},
                          "revision"?: {"data": {"parameters": ...}}, "messages"?: [...]},
     "references"?: {"application": {"slug"}, "environment": {"slug"}, ...},
     "selector"?: {"key": "<app_slug>.revision"}, "flags"?: {"stream": true},
     "session_id"?}

Only what the built-in services use is read; the rest (links, tags, meta, secrets...) is
ignored, as the original does for handlers that have no use for it. Inputs wrapped by mistake
in ``{"inputs": {...}}`` (replays of traced calls) are unwrapped, and a chat's ``data.messages``
is accepted where ``inputs.messages`` is missing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from agenta.core.services.errors import invalid_inputs, invalid_request

VERSION = "2025.07.14"


@dataclass(frozen=True)
class InvokeRequest:
    """One invocation as the services run it."""

    inputs: dict[str, Any] = field(default_factory=dict)
    parameters: dict[str, Any] | None = None
    references: dict[str, dict[str, Any]] = field(default_factory=dict)
    selector: dict[str, Any] = field(default_factory=dict)
    stream: bool | None = None
    session_id: str | None = None


def parse_invoke_body(body: object) -> InvokeRequest:
    """The invocation a body asks for; a typed 400 says what is malformed."""
    if body is None:
        body = {}
    if not isinstance(body, Mapping):
        raise invalid_request("The body must be a JSON object with a 'data' object")
    data = _object(body.get("data"), "data")
    flags = _object(body.get("flags"), "flags")
    stream = flags.get("stream")
    if stream is not None and not isinstance(stream, bool):
        raise invalid_request("flags.stream must be true or false")
    return InvokeRequest(
        inputs=_inputs(data),
        parameters=_parameters(data),
        references=_references(body.get("references")),
        selector=dict(_object(body.get("selector"), "selector")),
        stream=stream,
        session_id=_session_id(body.get("session_id")),
    )


def _object(value: object, where: str) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise invalid_request(f"{where} must be an object, got {type(value).__name__}")
    return value


def _inputs(data: Mapping[str, Any]) -> dict[str, Any]:
    inputs = data.get("inputs")
    if inputs is None:
        inputs = {}
    if not isinstance(inputs, Mapping):
        raise invalid_inputs(f"data.inputs must be an object, got {type(inputs).__name__}")
    if set(inputs) == {"inputs"} and isinstance(inputs["inputs"], Mapping):
        inputs = inputs["inputs"]
    result = dict(inputs)
    if "messages" not in result and data.get("messages") is not None:
        result["messages"] = data["messages"]
    return result


def _parameters(data: Mapping[str, Any]) -> dict[str, Any] | None:
    parameters = data.get("parameters")
    if parameters is None:
        revision = _object(data.get("revision"), "data.revision")
        parameters = _object(revision.get("data"), "data.revision.data").get("parameters")
    if parameters is None:
        return None
    if not isinstance(parameters, Mapping):
        raise invalid_request(f"data.parameters must be an object, got {type(parameters).__name__}")
    return dict(parameters)


def _references(value: object) -> dict[str, dict[str, Any]]:
    references = _object(value, "references")
    result: dict[str, dict[str, Any]] = {}
    for name, reference in references.items():
        if reference is None:
            continue
        result[name] = dict(_object(reference, f"references.{name}"))
    return result


def _session_id(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > 200:
        raise invalid_request("session_id must be a string of at most 200 characters")
    return value or None
