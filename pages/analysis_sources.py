"""分析 → 来源: per source (any funnel dimension), leads → applications → intents → hires, hires per drive,
intent → arrival (same employer and any employer), ranked, with the change on the year before."""
from __future__ import annotations

import streamlit as st

from db import exports, funnels, programmes
from pages import _analysis as an
from pages import _funnel_charts as charts
from pages._text import md
from pages._widgets import cursor, export_buttons, gate, table

CHART_ROWS = 15
COLUMNS = {"group": "来源", "leads": "线索", "leads_change": "线索同比", "applied": "投递", "applied_change": "投递同比",
           "intents": "签约意向", "intents_change": "意向同比", "hires": "到岗", "hires_last_year": "上年到岗",
           "hires_change": "到岗同比", "drives": "校园招聘场次", "drive_hires": "经校招到岗",
           "hires_per_drive": "场均到岗", "same_rate": "意向兑现率（同一企业）", "any_rate": "意向兑现率（任一平湖企业）"}


def column_config() -> dict:
    whole = {k: st.column_config.NumberColumn(v, format="localized")
             for k, v in COLUMNS.items() if k not in ("group", "hires_per_drive", "same_rate", "any_rate")}
    return {"group": st.column_config.TextColumn("来源"), **whole,
            **{k: st.column_config.NumberColumn(v, format="%+d") for k, v in COLUMNS.items() if k.endswith("_change")},
            "hires_per_drive": st.column_config.NumberColumn("场均到岗", format="%.1f"),
            "same_rate": st.column_config.NumberColumn("意向兑现率（同一企业）", format="percent"),
            "any_rate": st.column_config.NumberColumn("意向兑现率（任一平湖企业）", format="percent")}


user = gate(__file__)
cur = cursor()
st.title("来源")
scope = programmes.scope_name(cur, user)
a, b = st.columns(2)
year = an.year_picker(cur, user, key="sources_year", where=a)
by = b.selectbox("来源维度", list(funnels.DIMENSIONS), index=list(funnels.DIMENSIONS).index("channel"),
                 format_func=lambda c: funnels.DIMENSIONS[c].label, key="sources_by")
filters = an.slice_filters(cur, user, key="sources")
rows = an.source_yield(cur, user, year, by, tuple(sorted((k, tuple(v)) for k, v in filters.items())))

st.caption(f"{md(scope)} · {year} 年 · 切片：{md(an.describe(filters, cur, user))} · 按到岗人数排序")
st.caption("口径：线索、投递、签约意向、到岗为当年跨过该阶段的人数（与「漏斗」同一统计，按阶段变更的生效日期，一人每来源只计一次）；"
           "同比为本年减上年（同一口径、同一切片）。校园招聘场次为本组人员当年有阶段变更的投递所属、当年举办且未取消的场次，"
           "经校招到岗为当年经这些场次的投递到岗的人数，场均到岗为二者之比。")
st.caption("意向兑现：当年达成签约意向（跨过「签约意向」阶段）的人中，此后 12 个月内到岗的比例——同一企业：到岗于达成意向的同一企业；"
           "任一平湖企业：到岗于任何企业。一人有多次意向时，任一次兑现即计为兑现。"
           + ("企业、产业、金鹰层级、场次、招聘项目按投递计，一人可计入多个来源。"
              if funnels.DIMENSIONS[by].per_application else ""))
table(rows.select(*COLUMNS), column_config=column_config(), empty="该年度没有阶段变更。")
if rows.height:
    if rows.height > CHART_ROWS:
        st.caption(f"图中为到岗人数最多的 {CHART_ROWS} 个来源（共 {rows.height:,} 个）。")
    st.altair_chart(charts.source_ranking(rows.head(CHART_ROWS)), width="stretch")
    with st.expander("导出本表"):
        export_buttons(lambda c: exports.prepare(c, user, rows, what="来源统计", headers=COLUMNS,
                                                 filters={"年度": year, "来源维度": funnels.DIMENSIONS[by].label,
                                                          "切片": an.describe(filters, cur, user)}),
                       file_stem=f"来源统计-{year}", key="sources_export")
