"""The built-in applications: ``completion`` (single turn) and ``chat`` (multi-turn).

Both run the same steps (agenta-behaviour.md §3.6): read ``parameters.prompt``, render its
messages with the inputs (a chat also appends the ``messages`` history after them), resolve
each model of the prompt to a provider connection, and call. ``prepare_call`` does everything
before the provider call, so every configuration problem is found before a request is sent;
``outputs_of`` shapes the answer:

- completion: the assistant's text, parsed as JSON when the prompt asked for a JSON response
  (``json_object``/``json_schema``) and the text is JSON; the refusal or the tool calls when
  there is no text;
- chat: the assistant message (``{role, content, tool_calls?}``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from agenta.core.services.errors import missing_parameter
from agenta.llm import (
    CallPlan,
    Completion,
    ConnectionRecord,
    RenderedPrompt,
    parse_prompt_template,
    plan_call,
    render_prompt,
    split_chat_inputs,
)

ServiceKind = Literal["completion", "chat"]
SERVICE_KINDS: tuple[ServiceKind, ...] = ("completion", "chat")
JSON_FORMATS = ("json_object", "json_schema")


@dataclass(frozen=True)
class PreparedCall:
    """A call ready to send: the plan, and the rendered prompt it came from."""

    kind: ServiceKind
    plan: CallPlan
    rendered: RenderedPrompt

    @property
    def wants_json(self) -> bool:
        """True when the primary model was asked for a JSON answer."""
        response_format = self.rendered.prompt.llm_config.response_format or {}
        return response_format.get("type") in JSON_FORMATS


def uri_of(kind: ServiceKind) -> str:
    """The handler URI the original product gives a built-in service."""
    return f"agenta:builtin:{kind}:v0"


def prepare_call(
    kind: ServiceKind,
    parameters: Mapping[str, Any],
    inputs: Mapping[str, Any],
    *,
    connections: Sequence[ConnectionRecord],
    env: Mapping[str, str] | None,
    timeout: float,
) -> PreparedCall:
    """Parse, render and plan; raises the LLM layer's errors (mapped by ``failure_from``)."""
    prompt_data = parameters.get("prompt")
    if not isinstance(prompt_data, Mapping):
        raise missing_parameter("parameters.prompt", "a prompt template with messages")
    prompt = parse_prompt_template(prompt_data)
    if kind == "chat":
        variables, history = split_chat_inputs(inputs)
    else:
        variables, history = dict(inputs), []
    rendered = render_prompt(prompt, variables, history=history)
    plan = plan_call(
        rendered,
        connections=connections,
        env=env,
        allow_env=env is not None,
        timeout=timeout,
    )
    return PreparedCall(kind, plan, rendered)


def outputs_of(call: PreparedCall, completion: Completion) -> Any:
    """What the service answers for ``completion``."""
    if call.kind == "chat":
        return completion.message()
    if call.wants_json and completion.content:
        try:
            return json.loads(completion.content)
        except ValueError:
            return completion.content
    return completion.output()
