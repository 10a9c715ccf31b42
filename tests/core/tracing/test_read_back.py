"""The two shapes the Agenta SDK reads traces back in (agenta-sdk-contract.md §4)."""

from __future__ import annotations

import json
from collections.abc import Callable

from agenta.core.tracing.span import Span
from agenta.core.tracing.trees import build_trees, trace_response, tracing_response
from tests.core.tracing.conftest import TRACE_ID, span_id_of

MakeSpan = Callable[..., Span]
Ingest = Callable[..., dict[str, Span]]

ROOT = span_id_of("root")


def test_the_tracing_shape_gives_the_root_first_with_nested_decoded_attributes(
    sdk_trace: Callable[..., bytes], ingest: Ingest
) -> None:
    spans = ingest(sdk_trace(root={"ag.data.outputs.answer": "Paris"}))
    (tree,) = build_trees(spans.values())
    body = json.loads(json.dumps(tracing_response(tree)))

    trace = body["traces"][spans["generate"].trace_id]
    root_name, root = next(iter(trace["spans"].items()))
    assert body["count"] == 1
    assert root_name == "generate"
    assert root["span_id"] == spans["generate"].span_id
    assert root["attributes"]["ag"]["data"]["outputs"]["answer"] == "Paris"
    assert root["spans"]["litellm_client"]["parent_id"] == root["span_id"]


def test_the_traces_shape_nests_children_under_their_parent_by_name(make_span: MakeSpan):
    root = make_span("root", start=0, end=3)
    retrieve = make_span("retrieve", parent=ROOT, start=0, end=1)
    rank = make_span("rank", parent=retrieve.span_id, start=0.2, end=0.4)
    (tree,) = build_trees([rank, retrieve, root])
    body = trace_response(tree)

    assert body["count"] == 1
    assert body["trace"]["trace_id"] == TRACE_ID
    node = body["trace"]["spans"]["root"]
    assert node["span_name"] == "root"
    assert node["spans"]["retrieve"]["spans"]["rank"]["span_id"] == rank.span_id
    assert "spans" not in node["spans"]["retrieve"]["spans"]["rank"]


def test_siblings_sharing_a_name_become_a_list_in_start_order(make_span: MakeSpan) -> None:
    root = make_span("root", start=0, end=3)
    second = make_span("call", span_id=span_id_of("call-2"), parent=ROOT, start=2)
    first = make_span("call", span_id=span_id_of("call-1"), parent=ROOT, start=1)
    (tree,) = build_trees([root, second, first])

    calls = trace_response(tree)["trace"]["spans"]["root"]["spans"]["call"]
    assert [call["span_id"] for call in calls] == [first.span_id, second.span_id]


def test_flat_spans_carry_the_agenta_fields(make_span: MakeSpan) -> None:
    (tree,) = build_trees([make_span("root", error=True)])
    node = trace_response(tree)["trace"]["spans"]["root"]

    assert node["status_code"] == "STATUS_CODE_ERROR"
    assert node["span_kind"] == "SPAN_KIND_INTERNAL"
    assert node["trace_type"] == "invocation"
    assert node["start_time"] == "2025-01-01T00:00:00+00:00"
    assert node["attributes"]["ag"]["metrics"]["errors"]["cumulative"] == 1


def test_references_the_sdk_would_refuse_are_moved_into_their_attributes(make_span):
    attributes = {
        "ag.refs.application.id": "0190a3c2-7d3e-7000-8000-000000000001",
        "ag.refs.application.slug": "geo-qa",
        "ag.refs.testset.id": "not-a-uuid",
        "ag.refs.environment.slug": "has spaces",
    }
    (tree,) = build_trees([make_span("root", attributes=attributes)])
    references = trace_response(tree)["trace"]["spans"]["root"]["references"]

    by_key = {reference["attributes"]["key"]: reference for reference in references}
    assert by_key["application"] == {
        "id": "0190a3c2-7d3e-7000-8000-000000000001",
        "slug": "geo-qa",
        "version": None,
        "attributes": {"key": "application"},
    }
    assert by_key["testset"] == {
        "slug": None,
        "version": None,
        "attributes": {"key": "testset", "id": "not-a-uuid"},
    }
    assert by_key["environment"]["attributes"]["slug"] == "has spaces"


def test_a_missing_trace_reads_back_as_empty() -> None:
    assert trace_response(None) == {"count": 0, "trace": None}
    assert tracing_response(None) == {"count": 0, "traces": {}}
