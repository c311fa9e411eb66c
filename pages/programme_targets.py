"""目标: the year's targets for the city and each enclave, one grid per year; copy last year's."""
from __future__ import annotations

import math

import polars as pl
import streamlit as st

from db import clock
from db.programmes import targets
from pages import _register as reg
from pages._text import md
from pages._widgets import cursor, gate, show_flash, table


def cell_value(value: object) -> object:
    """A grid cell as a target value: blank → None, 40.0 → 40; anything else is passed on for db/ to
    refuse with a sentence naming the cell (1.5, -3)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return int(value) if isinstance(value, (int, float)) and float(value).is_integer() else value


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
columns = {"scope": st.column_config.TextColumn("范围", disabled=True, width="medium", pinned=True),
           **{m: st.column_config.NumberColumn(label, step=1, format="%d") for m, label in targets.METRICS.items()}}
st.caption("人才类别的目标按当年到岗人数考核；空白表示未设目标。")
if not reg.may_edit(user):
    table(grid.drop("enclave_id"), column_config=columns)
    st.stop()

edited = st.data_editor(grid.drop("enclave_id"), column_config=columns, hide_index=True, width="stretch",
                        num_rows="fixed", key=f"targets_grid_{year}", placeholder="—",
                        height=36 * (grid.height + 1) + 3)       # every scope visible, no inner scrolling
left, right = st.columns(2)
if left.button("保存目标", type="primary", key="targets_save"):
    after = edited if isinstance(edited, pl.DataFrame) else pl.DataFrame(edited)
    cells = [targets.Cell(enclave_id, metric, cell_value(after[metric][i]))
             for i, enclave_id in enumerate(grid["enclave_id"].to_list()) for metric in targets.METRICS
             if grid[metric][i] != cell_value(after[metric][i])]
    if not cells:
        st.info("没有修改。")
    else:
        reg.run(lambda: targets.save(cur, user, year, cells), f"已保存 {year} 年目标（{len(cells)} 项）。")
if right.button(f"复制 {year - 1} 年目标到 {year} 年（只填空白项）", key="targets_copy"):
    reg.run(lambda: targets.copy_from(cur, user, year), f"已把 {year - 1} 年的目标复制到 {year} 年的空白项。")
