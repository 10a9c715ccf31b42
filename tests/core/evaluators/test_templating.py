"""Prompt rendering in curly and mustache formats."""

from __future__ import annotations

import pytest

from agenta.core.evaluators.builtins.errors import PromptFormattingError
from agenta.core.evaluators.builtins.templating import render_messages, render_template

VARIABLES = {
    "question": "Is 1 < 2?",
    "inputs": {"question": "Is 1 < 2?", "tags": ["math", "easy"]},
    "outputs": {"answer": "yes"},
    "dotted.key": "literal",
    "flag": False,
}


def test_curly_replaces_names_paths_and_inserts_objects_as_json() -> None:
    template = "Q: {{question}} | {{ inputs.tags.1 }} | {{outputs}} | {{dotted.key}}"
    assert render_template(template, VARIABLES, "curly") == (
        'Q: Is 1 < 2? | easy | {"answer":"yes"} | literal'
    )


def test_curly_names_every_unresolved_variable() -> None:
    with pytest.raises(PromptFormattingError, match=r"\{\{missing\}\}, \{\{inputs.nope\}\}"):
        render_template("{{missing}} {{inputs.nope}} {{missing}}", VARIABLES, "curly")


def test_mustache_renders_sections_without_html_escaping() -> None:
    template = "{{question}} {{#inputs.tags}}[{{.}}]{{/inputs.tags}}{{^flag}} no flag{{/flag}}"
    assert render_template(template, VARIABLES, "mustache") == "Is 1 < 2? [math][easy] no flag"


def test_mustache_inserts_objects_as_json() -> None:
    assert render_template("{{outputs}}", VARIABLES, "mustache") == '{"answer":"yes"}'


def test_mustache_renders_a_missing_name_as_nothing() -> None:
    assert render_template("[{{absent}}]", VARIABLES, "mustache") == "[]"


def test_mustache_refuses_partials() -> None:
    with pytest.raises(PromptFormattingError, match="partials"):
        render_template("{{> /etc/passwd}}", VARIABLES, "mustache")


def test_mustache_reports_a_malformed_template() -> None:
    with pytest.raises(PromptFormattingError, match="malformed"):
        render_template("{{#open}} never closed", VARIABLES, "mustache")


def test_it_refuses_an_unknown_format() -> None:
    with pytest.raises(PromptFormattingError, match="unknown template format 'jinja2'"):
        render_template("x", VARIABLES, "jinja2")


def test_render_messages_keeps_roles() -> None:
    messages = [
        {"role": "system", "content": "Judge."},
        {"role": "user", "content": "{{question}}"},
    ]
    assert render_messages(messages, VARIABLES, "curly") == [
        {"role": "system", "content": "Judge."},
        {"role": "user", "content": "Is 1 < 2?"},
    ]


def test_mustache_renders_a_template_afresh_for_each_row_and_refuses_a_bad_one_each_time() -> None:
    template = "{{#inputs}}{{question}}{{/inputs}} -> {{outputs.answer}}"
    first = render_template(template, VARIABLES, "mustache")
    other = {"inputs": {"question": "Is 3 < 2?"}, "outputs": {"answer": "no"}}
    assert first == "Is 1 < 2? -> yes"
    assert render_template(template, other, "mustache") == "Is 3 < 2? -> no"
    for _ in range(2):
        with pytest.raises(PromptFormattingError, match="partials"):
            render_template("{{> header}}", VARIABLES, "mustache")
