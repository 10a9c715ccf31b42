"""Normalising spans as the official Agenta SDK exports them (`ag.*` attributes)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from opentelemetry.trace import Link

from agenta.core.tracing.normalize import normalize_span
from agenta.core.tracing.otlp import decode_export_request
from agenta.core.tracing.span import Span, TokenUsage

Ingest = Callable[..., dict[str, Span]]


def test_it_nests_and_decodes_sdk_attributes(sdk_trace: Callable[..., bytes], ingest: Ingest):
    root = ingest(sdk_trace())["generate"]

    assert root.attributes["ag"]["data"]["inputs"] == {"country": "France"}
    assert root.attributes["ag"]["data"]["outputs"] == {"__default__": "Paris"}
    assert root.attributes["ag"]["meta"]["configuration"] == {
        "prompt": {"messages": [{"role": "user"}]}
    }
    assert root.inputs == {"country": "France"}
    assert root.mapping.conventions == ("agenta",)
    assert root.mapping.unmapped == ()


def test_it_reads_span_type_from_the_legacy_node_attribute(
    sdk_trace: Callable[..., bytes], ingest: Ingest
) -> None:
    spans = ingest(sdk_trace())

    assert spans["generate"].span_type == "workflow"
    assert spans["litellm_client"].span_type == "chat"
    assert spans["generate"].attributes["ag"]["type"] == {"trace": "invocation", "span": "workflow"}


def test_it_lowercases_the_sdk_default_task_type(recorder, ingest: Ingest) -> None:
    record = recorder()
    with record.span("helper", {"ag.type.node": "TASK"}):
        pass

    assert ingest(record.export())["helper"].span_type == "task"


def test_it_turns_unit_metrics_into_tokens_and_incremental_metrics(
    sdk_trace: Callable[..., bytes], ingest: Ingest
) -> None:
    chat = ingest(sdk_trace())["litellm_client"]

    assert chat.tokens == TokenUsage(prompt=12, completion=3, total=15)
    assert chat.model == "gpt-4o-mini"
    metrics = chat.attributes["ag"]["metrics"]
    assert metrics["tokens"]["incremental"] == {"prompt": 12, "completion": 3, "total": 15}
    assert "unit" not in metrics


def test_it_keeps_a_cost_the_sdk_reported(sdk_trace: Callable[..., bytes], ingest: Ingest):
    chat = ingest(sdk_trace(child={"ag.metrics.unit.costs.total": 0.0004}))["litellm_client"]

    assert chat.cost is not None
    assert chat.cost.total == 0.0004
    assert chat.cost_details == {"source": "reported"}


def test_it_turns_refs_into_references(sdk_trace: Callable[..., bytes], ingest: Ingest) -> None:
    root_refs = {
        "ag.refs.variant.slug": "default",
        "ag.refs.application_revision.version": 3,
        "ag.references.testset.id": "0190a3c2-7d3e-7000-8000-000000000001",
    }
    root = ingest(sdk_trace(root=root_refs))["generate"]

    by_key = {reference["key"]: reference for reference in root.references}
    assert by_key["application"] == {
        "key": "application",
        "id": None,
        "slug": "geo-qa",
        "version": None,
    }
    assert by_key["environment"]["slug"] == "production"
    assert by_key["application_variant"]["slug"] == "default"
    assert by_key["application_revision"]["version"] == "3"
    assert by_key["testset"]["id"] == "0190a3c2-7d3e-7000-8000-000000000001"
    assert "refs" not in root.attributes["ag"]


def test_it_reads_session_user_and_agent_ids(sdk_trace: Callable[..., bytes], ingest: Ingest):
    root = ingest(sdk_trace(root={"ag.user.id": "u-7", "ag.agent.id": "a-1"}))["generate"]

    assert (root.session_id, root.user_id, root.agent_id) == ("s-1", "u-7", "a-1")
    assert root.attributes["ag"]["session"] == {"id": "s-1"}


def test_it_keeps_flags_internals_and_custom_metrics(
    sdk_trace: Callable[..., bytes], ingest: Ingest
) -> None:
    extra = {
        "ag.flags.is_evaluator": True,
        "ag.data.internals.context": "retrieved text",
        "ag.metrics.accuracy": 0.9,
    }
    root = ingest(sdk_trace(root=extra))["generate"]

    assert root.attributes["ag"]["flags"] == {"is_evaluator": True}
    assert root.internals == {"context": "retrieved text"}
    assert root.attributes["ag"]["metrics"]["accuracy"] == 0.9


def test_it_keeps_attributes_no_convention_knows_and_lists_them(
    sdk_trace: Callable[..., bytes], ingest: Ingest
) -> None:
    extra = {"http.method": "POST", "http.route": "/invoke", "ag.custom.thing": "x"}
    root = ingest(sdk_trace(root=extra))["generate"]

    assert root.attributes["http"] == {"method": "POST", "route": "/invoke"}
    assert root.attributes["ag"]["custom"] == {"thing": "x"}
    assert set(root.mapping.unmapped) == {"http.method", "http.route", "ag.custom.thing"}


def test_it_keeps_a_scalar_and_a_nested_key_at_the_same_path(recorder, ingest: Ingest) -> None:
    record = recorder()
    with record.span("both", {"ag.data.outputs": "Paris", "ag.data.outputs.extra": 1}):
        pass

    assert ingest(record.export())["both"].outputs == {"__default__": "Paris", "extra": 1}


def test_it_leaves_a_broken_json_tag_as_text(recorder, ingest: Ingest) -> None:
    record = recorder()
    with record.span("odd", {"ag.data.outputs.x": "@ag.type=json:{broken"}):
        pass

    assert ingest(record.export())["odd"].outputs == {"x": "@ag.type=json:{broken"}


def test_it_records_errors_and_the_exception_summary(recorder, ingest: Ingest) -> None:
    record = recorder()
    record.failing_span("boom", {"ag.type.node": "task"}, KeyError("missing"))
    span = ingest(record.export())["boom"]

    assert span.is_error
    assert span.exception is not None
    assert span.exception["type"] == "KeyError"
    assert span.exception["message"] == "'missing'"
    assert span.exception["stacktrace"].startswith("Traceback")
    assert span.attributes["ag"]["metrics"]["errors"] == {"incremental": 1}
    assert span.events[0]["name"] == "exception"


def test_it_marks_an_evaluator_span_linked_to_an_invocation_as_an_annotation(
    recorder, ingest: Ingest
) -> None:
    record = recorder()
    with record.span("app", {"ag.type.node": "workflow"}) as app:
        pass
    link = Link(app.get_span_context(), {"key": "invocation"})
    with record.tracer.start_as_current_span("judge", links=[link]):
        pass
    spans = ingest(record.export())

    assert spans["app"].trace_type == "invocation"
    assert spans["judge"].trace_type == "annotation"
    assert spans["judge"].links[0]["span_id"] == spans["app"].span_id


def test_it_honours_an_explicit_trace_type(recorder, ingest: Ingest) -> None:
    record = recorder()
    with record.span("feedback", {"ag.type.trace": "annotation"}):
        pass

    assert ingest(record.export())["feedback"].trace_type == "annotation"


def test_it_computes_duration_in_milliseconds(recorder, ingest: Ingest) -> None:
    record = recorder()
    span = record.tracer.start_span("timed", start_time=1_000_000_000)
    span.end(end_time=1_250_000_000)
    timed = ingest(record.export())["timed"]

    assert timed.duration_ms == 250.0
    assert timed.attributes["ag"]["metrics"]["duration"] == {"incremental": 250.0}


def test_a_plain_otel_span_is_of_unknown_type_with_its_attributes_kept(recorder, ingest):
    record = recorder(service="web")
    with record.span("GET /health", {"http.status_code": 200}):
        pass
    span = ingest(record.export())["GET /health"]

    assert span.span_type == "unknown"
    assert span.mapping.conventions == ()
    assert span.attributes["http"] == {"status_code": 200}
    assert span.inputs is None


def test_it_keeps_nan_from_json_payloads_as_text_so_storage_stays_valid(recorder, ingest):
    record = recorder()
    with record.span("scores", {"ag.data.outputs.scores": "@ag.type=json:[NaN, 1.0]"}):
        pass

    assert ingest(record.export())["scores"].outputs == {"scores": ["NaN", 1.0]}


def test_normalising_does_not_modify_the_decoded_span(recorder) -> None:
    record = recorder()
    with record.span("merge", {}):
        pass
    (decoded,) = decode_export_request(record.export()).spans
    # An object-valued attribute (an OTLP kvlist) that a later dotted key adds to.
    attributes = {"ag.data.inputs": {"a": 1}, "ag.data.inputs.b": 2}
    raw = dataclasses.replace(decoded, attributes=attributes)
    first = normalize_span(raw)

    assert raw.attributes == {"ag.data.inputs": {"a": 1}, "ag.data.inputs.b": 2}
    assert normalize_span(raw).inputs == first.inputs == {"a": 1, "b": 2}
