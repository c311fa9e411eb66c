"""Rejected rows as files HR can download, fix and import again: CSV (UTF-8 with BOM, opens in Excel) or .xlsx.

Cells are user text: any that Excel would run as a formula (= + - @ tab CR) gets a leading apostrophe.
"""
from __future__ import annotations

import io

import polars as pl

from db.cells import FORMULA_START


def rejects_table(rejects: pl.DataFrame) -> pl.DataFrame:
    """行号, 拒绝原因, then the row's own columns as they were in the file (national IDs never among them)."""
    base = rejects.select(pl.col("row_number").alias("行号"), pl.col("reasons").alias("拒绝原因"))
    if rejects.height == 0:
        return base
    cells = rejects["row_json"].str.json_decode(infer_schema_length=None)
    if cells.dtype == pl.Struct:
        unpacked = cells.struct.unnest()
        clash = [c for c in unpacked.columns if c in base.columns]
        unpacked = unpacked.rename({c: f"{c}（原表）" for c in clash})
        base = pl.concat([base, unpacked.select(pl.all().cast(pl.String))], how="horizontal")
    return base


def safe_cells(table: pl.DataFrame) -> pl.DataFrame:
    """Neutralise formula-like text so a spreadsheet shows it instead of running it."""
    text = [c for c, t in table.schema.items() if t == pl.String]
    return table.with_columns(_escape(pl.col(c)).alias(c) for c in text)


def _escape(col: pl.Expr) -> pl.Expr:
    risky = pl.any_horizontal(col.str.starts_with(p) for p in FORMULA_START)
    return pl.when(risky).then(pl.lit("'") + col).otherwise(col)


def to_csv(table: pl.DataFrame) -> bytes:
    return "\ufeff".encode() + safe_cells(table).write_csv().encode("utf-8")


def to_xlsx(table: pl.DataFrame, *, sheet: str = "拒绝的行") -> bytes:
    buffer = io.BytesIO()
    safe_cells(table).write_excel(buffer, worksheet=sheet, autofit=True)
    return buffer.getvalue()
