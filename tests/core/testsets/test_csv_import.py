"""Importing real-world-shaped CSV files, and refusing broken ones with the right line."""

from __future__ import annotations

from agenta.core.testsets.codecs import Problem, export_rows


def test_it_reads_a_plain_comma_separated_file(make_csv, parse):
    parsed = parse(make_csv("question,correct_answer", "2+2?,4", "Capital of France?,Paris"))

    assert parsed.format == "csv"
    assert parsed.columns == ["question", "correct_answer"]
    assert parsed.rows == [
        {"question": "2+2?", "correct_answer": "4"},
        {"question": "Capital of France?", "correct_answer": "Paris"},
    ]
    assert parsed.warnings == []


def test_it_strips_a_utf8_byte_order_mark_from_the_first_column_name(make_csv, parse):
    parsed = parse(make_csv("question,answer", "a,b", bom=True))

    assert parsed.columns == ["question", "answer"]


def test_it_detects_semicolons_even_when_values_contain_commas(make_csv, parse):
    parsed = parse(make_csv("question;answer", "What is 1,5 + 2?;3,5", "Pi?;3,14"))

    assert parsed.columns == ["question", "answer"]
    assert parsed.rows[0] == {"question": "What is 1,5 + 2?", "answer": "3,5"}


def test_it_detects_tabs(make_csv, parse):
    parsed = parse(make_csv("question\tanswer", "a, b; c\td", "e\tf"), "set.tsv")

    assert parsed.rows == [{"question": "a, b; c", "answer": "d"}, {"question": "e", "answer": "f"}]


def test_it_obeys_an_excel_sep_line(make_csv, parse):
    parsed = parse(make_csv("sep=;", "a;b", "1,2;3", newline="\r\n"))

    assert parsed.columns == ["a", "b"]
    assert parsed.rows == [{"a": "1,2", "b": "3"}]


def test_it_keeps_quoted_delimiters_doubled_quotes_and_line_breaks(make_csv, parse):
    data = make_csv("q,a", '"Say ""hi"", then leave","line one', 'line two"', "x,y")

    parsed = parse(data)

    assert parsed.rows == [
        {"q": 'Say "hi", then leave', "a": "line one\nline two"},
        {"q": "x", "a": "y"},
    ]


def test_it_normalises_windows_line_endings_inside_and_between_records(make_csv, parse):
    data = make_csv("q,a", '"multi', 'line",1', "x,2", newline="\r\n")

    parsed = parse(data)

    assert parsed.rows == [{"q": "multi\nline", "a": "1"}, {"q": "x", "a": "2"}]


def test_it_reads_classic_mac_line_endings(make_csv, parse):
    parsed = parse(make_csv("q,a", "1,2", "3,4", newline="\r"))

    assert parsed.rows == [{"q": "1", "a": "2"}, {"q": "3", "a": "4"}]


def test_it_keeps_emoji_right_to_left_and_accented_text_exactly(make_csv, parse):
    row = {"question": "ما هي عاصمة مصر؟ 🇪🇬", "answer": "القاهرة", "note": "naïve café 👩‍💻"}
    data = make_csv("question,answer,note", ",".join(row.values()))

    assert parse(data).rows == [row]


def test_it_leaves_every_cell_a_string_without_guessing_types(make_csv, parse):
    parsed = parse(make_csv("n,flag,code,empty,json", '42,true,007,,"{""a"": 1}"'))

    assert parsed.rows == [
        {"n": "42", "flag": "true", "code": "007", "empty": "", "json": '{"a": 1}'}
    ]


def test_it_keeps_spaces_inside_values_but_trims_header_names(make_csv, parse):
    parsed = parse(make_csv(" question , answer", "  padded  ,x"))

    assert parsed.rows == [{"question": "  padded  ", "answer": "x"}]


def test_it_skips_blank_and_all_empty_rows_with_a_warning(make_csv, parse):
    parsed = parse(make_csv("q,a", "1,2", "", ",", "3,4", ","))

    assert parsed.rows == [{"q": "1", "a": "2"}, {"q": "3", "a": "4"}]
    assert parsed.warnings == [Problem(None, "skipped 2 empty rows (lines 4, 6)")]


def test_it_drops_trailing_unnamed_columns_that_hold_nothing(make_csv, parse):
    parsed = parse(make_csv("q,a,,", "1,2,,", "3,4,,"))

    assert parsed.columns == ["q", "a"]
    assert parsed.rows == [{"q": "1", "a": "2"}, {"q": "3", "a": "4"}]
    assert parsed.warnings == [Problem(1, "ignored empty columns without a name: 3, 4")]


def test_it_accepts_rows_without_the_stray_trailing_delimiter_of_the_header(make_csv, parse):
    parsed = parse(make_csv("q,a,", "1,2", "3,4,"))

    assert parsed.rows == [{"q": "1", "a": "2"}, {"q": "3", "a": "4"}]


def test_it_still_refuses_rows_missing_a_named_column_after_a_stray_delimiter(make_csv, refusal):
    error = refusal(make_csv("q,a,", "1"))

    assert error.problems == [Problem(2, "this row has 1 field but the header has 3 columns")]


def test_it_refuses_a_value_under_a_column_without_a_name(make_csv, refusal):
    error = refusal(make_csv("q,,a", "1,,2", "3,oops,4"))

    assert error.problems == [Problem(3, "column 2 has a value ('oops') but no name in the header")]


