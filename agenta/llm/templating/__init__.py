"""Template rendering in the four prompt formats: curly, mustache, fstring and jinja2.

``render_template`` renders one string, ``template_variables`` lists the inputs a string reads.
Each format lives in its own module; every one raises ``UnresolvedVariablesError`` (listing the
names) when the variables lack a value, and ``TemplateError`` for syntax it cannot render.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from agenta.llm.errors import TemplateError
from agenta.llm.templating.curly import curly_variables, render_curly
from agenta.llm.templating.fstring import fstring_variables, render_fstring
from agenta.llm.templating.jinja import jinja2_variables, render_jinja2
from agenta.llm.templating.mustache import mustache_variables, render_mustache
from agenta.llm.templating.paths import to_text

Renderer = Callable[[str, Mapping[str, Any]], str]

_RENDERERS: dict[str, Renderer] = {
    "curly": render_curly,
    "mustache": render_mustache,
    "fstring": render_fstring,
    "jinja2": render_jinja2,
}
_DETECTORS: dict[str, Callable[[str], list[str]]] = {
    "curly": curly_variables,
    "mustache": mustache_variables,
    "fstring": fstring_variables,
    "jinja2": jinja2_variables,
}


def render_template(template: str, variables: Mapping[str, Any], template_format: str) -> str:
    """Render ``template`` in ``template_format`` with ``variables``."""
    return _pick(_RENDERERS, template_format)(template, variables)


def template_variables(template: str, template_format: str) -> list[str]:
    """The input names ``template`` reads, in order of first use."""
    return _pick(_DETECTORS, template_format)(template)


def _pick(table: Mapping[str, Any], template_format: str) -> Any:
    try:
        return table[template_format]
    except KeyError:
        formats = ", ".join(table)
        raise TemplateError(
            f"unknown template format {template_format!r} (use one of {formats})"
        ) from None


__all__ = ["render_template", "template_variables", "to_text"]
