"""The flat JSON form of a span: what queues and stores carry, and what comes back."""

from __future__ import annotations

import json
from collections.abc import Callable

from agenta.core.tracing.span import Span, span_from_dict, span_to_dict
from agenta.core.tracing.trees import build_trees

Ingest = Callable[..., dict[str, Span]]


def test_a_span_survives_a_json_round_trip_unchanged(recorder, ingest: Ingest) -> None:
    record = recorder()
    with record.span(
        "chat",
        {
            "ag.type.node": "chat",
            "ag.meta.response.model": "gpt-4o",
            "ag.metrics.unit.tokens.prompt": 5.0,
            "ag.metrics.unit.costs.total": 0.5,
            "ag.refs.application.slug": "app",
            "ag.session.id": "s",
            "http.method": "POST",
        },
    ) as live:
        live.add_event("note", {"k": "v"})
    (span,) = ingest(record.export()).values()
    build_trees([span])

    restored = span_from_dict(json.loads(json.dumps(span_to_dict(span))))

    assert restored == span


def test_the_flat_form_uses_agenta_field_names(sdk_trace, ingest: Ingest) -> None:
    flat = span_to_dict(ingest(sdk_trace())["generate"])

    assert flat["span_name"] == "generate"
    assert flat["span_kind"] == "SPAN_KIND_SERVER"
    assert flat["span_type"] == "workflow"
    assert flat["references"][0] == {
        "id": None,
        "slug": "geo-qa",
        "version": None,
        "attributes": {"key": "application"},
    }
    assert flat["resource"]["attributes"]["service.name"] == "agenta-sdk"
    assert flat["mapping"] == {"conventions": ["agenta"], "unmapped": []}
