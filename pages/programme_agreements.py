"""院校协议: agreements with universities — status from the dates, what expires soon, renewal, yield."""
from __future__ import annotations

import polars as pl
import streamlit as st

from db import clock
from db.enums import AgreementKind
from db.programmes import agreements, register
from pages import _register as reg
from pages._text import md
from pages._widgets import cursor, gate, show_flash, table

REG = agreements.REGISTER


def with_status(view: pl.DataFrame) -> pl.DataFrame:
    """The list's page with 状态 derived from its dates (never stored)."""
    dated = agreements.with_status(pl.DataFrame({
        "starts_on": view["开始日期"], "ends_on": view["结束日期"], "active": view["状态"] == "有效"}))
    return view.with_columns(dated["status_label"].alias("状态"))


user = gate(__file__)
cur = cursor()
st.title("院校协议")
show_flash()
soon = agreements.expiring(cur, user)
if soon.height:
    with st.container(border=True):
        st.markdown(f"**{agreements.EXPIRING_DAYS} 天内到期、尚未续签的协议：{soon.height} 份**")
        table(soon.select("title", "university", "kind", "enclave", "ends_on", "days_left").rename({
            "title": "协议", "university": "高校", "kind": "类型", "enclave": "飞地", "ends_on": "到期日",
            "days_left": "剩余天数"}))
reg.create_panel(cur, user, REG, key="agreement")
a, b = st.columns(2)
kind = a.selectbox("协议类型", [None, *AgreementKind.labels()], format_func=lambda x: "全部" if x is None else x,
                   key="agreements_kind")
enclave_names = register.options(cur, "enclave")
enclave = b.selectbox("所属飞地", [None, *enclave_names], format_func=lambda x: "全部" if x is None else enclave_names[x],
                      key="agreements_enclave")
row = reg.selected_row(cur, user, REG, reg.pick_from_list(
    cur, user, REG, key="agreements", extra=with_status, filters={"kind": kind, "enclave_id": enclave}))
if row is None:
    st.stop()

status = agreements.with_status(pl.DataFrame([{k: row[k] for k in ("starts_on", "ends_on", "active")}]))
reg.heading(row["title"] or f"{row['university_id_name']}{row['kind']}")
st.markdown(f"状态：**{md(status['status_label'][0])}**")
reg.details(REG, row)
left, right = st.columns(2)
with left:
    st.markdown("**成效**（协议期内：该校新增候选人、签约意向、到岗、新开始的联合培养）")
    got = agreements.yields(cur, user, agreement_id=row["id"])
    table(got.drop("id").rename({"candidates": "候选人", "intents": "签约意向", "hires": "到岗", "co_supervised": "联合培养"}))
with right:
    st.markdown("**续签历史**")
    chain = agreements.history(cur, user, row["id"])
    table(agreements.with_status(chain).select("id", "title", "starts_on", "ends_on", "status_label").rename({
        "id": "编号", "title": "名称", "starts_on": "开始", "ends_on": "结束", "status_label": "状态"}))
if reg.may_edit(user) and row["active"]:
    with st.expander("续签（新建后续协议，原协议保留）"):
        with st.form(f"renew_{row['id']}"):
            a, b, c = st.columns(3)
            starts = a.date_input("新协议开始日期 *", value=row["ends_on"] or clock.today(), key=f"renew_start_{row['id']}")
            ends = b.date_input("新协议结束日期", value=None, key=f"renew_end_{row['id']}")
            signed = c.date_input("签订日期", value=None, key=f"renew_signed_{row['id']}")
            quota = a.number_input("名额", value=row["quota"], step=1, key=f"renew_quota_{row['id']}")
            if st.form_submit_button("续签", type="primary"):
                def renewal() -> None:
                    new_id = agreements.renew(cur, user, row["id"], starts_on=starts, ends_on=ends, signed_on=signed,
                                              quota=None if quota is None else int(quota))
                    st.query_params["id"] = str(new_id)
                reg.run(renewal, "已续签，现在显示新协议。")
reg.edit_panel(cur, user, REG, row, key="agreement")
