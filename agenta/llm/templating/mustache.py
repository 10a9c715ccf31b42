"""The ``mustache`` format: real Mustache, evaluated over chevron's parser.

chevron parses the template (delimiter changes, standalone-line whitespace, comments, sections);
we evaluate its tokens ourselves because prompts need three things chevron's renderer does not
do: report variables that resolve to nothing (chevron renders them as empty text), leave text
unescaped (a prompt is not HTML: ``{{x}}`` and ``{{{x}}}`` both insert the raw value) and insert
objects and lists as compact JSON rather than Python reprs.

Name lookup follows the Mustache spec: ``.`` is the current item; the first segment of a dotted
name is searched from the innermost section outwards and the rest is resolved inside what it
found. ``{{$...}}`` tags are JSONPaths from the root variables. A section or inverted section over
a missing name is simply false, as in any Mustache; only interpolations must resolve. Partials
and JSON Pointers are rejected: templates are self-contained and ``{{/...}}`` closes a section.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from agenta.llm.errors import TemplateError, UnresolvedVariablesError
from agenta.llm.templating.paths import (
    PathNotFound,
    expression_root,
    resolve_dotted,
    resolve_jsonpath,
    to_text,
)

Token = tuple[str, str]

_INTERPOLATIONS = ("variable", "no escape")
_SECTIONS = ("section", "inverted section")
_POINTER_TAG = re.compile(r"\{\{\s*/[^{}]*/[^{}]*\}\}")
_MISSING = object()


def render_mustache(template: str, variables: Mapping[str, Any]) -> str:
    """Render ``template`` as Mustache with ``variables`` as the root context."""
    tokens = parse_mustache(template)
    renderer = _Renderer(variables)
    rendered = renderer.render(tokens, [variables])
    if renderer.unresolved:
        raise UnresolvedVariablesError(renderer.unresolved)
    return rendered


def mustache_variables(template: str) -> list[str]:
    """The input names a Mustache template reads at top level, in order of first use.

    Names used inside a section belong to the section's items and are not listed.
    """
    names: list[str] = []
    depth = 0
    for tag, key in parse_mustache(template):
        if tag == "end":
            depth -= 1
            continue
        if depth == 0 and (tag in _INTERPOLATIONS or tag in _SECTIONS) and key != ".":
            names.append(_root_name(key))
        if tag in _SECTIONS:
            depth += 1
    return list(dict.fromkeys(names))


def _root_name(key: str) -> str:
    if key.startswith("$"):
        return expression_root(key)
    return expression_root(key).split(".")[0]


# chevron's tokenizer walks the template a character at a time: a run renders the same few
# templates for every row, so their tokens are kept (errors are not cached, they raise again).
@functools.lru_cache(maxsize=512)
def parse_mustache(template: str) -> tuple[Token, ...]:
    """chevron's tokens for ``template``; ``TemplateError`` for syntax we cannot render."""
    if _POINTER_TAG.search(template):
        raise TemplateError(
            "JSON Pointer placeholders are not supported in mustache templates: "
            "use a {{$...}} JSONPath or the curly format"
        )
    from chevron.tokenizer import ChevronError, tokenize

    try:
        tokens = tuple(tokenize(template))
    except ChevronError as exc:
        raise TemplateError(f"mustache syntax error: {' '.join(str(exc).split())}") from exc
    except IndexError as exc:
        raise TemplateError("mustache syntax error: empty placeholder {{}}") from exc
    for tag, key in tokens:
        if tag == "partial":
            raise TemplateError(f"mustache partials are not supported: {{{{>{key}}}}}")
    return tokens


class _Renderer:
    """Evaluates tokens against a stack of scopes, collecting unresolved names."""

    def __init__(self, root: Mapping[str, Any]) -> None:
        self.root = root
        self.unresolved: list[str] = []

    def render(self, tokens: Sequence[Token], scopes: list[Any]) -> str:
        output: list[str] = []
        stream = iter(tokens)
        for tag, key in stream:
            if tag == "literal":
                output.append(key)
            elif tag in _INTERPOLATIONS:
                output.append(self._interpolate(key, scopes))
            elif tag in _SECTIONS:
                body = _section_body(stream, key)
                output.append(self._section(tag, key, body, scopes))
        return "".join(output)

    def _interpolate(self, key: str, scopes: list[Any]) -> str:
        value = self._lookup(key, scopes)
        if value is _MISSING:
            self.unresolved.append(key)
            return ""
        return "" if value is None else to_text(value)

    def _section(self, tag: str, key: str, body: list[Token], scopes: list[Any]) -> str:
        value = self._lookup(key, scopes)
        truthy = value is not _MISSING and bool(value)
        if tag == "inverted section":
            return "" if truthy else self.render(body, scopes)
        if not truthy:
            return ""
        if isinstance(value, list | tuple):
            return "".join(self.render(body, [item, *scopes]) for item in value)
        return self.render(body, [value, *scopes])

    def _lookup(self, key: str, scopes: list[Any]) -> Any:
        if key == ".":
            return scopes[0]
        if key.startswith("$"):
            return _or_missing(resolve_jsonpath, key, self.root)
        first, _, rest = key.partition(".")
        for scope in scopes:
            found = _or_missing(resolve_dotted, first, scope)
            if found is not _MISSING:
                return _or_missing(resolve_dotted, rest, found) if rest else found
        return _MISSING


def _or_missing(resolve: Any, expr: str, root: Any) -> Any:
    try:
        return resolve(expr, root)
    except PathNotFound:
        return _MISSING


def _section_body(stream: Iterator[Token], key: str) -> list[Token]:
    """The tokens up to the ``end`` tag closing section ``key`` (chevron checks nesting)."""
    body: list[Token] = []
    depth = 0
    for tag, name in stream:
        if tag in _SECTIONS:
            depth += 1
        elif tag == "end":
            if depth == 0 and name == key:
                return body
            depth -= 1
        body.append((tag, name))
    return body
