"""A/B review: hidden, randomised sides per annotator, and vote tallies with an interval.

An annotator sees two outputs for the same input as "Response 1" and "Response 2". Which of A
and B is shown first is decided by a hash of (queue, item, annotator): random-looking across
rows, so no side is systematically first (position bias averages out), yet stable, so the same
person sees the same order when they come back to a row, and the answer can be mapped back
to A or B on the server without trusting the browser.

The tally counts votes for A, for B and ties. The win rate of A is taken over decisive votes
(ties excluded), with the Wilson score interval (Wilson 1927), which stays inside [0, 1] and
behaves with few votes, unlike the normal approximation. When the whole interval is above one
half A is preferred, below one half B is; otherwise the votes do not separate them.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable
from dataclasses import dataclass
from statistics import NormalDist

A = "a"
B = "b"
TIE = "tie"
VOTES = (A, B, TIE)
# What the page submits: the position that won, not the hidden side.
FIRST = "first"
SECOND = "second"
SHOWN_CHOICES = (FIRST, SECOND, TIE)

A_PREFERRED = "A preferred"
B_PREFERRED = "B preferred"
NOT_SEPARATED = "no significant difference"
TOO_FEW = "not enough votes"


def b_shown_first(queue_id: object, item_id: object, annotator_id: object) -> bool:
    """Whether B is shown in the first position to this annotator on this row."""
    key = f"{queue_id}:{item_id}:{annotator_id}".encode()
    return hashlib.sha256(key).digest()[0] & 1 == 1


def shown_order(swapped: bool) -> tuple[str, str]:
    """The hidden sides in display order."""
    return (B, A) if swapped else (A, B)


def vote_of(shown_choice: str, swapped: bool) -> str:
    """The side a choice made on the page stands for; ``ValueError`` for an unknown choice."""
    if shown_choice not in SHOWN_CHOICES:
        raise ValueError(f"vote must be one of {', '.join(SHOWN_CHOICES)}, got {shown_choice!r}")
    if shown_choice == TIE:
        return TIE
    first, second = shown_order(swapped)
    return first if shown_choice == FIRST else second


def wilson_interval(successes: int, trials: int, confidence: float = 0.95) -> tuple[float, float]:
    """The Wilson score interval of a proportion; (0, 1) when there are no trials."""
    if not 0 <= successes <= trials:
        raise ValueError(f"successes must be between 0 and {trials}, got {successes}")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence}")
    if trials == 0:
        return 0.0, 1.0
    # At 0 or all successes one bound is exactly 0 or 1; rounding would leave a hair above.
    edge_low, edge_high = successes == 0, successes == trials
    z = NormalDist().inv_cdf(1 - (1 - confidence) / 2)
    share = successes / trials
    denominator = 1 + z * z / trials
    centre = (share + z * z / (2 * trials)) / denominator
    spread = z * math.sqrt(share * (1 - share) / trials + z * z / (4 * trials * trials))
    half = spread / denominator
    low = 0.0 if edge_low else max(0.0, centre - half)
    high = 1.0 if edge_high else min(1.0, centre + half)
    return low, high


@dataclass(frozen=True)
class ABTally:
    """Votes for A, for B and ties, with A's win rate over decisive votes and its interval."""

    a: int
    b: int
    ties: int
    win_rate_a: float | None
    low: float | None
    high: float | None
    confidence: float
    verdict: str

    @property
    def total(self) -> int:
        return self.a + self.b + self.ties

    def share(self, side: str) -> float | None:
        """The share of all votes that went to ``side`` (A, B or tie)."""
        count = {A: self.a, B: self.b, TIE: self.ties}[side]
        return count / self.total if self.total else None


def tally(votes: Iterable[str], confidence: float = 0.95) -> ABTally:
    """Count votes (``a``, ``b``, ``tie``) and judge them (see the module docstring)."""
    counts = {A: 0, B: 0, TIE: 0}
    for vote in votes:
        if vote not in counts:
            raise ValueError(f"a vote is one of {', '.join(VOTES)}, got {vote!r}")
        counts[vote] += 1
    decisive = counts[A] + counts[B]
    if decisive == 0:
        return ABTally(counts[A], counts[B], counts[TIE], None, None, None, confidence, TOO_FEW)
    low, high = wilson_interval(counts[A], decisive, confidence)
    verdict = A_PREFERRED if low > 0.5 else B_PREFERRED if high < 0.5 else NOT_SEPARATED
    rate = counts[A] / decisive
    return ABTally(counts[A], counts[B], counts[TIE], rate, low, high, confidence, verdict)
