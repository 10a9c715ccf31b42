"""Inserting many rows on Postgres as one constant statement over column arrays.

SQLAlchemy sends many rows as a multi-row ``VALUES`` whose text grows with the number of rows;
psycopg converts every such statement's placeholders anew in Python (it caches only short
statements), which costs a busy writer more CPU than Postgres spends storing the rows. Here
each column travels as one array parameter instead::

    INSERT INTO t (a, b) SELECT * FROM unnest(CAST(:a AS INTEGER[]), CAST(:b AS JSONB[])) ...

so the statement text never changes: converted once, and prepared by the server after a few
uses. Values go through each column type's own bind processing first (JSON serialised the same
way, time zones checked), so rows are stored exactly as a plain ``INSERT`` would store them.
Rows must give every column; only Postgres has ``unnest`` of several arrays.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, TextClause, text
from sqlalchemy.engine import Dialect, Result
from sqlalchemy.ext.asyncio import AsyncSession


@dataclass(frozen=True)
class _Column:
    name: str
    process: Callable[[Any], Any] | None


@dataclass(frozen=True)
class _Statement:
    clause: TextClause
    columns: tuple[_Column, ...]


async def insert_arrays(
    session: AsyncSession, table: Table, rows: Sequence[dict[str, Any]], suffix: str = ""
) -> Result[Any]:
    """Insert ``rows`` (each with every column of ``table``) as one statement on Postgres.

    ``suffix`` is appended as SQL, e.g. ``ON CONFLICT (...) DO NOTHING RETURNING id``.
    """
    statement = _statement(session.bind.dialect, table, suffix)
    arrays = {
        column.name: [
            row[column.name] if column.process is None else column.process(row[column.name])
            for row in rows
        ]
        for column in statement.columns
    }
    return await session.execute(statement.clause, arrays)


@functools.cache
def _statement(dialect: Dialect, table: Table, suffix: str) -> _Statement:
    if dialect.name != "postgresql":
        raise ValueError(f"insert_arrays needs Postgres, not {dialect.name}")
    quote = dialect.identifier_preparer.quote
    names = ", ".join(quote(column.name) for column in table.columns)
    # The dialect's own form of each type, as SQLAlchemy uses it for a plain INSERT.
    types = [column.type.dialect_impl(dialect) for column in table.columns]
    arrays = ", ".join(
        f"CAST(:{column.name} AS {column_type.compile(dialect=dialect)}[])"
        for column, column_type in zip(table.columns, types, strict=True)
    )
    sql = f"INSERT INTO {quote(table.name)} ({names}) SELECT * FROM unnest({arrays}) {suffix}"
    columns = tuple(
        _Column(column.name, column_type.bind_processor(dialect))
        for column, column_type in zip(table.columns, types, strict=True)
    )
    return _Statement(text(sql), columns)
