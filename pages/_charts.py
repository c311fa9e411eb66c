"""Altair charts used on the dashboards."""
from __future__ import annotations

import altair as alt
import polars as pl

CATEGORY_COLOURS = {"青年博士": "#1f4e79", "青年大学生": "#2e86c1", "高能人才": "#f39c12", "高层次人才": "#8e44ad",
                    "科技副总": "#16a085", "其他": "#95a5a6"}


def monthly_hires(df: pl.DataFrame) -> alt.Chart:
    """Stacked monthly hires by talent category (categories with no hires left out)."""
    shown = df.filter(pl.col("hires").sum().over("category") > 0).with_columns(
        (pl.col("month").cast(pl.String) + "月").alias("月份"))
    labels = [label for label in CATEGORY_COLOURS if label in shown["label"].unique().to_list()]
    return (
        alt.Chart(shown)
        .mark_bar()
        .encode(
            # Numbers only on the axis ("1" … "12", the title says 月): twelve "10月"-wide labels ran into
            # each other at 1280 px.
            x=alt.X("月份:N", sort=[f"{m}月" for m in range(1, 13)], title="月份",
                    axis=alt.Axis(labelAngle=0, labelExpr="replace(datum.label, '月', '')", labelFontSize=11)),
            y=alt.Y("hires:Q", title="到岗人数", axis=alt.Axis(format="d", tickMinStep=1)),   # whole people
            color=alt.Color("label:N", title="人才类别", sort=labels,
                            scale=alt.Scale(domain=labels, range=[CATEGORY_COLOURS[x] for x in labels])),
            order=alt.Order("category:N"),
            tooltip=[alt.Tooltip("月份:N"), alt.Tooltip("label:N", title="类别"), alt.Tooltip("hires:Q", title="人数")],
        )
        .properties(height=300)
    )


def funnel(df: pl.DataFrame) -> alt.Chart:
    """Horizontal bars, pipeline order top to bottom, with each stage's share of the first."""
    first = max(int(df["candidates"][0]), 1) if df.height else 1
    shown = df.with_columns((pl.col("candidates") / first).alias("share"))
    base = alt.Chart(shown).encode(
        y=alt.Y("label:N", sort=shown["label"].to_list(), title=None),
        x=alt.X("candidates:Q", title="人数", axis=alt.Axis(format="d", tickMinStep=1)),
        tooltip=[alt.Tooltip("label:N", title="阶段"), alt.Tooltip("candidates:Q", title="人数", format=","),
                 alt.Tooltip("share:Q", title="占线索", format=".1%")],
    )
    bars = base.mark_bar(color="#2e86c1")
    text = base.mark_text(align="left", dx=4).encode(text=alt.Text("candidates:Q", format=","))
    return (bars + text).properties(height=300)
