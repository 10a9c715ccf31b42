"""Contains JSON, JSON schema, field match, multi-field match and JSON diff."""

from __future__ import annotations

from typing import Any

import pytest

from tests.core.evaluators.conftest import Evaluate

PERSON_SCHEMA = {
    "type": "object",
    "properties": {"name": {"type": "string"}, "age": {"type": "integer", "minimum": 0}},
    "required": ["name", "age"],
}


@pytest.mark.parametrize(
    ("output", "success"),
    [
        ('Here you go: {"a": [1, 2]} hope it helps', True),
        ({"a": 1}, True),
        ("no json here", False),
        ("{'single': 'quotes'}", False),
        ("} reversed {", False),
    ],
)
async def test_contains_json(evaluate: Evaluate, output: Any, success: bool) -> None:
    assert (await evaluate("auto_contains_json", {}, {}, output)).success is success


async def test_json_schema_accepts_a_conforming_output(evaluate: Evaluate) -> None:
    settings = {"json_schema": PERSON_SCHEMA}
    result = await evaluate("auto_json_schema", settings, {}, '{"name": "Ann", "age": 31}')
    assert result.success is True
    assert result.details == {"errors": []}


async def test_json_schema_lists_each_violation_with_its_path(evaluate: Evaluate) -> None:
    settings = {"json_schema": PERSON_SCHEMA}
    result = await evaluate("auto_json_schema", settings, {}, {"name": 7, "age": -1})
    assert result.success is False
    assert result.details["errors"] == [
        "at $.age: -1 is less than the minimum of 0",
        "at $.name: 7 is not of type 'string'",
    ]


async def test_json_schema_fails_an_output_that_is_not_json(evaluate: Evaluate) -> None:
    result = await evaluate("auto_json_schema", {"json_schema": PERSON_SCHEMA}, {}, "Ann, 31")
    assert result.success is False
    assert result.details["errors"][0].startswith("the output is not valid JSON")


async def test_json_schema_refuses_an_invalid_schema_setting(evaluate: Evaluate) -> None:
    result = await evaluate("auto_json_schema", {"json_schema": {"type": "person"}}, {}, "{}")
    assert result.error_type == "schemas:invalid-parameter"
    assert "setting 'json_schema': is not a valid JSON schema" in (result.error or "")


async def test_json_schema_never_fetches_a_remote_reference(evaluate: Evaluate) -> None:
    settings = {"json_schema": {"$ref": "http://169.254.169.254/latest/schema.json"}}
    result = await evaluate("auto_json_schema", settings, {}, "{}")
    assert result.error_type == "schemas:invalid-parameter"
    assert "has a $ref that cannot be resolved" in (result.error or "")


async def test_json_schema_follows_local_references(evaluate: Evaluate) -> None:
    schema = {"$defs": {"age": {"type": "integer"}}, "properties": {"age": {"$ref": "#/$defs/age"}}}
    result = await evaluate("auto_json_schema", {"json_schema": schema}, {}, {"age": "old"})
    assert result.details == {"errors": ["at $.age: 'old' is not of type 'integer'"]}


@pytest.mark.parametrize(
    ("field", "output", "expected", "success"),
    [
        ("country", '{"country": "France"}', "France", True),
        ("country", {"country": "Spain"}, "France", False),
        ("age", {"age": 42}, "42", True),
        ("address.city", {"address": {"city": "Lyon"}}, "Lyon", True),
        ("a.b", {"a.b": "dotted key"}, "dotted key", True),
        ("country", {"city": "Paris"}, "France", False),
        ("country", "not json", "France", False),
    ],
)
async def test_field_match(
    evaluate: Evaluate, field: str, output: Any, expected: str, success: bool
) -> None:
    result = await evaluate(
        "field_match_test", {"json_field": field}, {"correct_answer": expected}, output
    )
    assert result.success is success
    assert result.error is None


async def test_field_match_explains_a_missing_field(evaluate: Evaluate) -> None:
    result = await evaluate(
        "field_match_test", {"json_field": "country"}, {"correct_answer": "x"}, {"city": "x"}
    )
    assert result.details == {"reason": "field 'country': no value at country"}


EXPECTED_ORDER = {
    "id": 7,
    "customer": {"name": "Ann", "email": "ann@example.com"},
    "items": [{"sku": "A1"}],
}


@pytest.mark.parametrize(
    "paths",
    [
        ["id", "customer.name", "items.0.sku"],
        ["$.id", "$.customer.name", "$.items[0].sku"],
        ["/id", "/customer/name", "/items/0/sku"],
    ],
)
async def test_multi_field_match_accepts_three_path_syntaxes(
    evaluate: Evaluate, paths: list[str]
) -> None:
    result = await evaluate(
        "json_multi_field_match",
        {"fields": paths},
        {"correct_answer": EXPECTED_ORDER},
        EXPECTED_ORDER,
    )
    assert result.score == 1.0
    assert result.success is True
    assert result.details == {**dict.fromkeys(paths, 1.0), "aggregate_score": 1.0}


