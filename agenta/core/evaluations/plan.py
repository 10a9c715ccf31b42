"""A run's plan: what it evaluates, pinned when the run is created and kept in ``run.config``.

The plan holds snapshots of the application revisions (their parameters) and evaluator
revisions (their settings) it runs, so a run never changes meaning when those are edited later,
and a worker needs nothing else to run it. ``RunPlan.to_config`` / ``from_config`` convert it to
and from the stored JSON. Step keys (``application-<slug>``, ``evaluator-<slug>``) name columns
the way the official SDK names them, so runs posted by the SDK fit the same shape.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

from agenta.core.evaluations.models import INVOCATION

DEFAULT_CONCURRENCY = 10
MAX_CONCURRENCY = 100
DEFAULT_CHUNK_ROWS = 500
MAX_REPEATS = 20


@dataclass(frozen=True)
class AppStep:
    """One application revision of the run."""

    revision_id: uuid.UUID
    application_id: uuid.UUID | None = None
    application_slug: str = ""
    variant_id: uuid.UUID | None = None
    variant_slug: str = ""
    version: int | None = None
    kind: str = "completion"
    parameters: dict[str, Any] = field(default_factory=dict)
    step_key: str = ""

    @property
    def label(self) -> str:
        """``app/variant v3``, as pages and exports show it."""
        version = f" v{self.version}" if self.version is not None else ""
        return f"{self.application_slug or 'app'}/{self.variant_slug or '?'}{version}"

    def references(self) -> dict[str, dict[str, Any]]:
        """The references an invocation trace records."""
        return {
            "application": {"id": _text(self.application_id), "slug": self.application_slug},
            "application_variant": {"id": _text(self.variant_id), "slug": self.variant_slug},
            "application_revision": {"id": str(self.revision_id), "version": self.version},
        }


@dataclass(frozen=True)
class EvaluatorStep:
    """One evaluator revision of the run."""

    revision_id: uuid.UUID
    evaluator_id: uuid.UUID | None = None
    slug: str = ""
    name: str = ""
    key: str = ""
    version: int | None = None
    settings: dict[str, Any] = field(default_factory=dict)
    step_key: str = ""

    @property
    def label(self) -> str:
        return self.name or self.slug or self.key


@dataclass(frozen=True)
class RunPlan:
    """Everything a worker needs to run (or a page to show) a run."""

    applications: tuple[AppStep, ...]
    evaluators: tuple[EvaluatorStep, ...]
    repeats: int = 1
    concurrency: int = DEFAULT_CONCURRENCY
    spend_cap: float | None = None
    use_cache: bool = False
    chunk_rows: int = DEFAULT_CHUNK_ROWS
    testset: dict[str, Any] = field(default_factory=dict)

    def cells_per_row(self) -> int:
        """Cells one row produces: per revision and repeat, an invocation and each evaluator."""
        return len(self.applications) * self.repeats * (1 + len(self.evaluators))

    def application(self, revision_id: uuid.UUID) -> AppStep | None:
        return next((a for a in self.applications if a.revision_id == revision_id), None)

    def evaluator(self, revision_id: uuid.UUID) -> EvaluatorStep | None:
        return next((e for e in self.evaluators if e.revision_id == revision_id), None)

    def step_of(self, step_key: str) -> AppStep | EvaluatorStep | None:
        """The application or evaluator step named ``step_key``."""
        steps: list[AppStep | EvaluatorStep] = [*self.applications, *self.evaluators]
        return next((step for step in steps if step.step_key == step_key), None)

    def to_config(self) -> dict[str, Any]:
        """The JSON kept in ``run.config``."""
        return _jsonable(asdict(self))

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> RunPlan:
        """The plan stored in ``run.config``."""
        return cls(
            applications=tuple(_app(item) for item in config.get("applications") or []),
            evaluators=tuple(_evaluator(item) for item in config.get("evaluators") or []),
            repeats=int(config.get("repeats") or 1),
            concurrency=int(config.get("concurrency") or DEFAULT_CONCURRENCY),
            spend_cap=_float_or_none(config.get("spend_cap")),
            use_cache=bool(config.get("use_cache")),
            chunk_rows=int(config.get("chunk_rows") or DEFAULT_CHUNK_ROWS),
            testset=dict(config.get("testset") or {}),
        )


def is_invocation(evaluator_id: uuid.UUID) -> bool:
    return evaluator_id == INVOCATION


def _app(item: dict[str, Any]) -> AppStep:
    return AppStep(
        revision_id=uuid.UUID(str(item["revision_id"])),
        application_id=_uuid_or_none(item.get("application_id")),
        application_slug=str(item.get("application_slug") or ""),
        variant_id=_uuid_or_none(item.get("variant_id")),
        variant_slug=str(item.get("variant_slug") or ""),
        version=_int_or_none(item.get("version")),
        kind=str(item.get("kind") or "completion"),
        parameters=dict(item.get("parameters") or {}),
        step_key=str(item.get("step_key") or ""),
    )


def _evaluator(item: dict[str, Any]) -> EvaluatorStep:
    return EvaluatorStep(
        revision_id=uuid.UUID(str(item["revision_id"])),
        evaluator_id=_uuid_or_none(item.get("evaluator_id")),
        slug=str(item.get("slug") or ""),
        name=str(item.get("name") or ""),
        key=str(item.get("key") or ""),
        version=_int_or_none(item.get("version")),
        settings=dict(item.get("settings") or {}),
        step_key=str(item.get("step_key") or ""),
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    return value


def _text(value: uuid.UUID | None) -> str | None:
    return None if value is None else str(value)


def _uuid_or_none(value: Any) -> uuid.UUID | None:
    return uuid.UUID(str(value)) if value else None


def _int_or_none(value: Any) -> int | None:
    return None if value in (None, "") else int(value)


def _float_or_none(value: Any) -> float | None:
    return None if value in (None, "") else float(value)
