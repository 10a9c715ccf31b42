"""The ``jinja2`` format: Jinja2 in its immutable sandbox.

Templates are user input, so they run in ``ImmutableSandboxedEnvironment`` (no private attributes,
no mutation of inputs) with ``StrictUndefined``: an undefined variable is an error naming every
variable the template reads that the inputs do not provide, not an empty string. Output is not
HTML-escaped, and objects and lists print as compact JSON.

``{{$...}}`` JSONPath tags are not Jinja syntax; they are swapped for markers before Jinja runs and
replaced by their values afterwards (so a value is never evaluated as template code), except
inside ``{% raw %}`` blocks and comments, which are left to Jinja.

jinja2 is imported on first use: server start-up does not pay for it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache, lru_cache
from typing import Any

from agenta.llm.errors import TemplateError, UnresolvedVariablesError
from agenta.llm.templating.paths import (
    PathNotFound,
    expression_root,
    resolve_jsonpath,
    to_text,
)

_PATH_TAG = re.compile(r"\{\{\s*(\$[^{}]*?)\s*\}\}")
_RAW_REGION = re.compile(r"\{%-?\s*raw\s*-?%\}.*?\{%-?\s*endraw\s*-?%\}|\{#.*?#\}", re.DOTALL)
_MARKER = re.compile("\x00path(\\d+)\x00")
_ENVELOPE = "inputs"
# ``inputs.name`` / ``inputs['name']``: dual-access reads of an input through its envelope.
_ENVELOPE_READ = re.compile(r"\binputs(?:\.(\w+)|\[['\"](\w+)['\"]\])")


def render_jinja2(template: str, variables: Mapping[str, Any]) -> str:
    """Render ``template`` in the Jinja2 sandbox with ``variables``."""
    if "\x00" in template:
        raise TemplateError("template contains a NUL character")
    masked, paths = _mask_path_tags(template)
    rendered = _render_masked(masked, variables)
    return _unmask(rendered, paths, variables) if paths else rendered


def jinja2_variables(template: str) -> list[str]:
    """The input names a Jinja2 template reads, in order of first appearance."""
    masked, paths = _mask_path_tags(template)
    from jinja2 import TemplateSyntaxError, meta

    try:
        names = meta.find_undeclared_variables(_environment().parse(masked))
    except TemplateSyntaxError as exc:
        raise TemplateError(f"jinja2 syntax error (line {exc.lineno}): {exc.message}") from exc
    if _ENVELOPE in names:
        names |= {match.group(1) or match.group(2) for match in _ENVELOPE_READ.finditer(masked)}
    ordered = sorted(names - {_ENVELOPE}, key=lambda name: (_first_use(masked, name), name))
    return list(dict.fromkeys([*(expression_root(path) for path in paths), *ordered]))


def _first_use(template: str, name: str) -> int:
    match = re.search(rf"\b{re.escape(name)}\b", template)
    return match.start() if match else len(template)


def _mask_path_tags(template: str) -> tuple[str, list[str]]:
    paths: list[str] = []

    def mask(match: re.Match[str]) -> str:
        paths.append(match.group(1))
        return f"\x00path{len(paths) - 1}\x00"

    pieces: list[str] = []
    position = 0
    for region in _RAW_REGION.finditer(template):
        pieces.append(_PATH_TAG.sub(mask, template[position : region.start()]))
        pieces.append(region.group(0))
        position = region.end()
    pieces.append(_PATH_TAG.sub(mask, template[position:]))
    return "".join(pieces), paths


def _unmask(rendered: str, paths: list[str], variables: Mapping[str, Any]) -> str:
    unresolved: list[str] = []

    def unmask(match: re.Match[str]) -> str:
        path = paths[int(match.group(1))]
        try:
            return to_text(resolve_jsonpath(path, variables))
        except PathNotFound:
            unresolved.append(path)
            return ""

    result = _MARKER.sub(unmask, rendered)
    if unresolved:
        raise UnresolvedVariablesError(unresolved)
    return result


def _render_masked(masked: str, variables: Mapping[str, Any]) -> str:
    from jinja2 import TemplateSyntaxError, UndefinedError
    from jinja2.exceptions import SecurityError

    try:
        return _compile(masked).render(**variables)
    except TemplateSyntaxError as exc:
        raise TemplateError(f"jinja2 syntax error (line {exc.lineno}): {exc.message}") from exc
    except SecurityError as exc:
        raise TemplateError(f"jinja2 sandbox refused the template: {exc}") from exc
    except UndefinedError as exc:
        missing = [name for name in jinja2_variables(masked) if name not in variables]
        if missing:
            raise UnresolvedVariablesError(missing) from exc
        raise TemplateError(f"jinja2 rendering failed: {exc.message}") from exc
    except (TypeError, ValueError, ArithmeticError, LookupError) as exc:
        raise TemplateError(f"jinja2 rendering failed: {type(exc).__name__}: {exc}") from exc


@cache
def _environment() -> Any:
    from jinja2 import StrictUndefined
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    return ImmutableSandboxedEnvironment(
        undefined=StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        finalize=_finalize,
    )


def _finalize(value: Any) -> Any:
    return to_text(value) if isinstance(value, dict | list) else value


@lru_cache(maxsize=512)
def _compile(source: str) -> Any:
    # Prompts are rendered far more often than edited: compile each distinct source once.
    return _environment().from_string(source)