async def test_multi_field_match_scores_the_fraction_of_matching_fields(evaluate: Evaluate) -> None:
    output = {"id": "7", "customer": {"name": "Bob"}, "items": []}
    settings = {
        "fields": ["id", "customer.name", "customer.email", "items.0.sku"],
        "threshold": 0.25,
    }
    result = await evaluate(
        "json_multi_field_match", settings, {"correct_answer": EXPECTED_ORDER}, output
    )
    assert result.details["id"] == 1.0  # "7" and 7 are the same value for a field match
    assert result.details["customer.name"] == 0.0
    assert result.details["customer.email"] == 0.0
    assert result.score == 0.25
    assert result.success is True


async def test_multi_field_match_fails_every_field_of_a_non_json_output(evaluate: Evaluate) -> None:
    result = await evaluate(
        "json_multi_field_match",
        {"fields": "id, customer.name"},
        {"correct_answer": EXPECTED_ORDER},
        "oops",
    )
    assert result.score == 0.0
    assert result.success is False
    assert result.details["reason"].startswith("the output is not valid JSON")


async def test_multi_field_match_reports_a_ground_truth_that_is_not_json(
    evaluate: Evaluate,
) -> None:
    result = await evaluate(
        "json_multi_field_match", {"fields": ["id"]}, {"correct_answer": "{broken"}, {"id": 1}
    )
    assert result.error_type == "schemas:invalid-input"
    assert "the column 'correct_answer' does not hold valid JSON" in (result.error or "")


async def test_multi_field_match_refuses_a_malformed_path(evaluate: Evaluate) -> None:
    result = await evaluate(
        "json_multi_field_match", {"fields": ["$..id"]}, {"correct_answer": "{}"}, {}
    )
    assert result.error_type == "schemas:invalid-parameter"
    assert "setting 'fields'" in (result.error or "")


async def test_json_diff_scores_identical_documents_one(evaluate: Evaluate) -> None:
    result = await evaluate(
        "auto_json_diff", {}, {"correct_answer": EXPECTED_ORDER}, EXPECTED_ORDER
    )
    assert result.score == 1.0
    assert result.success is True


async def test_json_diff_scores_the_share_of_matching_leaves(evaluate: Evaluate) -> None:
    output = {
        "id": 7,
        "customer": {"name": "Ann", "email": "other@example.com"},
        "items": [{"sku": 1}],
    }
    result = await evaluate("auto_json_diff", {}, {"correct_answer": EXPECTED_ORDER}, output)
    assert result.score == pytest.approx(0.5)
    assert result.success is True
    assert result.details == {"mismatched_keys": ["customer.email", "items.0.sku"]}


async def test_json_diff_can_compare_types_only(evaluate: Evaluate) -> None:
    output = {"id": 8, "customer": {"name": "Bob", "email": "b@x"}, "items": [{"sku": 1}]}
    result = await evaluate(
        "auto_json_diff", {"compare_schema_only": True}, {"correct_answer": EXPECTED_ORDER}, output
    )
    assert result.score == pytest.approx(0.75)
    assert result.details == {"mismatched_keys": ["items.0.sku"]}


async def test_json_diff_counts_extra_output_keys_when_asked(evaluate: Evaluate) -> None:
    expected, output = {"a": 1}, {"a": 1, "b": 2}
    plain = await evaluate("auto_json_diff", {}, {"correct_answer": expected}, output)
    strict = await evaluate(
        "auto_json_diff", {"predict_keys": True}, {"correct_answer": expected}, output
    )
    assert plain.score == 1.0
    assert strict.score == 0.5


async def test_json_diff_can_ignore_key_case(evaluate: Evaluate) -> None:
    expected, output = {"Name": "Ann"}, {"name": "Ann"}
    sensitive = await evaluate("auto_json_diff", {}, {"correct_answer": expected}, output)
    insensitive = await evaluate(
        "auto_json_diff", {"case_insensitive_keys": True}, {"correct_answer": expected}, output
    )
    assert sensitive.score == 0.0
    assert insensitive.score == 1.0


async def test_json_diff_does_not_confuse_booleans_with_numbers(evaluate: Evaluate) -> None:
    result = await evaluate("auto_json_diff", {}, {"correct_answer": {"a": 1}}, {"a": True})
    assert result.score == 0.0


async def test_json_diff_scores_a_non_json_output_zero(evaluate: Evaluate) -> None:
    result = await evaluate("auto_json_diff", {}, {"correct_answer": {"a": 1}}, "not json")
    assert result.score == 0.0
    assert result.success is False
    assert result.error is None


async def test_json_diff_reports_a_ground_truth_that_is_not_json(evaluate: Evaluate) -> None:
    result = await evaluate("auto_json_diff", {}, {"correct_answer": "nope"}, {"a": 1})
    assert result.error_type == "schemas:invalid-input"
