"""Checking what an annotator answers against the questions of a human evaluator.

``check_value`` returns an answer as stored for its question (whole numbers for scales, floats
for numbers, labels in the schema's order) or raises a ``FeedbackError`` whose message names the
field and says what is wrong; ``check_answers`` checks a whole set (required questions answered,
unknown names refused). ``read_form_value`` converts what a browser form sends for a question.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from agenta.core.annotations.feedback import (
    FeedbackError,
    FeedbackField,
    FeedbackKind,
    number_of,
)

_TRUE = frozenset({"true", "yes", "y", "1", "on"})
_FALSE = frozenset({"false", "no", "n", "0", "off"})


def check_value(item: FeedbackField, value: Any) -> Any:
    """``value`` as stored for ``item`` (ints for scales, floats for numbers...), or an error."""
    checker = _CHECKERS[item.kind]
    return checker(item, value)


def check_answers(fields: Sequence[FeedbackField], answers: Mapping[str, Any]) -> dict[str, Any]:
    """Every answer checked; required fields must be answered and unknown names are refused."""
    known = {item.name for item in fields}
    unknown = sorted(set(answers) - known)
    if unknown:
        raise FeedbackError(f"unknown field {unknown[0]!r}; the fields are {', '.join(known)}")
    checked: dict[str, Any] = {}
    for item in fields:
        value = answers.get(item.name)
        if _is_blank(value):
            if item.required:
                raise FeedbackError(f"{item.name}: an answer is required")
            continue
        checked[item.name] = check_value(item, value)
    return checked


def read_form_value(item: FeedbackField, raw: str | Sequence[str] | None) -> Any:
    """What a browser form sent for ``item`` as a JSON value (None when left empty)."""
    if item.kind is FeedbackKind.LABELS:
        values = [raw] if isinstance(raw, str) else list(raw or [])
        # An empty list is an answer: the annotator saw the labels and none applies.
        return [value for value in values if value.strip()]
    text = raw if isinstance(raw, str) or raw is None else (raw[-1] if raw else None)
    if text is None or not text.strip():
        return None
    return text.strip() if item.kind is not FeedbackKind.TEXT else text


def _is_blank(value: Any) -> bool:
    return value is None or value == ""


def _check_boolean(item: FeedbackField, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise FeedbackError(f"{item.name}: must be true or false (yes/no), got {value!r}")


def _check_scale(item: FeedbackField, value: Any) -> int:
    number = number_of(value, item.name)
    if number != int(number):
        raise FeedbackError(f"{item.name}: must be a whole number, got {value!r}")
    assert item.minimum is not None and item.maximum is not None
    if not item.minimum <= number <= item.maximum:
        raise FeedbackError(
            f"{item.name}: must be from {int(item.minimum)} to {int(item.maximum)}, got {value!r}"
        )
    return int(number)


def _check_number(item: FeedbackField, value: Any) -> float:
    number = number_of(value, item.name)
    if item.minimum is not None and number < item.minimum:
        raise FeedbackError(f"{item.name}: must be at least {item.minimum:g}, got {value!r}")
    if item.maximum is not None and number > item.maximum:
        raise FeedbackError(f"{item.name}: must be at most {item.maximum:g}, got {value!r}")
    return number


def _check_choice(item: FeedbackField, value: Any) -> str:
    text = str(value).strip() if isinstance(value, str | int | float) else None
    if text not in item.choices:
        raise FeedbackError(f"{item.name}: must be one of {', '.join(item.choices)}, got {value!r}")
    return text


def _check_labels(item: FeedbackField, value: Any) -> list[str]:
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list):
        raise FeedbackError(f"{item.name}: must be a list of labels, got {value!r}")
    chosen = [str(label).strip() for label in values]
    wrong = [label for label in chosen if label not in item.choices]
    if wrong:
        raise FeedbackError(
            f"{item.name}: {wrong[0]!r} is not a label; use {', '.join(item.choices)}"
        )
    # Kept in the schema's order, each once: two annotators choosing the same set agree.
    return [label for label in item.choices if label in chosen]


def _check_text(item: FeedbackField, value: Any) -> str:
    if not isinstance(value, str):
        raise FeedbackError(f"{item.name}: must be text, got {value!r}")
    if len(value) > item.max_length:
        raise FeedbackError(f"{item.name}: at most {item.max_length} characters")
    return value


_CHECKERS = {
    FeedbackKind.BOOLEAN: _check_boolean,
    FeedbackKind.SCALE: _check_scale,
    FeedbackKind.NUMBER: _check_number,
    FeedbackKind.CHOICE: _check_choice,
    FeedbackKind.LABELS: _check_labels,
    FeedbackKind.TEXT: _check_text,
}
