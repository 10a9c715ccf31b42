"""Trace trees: linking, root-first order, roll-ups and what is propagated from roots."""

from __future__ import annotations

from collections.abc import Callable

from agenta.core.tracing.raw import RawLink
from agenta.core.tracing.span import Cost, Span, TokenUsage
from agenta.core.tracing.trees import build_trees, order_root_first
from tests.core.tracing.conftest import TRACE_ID, span_id_of

MakeSpan = Callable[..., Span]

ROOT = span_id_of("root")


def llm_call(make_span: MakeSpan, name: str, prompt: float, cost: float, **timing) -> Span:
    attributes = {
        "ag.type.node": "chat",
        "ag.metrics.unit.tokens.prompt": prompt,
        "ag.metrics.unit.tokens.completion": 1.0,
        "ag.metrics.unit.costs.total": cost,
    }
    return make_span(name, parent=ROOT, attributes=attributes, **timing)


def test_it_orders_spans_root_first_then_by_start_time(make_span: MakeSpan) -> None:
    late = make_span("late", parent=ROOT, start=3, end=4)
    early = make_span("early", parent=ROOT, start=1, end=2)
    grandchild = make_span("grandchild", parent=early.span_id, start=1.5, end=1.8)
    root = make_span("root", start=0, end=5)
    (tree,) = build_trees([late, grandchild, early, root])

    assert [span.name for span in tree.spans()] == ["root", "early", "grandchild", "late"]
    assert tree.root is not None
    assert tree.root.span is root


def test_it_rolls_tokens_and_costs_up_to_every_ancestor(make_span: MakeSpan) -> None:
    root = make_span("root", attributes={"ag.metrics.unit.tokens.prompt": 1.0})
    first = llm_call(make_span, "first", prompt=10, cost=0.25)
    second = llm_call(make_span, "second", prompt=20, cost=0.5)
    (tree,) = build_trees([root, first, second])

    assert tree.root is not None
    cumulative = tree.root.cumulative
    assert cumulative.tokens == TokenUsage(prompt=31, completion=2, total=33)
    assert cumulative.cost == Cost(0.0, 0.0, 0.75)
    metrics = root.attributes["ag"]["metrics"]
    assert metrics["tokens"]["cumulative"] == {"prompt": 31, "completion": 2, "total": 33}
    assert metrics["costs"]["cumulative"]["total"] == 0.75
    assert metrics["tokens"]["incremental"]["prompt"] == 1


def test_a_leaf_cumulative_equals_its_own_metrics(make_span: MakeSpan) -> None:
    leaf = llm_call(make_span, "leaf", prompt=10, cost=0.25)
    build_trees([make_span("root"), leaf])

    metrics = leaf.attributes["ag"]["metrics"]
    assert metrics["tokens"]["cumulative"] == metrics["tokens"]["incremental"]
    assert metrics["costs"]["cumulative"] == metrics["costs"]["incremental"]


def test_it_counts_errors_in_each_subtree(make_span: MakeSpan) -> None:
    root = make_span("root", start=0, end=10)
    middle = make_span("middle", parent=ROOT, error=True)
    deep = make_span("deep", parent=middle.span_id, error=True)
    fine = make_span("fine", parent=ROOT)
    (tree,) = build_trees([root, middle, deep, fine])

    errors = {node.span.name: node.cumulative.errors for node in tree.nodes()}
    assert errors == {"root": 2, "middle": 2, "deep": 1, "fine": 0}
    assert root.attributes["ag"]["metrics"]["errors"] == {"incremental": 0, "cumulative": 2}


def test_duration_covers_children_that_outlive_their_parent(make_span: MakeSpan) -> None:
    root = make_span("root", start=0, end=1)
    background = make_span("background", parent=ROOT, start=0.5, end=4)
    (tree,) = build_trees([root, background])

    assert root.duration_ms == 1000.0
    assert tree.root is not None
    assert tree.root.cumulative.duration_ms == 4000.0
    assert root.attributes["ag"]["metrics"]["duration"]["cumulative"] == 4000.0


def test_a_span_whose_parent_is_missing_becomes_a_root_after_the_true_root(make_span):
    orphan = make_span("orphan", parent=span_id_of("never-sent"), start=0)
    root = make_span("root", start=1)
    (tree,) = build_trees([orphan, root])

    assert [node.span.name for node in tree.roots] == ["root", "orphan"]


def test_it_breaks_a_parent_cycle_instead_of_losing_spans(make_span: MakeSpan) -> None:
    first = make_span("first", parent=span_id_of("second"), start=0)
    second = make_span("second", parent=span_id_of("first"), start=1)
    self_parent = make_span("self", parent=span_id_of("self"), start=2)
    (tree,) = build_trees([first, second, self_parent])

    assert sorted(span.name for span in tree.spans()) == ["first", "second", "self"]
    assert [node.span.name for node in tree.roots] == ["first", "self"]


def test_it_builds_one_tree_per_trace(make_span: MakeSpan) -> None:
    other_trace = "1" * 32
    spans = [make_span("root"), make_span("solo", trace_id=other_trace)]
    trees = build_trees(spans)

    assert [(tree.trace_id, len(tree.spans())) for tree in trees] == [
        (TRACE_ID, 1),
        (other_trace, 1),
    ]


def test_a_span_sent_twice_is_kept_once_in_its_last_version(make_span: MakeSpan) -> None:
    first = make_span("root", attributes={"ag.data.outputs": "draft"})
    second = make_span("root", attributes={"ag.data.outputs": "final"})
    (tree,) = build_trees([first, second])

    assert [span.outputs for span in tree.spans()] == ["final"]


def test_the_root_trace_type_applies_to_the_whole_trace(make_span: MakeSpan) -> None:
    invocation = RawLink("2" * 32, "3" * 16, {"key": "invocation"})
    root = make_span("root", links=[invocation])
    child = make_span("child", parent=ROOT)
    build_trees([root, child])

    assert (root.trace_type, child.trace_type) == ("annotation", "annotation")
    assert child.attributes["ag"]["type"]["trace"] == "annotation"


def test_a_session_set_deep_in_the_trace_is_promoted_to_the_root(make_span: MakeSpan) -> None:
    root = make_span("root")
    child = make_span("child", parent=ROOT, attributes={"ag.session.id": "s-9"})
    build_trees([root, child])

    assert root.session_id == "s-9"
    assert root.user_id is None


def test_it_orders_many_traces_root_first_without_rolling_up(make_span: MakeSpan) -> None:
    child = make_span("child", parent=ROOT)
    ordered = order_root_first([child, make_span("root")])

    assert [span.name for span in ordered] == ["root", "child"]
    assert "cumulative" not in ordered[0].attributes["ag"]["metrics"]["duration"]


def test_deep_traces_do_not_hit_the_recursion_limit(make_span: MakeSpan) -> None:
    spans = [make_span("n0", span_id=f"{1:016x}")]
    for depth in range(1, 3000):
        spans.append(make_span(f"n{depth}", span_id=f"{depth + 1:016x}", parent=f"{depth:016x}"))
    (tree,) = build_trees(spans)

    assert len(tree.spans()) == 3000
