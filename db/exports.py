"""Every file that leaves the app passes here: contacts masked unless an unmasked export is allowed,
Chinese headers, and one audit entry saying who exported what, under which filter, how many rows,
masked or not. (Formula escaping happens when the file is written: loaders/import_export.py.)"""
from __future__ import annotations

from typing import Any

import polars as pl

from db import audit
from db.connection import run_in_transaction
from db.contacts import mask_email, mask_mobile
from db.permissions import Action, User, require
from db.sql import Cursor

CONTACT_COLUMNS = {"mobile": mask_mobile, "email": mask_email}


def prepare(cur: Cursor, actor: User, rows: pl.DataFrame, *, what: str, headers: dict[str, str] | None,
            filters: dict[str, Any] | str | None = None, unmasked: bool = False) -> pl.DataFrame:
    """`rows` as the exported table: the `headers` columns in that order, renamed to their Chinese
    names (None: the columns as they are, already named for people). Contacts are masked in every row — also those the actor may see on screen — unless
    `unmasked` (managers, HR and admins only). The export is audited before it is handed out."""
    if unmasked:
        require(actor, Action.EXPORT_UNMASKED)
    else:
        rows = mask_contacts(rows)
    table = rows if headers is None else rows.select([pl.col(column).alias(label) for column, label in headers.items()])
    detail = (f"导出{what}：{table.height:,} 行，{'含完整联系方式' if unmasked else '联系方式已脱敏'}；"
              f"筛选条件：{describe(filters)}")
    run_in_transaction(cur, lambda c: audit.record(
        c, actor, "export", entity=what, detail=detail,
        after={"rows": table.height, "masked": not unmasked, "filters": filters or {}}))
    return table


def mask_contacts(rows: pl.DataFrame) -> pl.DataFrame:
    """Every mobile and e-mail column masked, whoever's they are."""
    return rows.with_columns(
        pl.col(column).map_elements(lambda v, mask=mask: v if "*" in v else mask(v), return_dtype=pl.String)
        for column, mask in CONTACT_COLUMNS.items() if column in rows.columns
    )


def describe(filters: dict[str, Any] | str | None) -> str:
    if not filters:
        return "无"
    if isinstance(filters, str):
        return filters
    return "；".join(f"{key}={value}" for key, value in filters.items() if value not in (None, "", ()))  or "无"
