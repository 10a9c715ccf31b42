"""Feedback schemas and answers: parsing human evaluators, checking what annotators answer."""

from __future__ import annotations

from typing import Any

import pytest

from agenta.core.annotations.answers import check_answers, read_form_value
from agenta.core.annotations.feedback import (
    FeedbackError,
    FeedbackKind,
    category_of,
    numeric_value,
    outputs_schema,
    parse_evaluator,
    parse_field,
)


def make_evaluator(*fields: dict[str, Any]) -> Any:
    return parse_evaluator({"slug": "review", "name": "Review", "fields": list(fields)})


RATING = {"name": "rating", "kind": "scale", "minimum": 1, "maximum": 5}
APPROVED = {"name": "approved", "kind": "boolean"}
TONE = {"name": "tone", "kind": "choice", "choices": ["formal", "casual", "rude"]}
TAGS = {"name": "tags", "kind": "labels", "choices": ["wrong", "slow", "unsafe"]}
SCORE = {"name": "score", "kind": "number", "minimum": 0, "maximum": 1}
NOTE = {"name": "note", "kind": "text", "required": False, "max_length": 10}


def test_it_reads_every_kind_and_writes_it_back_unchanged() -> None:
    evaluator = make_evaluator(APPROVED, RATING, SCORE, TONE, TAGS, NOTE)

    assert [f.kind for f in evaluator.fields] == list(FeedbackKind)
    assert parse_evaluator(evaluator.to_json()) == evaluator
    assert evaluator.field("rating").options == ("1", "2", "3", "4", "5")
    assert evaluator.field("tone").options == ("formal", "casual", "rude")


def test_it_accepts_the_original_products_kind_names() -> None:
    kinds = [
        parse_field({"name": "a", "kind": alias, **extra}).kind
        for alias, extra in (
            ("integer", {"minimum": 0, "maximum": 3}),
            ("class", {"choices": ["x", "y"]}),
            ("label", {"choices": ["x", "y"]}),
            ("string", {}),
        )
    ]
    assert kinds == [
        FeedbackKind.SCALE,
        FeedbackKind.CHOICE,
        FeedbackKind.LABELS,
        FeedbackKind.TEXT,
    ]


@pytest.mark.parametrize(
    ("schema", "message"),
    [
        ({"name": "Rating", "kind": "scale"}, "name must start with a letter"),
        ({"name": "rating", "kind": "stars"}, "kind must be one of boolean, scale"),
        ({"name": "rating", "kind": "scale", "minimum": 1}, "needs a whole-number minimum"),
        ({"name": "rating", "kind": "scale", "minimum": 1, "maximum": 50}, "from 2 to 11 points"),
        ({"name": "rating", "kind": "scale", "minimum": 1.5, "maximum": 3}, "whole numbers"),
        ({"name": "score", "kind": "number", "minimum": 1, "maximum": 0}, "minimum must be below"),
        ({"name": "tone", "kind": "choice", "choices": ["only"]}, "at least two options"),
        ({"name": "tone", "kind": "choice", "choices": ["a", "a"]}, "listed twice"),
        ({"name": "note", "kind": "text", "max_length": 0}, "max_length must be a whole number"),
    ],
)
def test_it_refuses_a_bad_field_naming_it(schema: dict[str, Any], message: str) -> None:
    with pytest.raises(FeedbackError, match=message):
        make_evaluator(schema)


def test_it_refuses_an_evaluator_without_fields_or_with_a_repeated_name() -> None:
    with pytest.raises(FeedbackError, match="fields must be a non-empty list"):
        parse_evaluator({"slug": "review", "fields": []})
    with pytest.raises(FeedbackError, match="used twice"):
        make_evaluator(APPROVED, APPROVED)
    with pytest.raises(FeedbackError, match="slug must be lowercase"):
        parse_evaluator({"slug": "Bad Slug", "fields": [APPROVED]})


def test_answers_are_checked_and_normalised() -> None:
    evaluator = make_evaluator(RATING, APPROVED, TONE, TAGS, SCORE, NOTE)
    answers = {
        "rating": "4",
        "approved": "y",
        "tone": "casual",
        "tags": ["unsafe", "wrong"],
        "score": 0.25,
    }
    assert check_answers(evaluator.fields, answers) == {
        "rating": 4,
        "approved": True,
        "tone": "casual",
        "tags": ["wrong", "unsafe"],
        "score": 0.25,
    }


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"rating": 6}, r"rating: must be from 1 to 5, got 6"),
        ({"rating": 2.5}, r"rating: must be a whole number"),
        ({"rating": "four"}, r"rating: must be a number, got 'four'"),
        ({"approved": "maybe"}, r"approved: must be true or false"),
        ({"tone": "angry"}, r"tone: must be one of formal, casual, rude, got 'angry'"),
        ({"tags": ["fast"]}, r"tags: 'fast' is not a label"),
        ({"score": 1.5}, r"score: must be at most 1"),
        ({"score": "nan"}, r"score: must be a finite number"),
        ({"note": "far too long a note"}, r"note: at most 10 characters"),
    ],
)
def test_a_wrong_answer_is_refused_naming_the_field(answers: dict[str, Any], message: str) -> None:
    evaluator = make_evaluator(RATING, APPROVED, TONE, TAGS, SCORE, NOTE)
    complete = {"rating": 3, "approved": True, "tone": "formal", "tags": [], "score": 0.5}
    with pytest.raises(FeedbackError, match=message):
        check_answers(evaluator.fields, {**complete, **answers})


def test_required_answers_must_be_given_and_unknown_ones_are_refused() -> None:
    evaluator = make_evaluator(APPROVED, NOTE)
    with pytest.raises(FeedbackError, match="approved: an answer is required"):
        check_answers(evaluator.fields, {"note": "hi"})
    with pytest.raises(FeedbackError, match="unknown field 'colour'"):
        check_answers(evaluator.fields, {"approved": True, "colour": "red"})
    assert check_answers(evaluator.fields, {"approved": False, "note": ""}) == {"approved": False}


def test_form_values_become_answers() -> None:
    evaluator = make_evaluator(RATING, TAGS, NOTE)
    rating, tags, note = evaluator.fields
    assert read_form_value(rating, " 3 ") == "3"
    assert read_form_value(rating, "") is None
    assert read_form_value(tags, ["wrong", "", "slow"]) == ["wrong", "slow"]
    assert read_form_value(tags, []) == []
    assert read_form_value(note, "  keep spaces ") == "  keep spaces "


def test_numbers_and_categories_for_statistics() -> None:
    evaluator = make_evaluator(RATING, APPROVED, TONE, NOTE)
    rating, approved, tone, note = evaluator.fields
    assert (numeric_value(rating, 4), numeric_value(approved, False)) == (4.0, 0.0)
    assert numeric_value(tone, "formal") is None and numeric_value(note, "x") is None
    assert (category_of(approved, True), category_of(rating, 2)) == ("yes", "2")
    assert category_of(tone, "rude") == "rude" and category_of(note, "x") is None


def test_the_outputs_schema_describes_the_answers() -> None:
    schema = outputs_schema(make_evaluator(RATING, TONE, NOTE))
    assert schema["required"] == ["rating", "tone"]
    assert schema["properties"]["rating"] == {"type": "integer", "minimum": 1, "maximum": 5}
    assert schema["properties"]["tone"]["enum"] == ["formal", "casual", "rude"]
    assert schema["properties"]["note"] == {"type": "string", "maxLength": 10}
