"""The ``curly`` format: ``{{expression}}`` placeholders, nothing else.

Every ``{{...}}`` is looked up with ``paths.resolve_expression`` and replaced in one pass, so a
value that itself contains ``{{x}}`` is never re-rendered. A placeholder that resolves to nothing
is an error listing every such name: there is no silent pass-through (agenta-behaviour.md §8.5).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from agenta.llm.errors import UnresolvedVariablesError
from agenta.llm.templating.paths import PathNotFound, expression_root, resolve_expression, to_text

PLACEHOLDER = re.compile(r"\{\{\s*([^{}\s][^{}]*?)\s*\}\}")


def render_curly(template: str, variables: Mapping[str, Any]) -> str:
    """Replace every ``{{expression}}`` in ``template`` with its value."""
    unresolved: list[str] = []

    def replace(match: re.Match[str]) -> str:
        expr = match.group(1)
        try:
            return to_text(resolve_expression(expr, variables))
        except PathNotFound:
            unresolved.append(expr)
            return match.group(0)

    rendered = PLACEHOLDER.sub(replace, template)
    if unresolved:
        raise UnresolvedVariablesError(unresolved)
    return rendered


def curly_variables(template: str) -> list[str]:
    """The input names a curly template reads, in order of first use."""
    names = (expression_root(match.group(1)) for match in PLACEHOLDER.finditer(template))
    return list(dict.fromkeys(names))
