"""Content-addressed test case ids."""

from __future__ import annotations

import hashlib
from uuid import UUID

import pytest

from agenta.core.testsets import identity

SET_A = UUID("11111111-1111-4111-8111-111111111111")
SET_B = UUID("22222222-2222-4222-8222-222222222222")
ROW = {"question": "Capital of France?", "correct_answer": "Paris", "n": 1}


def test_the_same_row_in_the_same_set_always_gets_the_same_id():
    reordered = {"n": 1, "correct_answer": "Paris", "question": "Capital of France?"}

    assert identity.testcase_id(SET_A, ROW) == identity.testcase_id(SET_A, reordered)


def test_the_id_is_blake2b_of_the_set_id_and_canonical_json_shaped_as_a_uuid5():
    canonical = b'{"correct_answer":"Paris","n":1,"question":"Capital of France?"}'
    digest = bytearray(hashlib.blake2b(SET_A.bytes + canonical, digest_size=16).digest())
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant

    assert identity.canonical_json(ROW) == canonical.decode()
    assert identity.testcase_id(SET_A, ROW) == UUID(bytes=bytes(digest))


def test_the_id_is_pinned_so_stored_ids_stay_valid_across_releases():
    assert identity.testcase_id(SET_A, ROW) == UUID("c10d019e-cda4-5035-8ba2-59eaf16506b5")


def test_the_id_is_a_version_5_uuid():
    assert identity.testcase_id(SET_A, ROW).version == 5


def test_the_same_row_in_another_set_gets_another_id():
    assert identity.testcase_id(SET_A, ROW) != identity.testcase_id(SET_B, ROW)


@pytest.mark.parametrize(
    "changed",
    [
        {**ROW, "correct_answer": "paris"},
        {**ROW, "n": "1"},
        {**ROW, "n": 1.0},
        {**ROW, "extra": None},
        {**ROW, "question": "Capital of France?".replace("F", "F\u200b")},
    ],
)
def test_any_change_to_the_data_changes_the_id(changed):
    assert identity.testcase_id(SET_A, changed) != identity.testcase_id(SET_A, ROW)


def test_unicode_including_lone_surrogates_can_be_identified():
    row = {"q": "日本 🌍 \ud800"}

    assert identity.testcase_id(SET_A, row) == identity.testcase_id(SET_A, dict(row))


def test_ids_for_many_rows_follow_row_order():
    rows = [ROW, {"q": "other"}]

    assert identity.testcase_ids(SET_A, rows) == [identity.testcase_id(SET_A, r) for r in rows]
