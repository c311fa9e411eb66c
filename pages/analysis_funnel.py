"""分析 → 漏斗: stage counts and conversion rates for any slice, grouped by any dimension; two slices
side by side; cohorts by month of first contact; the people behind each figure."""
from __future__ import annotations

import polars as pl
import streamlit as st

from db import exports, funnels, programmes
from pages import _analysis as an
from pages import _funnel_charts as charts
from pages._text import md
from pages._widgets import cursor, export_buttons, gate, table

CHART_GROUPS = 8
MODES = {"group": "分组对比", "compare": "两个切片并排", "cohort": "按首次接触月份（队列）"}


def stage_columns() -> dict:
    counts = {s: st.column_config.NumberColumn(funnels.LABELS[s], format="localized") for s in funnels.STAGES}
    rates = {f"conv_{s}": st.column_config.NumberColumn(f"→{funnels.LABELS[s]}", format="percent")
             for s in funnels.STAGES[1:]}
    return {"group": st.column_config.TextColumn("分组"), **counts, **rates}


def picked_from_chart(event, keys: list[str]) -> None:  # type: ignore[no-untyped-def]
    """A click on a bar opens its people below: the drill-down's pickers take the bar's group and stage
    (only when the click is new, so choosing in the pickers afterwards still works)."""
    points = (event.selection.get(charts.PICK) or []) if event is not None else []
    if not points or points == st.session_state.get("funnel_last_pick"):
        return
    st.session_state["funnel_last_pick"] = points
    point = points[0]
    if point.get("key") in keys:
        st.session_state["funnel_people_group"] = point["key"]
    if point.get("stage") in funnels.STAGES:
        st.session_state["funnel_people_stage"] = point["stage"]
    st.session_state["funnel_people_page"] = 1


def grouped_view() -> None:
    start, end, label = an.period(cur, user, key="funnel")
    filters = an.slice_filters(cur, user, key="funnel")
    where = funnels.Slice.between(start, end, **filters)
    dims = [None, *funnels.DIMENSIONS]
    by = st.selectbox("分组维度", dims, key="funnel_by",
                      format_func=lambda c: "不分组（合计）" if c is None else funnels.DIMENSIONS[c].label)
    counts = an.crossings(cur, user, where, by)
    wide = funnels.table(counts)
    st.caption(f"{md(scope)} · {label} · 切片：{md(an.describe(filters, cur, user))}")
    st.caption(an.CROSSING_RULE + ("企业、产业、金鹰层级、场次、招聘项目按投递计：一人在几个分组的投递中跨过某阶段，"
                                   "就在这几个分组中各计一次，各组相加可多于合计。"
                                   if by and funnels.DIMENSIONS[by].per_application else "各组相加等于合计。")
               + "转化率为本阶段人数 ÷ 上一阶段人数。")
    table(wide.drop("key"), column_config=stage_columns(), empty="所选期间和切片内没有阶段变更。")
    if wide.height:
        top = wide.head(CHART_GROUPS)["key"].to_list()
        shown = counts.filter(pl.col("key").is_in(top))
        if wide.height > CHART_GROUPS:
            st.caption(f"图中为线索人数最多的 {CHART_GROUPS} 组（共 {wide.height:,} 组，表中可点表头排序查看全部）。")
        st.caption("点击图中的柱子，可在下方「人员明细」查看该组跨过该阶段的人员。")
        event = st.altair_chart(charts.grouped_funnel(shown, title=funnels.DIMENSIONS[by].label if by else "分组",
                                                      pickable=True),
                                width="stretch", on_select="rerun", key="funnel_chart")
        picked_from_chart(event, wide["key"].to_list())
        with st.expander("导出本表"):
            headers = {"group": "分组", **{s: funnels.LABELS[s] for s in funnels.STAGES}}
            export_buttons(lambda c: exports.prepare(c, user, wide, what="漏斗分组统计", headers=headers,
                                                     filters={"期间": label, "分组": by or "合计",
                                                              "切片": an.describe(filters, cur, user)}),
                           file_stem="漏斗分组统计", key="funnel_export")
    st.subheader("人员明细")
    groups = dict(zip(wide["key"].to_list(), wide["group"].to_list()))
    if wide.height:
        an.people_behind(cur, user, where, by, groups, key="funnel_people")


def compare_view() -> None:
    sides = []
    for column, name in zip(st.columns(2, border=True), ("切片 A", "切片 B")):
        with column:
            st.markdown(f"**{name}**")
            start, end, label = an.period(cur, user, key=f"cmp_{name[-1]}", stacked=True)
            filters = an.slice_filters(cur, user, key=f"cmp_{name[-1]}", stacked=True)
            where = funnels.Slice.between(start, end, **filters)
            st.caption(f"{label} · {md(an.describe(filters, cur, user))}")
            sides.append((name, where))
    counts = pl.concat([an.crossings(cur, user, where, None).with_columns(pl.lit(name).alias("slice"))
                        for name, where in sides])
    wide = counts.pivot(on="slice", index=["stage", "stage_label"], values="people", maintain_order=True)
    for name, _ in sides:
        previous = pl.col(name).shift(1)
        wide = wide.with_columns(pl.when(previous > 0).then(pl.col(name) / previous).alias(f"{name} 转化率"))
    st.caption(an.CROSSING_RULE + "转化率为本阶段人数 ÷ 上一阶段人数。")
    table(wide.drop("stage"), column_config={
        "stage_label": "阶段", **{n: st.column_config.NumberColumn(n, format="localized") for n, _ in sides},
        **{f"{n} 转化率": st.column_config.NumberColumn(f"{n} 转化率", format="percent") for n, _ in sides}})
    st.altair_chart(charts.grouped_funnel(counts, colour="slice", title="切片"), width="stretch")


def cohort_view() -> None:
    start, end, label = an.period(cur, user, key="cohort")
    filters = an.slice_filters(cur, user, key="cohort")
    found = an.cohorts(cur, user, funnels.Slice.between(start, end, **filters))
    st.caption(f"{md(scope)} · {label} · 切片：{md(an.describe(filters, cur, user))}")
    st.caption("口径：按首次接触月份分组——首次接触为此人最早一次阶段变更（含新建投递）的生效日期，不是录入系统的时间；"
               "只含首次接触在所选期间内的人员。各阶段为到今天为止曾到达该阶段或更后阶段的人数及其占当月人数的比例"
               "（未通过/放弃不算到达）；已合并的记录计入保留的记录。")
    if found.height == 0:
        st.caption("所选期间内没有首次接触的人员。")
        return
    wide = found.pivot(on="stage", index=["month", "people"], values="reached", maintain_order=True)
    table(wide.with_columns(pl.col("month").dt.strftime("%Y-%m")), column_config={
        "month": "首次接触月份", "people": st.column_config.NumberColumn("人数", format="localized"),
        **{s: st.column_config.NumberColumn(funnels.LABELS[s], format="localized") for s in funnels.STAGES}})
    st.altair_chart(charts.cohort_heatmap(found), width="stretch")


user = gate(__file__)
cur = cursor()
st.title("漏斗")
scope = programmes.scope_name(cur, user)
mode = st.radio("查看方式", list(MODES), format_func=MODES.get, horizontal=True, key="funnel_mode")
{"group": grouped_view, "compare": compare_view, "cohort": cohort_view}[mode]()
