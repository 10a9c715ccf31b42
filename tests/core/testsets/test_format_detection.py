"""Choosing the format: explicit format, then file name, then content type, then content."""

from __future__ import annotations

import pytest

from agenta.core.testsets.codecs import Problem

JSON_ARRAY = b'[{"q": "a,b"}]'


def test_an_explicit_format_wins_over_the_file_name(parse):
    assert parse(JSON_ARRAY, "misnamed.csv", fmt="json").rows == [{"q": "a,b"}]


@pytest.mark.parametrize(
    ("filename", "expected"),
    [("set.csv", "csv"), ("SET.TSV", "csv"), ("set.json", "json"), ("set.ndjson", "jsonl")],
)
def test_the_file_extension_decides_without_an_explicit_format(parse, filename, expected):
    data = b'{"q": 1}\n' if expected == "jsonl" else b"q\n1\n" if expected == "csv" else JSON_ARRAY

    assert parse(data, filename).format == expected


@pytest.mark.parametrize(
    ("content_type", "expected"),
    [
        ("text/csv; charset=utf-8", "csv"),
        ("application/vnd.ms-excel", "csv"),
        ("application/json", "json"),
        ("application/x-ndjson", "jsonl"),
    ],
)
def test_the_content_type_decides_when_the_name_says_nothing(parse, content_type, expected):
    data = {"csv": b"q\n1\n", "json": JSON_ARRAY, "jsonl": b'{"q": 1}\n'}[expected]

    assert parse(data, "upload.txt", content_type=content_type).format == expected


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b'  \n[{"q": 1}]', "json"),
        (b'{"q": 1}\n{"q": 2}\n', "jsonl"),
        (b'{"q": 1}', "jsonl"),
        (b"q,a\n1,2\n", "csv"),
    ],
)
def test_the_content_decides_as_a_last_resort(parse, data, expected):
    assert parse(data, None, content_type="application/octet-stream").format == expected


def test_a_pretty_printed_single_object_is_read_as_json_and_refused_with_a_reason(refusal):
    error = refusal(b'{\n  "q": 1\n}\n')

    assert error.problems == [
        Problem(1, "the file must hold a JSON array of objects, but it holds an object")
    ]


def test_an_unknown_explicit_format_is_refused(refusal):
    error = refusal(b"q\n1\n", fmt="xml")

    assert error.problems == [
        Problem(None, "unknown format 'xml'; expected one of csv, json, jsonl")
    ]
