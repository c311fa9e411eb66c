"""流失原因: the year's exits (未通过 / 放弃) by coded reason, by the stage people left from and by source,
down to the people behind each figure (masked as the user must see them, 50 a page)."""
from __future__ import annotations

import altair as alt
import polars as pl
import streamlit as st

from db import lost_reasons, programmes
from db.connection import database_path
from db.enums import Stage
from db.lost_reasons import LostReason
from db.permissions import User, scope_enclave
from db.sql import Cursor
from pages import _cache
from pages._text import md
from pages._widgets import cursor, figure, gate, table

REASONS = [r.label for r in LostReason]
PEOPLE_COLUMNS = {"name": "姓名", "mobile": "手机", "email": "邮箱", "employer": "企业", "from_label": "离开阶段",
                  "reason_label": "流失原因", "lost_reason": "原因说明", "left_on": "退出日期"}


@st.cache_data(ttl=900, max_entries=64, show_spinner="正在统计……")
def figures(_cur: Cursor, _user: User, db: str, scope: int | None, year: int,
            version: tuple) -> tuple[pl.DataFrame, pl.DataFrame]:
    # Keyed by database, scope, year and data version (every command audits, so a new exit shows at
    # once); the cursor and user only carry them out.
    return lost_reasons.by_reason(_cur, _user, year), lost_reasons.by_reason_and_stage(_cur, _user, year)


@st.cache_data(ttl=900, max_entries=64, show_spinner="正在统计……")
def sources(_cur: Cursor, _user: User, db: str, scope: int | None, year: int, source: str,
            version: tuple) -> pl.DataFrame:
    return lost_reasons.by_source(_cur, _user, year, source=source)  # type: ignore[arg-type]


@st.cache_data(ttl=900, max_entries=64, show_spinner=False)
def exit_years(_cur: Cursor, _user: User, db: str, scope: int | None, version: tuple) -> list[int]:
    return lost_reasons.years(_cur, _user)        # a scan of every exit: once per data version


@st.cache_data(ttl=900, max_entries=256, show_spinner=False)
def people_page(_cur: Cursor, _user: User, db: str, viewer: tuple, year: int, reason: str | None,
                left_from: str | None, offset: int, version: tuple) -> tuple[int, pl.DataFrame]:
    # The count and one page of the people behind the figures, masked as this viewer (id, role, enclave)
    # must see them: a rerun without a write reads them here.
    return (lost_reasons.count_people(_cur, _user, year, reason=reason, from_stage=left_from),
            lost_reasons.people(_cur, _user, year, reason=reason, from_stage=left_from, offset=offset))


def pivot(found: pl.DataFrame, index: str, title: str) -> pl.DataFrame:
    """Rows `index`, one column per reason of the list (0 when none) and 合计."""
    wide = found.pivot(on="reason_label", index=index, values="exits", aggregate_function="sum",
                       maintain_order=True).fill_null(0)
    for label in REASONS:
        if label not in wide.columns:
            wide = wide.with_columns(pl.lit(0, dtype=pl.Int64).alias(label))
    return wide.select(pl.col(index).alias(title), *REASONS).with_columns(pl.sum_horizontal(REASONS).alias("合计"))


def stacked(found: pl.DataFrame, axis: str, title: str, order: list[str]) -> alt.Chart:
    return alt.Chart(found).mark_bar().encode(
        y=alt.Y(f"{axis}:N", sort=order, title=title),
        x=alt.X("exits:Q", title="退出次数", axis=alt.Axis(format="d", tickMinStep=1)),
        color=alt.Color("reason_label:N", title="流失原因", sort=REASONS, scale=alt.Scale(domain=REASONS)),
        tooltip=[alt.Tooltip(f"{axis}:N", title=title), alt.Tooltip("reason_label:N", title="流失原因"),
                 alt.Tooltip("exits:Q", title="退出次数", format=",")],
    ).properties(height=max(160, 32 * len(order)))


