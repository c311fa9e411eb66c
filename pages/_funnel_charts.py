"""Altair charts of the 分析 screens: grouped funnel bars, cohort heat map, source ranking."""
from __future__ import annotations

import altair as alt
import polars as pl

from db import funnels

STAGE_ORDER = [funnels.LABELS[s] for s in funnels.STAGES]


PICK = "pick"


def grouped_funnel(counts: pl.DataFrame, *, colour: str = "group", title: str = "分组",
                   pickable: bool = False) -> alt.Chart:
    """Bars per stage (pipeline order), one bar per group side by side (grouped bars). `pickable`: a click
    on a bar selects its (key, stage), for the drill-down."""
    groups = list(dict.fromkeys(counts[colour].to_list()))
    chart = alt.Chart(counts)
    if pickable:
        chart = chart.add_params(alt.selection_point(name=PICK, fields=["key", "stage"], on="click"))
    return (
        chart
        .mark_bar()
        .encode(
            x=alt.X("stage_label:N", sort=STAGE_ORDER, title=None, axis=alt.Axis(labelAngle=0)),
            xOffset=alt.XOffset(f"{colour}:N", sort=groups),
            y=alt.Y("people:Q", title="人数", axis=alt.Axis(format="d", tickMinStep=1)),
            color=alt.Color(f"{colour}:N", title=title, sort=groups),
            tooltip=[alt.Tooltip(f"{colour}:N", title=title), alt.Tooltip("stage_label:N", title="阶段"),
                     alt.Tooltip("people:Q", title="人数", format=",")],
        )
        .properties(height=320)
    )


def cohort_heatmap(cohorts: pl.DataFrame) -> alt.Chart:
    """Month of first contact × stage: the share of the cohort that got that far."""
    shown = cohorts.with_columns(pl.col("month").dt.strftime("%Y-%m").alias("月份"))
    base = alt.Chart(shown).encode(
        x=alt.X("stage_label:N", sort=STAGE_ORDER, title=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("月份:N", title="首次接触月份", sort="ascending"),
    )
    cells = base.mark_rect().encode(
        color=alt.Color("share:Q", title="到达比例", scale=alt.Scale(scheme="blues", domain=[0, 1]),
                        legend=alt.Legend(format=".0%")),
        tooltip=[alt.Tooltip("月份:N"), alt.Tooltip("people:Q", title="当月首次接触", format=","),
                 alt.Tooltip("stage_label:N", title="阶段"), alt.Tooltip("reached:Q", title="到达人数", format=","),
                 alt.Tooltip("share:Q", title="到达比例", format=".1%")],
    )
    text = base.mark_text(fontSize=10).encode(
        text=alt.Text("share:Q", format=".0%"),
        color=alt.condition(alt.datum.share > 0.6, alt.value("white"), alt.value("#333")),
    )
    return (cells + text).properties(height=max(160, 26 * shown["月份"].n_unique()))


def source_ranking(rows: pl.DataFrame) -> alt.Chart:
    """Hires per source this year next to last year's, best first."""
    order = rows["group"].to_list()
    long = rows.select("group", pl.col("hires").alias("本年"), pl.col("hires_last_year").alias("上年")).unpivot(
        index="group", variable_name="年份", value_name="到岗")
    return (
        alt.Chart(long)
        .mark_bar()
        .encode(
            y=alt.Y("group:N", sort=order, title=None),
            yOffset=alt.YOffset("年份:N", sort=["本年", "上年"]),
            x=alt.X("到岗:Q", title="到岗人数", axis=alt.Axis(format="d", tickMinStep=1)),
            color=alt.Color("年份:N", sort=["本年", "上年"], scale=alt.Scale(range=["#2e86c1", "#aab7b8"])),
            tooltip=[alt.Tooltip("group:N", title="来源"), alt.Tooltip("年份:N"), alt.Tooltip("到岗:Q", format=",")],
        )
        .properties(height=max(160, 34 * len(order)))
    )
