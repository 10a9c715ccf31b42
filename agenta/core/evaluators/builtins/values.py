"""Reading test cases and app outputs the same way in every evaluator.

- ``output_text``: string comparisons see non-string outputs as JSON (compact separators, key order
  kept), and a missing output (None) is an error rather than the text "null".
- ``expected_value``: the ground-truth column named by ``correct_answer_key``; a missing column is
  a clear ``missing-input`` error listing the columns that do exist.
- ``parse_json``: strings are parsed, dicts and lists are taken as they are.
- ``canonical_json`` and ``json_equal``: structural equality of JSON values where ``1 == 1.0``
  but ``true != 1`` (Python's ``True == 1`` is not what a JSON comparison means).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .errors import InvalidInput, MissingInput, MissingOutput


def output_text(outputs: Any) -> str:
    """The app output as text: strings as they are, anything else as JSON."""
    if outputs is None:
        raise MissingOutput("the application produced no output to evaluate")
    if isinstance(outputs, str):
        return outputs
    return json.dumps(outputs, ensure_ascii=False, default=str)


def value_text(value: Any) -> str:
    """Any test-set value as text (numbers and objects as JSON)."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)


def expected_value(inputs: Mapping[str, Any], key: str) -> Any:
    """The ground truth stored under ``key`` in the test case, or a clear error."""
    if key not in inputs:
        columns = ", ".join(sorted(map(str, inputs))) or "none"
        raise MissingInput(
            f"the test case has no column '{key}' (set by correct_answer_key); "
            f"its columns are: {columns}"
        )
    return inputs[key]


def optional_expected_value(inputs: Mapping[str, Any], key: str | None) -> tuple[bool, Any]:
    """``(True, value)`` when the test case has the column, else ``(False, None)``."""
    if key and key in inputs:
        return True, inputs[key]
    return False, None


def parse_json(value: Any) -> Any:
    """Parse a JSON string; other values are already JSON-shaped. Raises ``ValueError``."""
    if isinstance(value, str):
        return json.loads(value)
    if value is None or isinstance(value, dict | list | int | float | bool):
        return value
    raise ValueError(f"{type(value).__name__} is not JSON")


def parse_expected_json(inputs: Mapping[str, Any], key: str) -> Any:
    """The ground-truth column parsed as JSON; bad JSON there is an input error."""
    try:
        return parse_json(expected_value(inputs, key))
    except ValueError as exc:
        raise InvalidInput(f"the column '{key}' does not hold valid JSON ({exc})") from exc


def canonical_json(value: Any) -> str:
    """One text per JSON value: sorted keys, compact, so equal structures compare equal."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def json_type(value: Any) -> str:
    """The JSON type name of a parsed value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def json_equal(left: Any, right: Any) -> bool:
    """Structural JSON equality; numbers compare by value, booleans only with booleans."""
    if json_type(left) != json_type(right):
        return False
    if isinstance(left, dict):
        return left.keys() == right.keys() and all(json_equal(left[k], right[k]) for k in left)
    if isinstance(left, list):
        return len(left) == len(right) and all(map(json_equal, left, right))
    return bool(left == right)


def loose_equal(actual: Any, expected: Any) -> bool:
    """Equality across text and JSON: ``"42"`` matches ``42`` and ``'{"a":1}'`` matches ``{"a":1}``.

    Test-set columns are usually text while outputs may be structured, so when exactly one side
    is text it is parsed as JSON before comparing; if it is not JSON, the other side is compared
    as JSON text instead.
    """
    if isinstance(actual, str) and isinstance(expected, str):
        return actual == expected
    if isinstance(actual, str) != isinstance(expected, str):
        text, other = (actual, expected) if isinstance(actual, str) else (expected, actual)
        try:
            return json_equal(json.loads(text), other)
        except json.JSONDecodeError:
            return text == value_text(other)
    return json_equal(actual, expected)


def fold_case(text: str, case_sensitive: bool) -> str:
    """``text`` as compared: unchanged, or case-folded when case does not matter."""
    return text if case_sensitive else text.casefold()
