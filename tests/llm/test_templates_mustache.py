"""The mustache format: real sections over chevron's parser, unresolved names reported."""

from __future__ import annotations

import pytest

from agenta.llm import TemplateError, UnresolvedVariablesError, render_template, template_variables

ORDER = {
    "customer": "Ada",
    "items": [{"sku": "A1", "qty": 2}, {"sku": "B2", "qty": 1}],
    "vip": True,
}


def render(template: str, variables: dict[str, object] = ORDER) -> str:
    return render_template(template, variables, "mustache")


def test_it_renders_sections_over_lists_with_outer_names_visible() -> None:
    template = "{{#items}}{{sku}}x{{qty}} for {{customer}};{{/items}}"
    assert render(template) == "A1x2 for Ada;B2x1 for Ada;"


def test_it_renders_inverted_sections_for_missing_or_empty_values() -> None:
    template = "{{^coupons}}no coupons{{/coupons}}{{^items}}no items{{/items}}"
    assert render(template, {"coupons": [], "items": [1]}) == "no coupons"
    assert render("{{^absent}}none{{/absent}}", {}) == "none"


def test_it_treats_a_missing_section_as_false() -> None:
    assert render("a{{#absent}}hidden {{nope}}{{/absent}}b", {}) == "ab"


def test_it_does_not_html_escape_prompt_text() -> None:
    variables = {"text": 'Tom & "Jerry" <3'}
    expected = 'Tom & "Jerry" <3|Tom & "Jerry" <3|Tom & "Jerry" <3'
    assert render("{{text}}|{{{text}}}|{{&text}}", variables) == expected


def test_it_inserts_objects_as_compact_json_and_dotted_names_resolve() -> None:
    variables = {"user": {"name": "Ada", "langs": ["en", "fr"]}}
    assert render("{{user.name}} {{user.langs}} {{user}}", variables) == (
        'Ada ["en","fr"] {"name":"Ada","langs":["en","fr"]}'
    )


def test_it_resolves_jsonpath_tags_from_the_root() -> None:
    assert render("{{#items}}{{$.customer}}:{{sku}} {{/items}}") == "Ada:A1 Ada:B2 "


def test_it_supports_comments_and_delimiter_changes() -> None:
    assert render("{{! note }}{{=<% %>=}}<% customer %>") == "Ada"


def test_it_reports_unresolved_interpolations_including_inside_sections() -> None:
    with pytest.raises(UnresolvedVariablesError) as caught:
        render("{{customer}} {{surname}} {{#items}}{{price}}{{/items}}")
    assert caught.value.names == ["price", "surname"]


def test_it_refuses_partials_json_pointers_and_broken_sections() -> None:
    with pytest.raises(TemplateError, match="partials are not supported"):
        render("{{> header}}")
    with pytest.raises(TemplateError, match="JSON Pointer"):
        render("{{/items/0}}")
    with pytest.raises(TemplateError, match="mustache syntax error"):
        render("{{#items}}open")
    with pytest.raises(TemplateError, match="empty placeholder"):
        render("{{}}")


def test_it_detects_top_level_names_but_not_the_fields_of_section_items() -> None:
    template = "{{greeting}} {{#items}}{{sku}}{{/items}} {{^vip}}{{x}}{{/vip}} {{user.name}}"
    assert template_variables(template, "mustache") == ["greeting", "items", "vip", "user"]


def test_one_template_renders_afresh_for_each_row_and_a_bad_one_is_refused_each_time() -> None:
    template = "{{customer}}: {{#items}}{{sku}} {{/items}}"
    assert render(template) == "Ada: A1 B2 "
    assert render(template, {"customer": "Bo", "items": [{"sku": "C3"}]}) == "Bo: C3 "
    for _ in range(2):
        with pytest.raises(TemplateError, match="mustache syntax error"):
            render("{{#items}}open")
