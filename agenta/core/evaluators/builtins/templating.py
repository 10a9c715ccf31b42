"""Rendering prompt templates for the LLM judge, behind one function (``render_template``).

Two formats, as in the original product:
- ``curly``: ``{{name}}`` and ``{{inputs.country}}`` (dotted paths into objects) are replaced;
  objects and lists are inserted as compact JSON. Any placeholder that cannot be resolved is an
  error naming it; nothing is silently left in the prompt.
- ``mustache``: full Mustache through ``chevron`` (sections, inverted sections, dotted names),
  with two prompt-friendly changes: nothing is HTML-escaped (a prompt is not HTML), and objects
  and lists render as compact JSON. Partials are disabled (no file access). Mustache renders
  missing names as empty text, by its specification.

The shared template engine (``agenta.llm.templates``) may later replace this module; callers only
use ``render_template`` and ``render_messages``.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from typing import Any

import chevron
from chevron.tokenizer import ChevronError

from .errors import PromptFormattingError

TEMPLATE_FORMATS = ("curly", "mustache")
_CURLY = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")


def render_messages(
    messages: list[dict[str, str]], variables: Mapping[str, Any], template_format: str
) -> list[dict[str, str]]:
    """Render each message's content; the roles are kept."""
    return [
        {
            "role": message["role"],
            "content": render_template(message["content"], variables, template_format),
        }
        for message in messages
    ]


def render_template(template: str, variables: Mapping[str, Any], template_format: str) -> str:
    """Render ``template`` with ``variables`` in ``curly`` or ``mustache`` format."""
    if template_format == "curly":
        return _render_curly(template, variables)
    if template_format == "mustache":
        return _render_mustache(template, variables)
    raise PromptFormattingError(
        f"unknown template format {template_format!r}; use one of {', '.join(TEMPLATE_FORMATS)}"
    )


def _render_curly(template: str, variables: Mapping[str, Any]) -> str:
    missing: list[str] = []

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        found, value = _lookup(variables, name)
        if not found:
            missing.append(name)
            return match.group(0)
        return _as_text(value)

    rendered = _CURLY.sub(substitute, template)
    if missing:
        names = ", ".join("{{" + name + "}}" for name in dict.fromkeys(missing))
        available = ", ".join(sorted(variables)) or "none"
        raise PromptFormattingError(
            f"the prompt uses variables that have no value: {names} (available: {available})"
        )
    return rendered


def _lookup(variables: Mapping[str, Any], name: str) -> tuple[bool, Any]:
    """Exact key first (keys may contain dots), then a dotted path through objects and lists."""
    if name in variables:
        return True, variables[name]
    current: Any = variables
    for part in name.split("."):
        if isinstance(current, Mapping) and part in current:
            current = current[part]
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            return False, None
    return True, current


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


class _JsonDict(dict[str, Any]):
    def __str__(self) -> str:
        return _as_text(dict(self))


class _JsonList(list[Any]):
    def __str__(self) -> str:
        return _as_text(list(self))


def _json_rendering(value: Any) -> Any:
    """Copy ``value`` with dicts and lists that print as JSON (chevron calls ``str``)."""
    if isinstance(value, Mapping):
        return _JsonDict({str(k): _json_rendering(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return _JsonList(_json_rendering(item) for item in value)
    # Booleans stay booleans so that sections ({{#flag}}) keep their meaning.
    return value


def _render_mustache(template: str, variables: Mapping[str, Any]) -> str:
    try:
        tokens = _mustache_tokens(template)
        return chevron.render(tokens, _json_rendering(variables), partials_path=None)
    except ChevronError as exc:
        raise PromptFormattingError(f"the mustache template is malformed: {exc}") from exc


# chevron's tokenizer walks the template a character at a time, and a run judges every row with
# the same template: its tokens are kept (a malformed template is not cached: it raises again).
@functools.lru_cache(maxsize=512)
def _mustache_tokens(template: str) -> tuple[tuple[str, str], ...]:
    tokens = tuple(
        ("no escape", key) if tag == "variable" else (tag, key)
        for tag, key in chevron.tokenizer.tokenize(template)
    )
    if any(tag == "partial" for tag, _key in tokens):
        raise PromptFormattingError("mustache partials ({{> name}}) are not supported")
    return tokens
