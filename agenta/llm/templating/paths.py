"""Look up a placeholder expression in the template variables.

Three notations reach into nested inputs (agenta-behaviour.md §3.4):

* dotted names with list indexes: ``user.address.city``, ``items[0].name`` or ``items.0.name``;
* a JSONPath subset: ``$.user.name``, ``$['key with spaces']``, ``$.items[-1]`` (no wildcards,
  filters or recursive descent: those select several values, a placeholder needs one);
* JSON Pointer (RFC 6901): ``/user/name``, ``/items/0``.

``resolve_expression`` tries the literal key first, so a variable really named ``user.name``
wins over the path. Values are turned into text by ``to_text``: strings as they are, everything
else as compact JSON, so objects and lists reach the prompt in a form models read well.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from agenta.llm.errors import TemplateError

_JSONPATH_STEP = re.compile(r"\.([^.\[\]]+)|\[(-?\d+)\]|\['([^']*)'\]|\[\"([^\"]*)\"\]")
_DOTTED_STEP = re.compile(r"([^.\[\]]+)|\[(-?\d+)\]")
_ENVELOPE = "inputs"


class PathNotFound(LookupError):
    """The expression names nothing in the variables."""


def resolve_expression(expr: str, variables: Mapping[str, Any]) -> Any:
    """The value ``expr`` names: literal key, then JSONPath, JSON Pointer or dotted path."""
    if expr in variables:
        return variables[expr]
    if expr.startswith("$"):
        return resolve_jsonpath(expr, variables)
    if expr.startswith("/"):
        return resolve_pointer(expr, variables)
    return resolve_dotted(expr, variables)


def resolve_jsonpath(expr: str, root: Any) -> Any:
    """Follow a ``$``-rooted JSONPath of single-value steps from ``root``."""
    return _walk(root, jsonpath_steps(expr))


def jsonpath_steps(expr: str) -> list[str | int]:
    """The steps of a JSONPath; ``TemplateError`` for syntax this subset does not support."""
    if not expr.startswith("$"):
        raise TemplateError(f"JSONPath {expr!r} must start with $")
    steps: list[str | int] = []
    position = 1
    while position < len(expr):
        match = _JSONPATH_STEP.match(expr, position)
        if match is None or match.group(1) == "*":
            raise TemplateError(
                f"unsupported JSONPath {expr!r}: use $.key, $['key'] or $[index] steps"
            )
        name, index, quoted, double_quoted = match.groups()
        steps.append(
            int(index)
            if index is not None
            else next(part for part in (name, quoted, double_quoted) if part is not None)
        )
        position = match.end()
    return steps


def resolve_pointer(expr: str, root: Any) -> Any:
    """Follow an RFC 6901 JSON Pointer from ``root``."""
    tokens = expr.split("/")[1:]
    return _walk(root, [token.replace("~1", "/").replace("~0", "~") for token in tokens])


def resolve_dotted(expr: str, root: Any) -> Any:
    """Follow a dotted path with optional ``[index]`` steps from ``root``."""
    steps: list[str | int] = []
    for part in expr.split("."):
        matches = list(_DOTTED_STEP.finditer(part))
        if not part or "".join(match.group(0) for match in matches) != part:
            raise PathNotFound(expr)
        steps.extend(
            int(match.group(2)) if match.group(2) is not None else match.group(1)
            for match in matches
        )
    return _walk(root, steps)


def _walk(value: Any, steps: Sequence[str | int]) -> Any:
    for step in steps:
        value = _step(value, step)
    return value


def _step(value: Any, step: str | int) -> Any:
    if isinstance(value, Mapping):
        key = step if isinstance(step, str) else str(step)
        if key in value:
            return value[key]
        raise PathNotFound(key)
    if isinstance(value, list | tuple):
        index = _as_index(step)
        if index is not None and -len(value) <= index < len(value):
            return value[index]
    raise PathNotFound(str(step))


def _as_index(step: str | int) -> int | None:
    if isinstance(step, int):
        return step
    return int(step) if step.lstrip("-").isdigit() else None


def expression_root(expr: str) -> str:
    """The input variable an expression reads, as the playground should ask for it.

    Paths through the ``inputs`` envelope (``$.inputs.country``) name the input inside it.
    """
    if expr.startswith("$"):
        steps = _safe_steps(expr)
    elif expr.startswith("/"):
        steps = expr.split("/")[1:]
    else:
        return expr.removeprefix(_ENVELOPE + ".") or expr
    if len(steps) > 1 and steps[0] == _ENVELOPE:
        steps = steps[1:]
    return str(steps[0]) if steps else expr


def _safe_steps(expr: str) -> list[str | int]:
    try:
        return jsonpath_steps(expr)
    except TemplateError:
        return []


def to_text(value: Any) -> str:
    """A variable's value as prompt text: strings verbatim, anything else as compact JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
