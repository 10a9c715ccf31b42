"""Reading the queue pages' forms: the new-queue form and a review form.

New queue: a name, the questions (a preset, or a custom human evaluator as JSON), reviews per
item, the assignment (``open``, or ``round_robin`` over the ticked ``annotator`` boxes), and the
source: ``traces`` (the trace explorer's filter fields as they were shown, kept in the form as
``filter.<name>`` so they cannot clash with the queue's own fields; the explorer's "Review in a
queue" link brings every one of its filters),
``run`` (``run`` is ``<run id>:<revision id>``), ``ab`` (``side_a`` and ``side_b`` likewise) or
``testset`` (a test set revision id).

Review: one form field per question, named ``<evaluator slug>.<field>`` (labels send one value
per ticked box), or ``vote`` in an A/B queue, and ``note``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import fields
from typing import Any

from agenta.core.annotations.answers import read_form_value
from agenta.core.annotations.creation import SourceInput, parse_source
from agenta.core.annotations.feedback import QUALITY_RATING, HumanEvaluator
from agenta.core.annotations.queues import QueueInput
from agenta.core.tracing.pages_filters import TraceFilters
from agenta.errors import AppError

PRESETS: dict[str, dict[str, Any]] = {
    "quality": QUALITY_RATING.to_json(),
    "rating": {
        "slug": "rating",
        "name": "Rating",
        "fields": [{"name": "rating", "kind": "scale", "minimum": 1, "maximum": 5}],
    },
    "correctness": {
        "slug": "correctness",
        "name": "Correctness",
        "fields": [
            {"name": "correct", "kind": "boolean", "label": "Correct"},
            {"name": "quality", "kind": "scale", "minimum": 1, "maximum": 5},
            {"name": "comment", "kind": "text", "required": False},
        ],
    },
}
PRESET_LABELS = {
    "quality": "Quality rating: approved yes/no",
    "rating": "Rating from 1 to 5",
    "correctness": "Correct yes/no, quality 1-5 and a comment",
    "custom": "Custom questions (JSON below)",
}
# Every filter of the trace explorer, so "review in a queue" takes the very traces it listed;
# its paging is left out: the queue takes up to its own limit.
FILTER_FIELDS = tuple(f.name for f in fields(TraceFilters) if f.name not in ("limit", "next"))
# The ones the new-queue page has inputs for; it carries the others along as they came.
SHOWN_FILTERS = ("search", "name", "status", "span_type", "application", "environment", "range")


def trace_filters(params: Mapping[str, Any], prefix: str = "") -> TraceFilters:
    """The filter fields of a trace explorer link, or of the new-queue form (``filter.x``)."""
    return TraceFilters.from_params({name: params.get(prefix + name) for name in FILTER_FIELDS})


def queue_form(form: Mapping[str, Any], annotators: Sequence[str]) -> QueueInput:
    """The queue part of the new-queue form; a 422 names the field that is wrong."""
    reviews = str(form.get("reviews_per_item") or "1").strip()
    if not reviews.isdigit():
        raise AppError("Invalid queue: reviews_per_item must be a whole number", status_code=422)
    return QueueInput(
        name=str(form.get("name") or ""),
        description=str(form.get("description") or "") or None,
        evaluators=_evaluators(form),
        reviews_per_item=int(reviews),
        assignment=str(form.get("assignment") or "open"),
        annotators=list(annotators),
    )


def source_form(form: Mapping[str, Any]) -> SourceInput:
    """The source part of the new-queue form."""
    kind = str(form.get("source") or "traces")
    if kind == "traces":
        filters = trace_filters(form, prefix="filter.")
        return parse_source(
            {"type": "filter", "filters": dict(filters.params()), "limit": form.get("limit")}
        )
    if kind == "run":
        return parse_source({"type": "run", **_side(form, "run")})
    if kind == "ab":
        return parse_source({"type": "ab", "a": _side(form, "side_a"), "b": _side(form, "side_b")})
    if kind == "testset":
        return parse_source({"type": "testset", "testset_revision_id": form.get("testset")})
    raise AppError(f"Invalid queue: unknown source {kind!r}", status_code=422)


def review_form(
    evaluators: Sequence[HumanEvaluator], values: Mapping[str, list[str]]
) -> dict[str, dict[str, Any]]:
    """A review form's answers by evaluator slug (empty fields left out)."""
    answers: dict[str, dict[str, Any]] = {}
    for evaluator in evaluators:
        given: dict[str, Any] = {}
        for question in evaluator.fields:
            raw = values.get(f"{evaluator.slug}.{question.name}", [])
            value = read_form_value(question, raw)
            if value is not None:
                given[question.name] = value
        answers[evaluator.slug] = given
    return answers


def _evaluators(form: Mapping[str, Any]) -> list[Any]:
    preset = str(form.get("preset") or "quality")
    if preset != "custom":
        if preset not in PRESETS:
            raise AppError(f"Invalid queue: unknown question preset {preset!r}", status_code=422)
        return [PRESETS[preset]]
    text = str(form.get("evaluator_json") or "").strip()
    try:
        parsed = json.loads(text)
    except ValueError as error:
        raise AppError(
            f"Invalid queue: the custom questions are not valid JSON ({error})", status_code=422
        ) from None
    return parsed if isinstance(parsed, list) else [parsed]


def _side(form: Mapping[str, Any], name: str) -> dict[str, Any]:
    run_id, _, revision_id = str(form.get(name) or "").partition(":")
    if not run_id:
        raise AppError(f"Invalid queue: choose a run for {name}", status_code=422)
    return {"run_id": run_id, "revision_id": revision_id or None}
