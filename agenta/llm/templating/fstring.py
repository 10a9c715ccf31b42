"""The ``fstring`` format: Python ``str.format`` with named fields.

``{name}``, ``{name[key]}`` and format specs (``{price:.2f}``) work as in Python; ``{{`` and ``}}``
are literal braces. Because templates are user input, attribute access to private names
(``{x.__class__}``) is refused: plain ``str.format`` would let a template walk into interpreter
internals. Positional fields (``{}``, ``{0}``) have nothing to refer to and are refused too.
Objects and lists without a format spec are inserted as compact JSON, like the other formats.
"""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence
from typing import Any

from agenta.llm.errors import TemplateError, UnresolvedVariablesError
from agenta.llm.templating.paths import to_text


class _PromptFormatter(string.Formatter):
    def get_field(self, field_name: str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> Any:
        if any(part.startswith("_") for part in field_name.split(".")[1:]):
            raise TemplateError(f"fstring field {{{field_name}}} reads a private attribute")
        return super().get_field(field_name, args, kwargs)

    def get_value(self, key: int | str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> Any:
        if isinstance(key, int):
            raise TemplateError("fstring templates need named fields, not {} or {0}")
        return kwargs[key]

    def format_field(self, value: Any, format_spec: str) -> Any:
        if not format_spec:
            return to_text(value)
        return super().format_field(value, format_spec)


def render_fstring(template: str, variables: Mapping[str, Any]) -> str:
    """Format ``template`` with ``variables`` as named fields."""
    missing = [name for name in fstring_variables(template) if name not in variables]
    if missing:
        raise UnresolvedVariablesError(missing)
    try:
        return _PromptFormatter().vformat(template, (), variables)
    except TemplateError:
        raise
    except (KeyError, IndexError, AttributeError, TypeError, ValueError) as exc:
        raise TemplateError(f"fstring formatting failed: {type(exc).__name__}: {exc}") from exc


def fstring_variables(template: str) -> list[str]:
    """The root names of the fields of an fstring template, in order of first use."""
    try:
        fields = [field for _, field, _, _ in string.Formatter().parse(template) if field]
    except ValueError as exc:
        raise TemplateError(f"fstring syntax error: {exc}") from exc
    roots = (_field_root(field) for field in fields)
    return list(dict.fromkeys(root for root in roots if root and not root.isdigit()))


def _field_root(field: str) -> str:
    return field.split(".", 1)[0].split("[", 1)[0]
