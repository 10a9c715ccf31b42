"""Semantic conventions understood by span normalisation, one module per convention.

Each convention module exposes `NAME`, `ROOTS` (the first key segments it owns) and
`claim(key, parts, value, draft) -> bool`. Keys are routed by their first segment, so a
span's attributes are read in one pass with a dict lookup per key; when two conventions
share a root (`llm` is used by OpenInference and OpenLLMetry) they are asked in the order
of `CONVENTIONS` and the first claim wins. A span's conventions are those that claimed at
least one of its keys.

`route(key)` answers the key's segments and owners from a bounded cache: the same few
dozen keys come back in every span of a project, and splitting them again for each one
was a measurable part of ingestion.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from agenta.core.tracing.conventions import agenta, genai, openinference, openllmetry
from agenta.core.tracing.conventions.draft import Draft

ClaimFn = Callable[[str, list[str], Any, Draft], bool]


@dataclass(frozen=True, slots=True)
class Convention:
    """A named set of attribute keys and the handler that maps them."""

    name: str
    roots: tuple[str, ...]
    claim: ClaimFn


CONVENTIONS: tuple[Convention, ...] = tuple(
    Convention(module.NAME, module.ROOTS, module.claim)
    for module in (agenta, openinference, genai, openllmetry)
)


def _by_root(conventions: tuple[Convention, ...]) -> dict[str, tuple[Convention, ...]]:
    routes: dict[str, list[Convention]] = {}
    for convention in conventions:
        for root in convention.roots:
            routes.setdefault(root, []).append(convention)
    return {root: tuple(owners) for root, owners in routes.items()}


ROUTES: dict[str, tuple[Convention, ...]] = _by_root(CONVENTIONS)
_NO_OWNERS: tuple[Convention, ...] = ()


@functools.lru_cache(maxsize=4096)
def route(key: str) -> tuple[list[str], tuple[Convention, ...]]:
    """The dotted segments of `key` and the conventions to ask about it, in order.

    The list is shared by every caller asking about the same key: read it, never change it.
    """
    parts = key.split(".")
    return parts, ROUTES.get(parts[0], _NO_OWNERS)


__all__ = ["CONVENTIONS", "ROUTES", "Convention", "Draft", "route"]
