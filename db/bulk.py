"""Bulk writes of polars frames — one statement per table, never row by row (DuckDB is columnar).

Callers (the demo generator, the importer) check permissions and run these inside their own
transaction; the column lists here are the contract for the frames they pass.

Frames cross between polars and DuckDB through the Arrow PyCapsule interface (`registered`, `frame`):
DuckDB's own polars conversions go through pyarrow, whose import alone costs a command-line import
a quarter of a second.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from db.contact_keys import KINDS, key_sql, require_claim
from db.sql import Cursor, bind

COLUMNS: dict[str, tuple[str, ...]] = {
    "candidate": (
        "id", "name", "name_pinyin", "name_initials", "gender", "birth_year", "mobile", "email", "university_id",
        "university_raw", "college", "major", "degree", "graduation_year", "graduation_month", "talent_category",
        "talent_category_manual", "channel", "source_enclave_id", "source_drive_id", "source_agreement_id",
        "enclave_id", "owner_id", "consent_at", "consent_method", "consent_purpose", "next_follow_up_on", "import_batch_id",
        "created_by", "created_at", "updated_by", "updated_at",
    ),
    "candidate_tag": ("candidate_id", "tag"),
    "application": (
        "id", "candidate_id", "employer_id", "position_id", "drive_id", "stage", "lost_reason", "import_batch_id",
        "created_by", "created_at", "updated_at", "lost_code",
    ),
    # talent_category: the person's category on a move to `arrived` (the hire counts under it), else null.
    "stage_event": ("application_id", "candidate_id", "from_stage", "to_stage", "occurred_at", "actor", "note",
                    "talent_category"),
    "retention_check": ("application_id", "months", "checked_on", "still_employed", "still_in_pinghu", "note",
                        "checked_by"),
    "activity": ("candidate_id", "kind", "occurred_on", "body", "follow_up_on", "created_by", "created_at"),
    # The import trail (db/imports.py): one row per imported row, filled field, warning, rejected row.
    "import_row": ("batch_id", "row_number", "outcome", "candidate_id"),
    "import_fill": ("batch_id", "candidate_id", "field", "value"),
    "import_warning": ("batch_id", "row_number", "field", "message"),
    "import_reject": ("batch_id", "row_number", "reasons", "row_json"),
}
# Tables whose ids the caller does not need back: filled from their sequence in the INSERT itself.
SEQUENCE_FILLED = {"stage_event": "seq_stage_event", "retention_check": "seq_retention_check",
                   "activity": "seq_activity", "import_reject": "seq_import_reject"}


def insert(cur: Cursor, table: str, df: pl.DataFrame) -> int:
    """Insert the frame's contract columns (missing optional ones as NULL); returns rows written."""
    if df.height == 0:
        return 0
    data = _contract(table, df)
    with registered(cur, "bulk_frame", data):
        cur.execute(_insert_sql(table, "bulk_frame")).fetchall()
    return data.height


def write_part(path: Path, table: str, df: pl.DataFrame) -> tuple[str, ...]:
    """The frame's contract columns that it has, as a Parquet file for `insert_parts`; returns them.
    (Columns it lacks are left out rather than written as nulls: the INSERT leaves them NULL.)"""
    columns = tuple(c for c in COLUMNS[table] if c in df.columns)
    df.select(columns).with_columns(pl.col(pl.Null).cast(pl.String)).write_parquet(
        path, compression="uncompressed", statistics=False)
    return columns


def insert_parts(cur: Cursor, table: str, paths: list[Path], columns: tuple[str, ...]) -> None:
    """Every file written by `write_part` for `table` (all with `columns`), in one INSERT.

    One large insert is written straight to disk in full row groups; several in one transaction each
    leave a partial row group that the checkpoint has to merge, which costs about as much again.
    """
    if paths:
        cur.execute(_insert_sql(table, "read_parquet($files)", columns), {"files": [str(p) for p in paths]}).fetchall()


