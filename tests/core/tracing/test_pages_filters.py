"""The explorer's filter state: read from the URL, turned into queries, written back to links."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from agenta.core.tracing.pages_filters import TraceFilters
from agenta.core.tracing.query_model import Condition, Cursor, QueryError

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def test_the_filters_of_the_url_become_query_conditions() -> None:
    filters = TraceFilters.from_params(
        {"status": "error", "application": "geo-qa", "min_cost": "0.01", "max_tokens": "500"}
    )

    conditions = filters.query(NOW).conditions

    assert sorted(conditions, key=repr) == sorted(
        [
            Condition("status_code", "is", "STATUS_CODE_ERROR"),
            Condition("references", "in", [{"key": "application", "value": "geo-qa"}]),
            Condition("cost", "gte", 0.01),
            Condition("tokens", "lte", 500),
            Condition("trace_type", "is", "invocation"),
        ],
        key=repr,
    )


def test_trace_type_all_drops_the_default_invocation_condition() -> None:
    conditions = TraceFilters.from_params({"trace_type": "all"}).query(NOW).conditions

    assert conditions == ()


def test_a_range_preset_ends_now_and_explicit_times_win_over_it() -> None:
    preset = TraceFilters.from_params({"range": "24h"}).query(NOW)
    explicit = TraceFilters.from_params(
        {"range": "24h", "since": "2026-01-01T09:30", "until": "2026-01-02T00:00:00Z"}
    ).query(NOW)

    assert (preset.oldest, preset.newest) == (NOW - timedelta(hours=24), None)
    assert explicit.oldest == datetime(2026, 1, 1, 9, 30, tzinfo=UTC)
    assert explicit.newest == datetime(2026, 1, 2, tzinfo=UTC)


def test_order_limit_and_cursor_come_from_the_url() -> None:
    cursor = Cursor("2026-01-01T00:00:00+00:00", "a" * 32, "b" * 16).encode()

    query = TraceFilters.from_params(
        {"sort": "cost", "order": "asc", "limit": "10", "next": cursor}
    ).query(NOW)

    assert (query.sort, query.descending, query.limit) == ("cost", False, 10)
    assert query.cursor == Cursor.decode(cursor)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"min_cost": "cheap"}, "min_cost must be a number, got 'cheap'"),
        ({"max_tokens": "1.5"}, "max_tokens must be a whole number"),
        ({"min_latency_ms": "-3"}, "min_latency_ms cannot be negative"),
        ({"status": "broken"}, "status must be one of error, ok, unset"),
        ({"range": "3w"}, "range must be one of"),
        ({"since": "yesterday"}, "since must be a date and time"),
        ({"since": "2026-01-02T00:00", "until": "2026-01-01T00:00"}, "since must be before until"),
        ({"sort": "name"}, "sort must be one of"),
        ({"limit": "5000"}, "limit must be a whole number from 1 to 1000"),
        ({"next": "not-a-cursor!"}, "windowing.next is not a cursor"),
        ({"trace_type": "span"}, "trace_type must be one of invocation, annotation, all"),
    ],
)
def test_an_unusable_value_is_refused_naming_the_parameter(
    params: dict[str, str], message: str
) -> None:
    with pytest.raises(QueryError, match=message):
        TraceFilters.from_params(params).query(NOW)


def test_links_carry_the_state_and_can_change_or_drop_parts_of_it() -> None:
    filters = TraceFilters.from_params(
        {"search": "paris & co", "status": "error", "next": "abc", "unknown": "ignored"}
    )

    assert filters.url("/t") == "/t?search=paris+%26+co&status=error&next=abc"
    assert filters.url("/t", without=("next",), status="") == "/t?search=paris+%26+co"
    assert filters.url("/e", without=("next",), extra={"format": "csv"}).endswith("&format=csv")
    assert TraceFilters().url("/t") == "/t"


def test_only_real_filters_count_as_filtering() -> None:
    assert not TraceFilters.from_params({"range": "1h", "sort": "cost", "next": "x"}).is_filtered
    assert TraceFilters.from_params({"model": "gpt-4o"}).is_filtered


def test_defaults_fill_parameters_the_url_leaves_out() -> None:
    assert TraceFilters.from_params({}, range="24h").range == "24h"
    assert TraceFilters.from_params({"range": "7d"}, range="24h").range == "7d"
