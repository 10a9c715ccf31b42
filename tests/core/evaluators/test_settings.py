"""Settings validation: defaults, coercion from forms, and errors that name the setting."""

from __future__ import annotations

from typing import Any

import pytest

from agenta.core.evaluators.builtins import InvalidSettings, get_evaluator
from agenta.core.evaluators.builtins.errors import MissingSetting, RegexPatternError


def validate(key: str, settings: dict[str, Any] | None) -> dict[str, Any]:
    return get_evaluator(key).validate_settings(settings)


@pytest.mark.parametrize("value", [1, 1.0, 0.5, "0.75", 0.001])
def test_it_accepts_thresholds_in_the_open_unit_interval_including_the_integer_one(
    value: Any,
) -> None:
    assert validate("auto_levenshtein_distance", {"threshold": value})["threshold"] == float(value)


@pytest.mark.parametrize("value", [0, 0.0, 1.5, -0.2, True, "high", float("nan"), [0.5]])
def test_it_refuses_thresholds_outside_the_interval_naming_the_setting(value: Any) -> None:
    with pytest.raises(InvalidSettings, match="setting 'threshold'") as caught:
        validate("auto_levenshtein_distance", {"threshold": value})
    assert caught.value.setting == "threshold"
    assert caught.value.code == "schemas:invalid-parameter"


def test_it_fills_in_defaults() -> None:
    assert validate("auto_similarity_match", None) == {
        "method": "sequence",
        "threshold": 0.5,
        "correct_answer_key": "correct_answer",
        "case_sensitive": True,
    }


def test_it_reads_the_original_similarity_threshold_name() -> None:
    assert validate("auto_similarity_match", {"similarity_threshold": 0.9})["threshold"] == 0.9


def test_it_refuses_a_missing_required_setting() -> None:
    with pytest.raises(MissingSetting, match="setting 'regex_pattern': is required"):
        validate("auto_regex_test", {})


def test_it_refuses_a_regex_that_does_not_compile() -> None:
    with pytest.raises(RegexPatternError, match="setting 'regex_pattern': is not a valid regular"):
        validate("auto_regex_test", {"regex_pattern": "(unclosed"})


@pytest.mark.parametrize("value", ["true", "on", "1", True])
def test_it_reads_form_booleans(value: Any) -> None:
    assert validate("auto_regex_test", {"regex_pattern": "x", "case_sensitive": value})[
        "case_sensitive"
    ]


def test_it_refuses_a_boolean_it_cannot_read() -> None:
    with pytest.raises(InvalidSettings, match="setting 'case_sensitive': expected true or false"):
        validate("auto_regex_test", {"regex_pattern": "x", "case_sensitive": "maybe"})


def test_it_splits_and_trims_a_comma_separated_list() -> None:
    settings = validate("auto_contains_any", {"substrings": " red, green ,,blue "})
    assert settings["substrings"] == ["red", "green", "blue"]


@pytest.mark.parametrize("value", ["", " , ", [], ["ok", 3]])
def test_it_refuses_empty_or_mixed_lists(value: Any) -> None:
    with pytest.raises(InvalidSettings, match="setting 'substrings'"):
        validate("auto_contains_any", {"substrings": value})


def test_it_accepts_a_version_given_as_a_number() -> None:
    assert validate("auto_custom_code_run", {"version": 2})["version"] == "2"


def test_it_does_not_read_a_boolean_as_a_version() -> None:
    with pytest.raises(InvalidSettings, match="setting 'version': expected one of 1, 2, 3"):
        validate("auto_custom_code_run", {"version": True})


def test_it_refuses_an_unknown_choice_listing_the_options() -> None:
    with pytest.raises(InvalidSettings, match="expected one of sequence, jaccard; got 'cosine'"):
        validate("auto_similarity_match", {"method": "cosine"})


def test_it_parses_a_json_schema_given_as_text() -> None:
    settings = validate("auto_json_schema", {"json_schema": '{"type": "object"}'})
    assert settings["json_schema"] == {"type": "object"}


def test_it_refuses_settings_that_are_not_an_object() -> None:
    with pytest.raises(InvalidSettings, match="setting 'settings': expected an object"):
        validate("auto_exact_match", ["correct_answer"])  # type: ignore[arg-type]


def test_it_ignores_unknown_settings() -> None:
    assert validate("auto_exact_match", {"version": "3", "ui_state": {}}) == {
        "correct_answer_key": "correct_answer"
    }


def test_changing_returned_defaults_does_not_change_the_declared_ones() -> None:
    first = validate("auto_ai_critique", {})
    first["prompt_template"][0]["content"] = "changed"
    assert validate("auto_ai_critique", {})["prompt_template"][0]["content"] != "changed"


def test_it_refuses_a_message_list_with_an_unknown_role() -> None:
    with pytest.raises(InvalidSettings, match="message 1 has role 'robot'"):
        validate("auto_ai_critique", {"prompt_template": [{"role": "robot", "content": "x"}]})


def test_it_refuses_a_webhook_url_that_is_not_http() -> None:
    with pytest.raises(InvalidSettings, match="setting 'webhook_url': expected an http"):
        validate("auto_webhook_test", {"webhook_url": "file:///etc/passwd"})
