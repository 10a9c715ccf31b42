"""Rendering whole prompts into provider messages, and detecting their variables."""

from __future__ import annotations

import pytest

from agenta.llm import (
    InputsError,
    UnresolvedVariablesError,
    detect_variables,
    parse_prompt_template,
    render_prompt,
    split_chat_inputs,
)

ANSWER_SCHEMA = {
    "type": "json_schema",
    "json_schema": {
        "name": "answer",
        "schema": {
            "type": "object",
            "properties": {"{{field}}": {"type": "string", "description": "About {{topic}}"}},
            "required": ["{{field}}"],
        },
    },
}


def prompt_with(template_format: str = "curly", **fields: object):
    data = {
        "template_format": template_format,
        "messages": [
            {"role": "system", "content": "You answer questions about {{topic}}."},
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "{{question}}"},
                    {"type": "image_url", "image_url": {"url": "{{picture}}", "detail": "low"}},
                ],
            },
        ],
        **fields,
    }
    return parse_prompt_template(data)


INPUTS = {"topic": "birds", "question": "Which bird?", "picture": "https://img.test/b.png"}


def test_it_renders_string_content_text_parts_and_image_urls() -> None:
    rendered = render_prompt(prompt_with(), INPUTS)
    assert rendered.messages == [
        {"role": "system", "content": "You answer questions about birds."},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "Which bird?"},
                {
                    "type": "image_url",
                    "image_url": {"url": "https://img.test/b.png", "detail": "low"},
                },
            ],
        },
    ]


def test_chat_history_is_appended_after_the_template_messages_unrendered() -> None:
    history = [{"role": "user", "content": "And {{this}}?"}]
    rendered = render_prompt(prompt_with(), INPUTS, history=history)
    assert rendered.messages[-1] == {"role": "user", "content": "And {{this}}?"}
    assert len(rendered.messages) == 3


def test_split_chat_inputs_separates_the_history_from_the_variables() -> None:
    variables, history = split_chat_inputs(
        {"topic": "x", "messages": [{"role": "user", "content": "hi"}]}
    )
    assert variables == {"topic": "x"}
    assert history == [{"role": "user", "content": "hi"}]


def test_inputs_are_reachable_at_the_root_and_through_the_inputs_envelope() -> None:
    prompt = parse_prompt_template(
        {"messages": [{"role": "user", "content": "{{a}}/{{$.inputs.a}}"}]}
    )
    assert render_prompt(prompt, {"a": "1"}).messages[0]["content"] == "1/1"


@pytest.mark.parametrize("template_format", ["curly", "mustache", "jinja2"])
def test_placeholders_in_the_response_schema_keys_and_values_are_rendered(
    template_format: str,
) -> None:
    prompt = prompt_with(template_format, llm_config={"response_format": ANSWER_SCHEMA})
    inputs = {**INPUTS, "field": "species", "topic": "owls"}
    rendered = render_prompt(prompt, inputs).prompt.llm_config.response_format
    assert rendered["json_schema"]["schema"] == {
        "type": "object",
        "properties": {"species": {"type": "string", "description": "About owls"}},
        "required": ["species"],
    }


def test_fstring_prompts_pass_the_response_format_on_unrendered_and_identical() -> None:
    schema = {
        "type": "json_schema",
        "json_schema": {"name": "n", "schema": {"pattern": "^\\d{3}$"}},
    }
    prompt = parse_prompt_template(
        {
            "template_format": "fstring",
            "messages": [{"role": "user", "content": "{q}"}],
            "llm_config": {"response_format": schema},
        }
    )
    rendered = render_prompt(prompt, {"q": "x"})
    assert rendered.prompt.llm_config.response_format is schema


def test_a_response_format_without_placeholders_is_passed_on_as_the_same_value() -> None:
    schema = {"type": "json_schema", "json_schema": {"name": "n", "schema": {"type": "object"}}}
    prompt = prompt_with("mustache", llm_config={"response_format": schema})
    assert render_prompt(prompt, INPUTS).prompt.llm_config.response_format is schema


def test_every_unresolved_variable_of_the_prompt_is_reported_with_where_it_is() -> None:
    prompt = prompt_with(llm_config={"response_format": ANSWER_SCHEMA})
    with pytest.raises(UnresolvedVariablesError) as caught:
        render_prompt(prompt, {"topic": "owls"})
    assert caught.value.names == ["field", "picture", "question"]
    assert "prompt.messages[1].content[0].text" in str(caught.value)
    assert "prompt.llm_config.response_format.json_schema.schema" in str(caught.value)


def test_required_input_keys_must_be_present() -> None:
    prompt = prompt_with(input_keys=["topic", "question", "audience"])
    with pytest.raises(InputsError, match=r"inputs\.audience: is required") as caught:
        render_prompt(prompt, INPUTS)
    assert caught.value.missing == ["audience"]


def test_a_malformed_chat_history_is_refused_by_path() -> None:
    with pytest.raises(InputsError, match=r"messages\[0\].role: must be one of"):
        render_prompt(prompt_with(), INPUTS, history=[{"role": "narrator", "content": "x"}])


def test_detect_variables_reads_messages_image_urls_and_response_schema() -> None:
    prompt = prompt_with("mustache", llm_config={"response_format": ANSWER_SCHEMA})
    assert detect_variables(prompt) == ["topic", "question", "picture", "field"]


def test_detect_variables_for_fstring_ignores_the_response_schema() -> None:
    prompt = parse_prompt_template(
        {
            "template_format": "fstring",
            "messages": [{"role": "user", "content": "{city} in {year}"}],
            "llm_config": {"response_format": ANSWER_SCHEMA},
        }
    )
    assert detect_variables(prompt) == ["city", "year"]
