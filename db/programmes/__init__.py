"""The programme registers (one module each: enclaves, employers with positions, agreements, drives,
co_supervision, appointments, declarations, targets; register.py is the pattern they share) and the
lookups screens use for pickers and for naming a user's scope."""
from __future__ import annotations

import polars as pl

from db.permissions import User, scope_enclave
from db.sql import Cursor, frame, rows

CITY = "全市"


def list_enclaves(cur: Cursor, *, active_only: bool = True) -> pl.DataFrame:
    return frame(
        cur,
        "select id, code, name, city, province, host_organisation, opened_on, active from enclave"
        " where active or not $active_only order by code",
        {"active_only": active_only},
    )


def enclave_name(cur: Cursor, enclave_id: int | None) -> str:
    if enclave_id is None:
        return CITY
    found = rows(cur, "select name from enclave where id = $id", {"id": enclave_id})
    return found[0][0] if found else f"飞地 #{enclave_id}"


def scope_name(cur: Cursor, user: User) -> str:
    """What a user's dashboards cover: 全市, or their enclave's name."""
    return enclave_name(cur, scope_enclave(user))


def list_drives(cur: Cursor) -> pl.DataFrame:
    """Campus drives for pickers, newest first (cancelled ones included, marked by status)."""
    return frame(cur, "select d.id, d.title, d.held_on, d.status, u.name as university from campus_drive d"
                      " join university u on u.id = d.university_id order by d.held_on desc, d.id desc")


def list_agreements(cur: Cursor) -> pl.DataFrame:
    return frame(cur, "select a.id, coalesce(a.title, u.name || a.kind) as title, a.kind, u.name as university"
                      " from agreement a join university u on u.id = a.university_id order by u.name, a.kind")


def list_employers(cur: Cursor) -> pl.DataFrame:
    return frame(cur, "select id, name, industry from employer order by name")
