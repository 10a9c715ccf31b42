"""Reading prompt configs: defaults, legacy fields, and errors that name the field."""

from __future__ import annotations

from typing import Any

import pytest

from agenta.llm import PromptConfigError, parse_model_config, parse_prompt_template


def errors_of(data: Any) -> list[str]:
    with pytest.raises(PromptConfigError) as caught:
        parse_prompt_template(data)
    return caught.value.errors


def test_an_empty_config_gets_the_documented_defaults() -> None:
    prompt = parse_prompt_template({})
    assert prompt.messages == [{"role": "system", "content": ""}, {"role": "user", "content": ""}]
    assert prompt.template_format == "curly"
    assert prompt.llm_config.model == "gpt-4o-mini"
    assert prompt.retry_config.max_retries == 0
    assert prompt.fallback_configs == []


def test_it_names_each_out_of_range_parameter_with_its_path() -> None:
    data = {
        "llm_config": {
            "temperature": 2.5,
            "top_p": -0.1,
            "max_tokens": 64001,
            "frequency_penalty": 3,
            "presence_penalty": "high",
        }
    }
    assert errors_of(data) == [
        "prompt.llm_config.temperature: must be between 0 and 2",
        "prompt.llm_config.max_tokens: must be between 0 and 64000",
        "prompt.llm_config.top_p: must be between 0 and 1",
        "prompt.llm_config.frequency_penalty: must be between -2 and 2",
        "prompt.llm_config.presence_penalty: must be a number, got 'high'",
    ]


def test_it_reports_errors_from_every_part_of_the_prompt_at_once() -> None:
    data = {
        "messages": [{"role": "robot", "content": "hi"}, {"role": "user", "content": 3}],
        "template_format": "handlebars",
        "fallback_configs": [{"model": "gpt-4o"}, {"temperature": True}],
        "fallback_policy": "sometimes",
        "retry_config": {"max_retries": 9, "base_delay": 50},
    }
    assert errors_of(data) == [
        "prompt.messages[0].role: must be one of developer, system, user, assistant, tool, "
        "function, got 'robot'",
        "prompt.messages[1].content: must be a string or a list of content parts",
        "prompt.template_format: must be one of curly, mustache, fstring, jinja2, got 'handlebars'",
        "prompt.fallback_configs[1].temperature: must be a number, got True",
        "prompt.fallback_policy: must be one of off, availability, capacity, access, context, "
        "any, got 'sometimes'",
        "prompt.retry_config.max_retries: must be between 0 and 5",
        "prompt.retry_config.base_delay: must be between 100 and 1000",
    ]


def test_it_checks_content_parts_response_formats_and_tools() -> None:
    data = {
        "messages": [{"role": "user", "content": [{"type": "image_url", "image_url": "x.png"}]}],
        "llm_config": {
            "response_format": {"type": "json_schema", "json_schema": {"schema": []}},
            "tools": [{"type": "function", "function": {"description": "no name"}}],
            "tool_choice": "sometimes",
            "reasoning_effort": "extreme",
        },
    }
    assert errors_of(data) == [
        "prompt.messages[0].content[0].image_url.url: must be a string (an https or data: URL)",
        "prompt.llm_config.reasoning_effort: must be one of none, minimal, low, medium, high, "
        "xhigh, got 'extreme'",
        "prompt.llm_config.response_format.json_schema.name: must be a non-empty string",
        "prompt.llm_config.response_format.json_schema.schema: must be a JSON schema object",
        "prompt.llm_config.tools[0].function.name: is required for a function tool",
        "prompt.llm_config.tool_choice: must be one of none, auto, required or an object",
    ]


def test_the_error_message_joins_every_problem() -> None:
    with pytest.raises(PromptConfigError, match=r"^prompt.llm_config.seed: must be an integer"):
        parse_prompt_template({"llm_config": {"seed": "42"}})


def test_a_config_that_is_not_an_object_is_refused() -> None:
    assert errors_of(["not", "a", "prompt"]) == ["prompt: must be an object, got list"]


def test_legacy_system_and_user_prompts_become_messages() -> None:
    prompt = parse_prompt_template({"system_prompt": "Be brief.", "user_prompt": "Q: {{q}}"})
    assert prompt.messages == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Q: {{q}}"},
    ]


def test_user_json_is_kept_as_given_and_unknown_keys_are_ignored() -> None:
    schema = {"type": "object", "properties": {"b": {"type": "string"}, "a": {"type": "number"}}}
    response_format = {"type": "json_schema", "json_schema": {"name": "out", "schema": schema}}
    prompt = parse_prompt_template(
        {"llm_config": {"response_format": response_format, "new_knob": 1}, "x-extra": True}
    )
    assert prompt.llm_config.response_format is response_format


def test_call_params_forward_only_set_fields_and_tool_choice_only_with_tools() -> None:
    config = parse_model_config({"model": "gpt-4o", "temperature": 0, "tool_choice": "auto"})
    assert config.call_params() == {"temperature": 0.0}
    tools = [{"type": "function", "function": {"name": "f"}}]
    with_tools = parse_model_config({"tools": tools, "tool_choice": "required", "stop": ["END"]})
    assert with_tools.call_params() == {"stop": ["END"], "tools": tools, "tool_choice": "required"}


def test_to_dict_reads_back_into_the_same_prompt() -> None:
    data = {
        "messages": [{"role": "user", "content": "Hi {{name}}"}],
        "template_format": "mustache",
        "input_keys": ["name"],
        "llm_config": {"model": "anthropic/claude-haiku-4-5", "max_tokens": 300},
        "fallback_configs": [{"model": "gpt-4o-mini", "temperature": 0.2}],
        "fallback_policy": "access",
        "retry_config": {"max_retries": 2, "base_delay": 150},
        "retry_policy": "transient",
    }
    prompt = parse_prompt_template(data)
    assert parse_prompt_template(prompt.to_dict()) == prompt
    assert prompt.to_dict()["llm_config"] == {
        "model": "anthropic/claude-haiku-4-5",
        "max_tokens": 300,
    }
