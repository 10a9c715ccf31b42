"""Importing JSON arrays and JSON Lines, and refusing broken ones with the right line."""

from __future__ import annotations

import json

from agenta.core.testsets.codecs import Problem


def test_it_reads_an_array_of_objects_keeping_value_types(parse):
    rows = [
        {"question": "2+2?", "correct_answer": 4, "strict": True, "tags": ["math"]},
        {"question": "Nested?", "correct_answer": {"role": "assistant", "content": "yes"}},
        {"question": "Nothing?", "correct_answer": None, "score": 0.5},
    ]

    parsed = parse(json.dumps(rows).encode(), "set.json")

    assert parsed.format == "json"
    assert parsed.rows == rows
    assert parsed.columns == ["question", "correct_answer", "strict", "tags", "score"]


def test_it_reads_a_pretty_printed_array_with_a_byte_order_mark(parse):
    data = b"\xef\xbb\xbf" + json.dumps([{"q": "é 🌍"}], indent=2, ensure_ascii=False).encode()

    assert parse(data, "set.json").rows == [{"q": "é 🌍"}]


def test_it_refuses_an_object_instead_of_an_array_and_points_at_the_inner_array(refusal):
    data = json.dumps({"testcases": [{"q": 1}], "name": "x"}).encode()

    error = refusal(data, "set.json")

    assert error.problems == [
        Problem(
            1,
            "the file must hold a JSON array of objects, but it holds an object;"
            ' did you mean to upload only the array under "testcases"?',
        )
    ]


def test_it_names_the_item_and_line_of_a_record_that_is_not_an_object(refusal):
    data = b'[\n  {"q": 1},\n  {"q": 2},\n  "stray string",\n  {"q": 3},\n  [1, 2]\n]\n'

    error = refusal(data, "set.json")

    assert error.problems == [
        Problem(4, "item 3 is a string; each test case must be a JSON object"),
        Problem(6, "item 5 is an array; each test case must be a JSON object"),
    ]


def test_it_locates_items_correctly_when_strings_contain_brackets_and_newline_escapes(refusal):
    data = b'[{"q": "a ] b, [c\\n"},\n{"q": "}"},\n\n{}]'

    error = refusal(data, "set.json")

    assert error.problems == [
        Problem(4, "item 3 is an empty object; a test case needs at least one field")
    ]


def test_it_refuses_an_item_with_an_empty_key(refusal):
    error = refusal(b'[{"q": 1, "": 2}]', "set.json")

    assert error.problems == [Problem(1, "item 1 has a key with an empty name")]


def test_it_refuses_an_empty_array(refusal):
    error = refusal(b"[]", "set.json")

    assert error.problems == [
        Problem(1, "the JSON array is empty; a test set needs at least one object")
    ]


def test_it_names_the_line_and_column_of_a_syntax_error(refusal):
    data = b'[\n  {"q": 1},\n  {"q": 2\n  {"q": 3}\n]'

    error = refusal(data, "set.json")

    assert error.problems == [Problem(4, "invalid JSON: Expecting ',' delimiter (column 3)")]


def test_it_suggests_json_lines_when_a_json_file_holds_several_objects(refusal):
    error = refusal(b'{"q": 1}\n{"q": 2}\n', "set.json")

    assert error.problems[0].line == 2
    assert "upload it as JSON Lines (.jsonl)" in error.problems[0].message


def test_it_refuses_nan_which_is_not_json(refusal):
    error = refusal(b'[{"score": NaN}]', "set.json")

    assert error.problems == [Problem(None, "NaN is not valid JSON; use null or a string instead")]


def test_it_refuses_more_items_than_the_row_limit(refusal):
    error = refusal(json.dumps([{"q": n} for n in range(4)]).encode(), "set.json", max_rows=3)

    assert error.problems == [Problem(None, "the file has 4 items; the limit is 3 rows")]


def test_it_reads_json_lines_skipping_blank_lines(parse):
    data = b'{"q": "a", "n": 1}\n\n{"q": "b", "extra": [1]}\r\n   \n'

    parsed = parse(data, "set.jsonl")

    assert parsed.format == "jsonl"
    assert parsed.rows == [{"q": "a", "n": 1}, {"q": "b", "extra": [1]}]
    assert parsed.columns == ["q", "n", "extra"]


def test_it_names_every_broken_json_line(refusal):
    data = b'{"q": 1}\n{"q": 2\n{"q": 3}\n"text"\n{}\n'

    error = refusal(data, "set.jsonl")

    assert error.problems == [
        Problem(2, "invalid JSON: Expecting ',' delimiter (column 8)"),
        Problem(4, "row 4 is a string; each test case must be a JSON object"),
        Problem(5, "row 5 is an empty object; a test case needs at least one field"),
    ]


def test_it_explains_that_a_pretty_printed_file_is_not_json_lines(refusal):
    data = json.dumps([{"q": 1}], indent=2).encode()

    error = refusal(data, "set.jsonl")

    assert error.problems[0].line == 1
    assert "each line must hold one complete object" in error.problems[0].message


def test_it_refuses_json_lines_without_any_object(refusal):
    assert refusal(b"\n \n", "set.jsonl").problems == [Problem(None, "the file is empty")]


def test_it_refuses_more_json_lines_than_the_row_limit(refusal):
    data = b'{"q": 1}\n{"q": 2}\n\n{"q": 3}\n'

    error = refusal(data, "set.jsonl", max_rows=2)

    assert error.problems == [Problem(4, "the file has more than 2 rows, the limit")]


def test_it_refuses_absurdly_deep_nesting_instead_of_crashing(refusal):
    deep = b'[{"q": ' + b"[" * 100_000 + b"]" * 100_000 + b"}]"

    error = refusal(deep, "deep.json")

    assert error.problems == [Problem(None, "values are nested too deeply to be read")]
