"""Engine-specific SQL behind small helpers, so a PostgreSQL backend is an addition, not a rewrite."""
from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

import duckdb
import polars as pl

Cursor = duckdb.DuckDBPyConnection
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


def next_id(cur: Cursor, sequence: str) -> int:
    """One new id from `sequence` (a name from our own migrations, never user text)."""
    return int(cur.execute(f"select nextval('{_identifier(sequence)}')").fetchall()[0][0])


def reserve_ids(cur: Cursor, sequence: str, n: int) -> pl.Series:
    """`n` new ids from `sequence`, for bulk inserts whose children need the parent ids up front."""
    if n == 0:
        return pl.Series("id", [], dtype=pl.Int64)
    frame = cur.sql(f"select nextval('{_identifier(sequence)}') as id from range($n)", params={"n": n}).pl()
    # Sorted here, not by ORDER BY (DuckDB 2.0 may evaluate the volatile nextval after sorting):
    # callers pair ids with rows positionally, and the demo must be reproducible for a seed.
    return frame["id"].cast(pl.Int64).sort()


def bind(query: str, params: dict[str, Any] | None) -> dict[str, Any]:
    """The subset of `params` the query names as `$name` (DuckDB rejects unused parameters), so
    several queries can share one dict of filters."""
    if not params:
        return {}
    used = set(_PARAM.findall(query))
    return {k: v for k, v in params.items() if k in used}


def scalar(cur: Cursor, query: str, params: dict[str, Any] | None = None) -> Any:
    """The single value of a one-row, one-column query (fully fetched, so the cursor is free again)."""
    found = cur.execute(query, bind(query, params)).fetchall()
    return found[0][0] if found else None


def rows(cur: Cursor, query: str, params: dict[str, Any] | None = None) -> list[tuple]:
    return cur.execute(query, bind(query, params)).fetchall()


def frame(cur: Cursor, query: str, params: dict[str, Any] | None = None) -> pl.DataFrame:
    return cur.sql(query, params=bind(query, params)).pl()


def contains(column: str, param: str) -> str:
    """SQL true when `column` holds the bound text `param` literally: no LIKE wildcards, so a user's
    '%' or '_' is just a character. (PostgreSQL: `strpos(column, param) > 0`.)"""
    return f"contains({column}, {param})"


def year_bounds(year: int) -> dict[str, date]:
    """Half-open [start, end) bounds of a calendar year, as bind parameters."""
    return {"start": date(year, 1, 1), "end": date(year + 1, 1, 1)}


def to_json(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)


def _identifier(name: str) -> str:
    if not name.replace("_", "").isalnum():
        raise ValueError(f"not an identifier: {name!r}")
    return name