def test_it_refuses_duplicate_header_names_naming_the_columns(make_csv, refusal):
    error = refusal(make_csv("q,a,q", "1,2,3"))

    assert error.problems == [
        Problem(1, 'the header names column "q" more than once (columns 1, 3)')
    ]


def test_it_names_the_file_line_of_a_short_row_after_multiline_values(make_csv, refusal):
    data = make_csv("q,a", '"one', "two", 'three",x', "only-one-field", "ok,ok")

    error = refusal(data)

    assert error.problems == [Problem(5, "this row has 1 field but the header has 2 columns")]


def test_it_names_the_line_of_a_long_row_and_suggests_quoting(make_csv, refusal):
    error = refusal(make_csv("q;a", "1;2", "3;4;5"))

    assert error.problems == [
        Problem(
            3,
            "this row has 3 fields but the header has 2 columns;"
            " a value containing a semicolon must be put in double quotes",
        )
    ]


def test_it_refuses_an_unclosed_quote_at_the_line_where_it_opens(make_csv, refusal):
    error = refusal(make_csv("q,a", "1,2", '3,"never closed', "4,5"))

    assert error.problems == [
        Problem(
            3, "a quoted value starting in this row is never closed (the file ends inside quotes)"
        )
    ]


def test_it_refuses_text_after_a_closing_quote(make_csv, refusal):
    error = refusal(make_csv("q,a", '1,"5" tall', "3,4"))

    assert error.problems[0].line == 2
    assert "closing quote must be followed by a comma" in error.problems[0].message


def test_it_reports_several_problems_at_once_and_caps_them_at_ten(make_csv, refusal):
    data = make_csv("q,a", *["1,2,3"] * 25)

    error = refusal(data)

    assert [problem.line for problem in error.problems] == list(range(2, 12))
    assert error.truncated
    assert str(error).startswith("The file was not imported; the first 10 problems:\n- line 2: ")


def test_it_refuses_an_empty_file(refusal):
    assert refusal(b"", "empty.csv").problems == [Problem(None, "the file is empty")]
    assert refusal(b"\xef\xbb\xbf \n\n", "blank.csv").problems == [
        Problem(None, "the file is empty")
    ]


def test_it_refuses_a_file_with_only_a_header(make_csv, refusal):
    error = refusal(make_csv("question,answer"), "header.csv")

    assert error.problems == [Problem(1, "the file has a header but no rows")]


def test_it_refuses_a_file_made_only_of_delimiters(refusal):
    error = refusal(b",,,\n,,\n", "commas.csv")

    assert error.problems == [Problem(None, "the file has no header row")]


def test_it_refuses_invalid_utf8_naming_the_byte_offset_and_line(make_csv, refusal):
    data = make_csv("q,a", "caf\xe9,1").replace("é".encode(), b"\xe9")

    error = refusal(data, "latin1.csv")

    assert error.problems == [
        Problem(
            2,
            "invalid UTF-8 byte 0xe9 at byte offset 7;"
            " save the file as UTF-8 (it may be in Windows-1252 or Latin-1)",
        )
    ]


def test_it_counts_the_byte_offset_of_invalid_utf8_from_the_start_of_the_file(refusal):
    data = b"\xef\xbb\xbfq\n\xff\n"

    assert (
        refusal(data, "x.csv")
        .problems[0]
        .message.startswith("invalid UTF-8 byte 0xff at byte offset 5")
    )


def test_it_refuses_utf16_text_with_advice(refusal):
    data = "q,a\n1,2\n".encode("utf-16")

    error = refusal(data, "excel.csv")

    assert error.problems == [
        Problem(None, "the file is UTF-16 text; save it as UTF-8 (in Excel: CSV UTF-8)")
    ]


def test_it_refuses_nul_bytes_naming_the_line(refusal):
    error = refusal(b"q,a\n1,2\n3,\x00\n", "nul.csv")

    assert error.problems[0].line == 3
    assert "NUL bytes" in error.problems[0].message


def test_it_refuses_an_excel_workbook_with_advice(refusal):
    error = refusal(b"PK\x03\x04rest-of-zip", "set.xlsx")

    assert "spreadsheet workbook" in str(error)


def test_it_refuses_a_file_over_the_size_limit_before_reading_it(make_csv, refusal):
    data = make_csv("q", *["x" * 100] * 20)

    error = refusal(data, "big.csv", max_bytes=1024)

    assert error.problems == [Problem(None, "the file is 2.0 KB; the limit is 1.0 KB")]


def test_it_refuses_more_rows_than_the_limit(make_csv, refusal, parse):
    data = make_csv("q", *[str(n) for n in range(6)])

    assert len(parse(data, max_rows=6).rows) == 6
    error = refusal(data, max_rows=5)
    assert error.problems == [Problem(7, "the file has more than 5 rows, the limit")]


def test_it_reads_a_field_longer_than_the_csv_module_default_limit(make_csv, parse):
    long_value = "word " * 40_000

    parsed = parse(make_csv("context,q", f'"{long_value}",x'))

    assert parsed.rows[0]["context"] == long_value


def test_it_parses_100000_realistic_rows_exactly(parse):
    rows = [
        {
            "country": "Côte d'Ivoire" if n % 3 else "日本",
            "question": f'What is the capital of row {n}, said "they"?',
            "context": "line one, with commas\nline two 🌍" if n % 5 == 0 else "short context",
            "correct_answer": f"answer {n}",
            "category": "geography",
        }
        for n in range(100_000)
    ]
    data = b"".join(export_rows(rows, None, "csv"))

    parsed = parse(data, "big.csv")

    assert parsed.rows == rows