user = gate(__file__)
cur = cursor()
st.title("流失原因")
version = _cache.figures_version(cur)
years = exit_years(cur, user, str(database_path().resolve()), scope_enclave(user), version)
head = st.columns([1, 3])
year = head[0].selectbox("年度", years, format_func=lambda y: f"{y} 年", key="lost_year")
head[1].caption(f"统计范围：{md(programmes.scope_name(cur, user))}。")
cache_key = (str(database_path().resolve()), scope_enclave(user), year)
reasons, grid = figures(cur, user, *cache_key, version)
total = int(reasons["exits"].sum())
cols = st.columns(4)
with cols[0]:
    figure("退出", total, unit="次", help="当年生效的「未通过」「放弃」阶段变更")
top = reasons.sort("exits", descending=True).row(0, named=True)
with cols[1]:
    figure(f"最多：{top['reason_label']}" if total else "最多", int(top["exits"]) if total else 0, unit="次")
st.caption(lost_reasons.STATEMENT)
if total == 0:
    st.info(f"{year} 年没有「未通过」或「放弃」的记录。")
    st.stop()

st.subheader("按流失原因")
st.altair_chart(alt.Chart(reasons).mark_bar(color="#c0392b").encode(
    y=alt.Y("reason_label:N", sort=REASONS, title=None),
    x=alt.X("exits:Q", title="退出次数", axis=alt.Axis(format="d", tickMinStep=1)),
    tooltip=[alt.Tooltip("reason_label:N", title="流失原因"), alt.Tooltip("exits:Q", title="退出次数", format=","),
             alt.Tooltip("share:Q", title="占比", format=".1%")],
).properties(height=260), width="stretch")

st.subheader("按离开阶段")
stages = grid.sort("from_rank")["from_label"].unique(maintain_order=True).to_list()
st.altair_chart(stacked(grid, "from_label", "离开阶段", stages), width="stretch")
table(pivot(grid.sort("from_rank"), "from_label", "离开阶段"), key="lost_by_stage")
st.caption("口径：同上；行是退出前所处的阶段（如「已到岗」后放弃，即到岗后离开），列是流失原因，单位为退出次数。")

st.subheader("按来源")
source = st.radio("来源维度", list(lost_reasons.SOURCES), format_func=lost_reasons.SOURCES.get, horizontal=True,
                  key="lost_source")
by_source = sources(cur, user, *cache_key, source, version)
table(pivot(by_source, "source", lost_reasons.SOURCES[source]), key="lost_by_source")
st.caption("口径：同上；来源渠道为人员建档时的渠道，归属飞地为人员所属飞地，校园招聘为该投递所属的校园招聘"
           "（投递未注明时取人员来源的校园招聘）；未填写的单独成组。")

st.subheader("人员明细")
a, b, c = st.columns([2, 2, 1])
reason = a.selectbox("流失原因", [None, *LostReason.labels()], key="lost_people_reason",
                     format_func=lambda r: "全部" if r is None else LostReason.label_of(r))
left_from = b.selectbox("离开阶段", [None, *[s.value for s in Stage if not s.is_exit]], key="lost_people_stage",
                        format_func=lambda s: "全部" if s is None else Stage.label_of(s))
page = int(st.session_state.get("lost_people_page", 1))
count, people = people_page(cur, user, cache_key[0], (user.id, user.role, user.enclave_id), year, reason, left_from,
                            (page - 1) * lost_reasons.PAGE_SIZE, version)
pages = max(1, -(-count // lost_reasons.PAGE_SIZE))
c.number_input(f"页码（共 {pages} 页）", min_value=1, max_value=pages, value=1, step=1, key="lost_people_page")
table(people.select(*PEOPLE_COLUMNS), column_config=PEOPLE_COLUMNS, empty="没有符合条件的人员。", key="lost_people")
st.caption(f"共 {count:,} 次退出，每页 {lost_reasons.PAGE_SIZE} 条，最近的在前。其他飞地人员的联系方式按权限脱敏显示。")
