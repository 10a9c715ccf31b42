"""Addressing values inside JSON documents: three path syntaxes and flattening.

Users write field paths in whichever form they know; all three mean the same thing:
- dot notation: ``user.address.city``, ``items.0.name``;
- JSONPath (the subset that names one value): ``$.user.address.city``, ``$.items[0]['name']``;
- JSON Pointer (RFC 6901): ``/user/address/city``, ``/items/0/name`` (``~1`` means ``/``).
``parse_path`` turns any of them into a tuple of segments (all strings; list indices are digit
strings) and raises ``ValueError`` for malformed paths, so settings can be checked up front.

``flatten`` turns a document into ``{"a.b.0": leaf}`` pairs; empty objects and arrays are leaves.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

Path = tuple[str, ...]

_JSONPATH_TOKEN = re.compile(
    r"""\.(?P<name>[^.\[\]]+)|\[(?P<index>-?\d+)\]|\[(?P<quote>['"])(?P<key>.*?)(?P=quote)\]"""
)


class PathNotFound(LookupError):
    """The document has no value at the path."""


def parse_path(path: str) -> Path:
    """Split a dot, JSONPath or JSON Pointer path into segments."""
    if not isinstance(path, str) or not path.strip():
        raise ValueError("a field path must be non-empty text")
    path = path.strip()
    if path.startswith("/"):
        return tuple(_unescape_pointer(part) for part in path[1:].split("/"))
    if path.startswith("$"):
        return _parse_jsonpath(path)
    segments = tuple(path.split("."))
    if any(segment == "" for segment in segments):
        raise ValueError(f"the path {path!r} has an empty segment")
    return segments


def _unescape_pointer(part: str) -> str:
    return part.replace("~1", "/").replace("~0", "~")


def _parse_jsonpath(path: str) -> Path:
    segments: list[str] = []
    position = 1
    while position < len(path):
        token = _JSONPATH_TOKEN.match(path, position)
        if token is None:
            raise ValueError(
                f"the JSONPath {path!r} is not supported after {path[:position]!r} "
                "(use $.name, [index] or ['name'])"
            )
        segments.append(token.group("name") or token.group("index") or token.group("key") or "")
        if segments[-1] == "*":
            raise ValueError(f"the JSONPath {path!r} uses a wildcard; name one value instead")
        position = token.end()
    return tuple(segments)


def resolve(document: Any, path: Path) -> Any:
    """The value at ``path`` in ``document``; raises ``PathNotFound``."""
    current = document
    for segment in path:
        current = _step(current, segment, path)
    return current


def _step(current: Any, segment: str, path: Path) -> Any:
    if isinstance(current, dict) and segment in current:
        return current[segment]
    if isinstance(current, list) and re.fullmatch(r"-?\d+", segment):
        index = int(segment)
        if -len(current) <= index < len(current):
            return current[index]
    raise PathNotFound(f"no value at {format_path(path)}")


def format_path(path: Path) -> str:
    """A path in dot notation, for messages and metric names."""
    return ".".join(path) or "(root)"


def flatten(document: Any, lowercase_keys: bool = False) -> dict[str, Any]:
    """Leaf values keyed by dotted path; a scalar document is one leaf with key ``""``."""
    return dict(_leaves(document, (), lowercase_keys))


def _leaves(value: Any, prefix: Path, lowercase_keys: bool) -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict) and value:
        for key, child in value.items():
            name = str(key).lower() if lowercase_keys else str(key)
            yield from _leaves(child, (*prefix, name), lowercase_keys)
    elif isinstance(value, list) and value:
        for index, child in enumerate(value):
            yield from _leaves(child, (*prefix, str(index)), lowercase_keys)
    else:
        yield ".".join(prefix), value
