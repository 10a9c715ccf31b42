"""Per-project redaction rules: keys, regular expressions, presets, targets, preview."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from agenta.core.tracing.redaction import (
    RedactionRule,
    RedactionRuleError,
    compile_rules,
    preview,
    redact_span,
)
from agenta.core.tracing.span import Span

MakeSpan = Callable[..., Span]

VALID_CARD = "4111 1111 1111 1111"
NOT_A_CARD = "4111 1111 1111 1112"


def rule(kind: str, pattern: str, name: str | None = None, **extra: Any) -> dict[str, Any]:
    return {"name": name or f"{kind}:{pattern}", "kind": kind, "pattern": pattern, **extra}


def redacted(span: Span, *rules: dict[str, Any]) -> Span:
    return redact_span(span, compile_rules(rules))


def test_a_key_rule_hides_every_value_under_a_matching_key(make_span: MakeSpan) -> None:
    span = make_span(
        "login",
        attributes={
            "ag.data.inputs.username": "ada",
            "ag.data.inputs.password": "hunter2",
            "ag.data.internals.credentials.password": {"nested": "secret"},
        },
    )
    result = redacted(span, rule("key", "password"))

    assert result.inputs == {"username": "ada", "password": "[REDACTED]"}
    assert result.internals == {"credentials": {"password": "[REDACTED]"}}


def test_a_key_rule_can_match_a_dotted_path_glob(make_span: MakeSpan) -> None:
    span = make_span(
        "call",
        attributes={"ag.data.inputs.api_token": "t1", "http.request.header.x_token": "t2"},
    )
    result = redacted(span, rule("key", "ag.data.inputs.*token*"))

    assert result.inputs == {"api_token": "[REDACTED]"}
    assert result.attributes["http"]["request"]["header"]["x_token"] == "t2"


def test_a_regex_rule_replaces_matches_inside_text(make_span: MakeSpan) -> None:
    span = make_span("ask", attributes={"ag.data.inputs.question": "order #A-123 and #B-456?"})
    result = redacted(span, rule("regex", r"#[A-Z]-\d+", replacement="<order>"))

    assert result.inputs == {"question": "order <order> and <order>?"}


def test_the_replacement_text_is_literal(make_span: MakeSpan) -> None:
    span = make_span("ask", attributes={"ag.data.inputs.q": "code 42"})
    result = redacted(span, rule("regex", r"(\d+)", replacement=r"\1-gone"))

    assert result.inputs == {"q": r"code \1-gone"}


def test_the_email_preset(make_span: MakeSpan) -> None:
    span = make_span("mail", attributes={"ag.data.inputs.to": "write to ada.l@example.co.uk now"})

    assert redacted(span, rule("preset", "email")).inputs == {"to": "write to [REDACTED] now"}


def test_the_card_preset_only_hides_numbers_that_pass_the_luhn_check(make_span) -> None:
    text = f"paid with {VALID_CARD}, ref {NOT_A_CARD}, dashed 5555-5555-5555-4444"
    span = make_span("pay", attributes={"ag.data.outputs": text})

    assert redacted(span, rule("preset", "card_number")).outputs == (
        f"paid with [REDACTED], ref {NOT_A_CARD}, dashed [REDACTED]"
    )


def test_the_api_key_preset(make_span: MakeSpan) -> None:
    text = "keys sk-proj-AbCdEf0123456789xyzXYZ and AKIAIOSFODNN7EXAMPLE; not sk-short"
    span = make_span("cfg", attributes={"ag.data.inputs.note": text})

    assert redacted(span, rule("preset", "api_key")).inputs == {
        "note": "keys [REDACTED] and [REDACTED]; not sk-short"
    }


def test_the_bearer_preset_keeps_the_scheme_word(make_span: MakeSpan) -> None:
    span = make_span("http", attributes={"http.request.header.authorization": "Bearer abc.DEF-1="})
    result = redacted(span, rule("preset", "bearer_token"))

    assert result.attributes["http"]["request"]["header"]["authorization"] == "Bearer [REDACTED]"


def test_rules_reach_inside_lists_of_messages(make_span: MakeSpan) -> None:
    span = make_span(
        "chat",
        attributes={
            "gen_ai.request.model": "m",
            "gen_ai.prompt.0.role": "user",
            "gen_ai.prompt.0.content": "I am ada@example.com",
        },
    )
    result = redacted(span, rule("preset", "email"))

    assert result.inputs == {"prompt": [{"role": "user", "content": "I am [REDACTED]"}]}


def test_targets_limit_where_a_rule_applies(make_span: MakeSpan) -> None:
    email = "ada@example.com"
    span = make_span(
        "both",
        attributes={"ag.data.inputs.who": email, "ag.data.outputs.who": email, "user.email": email},
    )
    result = redacted(span, rule("preset", "email", targets=["outputs"]))

    assert result.inputs == {"who": email}
    assert result.outputs == {"who": "[REDACTED]"}
    assert result.attributes["user"] == {"email": email}


def test_events_the_exception_and_the_status_message_are_redacted(make_span: MakeSpan) -> None:
    span = make_span("boom", error=True)
    span.events.append(
        {
            "name": "exception",
            "timestamp": span.start_time,
            "attributes": {"exception.message": "bad key sk-ant-0123456789abcdefghij"},
        }
    )
    span.exception = {"message": "bad key sk-ant-0123456789abcdefghij"}
    span.status_message = "Unauthorized: sk-ant-0123456789abcdefghij"
    result = redacted(span, rule("preset", "api_key"))

    assert result.events[0]["attributes"]["exception.message"] == "bad key [REDACTED]"
    assert result.exception == {"message": "bad key [REDACTED]"}
    assert result.status_message == "Unauthorized: [REDACTED]"


def test_redaction_leaves_the_original_span_untouched(make_span: MakeSpan) -> None:
    span = make_span("login", attributes={"ag.data.inputs.password": "hunter2"})
    before = copy.deepcopy(span.attributes)
    redacted(span, rule("key", "password"))

    assert span.attributes == before


def test_preview_lists_each_change_with_before_and_after(make_span: MakeSpan) -> None:
    spans = [
        make_span("login", attributes={"ag.data.inputs.password": "hunter2"}),
        make_span("clean", attributes={"ag.data.inputs.q": "nothing here"}),
    ]
    previews = preview([rule("key", "password")], spans)

    counts = [(item.span_name, len(item.changes)) for item in previews]
    assert counts == [("login", 1), ("clean", 0)]
    change = previews[0].changes[0]
    assert (change.path, change.before, change.after) == (
        "attributes.ag.data.inputs.password",
        "hunter2",
        "[REDACTED]",
    )


def test_preview_names_event_attribute_paths(make_span: MakeSpan) -> None:
    span = make_span("boom")
    span.events.append({"name": "log", "timestamp": span.start_time, "attributes": {"m": "x@y.io"}})
    (item,) = preview([rule("preset", "email")], [span])

    assert [change.path for change in item.changes] == ["events.0.attributes.m"]


@pytest.mark.parametrize(
    ("bad_rule", "message"),
    [
        (rule("regex", "(unclosed", name="orders"), "redaction rule 'orders': invalid regular"),
        (rule("preset", "passport", name="ids"), "redaction rule 'ids': unknown preset 'passport'"),
        (rule("glob", "x", name="odd"), "redaction rule 'odd': kind must be one of"),
        (rule("regex", "a*", name="greedy"), "redaction rule 'greedy': the regular expression"),
        (rule("key", "", name="blank"), "redaction rule 'blank': pattern must be"),
        (rule("key", "x", name="where", targets=["headers"]), "'where': targets must be among"),
        (rule("key", "x", name="long", replacement="x" * 201), "'long': replacement must be"),
        ({"kind": "key", "pattern": "x"}, "redaction rule '#1': name must be"),
    ],
)
def test_invalid_rules_are_refused_naming_the_rule(bad_rule: dict, message: str) -> None:
    with pytest.raises(RedactionRuleError) as caught:
        compile_rules([bad_rule])

    assert message in str(caught.value)


def test_rule_names_must_be_unique() -> None:
    rules = [rule("key", "a", name="same"), rule("key", "b", name="same")]
    with pytest.raises(RedactionRuleError, match="'same': another rule already has this name"):
        compile_rules(rules)


def test_rules_can_be_given_as_objects(make_span: MakeSpan) -> None:
    redactor = compile_rules([RedactionRule(name="pw", kind="key", pattern="PASSWORD")])
    span = make_span("login", attributes={"ag.data.inputs.password": "hunter2"})

    assert redact_span(span, redactor).inputs == {"password": "[REDACTED]"}


def test_no_rules_returns_the_span_itself(make_span: MakeSpan) -> None:
    span = make_span("x")
    assert redact_span(span, compile_rules([])) is span


def test_event_attributes_stay_flat_after_redaction(recorder, ingest) -> None:
    record = recorder()
    with record.span("y", {}) as live:
        live.add_event("log", {"a.b": "ada@example.com", "a.c": "kept"})
    span = ingest(record.export())["y"]

    assert redacted(span, rule("preset", "email")).events[0]["attributes"] == {
        "a.b": "[REDACTED]",
        "a.c": "kept",
    }
