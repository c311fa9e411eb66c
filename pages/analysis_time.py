"""时长: median and P90 days in each stage and from contact to hire, by owner or enclave; the people stuck
in an open stage longer than its threshold (a recruiter's own, or anyone's for managers), and the thresholds."""
from __future__ import annotations

import altair as alt
import polars as pl
import streamlit as st

from db import candidates, clock, programmes, stage_times
from db.connection import database_path
from db.permissions import User, scope_enclave
from db.sql import Cursor
from db.errors import DomainError
from db.stage_times import StuckFilter
from pages import _analysis as an
from pages import _cache
from pages._text import md
from pages._widgets import cursor, gate, show_error, table

STAY_COLUMNS = {"group": "分组", "label": "阶段", "stays": "结束的停留", "median_days": "中位数（天）",
                "p90_days": "P90（天）", "open_now": "仍在该阶段", "open_median_days": "已停留中位数（天）"}
HIRE_COLUMNS = {"group": "分组", "hires": "到岗人数", "median_days": "中位数（天）", "p90_days": "P90（天）"}
STUCK_COLUMNS = {"name": "姓名", "mobile": "手机", "employer": "企业", "label": "阶段", "since": "进入阶段",
                 "days": "已停留（天）", "threshold": "阈值（天）", "owner": "负责人", "enclave": "飞地", "detail": "详情"}


@st.cache_data(ttl=900, max_entries=64, show_spinner="正在统计……")
def _figures(_cur: Cursor, _user: User, db: str, scope: int | None, year: int, by: str, today: object,
             version: tuple) -> tuple[pl.DataFrame, pl.DataFrame]:
    # Keyed by database, scope, year, grouping, day and data version (every command audits, so a move or a
    # threshold change shows at once); the cursor and user only carry them out.
    return (stage_times.stage_durations(_cur, _user, year, by=by),   # type: ignore[arg-type]
            stage_times.contact_to_hire(_cur, _user, year, by=by))   # type: ignore[arg-type]


@st.cache_data(ttl=900, max_entries=256, show_spinner=False)
def _stuck(_cur: Cursor, _user: User, db: str, viewer: tuple, flt: StuckFilter, offset: int, today: object,
           version: tuple) -> tuple[pl.DataFrame, pl.DataFrame]:
    # The counts and one page of the stuck list: both scan every open application (≈ 0.3 s at scale 30),
    # so a rerun without a write reads them here. Keyed by the viewer (id, role, enclave: whose people and
    # which contacts are masked), the filter and page, the day (days stuck grow) and the data version.
    return stage_times.stuck_counts(_cur, _user, flt), stage_times.stuck(_cur, _user, flt, offset=offset)


def durations_chart(found: pl.DataFrame) -> alt.Chart:
    order = found.sort("rank")["label"].to_list()
    base = alt.Chart(found.filter(pl.col("stays") > 0)).encode(y=alt.Y("label:N", sort=order, title=None))
    bars = base.mark_bar(color="#2e86c1").encode(
        x=alt.X("median_days:Q", title="天数"),
        tooltip=[alt.Tooltip("label:N", title="阶段"), alt.Tooltip("median_days:Q", title="中位数（天）"),
                 alt.Tooltip("p90_days:Q", title="P90（天）"), alt.Tooltip("stays:Q", title="停留次数", format=",")])
    ticks = base.mark_tick(color="#c0392b", thickness=3, size=18).encode(x="p90_days:Q")
    return (bars + ticks).properties(height=260)


