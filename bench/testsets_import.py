"""Benchmark of the test set codecs on a realistic large upload.

Generates a 5-column CSV (country, question, context, correct_answer, category) of 100,000 rows,
about 15 MB, with the awkward parts real files have: quoted commas, doubled quotes, line breaks
inside values, non-ASCII text and emoji. It then reports, for CSV and for the same rows as JSON
and JSON Lines: parse time, peak Python memory while parsing, export time, and the time to compute
content-addressed ids. Time and memory are measured in separate runs because tracing allocations
slows Python down.

    .venv/bin/python bench/testsets_import.py [--rows 100000] [--budget 2.0]

Exits with status 1 if parsing the CSV takes longer than ``--budget`` seconds.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import tracemalloc
import uuid
from collections.abc import Callable
from typing import Any

from agenta.core.testsets.codecs import export_rows, parse_upload, testcase_ids

COUNTRIES = ["France", "Japan", "Brazil", "Côte d'Ivoire", "Österreich", "مصر", "日本", "Perú"]
CATEGORIES = ["geography", "history", "science", "culture"]
WORDS_TEXT = (
    "the of capital river mountain population language currency founded largest city border "
    "ocean climate export ancient empire century museum famous cuisine festival 🌍 «quoted» naïve"
)


def make_rows(count: int, seed: int = 7) -> list[dict[str, str]]:
    """Rows shaped like a real QA test set; about 150 bytes each once written as CSV."""
    rng = random.Random(seed)
    words = WORDS_TEXT.split()
    rows = []
    for index in range(count):
        context = " ".join(rng.choices(words, k=rng.randint(6, 14)))
        if index % 7 == 0:
            context += ',\nsee "notes", page ' + str(index)
        rows.append(
            {
                "country": rng.choice(COUNTRIES),
                "question": f"What is the capital of row {index}, {rng.choice(words)}?",
                "context": context,
                "correct_answer": " ".join(rng.choices(words, k=3)),
                "category": rng.choice(CATEGORIES),
            }
        )
    return rows


def timed(action: Callable[[], Any]) -> tuple[float, Any]:
    """Seconds taken by ``action`` and its result."""
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def peak_memory(action: Callable[[], Any]) -> int:
    """Peak bytes allocated by Python objects while running ``action``."""
    tracemalloc.start()
    try:
        action()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def bench_format(rows: list[dict[str, str]], fmt: str) -> float:
    """Print the figures for one format; return the parse time."""
    columns = list(rows[0])
    export_seconds, chunks = timed(lambda: list(export_rows(rows, columns, fmt)))
    data = b"".join(chunks)
    parse = lambda: parse_upload(data, filename=f"bench.{fmt}", max_bytes=len(data))  # noqa: E731
    parse_seconds, parsed = timed(parse)
    assert len(parsed.rows) == len(rows), "the benchmark file did not round-trip"
    peak = peak_memory(parse)
    print(
        f"{fmt:5}  {len(data) / 1e6:6.1f} MB  parse {parse_seconds:5.2f} s"
        f"  peak {peak / 1e6:6.1f} MB  export {export_seconds:5.2f} s"
        f"  ({len(chunks)} chunks)"
    )
    return parse_seconds


def main() -> int:
    """Run the benchmark; non-zero exit when CSV parsing is over budget."""
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--rows", type=int, default=100_000)
    options.add_argument("--budget", type=float, default=2.0, help="CSV parse budget (s)")
    arguments = options.parse_args()
    rows = make_rows(arguments.rows)
    print(f"{arguments.rows:,} rows x {len(rows[0])} columns")
    csv_seconds = bench_format(rows, "csv")
    for fmt in ("json", "jsonl"):
        bench_format(rows, fmt)
    id_seconds, _ = timed(lambda: testcase_ids(uuid.uuid4(), rows))
    print(f"ids    {id_seconds:5.2f} s for {len(rows):,} rows")
    if csv_seconds > arguments.budget:
        print(f"CSV parse took {csv_seconds:.2f} s, over the {arguments.budget} s budget")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
