"""目标: the year's targets for the city and each enclave, one grid per year; copy last year's."""
from __future__ import annotations

import polars as pl
import streamlit as st

from db import clock
from db.programmes import targets
from pages import _register as reg
from pages._text import md
from pages._widgets import cursor, gate, show_flash, table

user = gate(__file__)
cur = cursor()
st.title("目标")
show_flash()
this_year = clock.today().year
year = st.selectbox("年度", list(range(this_year + 1, this_year - 6, -1)), index=1, key="targets_year",
                    format_func=lambda y: f"{y} 年")
grid = targets.grid(cur, user, year)
for warning in targets.over_city(cur, user, year):
    st.warning(md(warning) + "（只作提示：各飞地可以设置高于全市分解数的目标。）")
columns = {"scope": st.column_config.TextColumn("范围", disabled=True),
           **{m: st.column_config.NumberColumn(label, step=1, format="%d") for m, label in targets.METRICS.items()}}
st.caption("人才类别的目标按当年到岗人数考核；空白表示未设目标。")
if not reg.may_edit(user):
    table(grid.drop("enclave_id"), column_config=columns)
    st.stop()

edited = st.data_editor(grid.drop("enclave_id"), column_config=columns, hide_index=True, width="stretch",
                        num_rows="fixed", key=f"targets_grid_{year}", placeholder="—")
left, right = st.columns(2)
if left.button("保存目标", type="primary", key="targets_save"):
    after = pl.DataFrame(edited) if not isinstance(edited, pl.DataFrame) else edited
    cells = []
    for i, enclave_id in enumerate(grid["enclave_id"].to_list()):
        for metric in targets.METRICS:
            old, new = grid[metric][i], after[metric][i]
            new = None if new is None or (isinstance(new, float) and new != new) else new
            if isinstance(new, float) and not new.is_integer():
                new = new               # db/ refuses it with a sentence naming the cell
            elif new is not None:
                new = int(new)
            if old != new:
                cells.append(targets.Cell(enclave_id, metric, new))
    if not cells:
        st.info("没有修改。")
    else:
        reg.run(lambda: targets.save(cur, user, year, cells), f"已保存 {year} 年目标（{len(cells)} 项）。")
if right.button(f"复制 {year - 1} 年目标到 {year} 年（只填空白项）", key="targets_copy"):
    reg.run(lambda: targets.copy_from(cur, user, year), f"已把 {year - 1} 年的目标复制到 {year} 年的空白项。")
