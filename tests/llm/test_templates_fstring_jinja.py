"""The fstring and jinja2 formats, including what their sandboxes refuse."""

from __future__ import annotations

import pytest

from agenta.llm import TemplateError, UnresolvedVariablesError, render_template, template_variables

PRODUCT = {"name": "Lamp", "price": 12.5, "tags": ["home", "light"], "specs": {"watts": 40}}


def fstring(template: str, variables: dict[str, object] = PRODUCT) -> str:
    return render_template(template, variables, "fstring")


def jinja(template: str, variables: dict[str, object] = PRODUCT) -> str:
    return render_template(template, variables, "jinja2")


def test_fstring_formats_named_fields_with_specs_indexes_and_literal_braces() -> None:
    assert fstring("{name}: {price:.2f} {tags[0]} {specs[watts]}W {{raw}}") == (
        "Lamp: 12.50 home 40W {raw}"
    )


def test_fstring_inserts_objects_as_compact_json() -> None:
    assert fstring("{tags} {specs}") == '["home","light"] {"watts":40}'


def test_fstring_lists_every_missing_field() -> None:
    with pytest.raises(UnresolvedVariablesError) as caught:
        fstring("{name} {colour} {size[0]}")
    assert caught.value.names == ["colour", "size"]


def test_fstring_refuses_private_attributes_and_positional_fields() -> None:
    with pytest.raises(TemplateError, match="private attribute"):
        fstring("{name.__class__.__mro__}")
    with pytest.raises(TemplateError, match="named fields"):
        fstring("{} {0}")
    with pytest.raises(TemplateError, match="fstring syntax error"):
        fstring("unbalanced {name")


def test_fstring_detects_root_field_names() -> None:
    assert template_variables("{a} {b[0]} {c.real} {a}", "fstring") == ["a", "b", "c"]


def test_jinja_renders_control_flow_filters_and_json_for_objects() -> None:
    template = "{% for tag in tags %}{{ tag | upper }} {% endfor %}{{ specs }}"
    assert jinja(template) == 'HOME LIGHT {"watts":40}'


def test_jinja_resolves_jsonpath_tags_but_not_inside_raw_blocks() -> None:
    template = "{{$.specs.watts}}W {% raw %}{{$.specs.watts}}{% endraw %}"
    assert jinja(template) == "40W {{$.specs.watts}}"


def test_jinja_reports_every_undefined_variable() -> None:
    with pytest.raises(UnresolvedVariablesError) as caught:
        jinja("{{ name }} {{ colour }} {% if size %}{{ size }}{% endif %} {{$.missing}}")
    assert caught.value.names == ["colour", "size"]


def test_jinja_reports_unresolved_jsonpath_tags() -> None:
    with pytest.raises(UnresolvedVariablesError) as caught:
        jinja("{{ name }} {{$.specs.volts}}")
    assert caught.value.names == ["$.specs.volts"]


def test_jinja_allows_checking_whether_a_variable_is_defined() -> None:
    assert jinja("{% if colour is defined %}{{ colour }}{% else %}plain{% endif %}") == "plain"


def test_jinja_sandbox_refuses_reaching_into_python_internals() -> None:
    with pytest.raises(TemplateError, match="sandbox refused"):
        jinja("{{ name.__class__.__mro__ }}")
    with pytest.raises(TemplateError, match="sandbox refused"):
        jinja("{{ tags.append('x') }}")


def test_jinja_reports_syntax_errors_with_the_line() -> None:
    with pytest.raises(TemplateError, match=r"jinja2 syntax error \(line 2\)"):
        jinja("ok\n{% if %}")


def test_jinja_detects_variables_in_order_of_first_use() -> None:
    template = "{{ b }} {% for x in items %}{{ x }}{% endfor %} {{ a }} {{ inputs.c }} {{$.d}}"
    assert template_variables(template, "jinja2") == ["d", "b", "items", "a", "c"]


def test_an_unknown_format_is_refused_with_the_supported_ones() -> None:
    with pytest.raises(TemplateError, match="unknown template format 'handlebars'"):
        render_template("x", {}, "handlebars")
