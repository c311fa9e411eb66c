"""目标进度: the year's targets against what is done so far and what should be done by now, scope by scope."""
from __future__ import annotations

import polars as pl
import streamlit as st

from db import exports, programmes
from db import target_progress as tp
from pages import _analysis_cache as cached
from pages._text import md
from pages._widgets import cursor, export_buttons, gate, table

COLUMNS = {
    "scope": st.column_config.TextColumn("范围"),
    "label": st.column_config.TextColumn("指标"),
    "target": st.column_config.NumberColumn("目标", format="localized"),
    "actual": st.column_config.NumberColumn("完成", format="localized"),
    "expected": st.column_config.NumberColumn("应完成", format="localized", help="按去年同期节奏（或全年均匀）到统计日应完成的值"),
    "completion": st.column_config.ProgressColumn("完成率", format="percent", min_value=0.0, max_value=1.0),
    "status": st.column_config.TextColumn("进度"),
    "shape": st.column_config.TextColumn("进度口径"),
}
EXPORT_HEADERS = {"scope": "范围", "label": "指标", "target": "目标", "actual": "完成", "expected": "应完成",
                  "status": "进度", "shape": "进度口径", "as_of": "统计日"}

user = gate(__file__)
cur = cursor()
st.title("目标进度")
years = tp.years(cur, user)
head = st.columns([1, 3])
year = head[0].selectbox("年度", years, index=years.index(tp.default_year(cur, user)), format_func=lambda y: f"{y} 年",
                         key="target_progress_year")
scope = programmes.scope_name(cur, user)
found = cached.progress(cur, user, year)
as_of = found["as_of"][0] if found.height else None
head[1].caption(f"统计范围：{md(scope)}。" + (f"统计日：{as_of}。" if as_of else "该年度尚未开始，只列目标。"))

if found.height == 0:
    st.info(f"{year} 年还没有设置目标：请在「项目管理 → 目标」中设置。")
    st.stop()
shown = found.with_columns(
    (pl.col("actual") / pl.col("target")).fill_nan(None).alias("completion"),
    pl.when(pl.col("behind").is_null()).then(pl.lit("不分飞地，未统计"))
      .when(pl.col("behind")).then(pl.lit("⚠ 落后"))
      .otherwise(pl.lit("正常")).alias("status"),
)
behind = int(found["behind"].fill_null(False).sum())
a, b, c = st.columns(3)
a.metric("目标项", f"{found.height:,} 项")
b.metric("落后于应完成", f"{behind:,} 项")
c.metric("已完成全年目标", f"{int((found['actual'].fill_null(0) >= found['target']).sum()):,} 项")
st.caption(tp.CAPTION)

only_behind = st.toggle("只看落后项", key="target_progress_behind")
listed = shown.filter(pl.col("behind").fill_null(False)) if only_behind else shown
table(listed.select(*COLUMNS), column_config=COLUMNS, empty="没有落后的目标项。")
with st.expander("导出目标进度"):
    export_buttons(lambda c: exports.prepare(c, user, shown, what="目标进度", headers=EXPORT_HEADERS,
                                             filters={"年度": year, "范围": scope}),
                   file_stem=f"目标进度-{year}", key="target_progress_export")
