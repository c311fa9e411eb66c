"""校园招聘: campus drives (扬帆计划 …) — the programme's year drive by drive, each drive's employers and
positions, and what it yielded per employer, down to the people behind each figure."""
from __future__ import annotations

from datetime import date

import polars as pl
import streamlit as st

from db import clock, import_history, signups
from db.programmes import drives, register
from pages import _register as reg
from pages._signup_panel import signup_panel
from pages._widgets import cursor, gate, school_picker, show_flash, table

REG = drives.REGISTER
STEPS = drives.FUNNEL
PEOPLE_COLUMNS = {"id": "编号", "name": "姓名", "mobile": "手机", "email": "邮箱", "university": "学校", "degree": "学历",
                  "reached": "达到阶段"}


def people_behind(drive_ids: list[int], *, key: str) -> None:
    """Who is behind a figure: pick the step, page through the people (masked as the user must see them)."""
    a, b = st.columns([2, 1])
    step = a.selectbox("查看人员", list(STEPS), format_func=STEPS.get, key=f"{key}_step")
    page = b.number_input("页码", min_value=1, value=1, step=1, key=f"{key}_page")
    found = drives.people(cur, user, drive_ids, reached=step, offset=(int(page) - 1) * 50)
    table(found.select(*PEOPLE_COLUMNS), column_config=PEOPLE_COLUMNS, empty="没有人员。")


def funnel_view(drive_id: int) -> None:
    st.markdown("**各企业漏斗**（报名 → 投递 → 面试 → 签约意向 → 签约 → 到岗；转化率为相邻两步之比）")
    rates = {f"{a}_to_{b}": f"{STEPS[a]}→{STEPS[b]}" for a, b in zip(STEPS, list(STEPS)[1:])}
    found = drives.funnel(cur, user, drive_id)
    table(found.select("employer", *STEPS, *rates), column_config={
        "employer": "企业", **STEPS,
        **{k: st.column_config.NumberColumn(label, format="percent") for k, label in rates.items()}})


def rollup_view() -> None:
    a, b = st.columns(2)
    this_year = clock.today().year
    year = a.selectbox("年度", list(range(this_year, this_year - 6, -1)), format_func=lambda y: f"{y} 年",
                       key="rollup_year")
    programme = b.selectbox("计划", [None, *drives.programmes(cur)], format_func=lambda p: "全部" if p is None else p,
                            key="rollup_programme")
    totals = drives.rollup_totals(cur, user, year, programme=programme)
    figures = [("场次", "drives", "场"), ("企业", "employers", "家"), ("高校", "universities", "所"),
               ("岗位", "positions", "个"), ("签约意向", "intents", "人"), ("签约", "signed", "人"), ("到岗", "arrived", "人")]
    for column, (label, key, unit) in zip(st.columns(len(figures)), figures):
        column.metric(label, f"{totals[key]:,} {unit}")
    st.caption("口径：当年举办（不含已取消）的场次；企业、高校去重；人员按人计，达到「签约意向」及以后阶段即计入签约意向。")
    rows = drives.rollup(cur, user, year, programme=programme)
    columns = {"title": "场次", "held_on": "日期", "university": "高校", "employers": "企业", "positions": "岗位",
               "registered": "报名", "intents": "签约意向", "signed": "签约", "arrived": "到岗"}
    event = table(rows.select("id", *columns), column_config=columns, on_select="rerun", selection_mode="single-row",
                  key="rollup_table", empty="该年度没有举办的校园招聘。")
    if event is not None and event.selection.rows:
        st.query_params["id"] = str(rows["id"][event.selection.rows[0]])
        st.query_params["view"] = "drives"
        st.rerun()
    if rows.height:
        st.markdown("**人员明细**（点上表某一场可打开该场详情）")
        people_behind(rows["id"].to_list(), key="rollup_people")


user = gate(__file__)
cur = cursor()
st.title("校园招聘")
show_flash()
views = {"drives": "场次", "rollup": "计划汇总"}
view = st.radio("查看", list(views), format_func=views.get, horizontal=True, key="drives_view",
                index=list(views).index(st.query_params.get("view", "drives")) if st.query_params.get("view") in views else 0)
if view == "rollup":
    rollup_view()
    st.stop()

