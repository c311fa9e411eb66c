"""What the 分析 screens share: the period and year pickers, the slice filters, cached counts keyed on
the data version (a write shows at once; a rerun without one reads the cache), and the drill-down."""
from __future__ import annotations

from datetime import date

import polars as pl
import streamlit as st

from db import analytics, funnels, sources
from db.connection import database_path
from db.permissions import User, scope_enclave
from db.sql import Cursor
from pages import _cache
from pages._text import md
from pages._widgets import table

SLICE_DIMENSIONS = tuple(funnels.DIMENSIONS)
PEOPLE_COLUMNS = {"id": "编号", "name": "姓名", "mobile": "手机", "email": "邮箱", "enclave": "飞地",
                  "university": "学校", "degree": "学历", "category": "人才类别", "channel": "来源渠道"}
CROSSING_RULE = ("口径：在所选期间内跨过该阶段的人数（按阶段变更的生效日期；一次推进计入其跨过的各阶段（不含出发阶段），"
                 "新建投递计入其首个阶段及之前各阶段；退回与未通过/放弃不计）；一人每阶段每组只计一次；"
                 "已合并的重复记录计入保留的记录，按申请删除的人员仍计入。")


def _scope(user: User) -> tuple:
    return ("enclave", scope_enclave(user)) if user.is_recruiter else ("city", None)


def _key(cur: Cursor, user: User) -> tuple:
    return str(database_path().resolve()), _scope(user), _cache.figures_version(cur)


def crossings(cur: Cursor, user: User, where: funnels.Slice, by: str | None) -> pl.DataFrame:
    return _crossings(cur, user, _key(cur, user), where, by)


@st.cache_data(ttl=900, max_entries=128, show_spinner="正在统计……")
def _crossings(_cur: Cursor, _user: User, key: tuple, where: funnels.Slice, by: str | None) -> pl.DataFrame:
    return funnels.crossings(_cur, _user, where, by=by)


def cohorts(cur: Cursor, user: User, where: funnels.Slice) -> pl.DataFrame:
    return _cohorts(cur, user, _key(cur, user), where)


@st.cache_data(ttl=900, max_entries=64, show_spinner="正在统计……")
def _cohorts(_cur: Cursor, _user: User, key: tuple, where: funnels.Slice) -> pl.DataFrame:
    return funnels.cohorts(_cur, _user, where)


def source_yield(cur: Cursor, user: User, year: int, by: str, filters: tuple) -> pl.DataFrame:
    return _source_yield(cur, user, _key(cur, user), year, by, filters)


@st.cache_data(ttl=900, max_entries=64, show_spinner="正在统计……")
def _source_yield(_cur: Cursor, _user: User, key: tuple, year: int, by: str, filters: tuple) -> pl.DataFrame:
    return sources.yield_by(_cur, _user, year, by=by, **dict(filters))


def options(cur: Cursor, user: User, code: str) -> dict[str, str]:
    return _options(cur, user, _key(cur, user), code)


@st.cache_data(ttl=900, max_entries=256, show_spinner=False)
def _options(_cur: Cursor, _user: User, key: tuple, code: str) -> dict[str, str]:
    found = funnels.options(_cur, _user, code)
    return dict(zip(found["key"].to_list(), found["label"].to_list()))


@st.cache_data(ttl=900, max_entries=64, show_spinner=False)
def _people(_cur: Cursor, _user: User, key: tuple, where: funnels.Slice, stage: str, by: str | None,
            group: str | None, offset: int) -> tuple[pl.DataFrame, int]:
    # Masked as the scope in `key` must see them (managers, HR and admins alike: masked until revealed,
    # and nothing is revealed here), so one cached page serves everyone of that scope.
    return funnels.people(_cur, _user, where, stage=stage, by=by, key=group, offset=offset)


@st.cache_data(ttl=900, max_entries=64, show_spinner=False)
def _years(_cur: Cursor, _user: User, key: tuple) -> tuple[list[int], int]:
    # Both scan the stage events: once per data version, not on every rerun.
    return analytics.years(_cur, _user), analytics.default_year(_cur, _user)


def year_picker(cur: Cursor, user: User, *, key: str, label: str = "年度", where=st) -> int:  # type: ignore[no-untyped-def]
    years, default = _years(cur, user, _key(cur, user))
    return where.selectbox(label, years, index=years.index(default) if default in years else 0,
                           format_func=lambda y: f"{y} 年", key=key)


