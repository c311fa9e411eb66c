"""Cached reads for heavy screens, keyed on the data they count so a write shows up at once.

总览 is cached part by part (db/analytics.OVERVIEW_PARTS), each keyed on the versions of the topics
it counts (db/data_versions.py): a stage move recomputes the people parts, a register edit its
register's part, a note or a look at contacts nothing. Working out the versions is one small query.
"""
from __future__ import annotations

from typing import Any

import streamlit as st

from db import analytics, data_versions
from db.connection import database_path
from db.permissions import User, scope_enclave
from db.sql import Cursor

# What the year picker depends on: years with hires, drives or appointments, and this year.
YEAR_TOPICS = ("people", "campus_drive", "appointment", "today")


def overview(cur: Cursor, user: User, year: int) -> analytics.Overview:
    db = str(database_path().resolve())
    versions = data_versions.current(cur, db)
    scope = ("enclave", scope_enclave(user)) if user.is_recruiter else ("city", None)
    return analytics.assemble({
        name: _overview_part(cur, user, db, scope, year, name, data_versions.key(versions, part.topics))
        for name, part in analytics.OVERVIEW_PARTS.items()
    })


@st.cache_data(ttl=900, max_entries=512, show_spinner="正在统计……")
def _overview_part(_cur: Cursor, _user: User, db: str, scope: tuple, year: int, name: str, version: tuple) -> Any:
    # Keyed by database, scope, year, part and its topics' versions; the cursor and user only carry them out.
    return analytics.OVERVIEW_PARTS[name].compute(_cur, _user, year)


def years(cur: Cursor, user: User) -> tuple[list[int], int]:
    """The years to pick from, newest first, and the one shown first (analytics.years, default_year)."""
    db = str(database_path().resolve())
    return _years(cur, user, db, data_versions.key(data_versions.current(cur, db), YEAR_TOPICS))


@st.cache_data(ttl=900, max_entries=16, show_spinner=False)
def _years(_cur: Cursor, _user: User, db: str, version: tuple) -> tuple[list[int], int]:
    # Not the user's scope: any user who may see the dashboard gets the same years.
    return analytics.year_choices(_cur, _user)


def figures_version(cur: Cursor) -> tuple:
    """What the 分析 screens' cached figures are keyed on: moves on every write that can change a figure
    (db/data_versions.figures), not on logins, looks at contacts, exports or notes."""
    return data_versions.figures(cur, str(database_path().resolve()))
