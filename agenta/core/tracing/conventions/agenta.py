"""Agenta's own `ag.*` attributes, as the official SDK exports them.

The SDK flattens nested values into dotted keys under `ag.` and sends non-primitive leaves
as `@ag.type=json:<json>` strings (decoded before handlers see them). Most namespaces are
already canonical and are re-nested as they are (`ag.data.*`, `ag.meta.*`, `ag.flags.*`,
...). The rest are translated:
- `ag.type.node` (legacy) / `ag.type.span` -> span type, `ag.type.trace` -> trace type;
- `ag.metrics.unit.{tokens,costs}.*` (what the SDK writes) and
  `ag.metrics.{tokens,costs}.incremental.*` (what we store, on re-ingest) -> tokens/costs;
  cumulative, duration and error metrics are derived later, so incoming copies are
  superseded; other `ag.metrics.*` (user metrics from `store_metrics`) are kept;
- `ag.refs.<entity>.{id,slug,version}` / `ag.references.*` -> references (the SDK's
  `store_refs` short key `variant` means the application variant);
- `ag.session.id`, `ag.user.id`, `ag.agent.id` -> the span's session/user/agent ids.
The SDK flattens lists it meets below `ag.data` into numbered keys
(`ag.data.internals.docs.0`); those come back as lists.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

from agenta.core.tracing.conventions.draft import Draft

NAME = "agenta"
ROOTS = ("ag",)

_KEPT_NAMESPACES = frozenset(
    ("data", "meta", "flags", "tags", "exception", "selector", "hashes", "node", "unsupported")
)
_IDENTITIES = {"session": Draft.set_session, "user": Draft.set_user, "agent": Draft.set_agent}
_REFERENCE_FIELDS = frozenset(("id", "slug", "version"))
_REFERENCE_ALIASES = {"variant": "application_variant"}
_DERIVED_METRICS = frozenset(("duration", "errors"))


def claim(key: str, parts: list[str], value: Any, draft: Draft) -> bool:
    """Record an `ag.*` attribute in the draft; False for namespaces we do not know."""
    if len(parts) < 2:
        return False
    namespace = parts[1]
    if namespace in _KEPT_NAMESPACES:
        draft.put(parts[1:], value)
        if not draft.has_numbered_keys:
            draft.has_numbered_keys = _has_index(key)
        return True
    if namespace == "type":
        return _claim_type(parts, value, draft)
    if namespace == "metrics":
        _claim_metric(parts, value, draft)
        return True
    if namespace in ("refs", "references"):
        return _claim_reference(parts, value, draft)
    if namespace in _IDENTITIES and len(parts) == 3 and parts[2] == "id":
        _IDENTITIES[namespace](draft, value)
        return True
    return False


@functools.lru_cache(maxsize=4096)
def _has_index(key: str) -> bool:
    # Asked for every kept key of every span, about the same few keys: cached.
    return any(part.isdigit() for part in key.split("."))


def _claim_type(parts: list[str], value: Any, draft: Draft) -> bool:
    if len(parts) != 3 or not isinstance(value, str):
        return False
    if parts[2] in ("node", "span"):
        draft.span_type = value
        return True
    if parts[2] == "trace":
        draft.trace_type = value.lower()
        return True
    return False


def _claim_metric(parts: list[str], value: Any, draft: Draft) -> None:
    # ag.metrics.unit.<family>.<kind> | ag.metrics.<family>.incremental.<kind>
    rest = parts[2:]
    if len(rest) >= 2 and rest[0] == "unit":
        family, kinds = rest[1], rest[2:]
    elif len(rest) >= 2 and rest[1] in ("incremental", "cumulative"):
        if rest[1] == "cumulative" or rest[0] in _DERIVED_METRICS:
            return
        family, kinds = rest[0], rest[2:]
    else:
        draft.put(parts[1:], value)
        return
    if family == "tokens":
        _record(kinds, value, draft.add_token)
    elif family == "costs":
        _record(kinds, value, draft.add_cost)
    elif family not in _DERIVED_METRICS:
        draft.put(parts[1:], value)


def _record(kinds: Sequence[str], value: Any, add: Callable[[str, Any], None]) -> None:
    if kinds:
        add(".".join(kinds), value)
    elif isinstance(value, dict):
        for kind, amount in value.items():
            add(kind, amount)


def _claim_reference(parts: list[str], value: Any, draft: Draft) -> bool:
    if len(parts) == 4 and parts[3] in _REFERENCE_FIELDS:
        draft.add_reference(_entity(parts[2]), parts[3], value)
        return True
    if len(parts) == 3 and isinstance(value, dict) and _REFERENCE_FIELDS.issuperset(value):
        for field_name, field_value in value.items():
            draft.add_reference(_entity(parts[2]), field_name, field_value)
        return True
    return False


def _entity(name: str) -> str:
    return _REFERENCE_ALIASES.get(name, name)