def period(cur: Cursor, user: User, *, key: str, stacked: bool = False) -> tuple[date, date, str]:
    """A year, or a date range (both ends included on screen; the end is exclusive underneath).
    `stacked` puts the two widgets one under the other (inside a column, where columns cannot nest)."""
    a, b = (st, st) if stacked else st.columns([1, 2])
    kind = a.radio("期间", ["year", "range"], format_func={"year": "按年度", "range": "按日期范围"}.get,
                   horizontal=True, key=f"{key}_period")
    if kind == "year":
        year = year_picker(cur, user, key=f"{key}_year", where=b)
        return date(year, 1, 1), date(year + 1, 1, 1), f"{year} 年"
    default_year = _years(cur, user, _key(cur, user))[1]
    chosen = b.date_input("起止日期", (date(default_year, 1, 1), date(default_year, 12, 31)), key=f"{key}_range",
                          format="YYYY-MM-DD")
    if not isinstance(chosen, (tuple, list)) or len(chosen) != 2:
        st.info("请选择结束日期。")
        st.stop()
    start, end = chosen
    return start, date.fromordinal(end.toordinal() + 1), f"{start} 至 {end}"


def slice_filters(cur: Cursor, user: User, *, key: str, title: str = "按切片筛选",
                  stacked: bool = False) -> dict[str, list[str]]:
    """A multiple-choice box per dimension; none chosen means no limit on it. They appear only once the switch
    is on: each one's choices are read from the data (a scan per dimension, a second or more in all at
    scale 30), which the default view — the whole scope — does not need. Off again means 不限."""
    chosen: dict[str, list[str]] = {}
    if not st.toggle(title, key=f"{key}_slicing", help="按飞地、渠道、院校、企业等限定统计范围，可多选"):
        return chosen
    with st.container(border=True):
        columns = [st, st, st] if stacked else st.columns(3)
        for i, code in enumerate(SLICE_DIMENSIONS):
            d = funnels.DIMENSIONS[code]
            values = options(cur, user, code)
            picked = columns[i % 3].multiselect(d.label, list(values), format_func=values.get, key=f"{key}_f_{code}",
                                                placeholder="全部")
            if picked:
                chosen[code] = picked
    return chosen


def describe(filters: dict[str, list[str]], cur: Cursor, user: User) -> str:
    """The slice in words, for captions and export notes."""
    if not filters:
        return "不限"
    parts = []
    for code, keys in filters.items():
        values = options(cur, user, code)
        parts.append(f"{funnels.DIMENSIONS[code].label}：{'、'.join(values.get(k, k) for k in keys)}")
    return "；".join(parts)


def people_behind(cur: Cursor, user: User, where: funnels.Slice, by: str | None, groups: dict[str, str], *,
                  key: str) -> None:
    """The people behind one group × stage, 50 a page, contacts masked as the candidate list masks them."""
    a, b, c = st.columns([2, 2, 1])
    group = a.selectbox("分组", list(groups), format_func=groups.get, key=f"{key}_group") if by else None
    # No stage until one is chosen (or a bar clicked): listing people scans the period twice (the page
    # and its total), which the default view should not wait for.
    stage = b.selectbox("阶段", list(funnels.STAGES), format_func=funnels.LABELS.get, key=f"{key}_stage",
                        index=None, placeholder="选择阶段后列出人员")
    page = int(c.number_input("页码", min_value=1, value=1, step=1, key=f"{key}_page"))
    if stage is None:
        st.caption("选择阶段（或点击图中的柱子），列出跨过该阶段的人员，每页 50 人；联系方式按您的权限脱敏。")
        return
    found, total = _people(cur, user, _key(cur, user), where, stage, by, group, (page - 1) * funnels.PAGE_SIZE)
    pages = max(1, -(-total // funnels.PAGE_SIZE))
    where_label = md(groups.get(group, "")) + " · " if by else ""
    st.caption(f"{where_label}跨过「{funnels.LABELS[stage]}」的人员：共 {total:,} 人，第 {min(page, pages)} / {pages} 页，"
               "每页 50 人；联系方式按您的权限脱敏。")
    table(found.select(*PEOPLE_COLUMNS), column_config=PEOPLE_COLUMNS, empty="没有人员。")
