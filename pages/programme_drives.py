"""校园招聘: campus drives (扬帆计划 …) and the employers that went, with the positions each offered."""
from __future__ import annotations

import streamlit as st

from db.programmes import drives, register
from pages import _register as reg
from pages._widgets import cursor, gate, show_flash, table

REG = drives.REGISTER

user = gate(__file__)
cur = cursor()
st.title("校园招聘")
show_flash()
st.caption("取消的场次把状态改为「已取消」，记录保留。")
reg.create_panel(cur, user, REG, key="drive", initial={"programme": drives.DEFAULT_PROGRAMME, "status": "planned"})
a, b = st.columns(2)
programme = a.selectbox("计划", [None, *drives.programmes(cur)], format_func=lambda p: "全部" if p is None else p,
                        key="drives_programme")
statuses = dict(REG.field("status").choices or {})
status = b.selectbox("状态", [None, *statuses], key="drives_status",
                     format_func=lambda s: "全部" if s is None else statuses[s])
row = reg.selected_row(cur, user, REG, reg.pick_from_list(
    cur, user, REG, key="drives", filters={"programme": programme, "status": status}))
if row is None:
    st.stop()

reg.heading(row["title"])
reg.details(REG, row)
figures = drives.summary(cur, user, [row["id"]])[row["id"]]
cols = st.columns(4)
for col, (label, value, unit) in zip(cols, [("参会企业", figures["employers"], "家"), ("岗位", figures["positions"], "个"),
                                            ("投递", figures["applications"], "条"), ("签约意向", figures["intents"], "人")]):
    col.metric(label, f"{value:,} {unit}")
st.markdown("**参会企业与岗位数**")
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