class Deferred:
    """Rows bound for tables, gathered frame by frame and inserted with one statement per table: in
    memory, or as Parquet files in `folder` so that a large import's rows never sit in memory together.
    `constants` fill the contract columns the frames leave out (an import's batch_id)."""

    def __init__(self, folder: Path | None, constants: dict[str, object] | None = None) -> None:
        self._folder = folder
        self._constants = constants or {}
        self._frames: dict[str, list[pl.DataFrame]] = {}
        self._files: dict[str, list[Path]] = {}
        self._columns: dict[str, tuple[str, ...]] = {}

    def add(self, table: str, df: pl.DataFrame) -> int:
        """Keep `df` for `table`; returns its rows."""
        if df.height == 0:
            return 0
        df = df.with_columns(pl.lit(v).alias(k) for k, v in self._constants.items()
                             if k in COLUMNS[table] and k not in df.columns)
        if self._folder is None:
            self._frames.setdefault(table, []).append(df)
            return df.height
        files = self._files.setdefault(table, [])
        path = self._folder / f"{table}-{len(files):05d}.parquet"
        columns = write_part(path, table, df)
        if self._columns.setdefault(table, columns) != columns:
            raise ValueError(f"{table}: parts with different columns {columns} / {self._columns[table]}")
        files.append(path)
        return df.height

    def insert(self, cur: Cursor, table: str) -> None:
        """Everything kept for `table`, in one INSERT."""
        if frames := self._frames.pop(table, []):
            insert(cur, table, pl.concat(frames, how="diagonal_relaxed"))
        if files := self._files.pop(table, []):
            insert_parts(cur, table, files, self._columns[table])


def _contract(table: str, df: pl.DataFrame) -> pl.DataFrame:
    """The table's contract columns in order; missing ones, and all-null ones, as text NULLs (cast on insert)."""
    missing = [pl.lit(None, dtype=pl.String).alias(name) for name in COLUMNS[table] if name not in df.columns]
    return df.with_columns(missing).select(COLUMNS[table]).with_columns(pl.col(pl.Null).cast(pl.String))


def _insert_sql(table: str, source: str, columns: tuple[str, ...] | None = None) -> str:
    select = ", ".join(columns or COLUMNS[table])
    if table in SEQUENCE_FILLED:
        return f"insert into {table} (id, {select}) select nextval('{SEQUENCE_FILLED[table]}'), {select} from {source}"
    return f"insert into {table} ({select}) select {select} from {source}"


def insert_contact_keys(cur: Cursor, candidates: pl.DataFrame) -> None:
    """Claim each candidate's mobile and e-mail in contact_key (the uniqueness guard, db/contact_keys.py).

    `candidates` has id and mobile and/or email; the caller's transaction claims keys and has checked
    that no live candidate holds them. Stored in key order.
    """
    require_claim()
    parts = [f"select {key_sql(kind, column)} as key, id as candidate_id from bulk_keys where {column} is not null"
             for column, kind in KINDS.items() if column in candidates.columns]
    if not parts or candidates.height == 0:
        return
    with registered(cur, "bulk_keys", candidates.select("id", *(c for c in KINDS if c in candidates.columns))):
        cur.execute(f"insert into contact_key (key, candidate_id) select key, candidate_id"
                    f" from ({' union all '.join(parts)}) order by key").fetchall()


class _ArrowStream:
    """A polars frame as an Arrow C stream, so DuckDB scans it without pyarrow."""

    def __init__(self, df: pl.DataFrame) -> None:
        # An all-null column (dtype Null) crosses as Arrow's null type, which DuckDB rejects; as
        # text it is cast to whatever the target column is.
        self._df = df.with_columns(pl.col(pl.Null).cast(pl.String))

    def __arrow_c_stream__(self, requested_schema: object = None) -> object:
        return self._df.__arrow_c_stream__(requested_schema)


@contextmanager
def registered(cur: Cursor, name: str, df: pl.DataFrame) -> Iterator[None]:
    """`df` visible to SQL on `cur` as view `name` for the duration of the block."""
    cur.register(name, _ArrowStream(df))
    try:
        yield
    except BaseException:
        with suppress(duckdb.Error):     # an aborted transaction refuses this too: keep the first error
            cur.unregister(name)
        raise
    cur.unregister(name)


def frame(cur: Cursor, query: str, params: dict[str, Any] | None = None) -> pl.DataFrame:
    """A query's result as a polars frame (db.sql.frame without pyarrow)."""
    return pl.DataFrame(cur.sql(query, params=bind(query, params)))


def reserve_ids(cur: Cursor, sequence: str, n: int) -> pl.Series:
    """`n` new ids from `sequence` (one of our own names), ascending, for rows inserted with their ids."""
    if n == 0:
        return pl.Series("id", [], dtype=pl.Int64)
    if not sequence.replace("_", "").isalnum():
        raise ValueError(f"not a sequence name: {sequence!r}")
    found = frame(cur, f"select nextval('{sequence}') as id from range($n)", {"n": n})
    # Sorted here, not by ORDER BY (DuckDB may evaluate the volatile nextval after sorting).
    return found["id"].cast(pl.Int64).sort()
