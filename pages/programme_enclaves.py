"""人才飞地: the enclaves — list, detail with what each did this year, create / edit / deactivate."""
from __future__ import annotations

import polars as pl
import streamlit as st

from db import analytics
from db.enums import DriveStatus
from db.programmes import enclaves
from pages import _register as reg
from pages._widgets import cursor, gate, show_flash, table

REG = enclaves.REGISTER

user = gate(__file__)
cur = cursor()
st.title("人才飞地")
show_flash()
st.caption("平湖在外地设立的招才机构。停用的飞地保留历史记录，但不再出现在选择列表中。")
reg.create_panel(cur, user, REG, key="enclave")
row = reg.selected_row(cur, user, REG, reg.pick_from_list(cur, user, REG, key="enclaves"))
if row is None:
    st.stop()

reg.heading(f"{row['name']}（{row['code']}）")
reg.details(REG, row)
years = analytics.years(cur, user)
year = st.selectbox("年度", years, index=years.index(analytics.default_year(cur, user)), key="enclave_year",
                    format_func=lambda y: f"{y} 年")
view = enclaves.detail(cur, user, row["id"], year)
left, right = st.columns(2)
with left:
    st.markdown("**招才专员**")
    table(view.recruiters.rename({"username": "用户名", "display_name": "姓名", "active": "启用",
                                  "last_login_at": "最近登录"}), empty="还没有招才专员账号：请在「用户管理」中新建，所属飞地选本飞地。")
    st.markdown("**候选人当前阶段**")
    table(view.by_stage.select("label", "candidates").rename({"label": "阶段", "candidates": "人数"}))
with right:
    st.markdown(f"**{year} 年到岗（按人才类别）与目标**")
    table(view.hires.select("label", "hires", "target").rename({"label": "类别", "hires": "到岗", "target": "目标"}))
    st.markdown(f"**{year} 年每月新增候选人与到岗**")
    table(view.monthly.rename({"month": "月份", "new_candidates": "新增候选人", "hires": "到岗"}))
st.markdown("**校园招聘**")
table(view.drives.with_columns(pl.col("status").replace_strict(DriveStatus.labels(), default=pl.col("status")))
      .rename({"id": "编号", "title": "名称", "held_on": "日期", "status": "状态", "university": "高校"}),
      empty="没有本飞地的校园招聘。")
st.markdown("**校地协议**")
table(view.agreements.rename({"id": "编号", "title": "名称", "kind": "类型", "university": "高校",
                              "starts_on": "开始", "ends_on": "结束"}), empty="没有本飞地的校地协议。")
reg.edit_panel(cur, user, REG, row, key="enclave")
