"""人才项目申报: applications to talent programmes by level and batch, and the year's figures."""
from __future__ import annotations

import streamlit as st

from db import clock
from db.enums import Level
from db.programmes import declarations
from pages import _register as reg
from pages._widgets import cursor, gate, show_flash, table

REG = declarations.REGISTER

user = gate(__file__)
cur = cursor()
st.title("人才项目申报")
show_flash()
figures = declarations.figures(cur, user)
if figures.height:
    st.markdown("**各年度申报情况**（申报人数按人计，同一人多次申报只计一次）")
    table(figures.rename({"year": "年度", "level": "级别", "applicants": "申报人数", "batches": "批次", "selected": "入选"}))
a, b = st.columns(2)
level = a.selectbox("级别", [None, *Level.labels()], format_func=lambda x: "全部" if x is None else x, key="decl_level")
year = b.selectbox("年度", [None, *range(clock.today().year + 1, clock.today().year - 8, -1)], key="decl_year",
                   format_func=lambda y: "全部" if y is None else f"{y} 年")
reg.create_panel(cur, user, REG, key="declaration", initial={"status": "preparing"})
row = reg.selected_row(cur, user, REG, reg.pick_from_list(cur, user, REG, key="declarations",
                                                         filters={"level": level, "year": year}))
if row is None:
    st.stop()
reg.heading(f"{row['applicant_name']} · {row['programme']}（{row['batch']}）")
reg.details(REG, row)
reg.edit_panel(cur, user, REG, row, key="declaration")
