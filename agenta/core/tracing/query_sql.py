"""Conditions to SQL: one `where` expression per `Condition`, for SQLite and Postgres.

Fields map to the `spans` columns; `duration`, `cost` and `tokens` mean the cumulative
values (a trace's root holds the trace's totals). `attributes` conditions on the metric and
model keys use those columns too; any other key is read from the JSON by path (string
comparisons, numeric ones cast to a number). Text comparisons (`contains`, `startswith`,
`endswith`) ignore case and treat `%` and `_` literally. `references` and `content` are the
two dialect-specific cases: JSONB containment on Postgres, `json_each` on SQLite; and a
LIKE over the lowercased `content` column.

Every function takes the table (or an alias of it) so the same conditions can filter a
subquery.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import String, cast, exists, false, func, literal, not_, or_, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.expression import FromClause

from agenta.core.tracing.query_model import Condition, QueryError

_TIME_FIELDS = frozenset(("start_time", "end_time"))
_NUMBER_FIELDS = frozenset(("duration", "cost", "tokens"))
_TEXT_OPERATORS = frozenset(("contains", "startswith", "endswith"))
_COLUMN_OF_FIELD = {
    "duration": "duration_ms",
    "cost": "cumulative_cost",
    "tokens": "cumulative_tokens",
}
_COLUMN_OF_KEY = {
    "ag.metrics.costs.cumulative.total": "cumulative_cost",
    "ag.metrics.costs.incremental.total": "cost_total",
    "ag.metrics.tokens.cumulative.total": "cumulative_tokens",
    "ag.metrics.tokens.incremental.total": "tokens_total",
    "ag.metrics.tokens.incremental.prompt": "tokens_prompt",
    "ag.metrics.tokens.incremental.completion": "tokens_completion",
    "ag.metrics.duration.cumulative": "cumulative_duration_ms",
    "ag.metrics.errors.cumulative": "cumulative_errors",
    "ag.meta.response.model": "model",
    "ag.type.span": "span_type",
    "ag.type.trace": "trace_type",
    "ag.session.id": "session_id",
    "ag.user.id": "user_id",
}
_NUMERIC_COLUMNS = frozenset(
    (
        "duration_ms",
        "cumulative_cost",
        "cost_total",
        "cumulative_tokens",
        "tokens_total",
        "tokens_prompt",
        "tokens_completion",
        "cumulative_duration_ms",
        "cumulative_errors",
    )
)


_TRACE_LEVEL_FIELDS = frozenset(
    ("trace_id", "trace_type", "session_id", "user_id", "agent_id", *_TIME_FIELDS, *_NUMBER_FIELDS)
)
_TRACE_LEVEL_COLUMNS = frozenset(
    (
        "cumulative_cost",
        "cumulative_tokens",
        "cumulative_duration_ms",
        "cumulative_errors",
        "session_id",
        "user_id",
        "trace_type",
    )
)


def is_trace_level(condition: Condition) -> bool:
    """Whether the condition describes a whole trace (and so is checked on its root)."""
    if condition.field == "attributes":
        return _COLUMN_OF_KEY.get(condition.key or "") in _TRACE_LEVEL_COLUMNS
    return condition.field in _TRACE_LEVEL_FIELDS


def conditions_sql(
    conditions: tuple[Condition, ...], table: FromClause, dialect: str
) -> list[ColumnElement[bool]]:
    """The `where` clauses for all conditions (they are to be AND-ed)."""
    return [condition_sql(condition, table, dialect) for condition in conditions]


def condition_sql(condition: Condition, table: FromClause, dialect: str) -> ColumnElement[bool]:
    """One condition as a boolean SQL expression over `table`."""
    if condition.field == "references":
        return _references(condition, table, dialect)
    if condition.field == "content":
        return _content(condition, table)
    if condition.field == "attributes":
        return _attribute(condition, table)
    column_name = _COLUMN_OF_FIELD.get(condition.field, condition.field)
    value = _coerce(condition, column_name)
    return compare(table.c[column_name], condition.operator, value, condition.field)


def compare(column: Any, operator: str, value: Any, name: str) -> ColumnElement[bool]:
    """`column <operator> value` for the comparison operators of the DSL."""
    if operator in ("exists", "not_exists"):
        return column.is_not(None) if operator == "exists" else column.is_(None)
    if operator in _TEXT_OPERATORS:
        text = _text(value, name, operator).lower()
        method = getattr(func.lower(cast(column, String)), operator)
        return method(text, autoescape=True)  # type: ignore[no-any-return]
    builder = _COMPARISONS.get(operator)
    if builder is None:
        raise QueryError(f"operator {operator!r} cannot be used with {name}")
    return builder(column, value, name)


def _in(column: Any, value: Any, name: str) -> ColumnElement[bool]:
    return column.in_(_list(value, name)) if _list(value, name) else false()


def _not_in(column: Any, value: Any, name: str) -> ColumnElement[bool]:
    items = _list(value, name)
    return or_(column.not_in(items), column.is_(None)) if items else not_(false())


def _between(column: Any, value: Any, name: str) -> ColumnElement[bool]:
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise QueryError(f"btwn on {name} needs a [low, high] pair")
    return column.between(value[0], value[1])  # type: ignore[no-any-return]


_COMPARISONS: dict[str, Callable[[Any, Any, str], ColumnElement[bool]]] = {
    "is": lambda column, value, _: column.is_(None) if value is None else column == value,
    "eq": lambda column, value, _: column == value,
    "is_not": lambda column, value, _: or_(column != value, column.is_(None)),
    "neq": lambda column, value, _: or_(column != value, column.is_(None)),
    "gt": lambda column, value, _: column > value,
    "gte": lambda column, value, _: column >= value,
    "lt": lambda column, value, _: column < value,
    "lte": lambda column, value, _: column <= value,
    "btwn": _between,
    "in": _in,
    "not_in": _not_in,
}


def _attribute(condition: Condition, table: FromClause) -> ColumnElement[bool]:
    key = condition.key or ""
    column_name = _COLUMN_OF_KEY.get(key)
    if column_name is not None:
        value = _coerce(condition, column_name)
        return compare(table.c[column_name], condition.operator, value, key)
    path = tuple(part for part in key.split(".") if part)
    if not path:
        raise QueryError("an attributes condition needs a non-empty dotted key")
    element = table.c.attributes[path]
    numeric = condition.operator in ("gt", "gte", "lt", "lte", "btwn")
    column = element.as_float() if numeric else element.as_string()
    value = condition.value
    if numeric:
        value = _numbers(value, key)
    elif condition.operator in ("is", "eq", "is_not", "neq") and value is not None:
        value = str(value).lower() if isinstance(value, bool) else str(value)
    return compare(column, condition.operator, value, key)


def _content(condition: Condition, table: FromClause) -> ColumnElement[bool]:
    if condition.operator not in ("contains", "is", "eq"):
        raise QueryError("content (text search) supports the contains operator only")
    text = _text(condition.value, "content", "contains").strip().lower()
    if not text:
        raise QueryError("content search needs some text")
    return table.c.content.contains(text, autoescape=True)  # type: ignore[no-any-return]


def _references(condition: Condition, table: FromClause, dialect: str) -> ColumnElement[bool]:
    wanted = _list(condition.value, "references")
    matches = [_reference_match(table, item["key"], item["value"], dialect) for item in wanted]
    any_match = or_(*matches) if matches else false()
    if condition.operator in ("in", "is", "eq", "has"):
        return any_match
    if condition.operator in ("not_in", "is_not", "neq", "has_not"):
        return not_(any_match)
    raise QueryError(f"operator {condition.operator!r} cannot be used with references")


def _reference_match(table: FromClause, key: str, value: str, dialect: str) -> ColumnElement[bool]:
    column = table.c.references
    if dialect == "postgresql":
        by_slug = [{"attributes": {"key": key}, "slug": value}]
        by_id = [{"attributes": {"key": key}, "id": value}]
        return or_(
            cast(column, JSONB).op("@>")(cast(literal(by_slug, JSONB), JSONB)),
            cast(column, JSONB).op("@>")(cast(literal(by_id, JSONB), JSONB)),
        )
    items = func.json_each(column).table_valued("value").alias()
    item = items.c.value
    return exists(
        select(literal(1))
        .select_from(items)
        .where(
            func.json_extract(item, "$.attributes.key") == key,
            or_(
                func.json_extract(item, "$.slug") == value, func.json_extract(item, "$.id") == value
            ),
        )
    )


def _coerce(condition: Condition, column_name: str) -> Any:
    value = condition.value
    if condition.operator in ("exists", "not_exists"):
        return None
    if condition.field in _TIME_FIELDS:
        return _times(value, condition.field)
    if column_name in _NUMERIC_COLUMNS and condition.operator not in _TEXT_OPERATORS:
        return _numbers(
            value, condition.field if condition.field != "attributes" else condition.key
        )
    return value


def _times(value: Any, name: str) -> Any:
    if isinstance(value, list | tuple):
        return [_times(item, name) for item in value]
    if isinstance(value, datetime):
        return value
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError as error:
        raise QueryError(f"{name} needs ISO 8601 times, got {value!r}") from error
    if parsed.tzinfo is None:
        raise QueryError(f"{name} needs times with a time zone, got {value!r}")
    return parsed


def _numbers(value: Any, name: str | None) -> Any:
    if isinstance(value, list | tuple):
        return [_numbers(item, name) for item in value]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise QueryError(f"{name} compares with numbers, got {value!r}")
    return value


def _text(value: Any, name: str, operator: str) -> str:
    if not isinstance(value, str):
        raise QueryError(f"{operator} on {name} needs text, got {value!r}")
    return value


def _list(value: Any, name: str) -> list[Any]:
    if not isinstance(value, list | tuple):
        raise QueryError(f"in/not_in on {name} needs a list of values")
    return list(value)
