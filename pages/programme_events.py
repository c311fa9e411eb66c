"""人才活动: 产业人才班 and 产才对接活动 — the year's classes and matching events, each event's attendees
(added one by one or from a pasted list of mobiles / e-mails), its partner employers, and what its
attendees went on to do (投递 → 签约意向 → 到岗)."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import polars as pl
import streamlit as st

from db import clock, signups
from db.errors import DomainError
from db.programmes import events, register
from pages import _register as reg
from pages._signup_panel import signup_panel
from pages._widgets import cursor, flash, fresh_key, gate, renew_form, show_error, show_flash, table

REG = events.REGISTER
KINDS = events.EventKind.labels()
UNITS = {"talent_class": ("期", "学员"), "matching": ("场", "参加"), "other": ("场", "参加")}
ATTENDEE_COLUMNS = {"id": "编号", "name": "姓名", "mobile": "手机", "email": "邮箱", "university": "学校", "degree": "学历",
                    "category": "人才类别", "reached": "活动后投递进展", "source": "添加方式", "added_at": "添加时间"}
RATES = {"step": "环节", "people": "人数",
         "of_attendees": st.column_config.NumberColumn("占参加人员", format="percent"),
         "of_previous": st.column_config.NumberColumn("较上一环节", format="percent")}


def year_summary(year: int) -> None:
    found = events.summary(cur, user, year)
    for column, row in zip(st.columns(found.height), found.iter_rows(named=True)):
        unit, who = UNITS[row["kind"]]
        column.metric(f"{year} 年{row['label']}", f"{row['events']:,} {unit}")
        column.caption(f"{who} {row['attendees']:,} 人")
    st.caption("口径：当年开始、未停用的活动；人员按人去重（参加多期只计一次，合并的记录计入保留的记录）。")


def with_counts(view: pl.DataFrame) -> pl.DataFrame:
    counts = events.attendee_counts(cur, user, view["编号"].to_list())
    return view.with_columns(pl.Series("参加人数", [counts[i] for i in view["编号"].to_list()], dtype=pl.Int64))


def share(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def conversion_view(row: dict[str, Any]) -> None:
    found = events.conversion(cur, user, row["id"])
    planned = f"（计划 {row['capacity']:,} 人）" if row["capacity"] else ""
    figures = [("参加人员", f"{found.attendees:,} 人", planned), ("活动后投递", f"{found.applied:,} 人", share(found.rate("applied"))),
               ("签约意向", f"{found.intents:,} 人", share(found.rate("intents"))),
               ("到岗", f"{found.arrived:,} 人", share(found.rate("arrived")))]
    for column, (label, value, note) in zip(st.columns(4), figures):
        column.metric(label, value)
        if note:
            column.caption(note if label == "参加人员" else f"占参加人员 {note}")
    table(found.table(), column_config=RATES)
    st.caption("口径：参加人员按人计；「活动后投递」为活动开始日及以后新建投递的人；签约意向、到岗为这些投递在活动开始日及以后"
               "达到该阶段（或更后）的人。活动前已有的投递不计入。")


def attendees_view(row: dict[str, Any]) -> None:
    people = events.attendees(cur, user, row["id"])
    table(people.select(*ATTENDEE_COLUMNS), column_config=ATTENDEE_COLUMNS, empty="还没有参加人员。")
    if people.height and people["masked"].any():
        st.caption("联系方式按您的权限脱敏显示。")
    if people.height == events.PAGE:
        st.caption(f"显示最早添加的 {events.PAGE} 人，共 {events.attendee_counts(cur, user, [row['id']])[row['id']]:,} 人。")
    if not reg.may_edit(user):
        return
    event_id = row["id"]
    with st.expander("逐个添加"):
        person = reg.candidate_picker(cur, user, key=f"event_person_{event_id}", initial=None, label="参加人员")
        if st.button("添加", key=f"event_person_add_{event_id}", type="primary"):
            if person is None:
                st.error("请先查找并选择人员。")
            else:
                attempt(lambda: events.add_attendees(cur, user, event_id, [person]))
    with st.expander("按名单添加（粘贴手机号或邮箱）"):
        form_key = f"event_list_{event_id}"
        with st.form(fresh_key(form_key)):
            text = st.text_area("名单", placeholder="每行一个完整的手机号或邮箱，也可用逗号、分号或空格分隔",
                                help="只按完整的手机号或邮箱精确匹配已登记的人员；查不到的会列在下方，不会自动新建。")
            if st.form_submit_button("按名单添加", type="primary"):
                attempt(lambda: events.add_from_list(cur, user, event_id, text), renew=form_key)
        left = st.session_state.get(f"{form_key}_left")
        if left:
            st.warning(f"以下 {len(left)} 条未添加：查无此人，或不是完整的手机号/邮箱。请先在「新建候选人」或「导入」中登记后再添加。")
            st.code("\n".join(left), language=None)
    if people.height:
        names = dict(zip(people["id"].to_list(), people["name"].to_list()))
        gone = st.selectbox("移除参加人员", list(names), format_func=lambda i: f"{names[i]}（编号 {i}）", index=None,
                            key=f"event_remove_{event_id}")
        if gone is not None and st.button("移除", key=f"event_remove_go_{event_id}"):
            reg.run(lambda: events.remove_attendee(cur, user, event_id, gone), f"已从名单中移除编号 {gone}。")


def attempt(command: Callable[[], events.Added], *, renew: str | None = None) -> None:
    """Run an add: a Chinese error, or its summary after the rerun — and for a list (`renew`: its form,
    drawn blank again), the entries it did not add, to copy and fix."""
    try:
        result = command()
    except DomainError as error:
        show_error(error)
        return
    if renew:
        renew_form(renew)
        st.session_state[f"{renew}_left"] = [*result.unknown, *result.unreadable]
    flash(result.summary)
    st.rerun()


def employers_view(row: dict[str, Any]) -> None:
    partners = events.employers(cur, user, row["id"])
    table(partners.drop("employer_id").rename({"name": "企业", "industry": "行业"}), empty="还没有合作企业。")
    if not reg.may_edit(user):
        return
    current = partners["employer_id"].to_list()
    choices = register.options(cur, "employer") | dict(zip(current, partners["name"].to_list()))
    with st.form(f"event_employers_{row['id']}_{'-'.join(map(str, current))}"):
        chosen = st.multiselect("合作企业", list(choices), default=current, format_func=choices.get)
        if st.form_submit_button("保存合作企业", type="primary"):
            reg.run(lambda: events.set_employers(cur, user, row["id"], chosen), "已保存合作企业。")


user = gate(__file__)
cur = cursor()
st.title("人才活动")
st.caption("产业人才班、产才对接活动（如星耀南湖·菁英荟）等：登记参加人员，看他们此后的投递、签约意向和到岗。"
           "企业进校招聘、岗位与投递请到「校园招聘」。")
show_flash()
held = events.years(cur)
this_year = clock.today().year
years = sorted({*held, this_year}, reverse=True)
a, b = st.columns(2)
year = a.selectbox("年度", [None, *years], index=1 + years.index(held[0] if held else this_year), key="events_year",
                   format_func=lambda y: "全部" if y is None else f"{y} 年")
kind = b.selectbox("类型", [None, *KINDS], format_func=lambda k: "全部" if k is None else KINDS[k], key="events_kind")
if year is not None:
    year_summary(year)
reg.create_panel(cur, user, REG, key="event")
row = reg.selected_row(cur, user, REG, reg.pick_from_list(cur, user, REG, key="events", extra=with_counts, filters={
    "kind": kind, "starts_on": (date(year, 1, 1), date(year, 12, 31)) if year else None}))
if row is None:
    st.stop()

reg.heading(row["name"])
reg.details(REG, row)
conversion_tab, attendees_tab, employers_tab, signup_tab = st.tabs(["转化", "参加人员", "合作企业", "扫码报名"])
with conversion_tab:
    conversion_view(row)
with attendees_tab:
    attendees_view(row)
with employers_tab:
    employers_view(row)
with signup_tab:            # 扫码报名: link, QR code, poster, times, counts — pages/_signup_panel.py, as for drives
    signup_panel(cur, user, signups.event(row["id"]))
reg.edit_panel(cur, user, REG, row, key="event")
