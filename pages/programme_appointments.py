"""科技副总 · 柔性引进: people placed in companies or brought in flexibly; contracts ending soon."""
from __future__ import annotations

import polars as pl
import streamlit as st

from db.enums import AppointmentKind
from db.programmes import appointments
from pages import _register as reg
from pages._widgets import cursor, gate, show_flash, table

REG = appointments.REGISTER

user = gate(__file__)
cur = cursor()
st.title("科技副总·柔性引进")
show_flash()
ending = appointments.ending(cur, user)
if ending.height:
    with st.container(border=True):
        st.markdown(f"**{appointments.ENDING_DAYS} 天内合同到期：{ending.height} 人**")
        table(ending.with_columns(pl.col("kind").replace_strict(AppointmentKind.labels()))
              .select("person_name", "kind", "employer", "ends_on", "days_left")
              .rename({"person_name": "姓名", "kind": "类型", "employer": "企业", "ends_on": "到期日", "days_left": "剩余天数"}))
kind = st.radio("类型", [None, *AppointmentKind.labels()], horizontal=True, key="appointments_kind",
                format_func=lambda k: "全部" if k is None else AppointmentKind.label_of(k))
reg.create_panel(cur, user, REG, key="appointment", initial={"kind": kind or AppointmentKind.TECH_VP})
row = reg.selected_row(cur, user, REG, reg.pick_from_list(cur, user, REG, key="appointments", filters={"kind": kind}))
if row is None:
    st.stop()
reg.heading(f"{row['person_name']}（{AppointmentKind.label_of(row['kind'])}）")
reg.details(REG, row)
reg.edit_panel(cur, user, REG, row, key="appointment")
