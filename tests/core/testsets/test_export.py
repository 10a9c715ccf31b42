"""Exporting rows as CSV, JSON and JSON Lines, and reading every export back."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from uuid import UUID

import pytest

from agenta.core.testsets.codecs import export_rows, parse_upload

TEXT_ROWS = [
    {"question": 'Say "hi", then leave', "context": "line one\nline two", "answer": "👋"},
    {"question": "ما هي عاصمة مصر؟", "answer": "القاهرة", "context": "semi;colon\ttab"},
    {"question": "  spaced  ", "context": "", "answer": "007"},
]
CHAT_ROW = {
    "messages": [{"role": "user", "content": [{"type": "text", "text": 'Hi, "you"\n'}]}],
    "correct_answer": "Hello",
}


def exported(rows, columns, fmt, **options) -> bytes:
    """The whole export as bytes."""
    return b"".join(export_rows(rows, columns, fmt, **options))


def test_csv_export_writes_a_header_in_first_seen_column_order():
    rows = [{"b": "1", "a": "2"}, {"c": "3", "a": "4"}]

    assert exported(rows, None, "csv") == b"b,a,c\r\n1,2,\r\n,4,3\r\n"


def test_csv_export_json_encodes_structured_values_and_blanks_nulls():
    rows = [{"n": 42, "ok": True, "none": None, "obj": {"k": "é"}, "list": [1, "x"]}]

    text = exported(rows, None, "csv").decode()

    assert list(csv.reader(io.StringIO(text))) == [
        ["n", "ok", "none", "obj", "list"],
        ["42", "true", "", '{"k": "é"}', '[1, "x"]'],
    ]


def test_export_uses_the_given_columns_and_leaves_out_other_keys():
    rows = [{"a": 1, "b": 2, "c": 3}]

    assert exported(rows, ["c", "a"], "csv") == b"c,a\r\n3,1\r\n"
    assert exported(rows, ["c", "a"], "jsonl") == b'{"c": 3, "a": 1}\n'


def test_json_export_keeps_types_and_does_not_invent_missing_keys():
    rows = [{"a": 1, "b": None}, {"b": [True]}]

    assert json.loads(exported(rows, None, "json")) == rows


def test_json_export_of_no_rows_is_an_empty_array():
    assert exported([], [], "json") == b"[]\n"


def test_an_excel_export_starts_with_a_byte_order_mark():
    assert exported([{"a": "é"}], None, "csv", bom=True).startswith(b"\xef\xbb\xbfa\r\n")


def test_ids_are_written_as_a_leading_id_column():
    row_id = UUID("0b6f7d3e-5a2c-4c1e-9f1e-2f3a4b5c6d7e")

    assert (
        exported([{"a": "x"}], None, "csv", ids=[row_id]) == f"__id__,a\r\n{row_id},x\r\n".encode()
    )
    assert json.loads(exported([{"a": "x"}], None, "json", ids=[row_id])) == [
        {"__id__": str(row_id), "a": "x"}
    ]


def test_export_streams_large_revisions_in_bounded_chunks_pulling_rows_lazily():
    pulled = []

    def rows() -> Iterator[dict[str, str]]:
        for n in range(20_000):
            pulled.append(n)
            yield {"question": f"question number {n}", "answer": "x" * 20}

    chunks = export_rows(rows(), ["question", "answer"], "jsonl")
    first = next(chunks)

    assert len(pulled) < 20_000
    assert 64 * 1024 <= len(first) < 80 * 1024
    rest = list(chunks)
    assert len(pulled) == 20_000 and len(rest) > 5


def test_an_unknown_export_format_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown export format 'xml'"):
        export_rows([], None, "xml")


def test_non_json_values_such_as_nan_are_refused_on_export():
    with pytest.raises(ValueError):
        exported([{"score": float("nan")}], None, "json")


@pytest.mark.parametrize("fmt", ["csv", "json", "jsonl"])
def test_text_rows_round_trip_exactly_through_every_format(fmt):
    data = exported(TEXT_ROWS, None, fmt)

    parsed = parse_upload(data, filename=f"set.{fmt}")

    assert parsed.rows == TEXT_ROWS
    assert parsed.columns == ["question", "context", "answer"]


@pytest.mark.parametrize("fmt", ["csv", "json", "jsonl"])
def test_chat_rows_and_ids_round_trip_through_every_format(fmt):
    row_id = UUID("9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d")

    parsed = parse_upload(exported([CHAT_ROW], None, fmt, ids=[row_id]), fmt=fmt)

    assert parsed.rows == [CHAT_ROW]
    assert parsed.ids == [row_id]


def test_typed_values_round_trip_through_json_formats_but_come_back_as_text_from_csv():
    rows = [{"n": 42, "ok": False, "nested": {"k": [1, 2]}}]

    assert parse_upload(exported(rows, None, "jsonl"), fmt="jsonl").rows == rows
    assert parse_upload(exported(rows, None, "csv"), fmt="csv").rows == [
        {"n": "42", "ok": "false", "nested": '{"k": [1, 2]}'}
    ]


def test_a_lone_surrogate_from_a_json_import_survives_a_json_round_trip():
    rows = parse_upload(b'[{"q": "broken \\ud800 pair"}]', fmt="json").rows

    assert parse_upload(exported(rows, None, "json"), fmt="json").rows == rows
