"""The curly format: literal keys, dotted paths, JSONPath, JSON Pointer, JSON insertion."""

from __future__ import annotations

import pytest

from agenta.llm import TemplateError, UnresolvedVariablesError, render_template, template_variables

PERSON = {"name": "Ada", "user": {"address": {"city": "Paris"}, "tags": ["a", "b"]}}


def render(template: str, variables: dict[str, object] = PERSON) -> str:
    return render_template(template, variables, "curly")


def test_it_replaces_a_plain_variable_and_tolerates_inner_spaces() -> None:
    assert render("Hi {{name}} and {{ name }}!") == "Hi Ada and Ada!"


def test_it_prefers_a_literal_key_over_a_dotted_path() -> None:
    variables = {"user.name": "literal", "user": {"name": "nested"}}
    assert render("{{user.name}}", variables) == "literal"


def test_it_follows_dotted_paths_with_list_indexes_in_both_spellings() -> None:
    assert render("{{user.address.city}} {{user.tags[1]}} {{user.tags.0}}") == "Paris b a"


def test_it_follows_jsonpath_and_json_pointer() -> None:
    assert render("{{$.user.address.city}} {{$['name']}} {{$.user.tags[-1]}}") == "Paris Ada b"
    assert render("{{/user/tags/0}} {{/name}}") == "a Ada"


def test_it_inserts_objects_and_lists_as_compact_json() -> None:
    assert render("{{user.address}} {{user.tags}}") == '{"city":"Paris"} ["a","b"]'


def test_it_inserts_non_string_scalars_as_json() -> None:
    assert render("{{n}} {{ok}} {{none}}", {"n": 3, "ok": True, "none": None}) == "3 true null"


def test_it_lists_every_unresolved_placeholder_instead_of_passing_them_through() -> None:
    with pytest.raises(UnresolvedVariablesError) as caught:
        render("{{name}} {{age}} {{user.phone}} {{$.missing}}")
    assert caught.value.names == ["$.missing", "age", "user.phone"]
    assert "unresolved template variables: $.missing, age, user.phone" in str(caught.value)


def test_it_does_not_render_placeholders_found_inside_values() -> None:
    assert render("{{a}}", {"a": "{{b}}", "b": "no"}) == "{{b}}"


def test_it_refuses_jsonpath_wildcards_with_a_clear_error() -> None:
    with pytest.raises(TemplateError, match=r"unsupported JSONPath '\$.user.tags\[\*\]'"):
        render("{{$.user.tags[*]}}")


def test_it_leaves_single_braces_and_json_text_alone() -> None:
    assert render('Answer as {"name": "{{name}}"}') == 'Answer as {"name": "Ada"}'


def test_it_detects_variables_in_order_reading_through_the_inputs_envelope() -> None:
    template = "{{b}} {{a.x}} {{$.inputs.country}} {{/c/0}} {{b}} {{inputs.d}}"
    assert template_variables(template, "curly") == ["b", "a.x", "country", "c", "d"]
