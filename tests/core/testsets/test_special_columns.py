"""Special columns (__id__, __flags__, __tags__, __meta__, __dedup_id__) in uploads."""

from __future__ import annotations

import json
from uuid import UUID

from agenta.core.testsets.codecs import Problem, TestcaseAttributes

KEPT_ID = UUID("0b6f7d3e-5a2c-4c1e-9f1e-2f3a4b5c6d7e")


def test_it_takes_ids_out_of_the_data_and_keeps_them_per_row(make_csv, parse):
    parsed = parse(make_csv("__id__,q", f"{KEPT_ID},a", ",b"))

    assert parsed.columns == ["q"]
    assert parsed.rows == [{"q": "a"}, {"q": "b"}]
    assert parsed.ids == [KEPT_ID, None]


def test_it_gives_every_row_no_id_when_the_file_has_no_id_column(make_csv, parse):
    assert parse(make_csv("q", "a", "b")).ids == [None, None]


def test_it_refuses_an_id_that_is_not_a_uuid(make_csv, refusal):
    error = refusal(make_csv("q,__id__", "a,row-1"))

    assert error.problems == [
        Problem(2, "row 1: __id__ must be a test case id (a UUID), not 'row-1'")
    ]


def test_it_refuses_the_same_id_on_two_rows(refusal):
    data = json.dumps([{"__id__": str(KEPT_ID), "q": 1}, {"__id__": str(KEPT_ID), "q": 2}])

    error = refusal(data.encode(), "set.json")

    assert error.problems == [Problem(1, f"item 2: __id__ {KEPT_ID} is also used by item 1")]


def test_it_decodes_flags_tags_and_meta_from_csv_json_text(make_csv, parse):
    data = make_csv("q,__tags__,__meta__", 'a,"{""topic"": ""geo""}",', "b,,")

    parsed = parse(data)

    assert parsed.columns == ["q"]
    assert parsed.attributes == [TestcaseAttributes(tags={"topic": "geo"}), None]


def test_it_keeps_flags_from_json_objects(parse):
    data = json.dumps([{"q": 1, "__flags__": {"is_golden": True}}]).encode()

    assert parse(data, "set.json").attributes == [TestcaseAttributes(flags={"is_golden": True})]


def test_it_refuses_attributes_that_are_not_json_objects(make_csv, refusal):
    error = refusal(make_csv("q,__meta__", "a,not json", 'b,"[1]"'))

    assert error.problems == [
        Problem(2, "row 1: __meta__ must hold a JSON object, not 'not json'"),
        Problem(3, "row 2: __meta__ must hold a JSON object, not an array"),
    ]


def test_it_stores_the_dedup_id_in_the_data_like_the_original(make_csv, parse):
    parsed = parse(make_csv("q,__dedup_id__", "a,d-1"))

    assert parsed.columns == ["q", "testcase_dedup_id"]
    assert parsed.rows == [{"q": "a", "testcase_dedup_id": "d-1"}]


def test_it_refuses_a_row_that_holds_only_special_columns(refusal):
    data = json.dumps([{"q": 1}, {"__id__": str(KEPT_ID), "__tags__": {"a": 1}}]).encode()

    error = refusal(data, "set.json")

    assert error.problems == [Problem(1, "item 2: has no data besides its special columns")]
