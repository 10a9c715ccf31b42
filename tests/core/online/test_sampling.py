"""Deterministic sampling on the first 8 hex digits of the trace id."""

from __future__ import annotations

import uuid

import pytest

from agenta.core.online.sampling import sampled


def test_the_decision_follows_the_first_eight_hex_digits() -> None:
    # 0x00001388 = 5000 -> bucket 5000; 0x0000270f = 9999 -> bucket 9999.
    assert sampled("00001388" + "f" * 24, 0.5001)
    assert not sampled("00001388" + "f" * 24, 0.5)
    assert sampled("0000270f" + "0" * 24, 1.0)
    assert not sampled("00000000" + "0" * 24, 0.0)


def test_the_same_trace_is_always_decided_the_same_way() -> None:
    trace_id = uuid.uuid4().hex
    assert len({sampled(trace_id, 0.3) for _ in range(10)}) == 1


def test_a_rate_takes_about_that_share_and_a_higher_rate_a_superset() -> None:
    ids = [uuid.uuid4().hex for _ in range(4000)]
    low = {t for t in ids if sampled(t, 0.1)}
    high = {t for t in ids if sampled(t, 0.5)}
    assert 250 < len(low) < 550 and 1800 < len(high) < 2200
    assert low <= high


@pytest.mark.parametrize("rate", [-0.1, 1.5, float("nan"), True])
def test_a_rate_outside_zero_to_one_is_refused(rate: float) -> None:
    with pytest.raises(ValueError, match="sampling_rate must be"):
        sampled(uuid.uuid4().hex, rate)


def test_a_trace_id_that_is_not_hex_is_refused() -> None:
    with pytest.raises(ValueError, match="must start with 8 hex digits"):
        sampled("not-a-trace-id", 0.5)
