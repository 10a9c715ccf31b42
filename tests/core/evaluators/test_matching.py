"""Exact match, regex and the substring evaluators, on good, bad and malformed input."""

from __future__ import annotations

from typing import Any

import pytest

from tests.core.evaluators.conftest import Evaluate


@pytest.mark.parametrize(
    ("output", "expected"),
    [
        ("Paris", "Paris"),
        ({"b": 2, "a": 1}, {"a": 1, "b": 2}),
        ({"a": 1, "b": [1, 2]}, '{"b": [1, 2], "a": 1}'),
        (42, "42"),
        ('{"a": 1}', {"a": 1}),
    ],
)
async def test_exact_match_succeeds_on_equal_values(
    evaluate: Evaluate, output: Any, expected: Any
) -> None:
    result = await evaluate("auto_exact_match", {}, {"correct_answer": expected}, output)
    assert result.success is True
    assert result.error is None


@pytest.mark.parametrize(
    ("output", "expected"),
    [
        ("Paris ", "Paris"),
        ("paris", "Paris"),
        ({"a": 1}, {"a": "1"}),
        (True, "1"),
        ([1, 2], [2, 1]),
    ],
)
async def test_exact_match_fails_on_different_values(
    evaluate: Evaluate, output: Any, expected: Any
) -> None:
    result = await evaluate("auto_exact_match", {}, {"correct_answer": expected}, output)
    assert result.success is False


async def test_exact_match_reads_the_configured_column(evaluate: Evaluate) -> None:
    result = await evaluate(
        "auto_exact_match", {"correct_answer_key": "city"}, {"city": "Rome"}, "Rome"
    )
    assert result.success is True


async def test_a_missing_ground_truth_column_is_a_clear_error(evaluate: Evaluate) -> None:
    result = await evaluate("auto_exact_match", {}, {"question": "capital?", "answer": "x"}, "x")
    assert result.success is None
    assert result.error_type == "schemas:missing-input"
    assert result.error == (
        "the test case has no column 'correct_answer' (set by correct_answer_key); "
        "its columns are: answer, question"
    )


async def test_a_missing_output_is_an_error_not_a_mismatch(evaluate: Evaluate) -> None:
    result = await evaluate("auto_exact_match", {}, {"correct_answer": "x"}, None)
    assert result.error_type == "schemas:missing-output"


async def test_inputs_that_are_not_an_object_are_refused(evaluate: Evaluate) -> None:
    result = await evaluate("auto_exact_match", {}, ["x"], "x")
    assert result.error_type == "schemas:invalid-inputs"
    assert "got list" in (result.error or "")


@pytest.mark.parametrize(
    ("settings", "output", "success"),
    [
        ({"regex_pattern": r"\d{3}"}, "call 555-1234", True),
        ({"regex_pattern": r"^\d+$"}, "abc", False),
        ({"regex_pattern": "error", "regex_should_match": False}, "all good", True),
        ({"regex_pattern": "error", "regex_should_match": False}, "an error", False),
        ({"regex_pattern": "HELLO"}, "hello world", False),
        ({"regex_pattern": "HELLO", "case_sensitive": False}, "hello world", True),
        ({"regex_pattern": '"score": 1'}, {"score": 1}, True),
    ],
)
async def test_regex_test(
    evaluate: Evaluate, settings: dict[str, Any], output: Any, success: bool
) -> None:
    assert (await evaluate("auto_regex_test", settings, {}, output)).success is success


async def test_regex_test_reports_an_invalid_pattern(evaluate: Evaluate) -> None:
    result = await evaluate("auto_regex_test", {"regex_pattern": "[a-"}, {}, "x")
    assert result.error_type == "workflows:regex-pattern-error"
    assert "regex_pattern" in (result.error or "")


async def test_a_catastrophically_backtracking_regex_stops_with_a_readable_error(
    evaluate: Evaluate,
) -> None:
    result = await evaluate("auto_regex_test", {"regex_pattern": "(a|aa)+$"}, {}, "a" * 60 + "!")
    assert result.error_type == "workflows:regex-timeout"
    assert "simplify the pattern" in (result.error or "")


@pytest.mark.parametrize(
    ("key", "settings", "output", "success"),
    [
        ("auto_starts_with", {"prefix": "Dear"}, "Dear John", True),
        ("auto_starts_with", {"prefix": "Dear"}, "Hi, Dear", False),
        ("auto_starts_with", {"prefix": "dear", "case_sensitive": False}, "Dear John", True),
        ("auto_starts_with", {"prefix": "dear"}, "Dear John", False),
        ("auto_ends_with", {"suffix": "regards."}, "Kind regards.", True),
        ("auto_ends_with", {"suffix": "REGARDS.", "case_sensitive": False}, "Kind regards.", True),
        ("auto_ends_with", {"suffix": "regards"}, "Kind regards.", False),
        ("auto_contains", {"substring": "refund"}, "We will refund you", True),
        ("auto_contains", {"substring": "Refund"}, "We will refund you", False),
        ("auto_contains", {"substring": '"ok"'}, {"status": "ok"}, True),
    ],
)
async def test_prefix_suffix_and_substring(
    evaluate: Evaluate, key: str, settings: dict[str, Any], output: Any, success: bool
) -> None:
    assert (await evaluate(key, settings, {}, output)).success is success


async def test_contains_any_lists_what_it_found(evaluate: Evaluate) -> None:
    result = await evaluate("auto_contains_any", {"substrings": "cat, dog"}, {}, "a dog barks")
    assert result.success is True
    assert result.details == {"found": ["dog"]}


async def test_contains_any_fails_when_none_is_present(evaluate: Evaluate) -> None:
    result = await evaluate("auto_contains_any", {"substrings": ["cat", "dog"]}, {}, "a bird")
    assert result.success is False


async def test_contains_all_lists_what_is_missing(evaluate: Evaluate) -> None:
    settings = {"substrings": ["Name", "Email"], "case_sensitive": False}
    result = await evaluate("auto_contains_all", settings, {}, "name: Ann")
    assert result.success is False
    assert result.details == {"missing": ["Email"]}


async def test_contains_all_succeeds_when_everything_is_present(evaluate: Evaluate) -> None:
    settings = {"substrings": ["name", "email"]}
    result = await evaluate("auto_contains_all", settings, {}, "name and email")
    assert result.success is True


async def test_substring_evaluators_report_a_missing_setting(evaluate: Evaluate) -> None:
    result = await evaluate("auto_contains_all", {}, {}, "text")
    assert result.error_type == "schemas:missing-parameter"
    assert result.error == "setting 'substrings': is required"
