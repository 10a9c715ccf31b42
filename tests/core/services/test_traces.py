"""The spans of an invocation: a root span for the service and a child span for the model call,
read by the same normalisation as ingested traces."""

from __future__ import annotations

from datetime import timedelta

from agenta.core.services.errors import ServiceFailure
from agenta.core.services.traces import InvocationTrace, build_spans
from agenta.llm import Completion, Usage


def finished_trace(**overrides: object) -> InvocationTrace:
    trace = InvocationTrace("completion", {"country": "France"}, session_id="s-1")
    trace.started -= timedelta(milliseconds=100)
    trace.parameters = {"prompt": {"messages": [{"role": "user", "content": "Hi {{country}}"}]}}
    trace.references = {
        "application": {"id": "0190a5a0-0000-7000-8000-000000000001", "slug": "geo"},
        "application_revision": {"id": "0190a5a0-0000-7000-8000-000000000002", "version": "3"},
    }
    trace.messages = [{"role": "user", "content": "Hi France"}]
    trace.call_params = {"model": "gpt-4o", "temperature": 0.2}
    trace.llm_started = trace.started + timedelta(milliseconds=2)
    trace.llm_ended = trace.llm_started + timedelta(milliseconds=40)
    trace.completion = Completion(
        "Paris",
        usage=Usage(prompt_tokens=1000, completion_tokens=500),
        model="gpt-4o",
        provider="openai",
        cost=0.0075,
        finish_reason="stop",
    )
    for name, value in overrides.items():
        setattr(trace, name, value)
    trace.finish(outputs="Paris")
    return trace


def test_the_root_span_holds_inputs_outputs_parameters_and_references() -> None:
    trace = finished_trace()

    root, llm = build_spans(trace)

    assert (root.trace_id, root.span_id, root.parent_id) == (trace.trace_id, trace.span_id, None)
    assert (root.name, root.span_type, root.trace_type) == ("completion", "workflow", "invocation")
    assert root.inputs == {"country": "France"}
    assert root.outputs == "Paris"
    assert root.parameters == trace.parameters
    assert root.session_id == "s-1"
    references = {ref["key"]: ref for ref in root.references}
    assert references["application"]["slug"] == "geo"
    assert str(references["application_revision"]["version"]) == "3"
    assert root.duration_ms >= llm.duration_ms


def test_the_model_call_is_a_child_span_with_tokens_and_cost() -> None:
    trace = finished_trace()

    _, llm = build_spans(trace)

    assert llm.parent_id == trace.span_id
    assert (llm.name, llm.span_type) == ("llm", "chat")
    assert llm.model == "gpt-4o"
    assert llm.tokens is not None and (llm.tokens.prompt, llm.tokens.completion) == (1000, 500)
    assert llm.cost is not None
    assert abs(llm.cost.total - 0.0075) < 1e-12
    assert abs(llm.cost.prompt + llm.cost.completion - 0.0075) < 1e-12
    assert llm.inputs == {"prompt": [{"role": "user", "content": "Hi France"}]}
    assert llm.parameters == {"model": "gpt-4o", "temperature": 0.2}
    assert 39 <= llm.duration_ms <= 41


def test_a_failed_invocation_is_an_error_span_with_its_reason() -> None:
    trace = InvocationTrace("chat", {"messages": []})
    failure = ServiceFailure(400, "schemas:missing-secret", "no API key for provider 'openai'")
    trace.finish(failure=failure)

    [root] = build_spans(trace)

    assert root.is_error
    assert root.status_message == "no API key for provider 'openai'"
    assert root.exception is not None
    assert root.outputs is None


def test_a_provider_failure_marks_the_model_call_as_failed() -> None:
    trace = finished_trace(completion=None)
    trace.finish(failure=ServiceFailure(424, "workflows:llm-error", "openai answered 429"))

    root, llm = build_spans(trace)

    assert root.is_error and llm.is_error
    assert llm.tokens is None
