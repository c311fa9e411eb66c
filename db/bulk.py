"""Bulk writes of polars frames — one statement per table, never row by row (DuckDB is columnar).

Callers (the demo generator, the importer) check permissions and run these inside their own
transaction; the column lists here are the contract for the frames they pass.
"""
from __future__ import annotations

import polars as pl

from db.sql import Cursor

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
        "created_by", "created_at", "updated_at",
    ),
    "stage_event": ("application_id", "candidate_id", "from_stage", "to_stage", "occurred_at", "actor", "note"),
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
    columns = COLUMNS[table]
    for name in columns:
        if name not in df.columns:
            df = df.with_columns(pl.lit(None).alias(name))
    frame = df.select(columns)
    select = ", ".join(columns)
    if table in SEQUENCE_FILLED:
        target = f"id, {select}"
        select = f"nextval('{SEQUENCE_FILLED[table]}'), {select}"
    else:
        target = select
    cur.register("bulk_frame", frame)
    try:
        cur.execute(f"insert into {table} ({target}) select {select} from bulk_frame")
    finally:
        cur.unregister("bulk_frame")
    return frame.height


def insert_contact_keys(cur: Cursor, candidates: pl.DataFrame) -> None:
    """Claim each candidate's mobile and e-mail in contact_key (the uniqueness guard)."""
    keys = pl.concat([
        candidates.filter(pl.col(column).is_not_null()).select(
            (prefix + pl.col(column)).alias("contact"), pl.col("id").alias("candidate_id"))
        for prefix, column in (("m:", "mobile"), ("e:", "email")) if column in candidates.columns
    ])
    cur.register("bulk_keys", keys)
    try:
        cur.execute("insert into contact_key (contact, candidate_id) select contact, candidate_id from bulk_keys")
    finally:
        cur.unregister("bulk_keys")