def thresholds_editor() -> None:
    current = stage_times.thresholds(cur)
    st.caption("各阶段停留超过阈值天数即列为停滞。修改记入审计日志。" + (
        "" if stage_times.may_edit_thresholds(user) else "只有管理者和系统管理员可以修改。"))
    if not stage_times.may_edit_thresholds(user):
        table(current.select("label", "days").rename({"label": "阶段", "days": "阈值（天）"}), key="time_thresholds")
        return
    with st.form("time_thresholds_form"):
        cols = st.columns(current.height)
        chosen = {}
        for col, row in zip(cols, current.iter_rows(named=True)):
            chosen[row["stage"]] = col.number_input(row["label"], min_value=1, max_value=stage_times.MAX_DAYS,
                                                    value=int(row["days"]), step=1, key=f"time_threshold_{row['stage']}")
        if not st.form_submit_button("保存阈值", type="primary"):
            return
    versions = dict(zip(current["stage"], current["version"]))
    try:
        for stage, days in chosen.items():
            stage_times.set_threshold(cur, user, stage, int(days), expected_version=versions[stage])
    except DomainError as error:
        show_error(error)
        return
    st.session_state["time_flash"] = "已保存停滞阈值。"
    st.rerun()


user = gate(__file__)
cur = cursor()
st.title("时长")
if message := st.session_state.pop("time_flash", None):
    st.success(message)
head = st.columns([1, 1, 2])
year = an.year_picker(cur, user, key="time_year", where=head[0])
by = head[1].radio("分组", list(stage_times.GROUPS), format_func=stage_times.GROUPS.get, horizontal=True, key="time_by")
head[2].caption(f"统计范围：{md(programmes.scope_name(cur, user))}。")

st.subheader("各阶段停留天数")
version = _cache.figures_version(cur)
stays, hires = _figures(cur, user, str(database_path().resolve()), scope_enclave(user), year, by, clock.today(),
                       version)
if by == "all" and stays["stays"].sum() > 0:
    st.altair_chart(durations_chart(stays), width="stretch")
    st.caption("柱为中位数，红色刻度为 P90。")
table(stays.select(*STAY_COLUMNS), column_config=STAY_COLUMNS, empty=f"{year} 年没有结束的阶段停留。", key="time_stays")
st.caption(stage_times.STAY_STATEMENT)

st.subheader("从首次联系到到岗")
table(hires.select(*HIRE_COLUMNS), column_config=HIRE_COLUMNS, empty=f"{year} 年没有到岗记录。", key="time_hires")
st.caption(stage_times.HIRE_STATEMENT)

st.subheader("停滞人员")
flt = StuckFilter()
if user.is_recruiter:
    st.caption("您负责的人员中，停留超过阈值的投递。")
else:
    a, b = st.columns(2)
    owners = candidates.owners(cur)
    names = dict(zip(owners["id"].to_list(), owners["display_name"].to_list()))
    owner = a.selectbox("负责人", [None, *names], format_func=lambda o: "全部" if o is None else names[o], key="time_owner")
    places = stage_times.enclaves(cur)
    enclave_names = dict(zip(places["id"].to_list(), places["name"].to_list()))
    enclave = b.selectbox("飞地", [None, *enclave_names], key="time_enclave",
                          format_func=lambda e: "全部" if e is None else enclave_names[e])
    flt = StuckFilter(owner_id=owner, enclave_id=enclave)
viewer = (user.id, user.role, user.enclave_id)
page = st.session_state.get("time_stuck_page", 1)
counts, stuck = _stuck(cur, user, str(database_path().resolve()), viewer, flt,
                       (int(page) - 1) * stage_times.PAGE_SIZE, clock.today(), version)
for col, row in zip(st.columns(counts.height), counts.iter_rows(named=True)):
    col.metric(row["label"], f"{row['stuck']:,} 人", help=f"在「{row['label']}」停留超过 {row['threshold']} 天")
total = int(counts["stuck"].sum())
pages = max(1, -(-total // stage_times.PAGE_SIZE))
st.number_input(f"页码（共 {pages} 页）", min_value=1, max_value=pages, value=1, step=1, key="time_stuck_page")
table(stuck.select(*STUCK_COLUMNS), empty="没有停滞的人员。", key="time_stuck", column_config={
    **STUCK_COLUMNS, "detail": st.column_config.LinkColumn("详情", display_text="打开")})
st.caption(stage_times.STUCK_STATEMENT + f"共 {total:,} 条，每页 {stage_times.PAGE_SIZE} 条，超出阈值最多的在前；"
           "已按本人要求删除的人员不列出。其他飞地人员的联系方式按权限脱敏显示。")

with st.expander("停滞阈值"):
    thresholds_editor()
