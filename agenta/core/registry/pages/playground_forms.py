"""The playground's view of a prompt configuration, and the drafts it sends back.

The editor shows one ``parameters.prompt`` as plain fields (messages, template format, model,
sampling, response format, tools as JSON text); the browser script turns those fields back into
a ``parameters`` object. Drafts that come back (to commit, or to find their variables) are
checked with the LLM library's own parser, so a bad draft is refused with the field paths the
services would name.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from agenta.errors import AppError
from agenta.llm import PromptConfigError, detect_variables, load_catalog, parse_prompt_template
from agenta.llm.prompt_config import TEMPLATE_FORMATS

ROLES = ("system", "user", "assistant")
RESPONSE_TYPES = ("text", "json_object", "json_schema")
FORMATS = TEMPLATE_FORMATS


@dataclass(frozen=True)
class EditorView:
    """One prompt as the editor's fields show it."""

    messages: list[dict[str, str]]
    template_format: str
    model: str
    temperature: Any
    max_tokens: Any
    top_p: Any
    response_type: str
    json_schema: str
    tools: str


def editor_view(parameters: dict[str, Any] | None) -> EditorView:
    """The editor's fields for a revision's ``parameters`` (missing parts get defaults)."""
    prompt = (parameters or {}).get("prompt") or {}
    config = prompt.get("llm_config") or {}
    response_format = config.get("response_format") or {}
    messages = [
        {"role": str(message.get("role", "user")), "content": _text(message.get("content"))}
        for message in prompt.get("messages") or []
        if isinstance(message, dict)
    ]
    schema = response_format.get("json_schema")
    tools = config.get("tools")
    return EditorView(
        messages=messages,
        template_format=str(prompt.get("template_format") or "curly"),
        model=str(config.get("model") or "gpt-4o-mini"),
        temperature=_blank(config.get("temperature")),
        max_tokens=_blank(config.get("max_tokens")),
        top_p=_blank(config.get("top_p")),
        response_type=str(response_format.get("type") or "text"),
        json_schema=json.dumps(schema, indent=2) if schema is not None else "",
        tools=json.dumps(tools, indent=2) if tools else "",
    )


def model_groups(current: str, custom: dict[str, list[str]] | None = None) -> dict[str, list[str]]:
    """Chat models per provider for the picker, then the project's custom connections' models
    (``slug/model``), with ``current`` kept even if neither lists it."""
    groups = {**load_catalog().groups("chat"), **(custom or {})}
    if current and not any(current in names for names in groups.values()):
        groups = {**groups, "other": [current]}
    return groups


def parse_draft(raw: str | None) -> dict[str, Any]:
    """The ``parameters`` a draft carries (JSON text), checked; AppError names what is wrong."""
    if not raw:
        raise AppError("The draft is empty: send the configuration as 'parameters'")
    try:
        parameters = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise AppError(f"parameters is not valid JSON: {exc.msg} (line {exc.lineno})") from exc
    if not isinstance(parameters, dict) or not isinstance(parameters.get("prompt"), dict):
        raise AppError("parameters must be an object with a 'prompt' object")
    try:
        parse_prompt_template(parameters["prompt"], "parameters.prompt")
    except PromptConfigError as exc:
        raise AppError(f"The draft is invalid: {exc}") from exc
    return parameters


def variables_of(prompts: list[Any]) -> tuple[list[str], list[str]]:
    """The input names every prompt reads (in order, once), and the problems of bad prompts."""
    names: list[str] = []
    problems: list[str] = []
    for index, prompt in enumerate(prompts):
        try:
            template = parse_prompt_template(prompt, f"column {index + 1}")
        except PromptConfigError as exc:
            problems.append(str(exc))
            continue
        names.extend(name for name in detect_variables(template) if name not in names)
    return [name for name in names if name != "messages"], problems


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    return "" if content is None else str(content)


def _blank(value: Any) -> Any:
    return "" if value is None else value
