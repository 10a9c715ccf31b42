"""Deterministic sampling of traces: the same trace is always in or always out of a sample.

As in the original product (agenta-behaviour.md §2.5, kind 5), a trace is taken when the first
8 hex digits of its id, read as a number, modulo 10000 fall below ``rate * 10000``. Trace ids
are random, so about ``rate`` of the traces are taken; the decision needs no state, every worker
makes the same one, and a rule with a higher rate takes a superset of a lower rate's traces.
"""

from __future__ import annotations

import math

RESOLUTION = 10_000


def check_rate(rate: float) -> float:
    """``rate`` if it is a share from 0 to 1, else a ``ValueError`` saying so."""
    if isinstance(rate, bool) or not isinstance(rate, int | float) or not math.isfinite(rate):
        raise ValueError(f"sampling_rate must be a number from 0 to 1, got {rate!r}")
    if not 0 <= rate <= 1:
        raise ValueError(f"sampling_rate must be from 0 to 1, got {rate}")
    return float(rate)


def sampled(trace_id: str, rate: float) -> bool:
    """Whether the trace falls in a sample of ``rate`` (0 to 1)."""
    threshold = round(check_rate(rate) * RESOLUTION)
    try:
        bucket = int(trace_id[:8], 16) % RESOLUTION
    except ValueError:
        raise ValueError(f"trace_id must start with 8 hex digits, got {trace_id!r}") from None
    return bucket < threshold
