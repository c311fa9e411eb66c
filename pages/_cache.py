"""Cached reads for heavy screens, keyed on the data version so a write shows up at once."""
from __future__ import annotations

import streamlit as st

from db import analytics
from db.connection import database_path
from db.permissions import User, scope_enclave
from db.sql import Cursor


def overview(cur: Cursor, user: User, year: int) -> analytics.Overview:
    scope = ("enclave", scope_enclave(user)) if user.is_recruiter else ("city", None)
    return _overview(cur, user, str(database_path().resolve()), scope, year, analytics.data_version(cur))


@st.cache_data(ttl=900, max_entries=64, show_spinner="正在统计……")
def _overview(_cur: Cursor, _user: User, db: str, scope: tuple, year: int, version: tuple) -> analytics.Overview:
    # Keyed by database, scope, year and data version; the cursor and user only carry them out.
    return analytics.overview(_cur, _user, year)
