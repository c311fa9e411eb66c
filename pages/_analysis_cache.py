"""Cached reads of the 留平 and 目标进度 screens, keyed on the data version (a write shows up at once) and
on what the figures depend on: the database, the day, and the user's role and enclave (their scope and
which contacts they see) — never on the session, so every user of one scope shares them."""
from __future__ import annotations

import polars as pl
import streamlit as st

from db import clock
from db import retention_figures as rf
from db import target_progress as tp
from db.connection import database_path
from db.permissions import User
from db.sql import Cursor
from pages import _cache


def _key(cur: Cursor, user: User) -> tuple:
    return (str(database_path().resolve()), user.role, user.enclave_id, clock.today(), _cache.figures_version(cur))


def retention(cur: Cursor, user: User, year: int, by: str) -> pl.DataFrame:
    return _retention(cur, user, _key(cur, user), year, by)


def retention_people(cur: Cursor, user: User, year: int, **options: object) -> rf.PeoplePage:
    return _people(cur, user, _key(cur, user), year, tuple(sorted(options.items())))


def progress(cur: Cursor, user: User, year: int) -> pl.DataFrame:
    return _progress(cur, user, _key(cur, user), year)


@st.cache_data(ttl=900, max_entries=64, show_spinner="正在统计……")
def _retention(_cur: Cursor, _user: User, key: tuple, year: int, by: str) -> pl.DataFrame:
    return rf.figures(_cur, _user, year, by=by, today=key[3])


@st.cache_data(ttl=900, max_entries=256, show_spinner=False)
def _people(_cur: Cursor, _user: User, key: tuple, year: int, options: tuple) -> rf.PeoplePage:
    return rf.people(_cur, _user, year, today=key[3], **dict(options))


@st.cache_data(ttl=900, max_entries=64, show_spinner="正在统计……")
def _progress(_cur: Cursor, _user: User, key: tuple, year: int) -> pl.DataFrame:
    return tp.progress(_cur, _user, year, today=key[3])


__all__ = ["retention", "retention_people", "progress"]
