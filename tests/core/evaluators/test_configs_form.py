"""Evaluator settings forms: fields from the settings schema, and the submitted form back."""

from __future__ import annotations

import pytest

from agenta.core.evaluators.builtins import get_evaluator
from agenta.core.evaluators.settings_form import form_fields, settings_from_form, typed_fields

JUDGE = get_evaluator("auto_ai_critique").settings.json_schema()
REGEX = get_evaluator("auto_regex_test").settings.json_schema()


def test_each_setting_gets_the_widget_of_its_kind() -> None:
    widgets = {field.name: field.widget for field in form_fields(JUDGE, {})}
    assert widgets == {
        "prompt_template": "json",
        "model": "text",
        "response_type": "select",
        "json_schema": "json",
        "template_format": "select",
        "correct_answer_key": "text",
        "threshold": "number",
    }


def test_fields_show_the_stored_value_else_the_default() -> None:
    fields = {field.name: field for field in form_fields(JUDGE, {"model": "claude-3-5-haiku"})}
    assert fields["model"].text == "claude-3-5-haiku"
    assert fields["threshold"].text == "0.5"
    assert fields["prompt_template"].text.startswith("[\n  {")


def test_the_form_reads_back_into_settings() -> None:
    form = {
        "setting.regex_pattern": "^P",
        "present.case_sensitive": "1",
        "setting.threshold": "0.7",
    }
    assert settings_from_form(REGEX, form) == {"regex_pattern": "^P", "case_sensitive": False}
    judge = {"setting.threshold": "0.7", "setting.json_schema": '{"name": "x", "schema": {}}'}
    assert settings_from_form(JUDGE, judge) == {
        "threshold": 0.7,
        "json_schema": {"name": "x", "schema": {}},
    }


def test_json_that_does_not_parse_names_the_setting() -> None:
    with pytest.raises(ValueError, match="setting 'prompt_template': not valid JSON"):
        settings_from_form(JUDGE, {"setting.prompt_template": "[{"})


def test_typed_fields_show_the_text_as_submitted_even_when_it_does_not_parse() -> None:
    form = {
        "setting.prompt_template": '[{"role": ',
        "setting.threshold": "lots",
        "setting.model": "",
    }
    fields = {field.name: field for field in typed_fields(JUDGE, form)}
    assert fields["prompt_template"].text == '[{"role": '
    assert fields["threshold"].text == "lots"
    assert fields["model"].text == ""
    assert fields["response_type"].text == fields["response_type"].value  # not sent: the default


def test_typed_checkboxes_keep_their_ticks() -> None:
    form = {"present.regex_should_match": "1", "present.case_sensitive": "1"}
    ticked = {field.name: field.value for field in typed_fields(REGEX, form)}
    assert ticked == {"regex_pattern": None, "regex_should_match": False, "case_sensitive": False}
    form["setting.case_sensitive"] = "on"
    assert {f.name: f.value for f in typed_fields(REGEX, form)}["case_sensitive"] is True
