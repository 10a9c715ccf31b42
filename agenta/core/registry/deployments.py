"""What each environment revision changed: the deployment history as people read it.

An environment revision stores the whole deployment map; the history page and the log API show
what changed from the revision before it: per application key, ``added`` (first deployed there),
``changed`` (another revision deployed) or ``removed``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from agenta.core.registry.environments import history, references_of
from agenta.core.registry.models import EnvironmentArtifact, EnvironmentRevision
from agenta.core.registry.scope import Scope

ChangeKind = Literal["added", "changed", "removed"]


@dataclass(frozen=True)
class DeploymentChange:
    key: str
    kind: ChangeKind
    old: dict[str, Any] | None
    new: dict[str, Any] | None

    @property
    def application_slug(self) -> str:
        entry = self.new or self.old or {}
        return str((entry.get("application") or {}).get("slug") or self.key)

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "kind": self.kind, "old": self.old, "new": self.new}


@dataclass(frozen=True)
class HistoryEntry:
    revision: EnvironmentRevision
    changes: list[DeploymentChange]


def deployment_changes(old: dict[str, Any], new: dict[str, Any]) -> list[DeploymentChange]:
    """Keys whose deployed revision differs between two deployment maps, sorted by key."""
    found = []
    for key in sorted(set(old) | set(new)):
        before, after = old.get(key), new.get(key)
        if before == after:
            continue
        kind: ChangeKind = "added" if before is None else "removed" if after is None else "changed"
        found.append(DeploymentChange(key, kind, before, after))
    return found


async def history_with_changes(
    scope: Scope, environment: EnvironmentArtifact, *, limit: int | None = None
) -> list[HistoryEntry]:
    """The environment's revisions, newest first, each with what it changed."""
    revisions = await history(scope, environment, limit=None if limit is None else limit + 1)
    entries = []
    for index, revision in enumerate(revisions[:limit] if limit else revisions):
        previous = revisions[index + 1] if index + 1 < len(revisions) else None
        changes = deployment_changes(references_of(previous), references_of(revision))
        entries.append(HistoryEntry(revision, changes))
    return entries
