"""Test processes claim Redis databases that no other test process on the machine uses."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import redis_databases
from tests.support.redis_databases import NoFreeRedisDatabase, claim_database

URL = "redis://127.0.0.1:6379"


@pytest.fixture(autouse=True)
def lock_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(redis_databases, "LOCK_FOLDER", tmp_path)


def test_two_claims_get_different_databases_until_one_is_given_back() -> None:
    first, first_lock = claim_database(URL)
    second, second_lock = claim_database(URL)
    assert (first, second) == (1, 2)

    first_lock.close()
    again, again_lock = claim_database(URL)

    assert again == 1
    second_lock.close()
    again_lock.close()


def test_a_claim_fails_clearly_when_every_database_is_taken() -> None:
    locks = [claim_database(URL)[1] for _ in range(15)]
    try:
        with pytest.raises(NoFreeRedisDatabase, match="databases 1-15 at redis://"):
            claim_database(URL)
    finally:
        for lock in locks:
            lock.close()


def test_another_redis_server_has_databases_of_its_own() -> None:
    _, lock = claim_database(URL)
    number, other_lock = claim_database("redis://10.0.0.2:6380")
    assert number == 1
    lock.close()
    other_lock.close()
