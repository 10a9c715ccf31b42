"""Evaluator settings forms: fields from the settings schema, and the submitted form back."""

from __future__ import annotations

import pytest

from agenta.core.evaluators.builtins import get_evaluator
from agenta.core.evaluators.settings_form import form_fields, settings_from_form

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
