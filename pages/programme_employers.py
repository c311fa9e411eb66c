"""企业与岗位: employers and their positions — list, detail with what each got out of the office, edit."""
from __future__ import annotations

import polars as pl
import streamlit as st

from db.enums import GOLDEN_EAGLE_TIERS, CoSupervisionOutcome, DriveStatus
from db.programmes import employers, register
from pages import _register as reg
from pages._widgets import cursor, gate, show_flash, table

REG, POSITIONS = employers.REGISTER, employers.POSITIONS

user = gate(__file__)
cur = cursor()
st.title("企业与岗位")
show_flash()
st.caption("在平湖招聘的企业及其岗位。企业可更名；统一社会信用代码按 GB 32100-2015 校验位核对。")
reg.create_panel(cur, user, REG, key="employer")
a, b, c = st.columns(3)
industry = a.selectbox("行业", [None, *employers.industries(cur)], format_func=lambda x: "全部" if x is None else x,
                       key="employers_industry")
tier = b.selectbox("金鹰等级", [None, *GOLDEN_EAGLE_TIERS], format_func=lambda x: "全部" if x is None else x,
                   key="employers_tier")
high_tech = c.selectbox("高新技术企业", [None, True, False], key="employers_high_tech",
                        format_func=lambda x: "全部" if x is None else "是" if x else "否")
row = reg.selected_row(cur, user, REG, reg.pick_from_list(
    cur, user, REG, key="employers", filters={"industry": industry, "golden_eagle_tier": tier, "is_high_tech": high_tech}))
if row is None:
    st.stop()

reg.heading(row["name"])
reg.details(REG, row)
view = employers.detail(cur, user, row["id"])
a, b, c = st.columns(3)
a.metric("进行中的投递", f"{int(view.open_by_stage['applications'].sum()):,} 条")
b.metric("签约意向及以后", f"{view.intents:,} 人", help="曾在本企业达到「签约意向」或之后阶段的人数（合并后的人只计一次）")
c.metric("到岗（历年）", f"{int(view.hires['hires'].sum()) if view.hires.height else 0:,} 人")

positions_tab, pipeline_tab, hires_tab, students_tab, drives_tab = st.tabs(
    [f"岗位（{view.positions.height}）", "投递阶段", "历年到岗", f"联合培养（{view.students.height}）",
     f"参加的校园招聘（{view.drives.height}）"])
with positions_tab:
    table(view.positions.with_columns(pl.when(pl.col("is_open")).then(pl.lit("招聘中")).otherwise(pl.lit("已关闭"))
                                      .alias("is_open"))
          .rename({"id": "编号", "title": "岗位", "degree_required": "学历要求", "headcount": "招聘人数",
                   "is_open": "状态", "applications": "投递"}), empty="还没有岗位。")
    reg.create_panel(cur, user, POSITIONS, key=f"position_{row['id']}", fixed={"employer_id": row["id"]}, select=False)
    if view.positions.height and reg.may_edit(user):
        titles = dict(zip(view.positions["id"].to_list(), view.positions["title"].to_list()))
        chosen = st.selectbox("修改岗位", list(titles), format_func=titles.get, key=f"position_pick_{row['id']}")
        position = register.get(cur, user, POSITIONS, chosen)
        if position is not None:
            reg.edit_panel(cur, user, POSITIONS, position, key=f"position_{chosen}", fixed={"employer_id": row["id"]},
                           selected=False)
with pipeline_tab:
    table(view.open_by_stage.select("label", "applications").rename({"label": "阶段", "applications": "投递"}))
with hires_tab:
    table(view.hires.select("year", "label", "hires").rename({"year": "年度", "label": "类别", "hires": "到岗"}),
          empty="还没有到岗记录。")
with students_tab:
    table(view.students.with_columns(pl.col("outcome").replace_strict(CoSupervisionOutcome.labels()))
          .rename({"id": "编号", "name": "学生", "university": "高校", "kind": "类型", "starts_on": "开始",
                   "outcome": "去向"}), empty="没有联合培养学生。")
with drives_tab:
    table(view.drives.with_columns(pl.col("status").replace_strict(DriveStatus.labels()))
          .rename({"id": "编号", "title": "名称", "held_on": "日期", "status": "状态", "positions_offered": "岗位数"}),
          empty="没有参加过校园招聘。")
reg.edit_panel(cur, user, REG, row, key="employer")
