"""JSON shapes of online rules, their recent evaluations and their scores over time."""

from __future__ import annotations

from typing import Any

from agenta.core.online.metrics import ScoreSeries
from agenta.core.online.models import OnlineEvaluation, OnlineRule, OnlineScore


def rule_record(rule: OnlineRule) -> dict[str, Any]:
    return {
        "id": str(rule.id),
        "name": rule.name,
        "filters": rule.filters,
        "sampling_rate": rule.sampling_rate,
        "evaluator_ids": rule.evaluator_ids,
        "status": rule.status,
        "paused_reason": rule.paused_reason,
        "consecutive_failures": rule.consecutive_failures,
        "evaluated": rule.evaluated_count,
        "failed": rule.failed_count,
        "cursor": rule.cursor.isoformat() if rule.cursor else None,
        "last_run_at": rule.last_run_at.isoformat() if rule.last_run_at else None,
        "created_at": rule.created_at.isoformat(),
    }


def evaluation_record(evaluation: OnlineEvaluation, scores: list[OnlineScore]) -> dict[str, Any]:
    return {
        "trace_id": evaluation.trace_id,
        "trace_time": evaluation.trace_time.isoformat(),
        "status": evaluation.status,
        "error": evaluation.error,
        "scores": {
            score.evaluator_slug: {
                "value": score.value,
                "success": score.success,
                "error": score.error,
                "annotation_trace_id": score.annotation_trace_id,
            }
            for score in scores
        },
    }


def series_record(series: ScoreSeries) -> dict[str, Any]:
    return {
        "bucket_seconds": int(series.width.total_seconds()),
        "starts": [start.isoformat() for start in series.starts],
        "evaluators": {
            slug: [
                {"count": bucket.count, "errors": bucket.errors, "mean": bucket.mean}
                for bucket in buckets
            ]
            for slug, buckets in series.by_evaluator.items()
        },
    }
