"""A project's observability settings: retention in days and redaction rules.

Stored in `tracing_settings` (no row = defaults: keep spans forever, redact nothing).
Rules are validated by compiling them before they are saved, and stored in a normal form
(`{name, kind, pattern, replacement, targets}`), so ingestion never meets a bad rule.

Ingestion needs a project's compiled rules on every export; `RedactorCache` keeps them per
process for `ttl` seconds. A save in this process invalidates its entry at once; other
processes pick the change up within `ttl`.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.tracing.models import TracingSettings
from agenta.core.tracing.redaction import (
    DEFAULT_REPLACEMENT,
    TARGETS,
    Redactor,
    compile_rules,
)
from agenta.db import Database, utcnow

MAX_RULES = 100
MAX_RETENTION_DAYS = 3650
RULES_TTL_SECONDS = 5.0


class SettingsError(ValueError):
    """A setting value is invalid; the message says which and why."""


@dataclass(frozen=True, slots=True)
class ProjectTracingSettings:
    """Retention (None = keep forever) and redaction rules (normal form) of one project."""

    retention_days: int | None = None
    redaction_rules: list[dict[str, Any]] = field(default_factory=list)


async def read_settings(session: AsyncSession, project_id: uuid.UUID) -> ProjectTracingSettings:
    """The project's settings, or the defaults."""
    row = await session.get(TracingSettings, project_id)
    if row is None:
        return ProjectTracingSettings()
    return ProjectTracingSettings(row.retention_days, list(row.redaction_rules or []))


def normalise_rules(rules: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Validate rules (raising `RedactionRuleError` or `SettingsError`) into normal form."""
    listed = list(rules)
    if len(listed) > MAX_RULES:
        raise SettingsError(f"at most {MAX_RULES} redaction rules are allowed, got {len(listed)}")
    for position, raw in enumerate(listed):
        if not isinstance(raw, Mapping):
            raise SettingsError(f"redaction rule #{position + 1} must be an object")
    compile_rules(listed)
    return [_normal_form(raw) for raw in listed]


def _normal_form(raw: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "name": raw["name"],
        "kind": raw["kind"],
        "pattern": raw["pattern"],
        "replacement": raw.get("replacement", DEFAULT_REPLACEMENT),
        "targets": list(raw.get("targets") or TARGETS),
    }


def check_retention(days: int | None) -> int | None:
    """`days` if it is a sensible retention (1 to 3650 days) or None; else `SettingsError`."""
    if days is None:
        return None
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_RETENTION_DAYS:
        raise SettingsError(
            f"retention_days must be a whole number of days from 1 to {MAX_RETENTION_DAYS}, "
            f"or null to keep spans forever; got {days!r}"
        )
    return days


async def save_settings(
    session: AsyncSession,
    project_id: uuid.UUID,
    *,
    retention_days: int | None,
    redaction_rules: Iterable[Mapping[str, Any]],
    actor_id: uuid.UUID | None = None,
) -> ProjectTracingSettings:
    """Validate and store both settings; returns them as stored."""
    rules = normalise_rules(redaction_rules)
    days = check_retention(retention_days)
    row = await session.get(TracingSettings, project_id)
    if row is None:
        row = TracingSettings(project_id=project_id)
        session.add(row)
    row.retention_days = days
    row.redaction_rules = rules
    row.updated_at = utcnow()
    row.updated_by_id = actor_id
    await session.flush()
    return ProjectTracingSettings(days, rules)


class RedactorCache:
    """Compiled redaction rules per project, kept for `ttl` seconds."""

    def __init__(self, db: Database, ttl: float = RULES_TTL_SECONDS) -> None:
        self.db = db
        self.ttl = ttl
        self._entries: dict[uuid.UUID, tuple[float, Redactor]] = {}

    async def get(self, project_id: uuid.UUID) -> Redactor:
        """The project's compiled rules (an empty `Redactor` when it has none)."""
        cached = self._entries.get(project_id)
        now = time.monotonic()
        if cached is not None and now - cached[0] < self.ttl:
            return cached[1]
        async with self.db.session() as session:
            settings = await read_settings(session, project_id)
        redactor = compile_rules(settings.redaction_rules)
        self._entries[project_id] = (now, redactor)
        return redactor

    def invalidate(self, project_id: uuid.UUID) -> None:
        """Forget the project's rules (after a save)."""
        self._entries.pop(project_id, None)