st.caption("取消的场次把状态改为「已取消」，记录保留。")
reg.create_panel(cur, user, REG, key="drive", initial={"programme": drives.DEFAULT_PROGRAMME, "status": "planned"})
with st.expander("筛选条件"):
    a, b, c, d = st.columns(4)
    programme = a.selectbox("计划", [None, *drives.programmes(cur)], format_func=lambda p: "全部" if p is None else p,
                            key="drives_programme")
    statuses = dict(REG.field("status").choices or {})
    status = b.selectbox("状态", [None, *statuses], key="drives_status",
                         format_func=lambda s: "全部" if s is None else statuses[s])
    year = c.selectbox("年度", [None, *range(clock.today().year + 1, clock.today().year - 6, -1)], key="drives_year",
                       format_func=lambda y: "全部" if y is None else f"{y} 年")
    enclaves = register.options(cur, "enclave")
    enclave = d.selectbox("所属飞地", [None, *enclaves], format_func=lambda e: "全部" if e is None else enclaves[e],
                          key="drives_enclave")
    university = school_picker(cur, key="drives_filter", initial=None, label="高校", help="只看在这所高校举办的场次")
row = reg.selected_row(cur, user, REG, reg.pick_from_list(cur, user, REG, key="drives", filters={
    "programme": programme, "status": status, "enclave_id": enclave, "university_id": university,
    "held_on": (date(year, 1, 1), date(year, 12, 31)) if year else None}))
if row is None:
    st.stop()

reg.heading(row["title"])
reg.details(REG, row)
figures = drives.summary(cur, user, [row["id"]])[row["id"]]
cols = st.columns(4)
for col, (label, value, unit) in zip(cols, [("参会企业", figures["employers"], "家"), ("岗位", figures["positions"], "个"),
                                            ("投递", figures["applications"], "条"), ("签约意向", figures["intents"], "人")]):
    col.metric(label, f"{value:,} {unit}")
funnel_tab, employers_tab, people_tab, batches_tab, signup_tab = st.tabs(
    ["漏斗", "参会企业与岗位", "人员", "导入批次", "扫码报名"])
with signup_tab:            # 扫码报名: link, QR code, poster, times, counts — all in pages/_signup_panel.py
    signup_panel(cur, user, signups.drive(row["id"]))
with funnel_tab:
    funnel_view(row["id"])
with people_tab:
    people_behind([row["id"]], key=f"drive_people_{row['id']}")
with batches_tab:
    batches = import_history.batches_of_drive(cur, user, row["id"])
    table(batches.rename({"id": "批次", "file_name": "文件", "imported_by": "导入人", "imported_at": "时间", "read_rows": "读取",
                          "inserted": "新增", "matched": "匹配", "rejected": "拒绝"}), empty="没有关联到本场的导入批次。")
with employers_tab:
    employers_here = drives.employers(cur, user, row["id"])
    table(employers_here.drop("employer_id").rename({"name": "企业", "positions_offered": "岗位数", "applications": "投递"}),
          empty="还没有参会企业。")
    if reg.may_edit(user):
        with st.expander("添加参会企业 / 修改岗位数"):
            choices = register.options(cur, "employer")
            with st.form(f"drive_employer_{row['id']}"):
                left, right = st.columns([3, 1])
                employer = left.selectbox("企业", list(choices), format_func=choices.get, index=None,
                                          placeholder="选择企业", key=f"drive_emp_{row['id']}")
                count = right.number_input("岗位数", value=None, step=1, placeholder="如 5", key=f"drive_pos_{row['id']}")
                if st.form_submit_button("保存", type="primary"):
                    if employer is None or count is None:
                        st.error("请选择企业并填写岗位数。")
                    else:
                        reg.run(lambda: drives.set_employer(cur, user, row["id"], employer, int(count)),
                                f"已保存参会企业「{choices[employer]}」。")
            if employers_here.height:
                names = dict(zip(employers_here["employer_id"].to_list(), employers_here["name"].to_list()))
                gone = st.selectbox("移除参会企业", list(names), format_func=names.get, index=None, placeholder="选择企业",
                                    key=f"drive_remove_{row['id']}")
                if gone is not None and st.button("移除", key=f"drive_remove_go_{row['id']}"):
                    reg.run(lambda: drives.remove_employer(cur, user, row["id"], gone), f"已移除「{names[gone]}」。")
reg.edit_panel(cur, user, REG, row, key="drive")
