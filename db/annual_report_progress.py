"""年度报告's 留平 and 目标进度 sections: the figures of db/retention_figures.py and db/target_progress.py
(the functions the 留平 and 目标进度 screens and `python -m db retention|targets` use), laid out as a sheet
each and told in the city's register.

Which figures a year's report holds:
- 目标进度: the report year's targets, judged on the report's day — the year's last day once it is past,
  today while it runs (target_progress.as_of).
- 留平: the hires of the report year and the three before it (the cohorts whose 6-, 12- or 36-month
  checks fall due in or before the report year), each milestone counted if it fell due by the report's
  day; a milestone due later is left out, not shown as zero. The answers are the checks recorded when
  the report is made (a check typed in after the year still answers a milestone due within it).
Both are counted for the report's scope: the city, or what the enclave's recruiter sees.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from db import analytics, clock
from db import retention_figures as rf
from db import target_progress as tp
from db.permissions import User
from db.sql import Cursor

COHORT_YEARS = 4          # the report year and the three before it: a 36-month check of Y-3's hires falls due in Y
UNITS = {"tech_vp": "名", "flexible": "名", "co_supervised": "名"}       # every other metric counts people: 人

# The 口径 sheet's rows for these sections: code → (label, unit, what it counts).
DEFINITIONS: dict[str, tuple[str, str, str]] = {
    "retention_cohorts": (
        "留平统计的到岗年度", "年",
        "报告年度及其前三年（共四个年度）到岗的人：这几年到岗者的满 6、12、36 个月回访在报告年度内或之前到期。"
        "某回访节点在统计日（往年为 12 月 31 日，当年为生成当天）之后才到期的不列出。"),
    "retention_hires": (
        "留平·到岗人数", "人",
        "该年度到岗的不同人数（按到岗生效日期计年，一人取当年首次到岗），人才类别取到岗时的类别；已合并的重复记录不计。"),
    "retention_due": ("留平·应回访", "人", "到岗满 6、12 或 36 个月、且在统计日前已到回访时间的人数。"),
    "retention_rate": (
        "留平率", "%",
        "回访仍在平湖的人数 ÷ 已有回访结论（留平 + 离开）的人数。该节点没有回访的，以更早回访「已离开」或更晚回访"
        "「仍在平湖」为准；回访结论以生成报告时已录入的为准。"),
    "retention_overdue": ("逾期未回访", "人", "已到回访时间、仍无回访结论的人数；单列，不计为离开，也不进留平率。"),
    "target_actual": (
        "目标·完成", "人/名",
        "报告年度年初至统计日的累计，与汇总表同一口径（人才类别按到岗时类别、一人一年一类计一次）。"
        "人才项目申报台账不分飞地，只计全市。"),
    "target_expected": (
        "目标·按进度应完成", "人/名",
        "目标 × 去年同一指标同一范围到同一天的累计占全年的比例（按月、月内均匀），去年没有数据时按全年均匀；"
        "往年按全年计，即等于目标。"),
    "target_behind": ("目标·落后", "项", "完成值低于按进度应完成值（四舍五入到整数）的目标项数。"),
}


def report_day(year: int, today: date | None = None) -> date:
    """The day a year's report is judged on: its last day once past, today while it runs."""
    today = today or clock.today()
    return min(today, date(year, 12, 31))


# --- 留平 -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Retention:
    figures: pl.DataFrame     # year, grouping, group_key, group_label, months, hires, due, stayed, left, overdue, rate
    prose: str


def retention(cur: Cursor, actor: User, year: int, *, city: bool, today: date | None = None,
              detail: bool = True) -> Retention:
    """The four cohorts' figures: overall, by category at arrival, by employer and (for the city) by
    enclave, milestones due by the report's day only. Without `detail`: overall and by category only
    (all the prose needs)."""
    day = report_day(year, today)
    groupings = ["category"] + (["enclave"] if city and detail else []) + (["employer"] if detail else [])
    # Only the years with any arrival (a cheap distinct over the events) are asked: an empty cohort costs a
    # full pass of retention_figures otherwise, and most databases have fewer than four years of hires.
    hired_in = set(analytics.years(cur, actor))
    parts = []
    for cohort in [y for y in range(year - COHORT_YEARS + 1, year + 1) if y in hired_in]:
        for by in groupings:
            grouped = rf.figures(cur, actor, cohort, by=by, today=day)
            if grouped.height == 0:
                break                  # no hires that year: no grouping has any
            if by == "category":       # every hire is in one category: the whole scope's figures
                parts.append(_tagged(rf.totals(grouped), cohort, "all"))
            parts.append(_tagged(grouped, cohort, by))
    figures = pl.concat(parts).filter(pl.col("due") > 0) if parts else pl.DataFrame(schema=SCHEMA)
    return Retention(figures, retention_text(figures, year=year, day=day))


SCHEMA = {"year": pl.Int32, "grouping": pl.String, "group_key": pl.String, "group_label": pl.String,
          "months": pl.Int32, "hires": pl.Int64, "due": pl.Int64, "stayed": pl.Int64, "left": pl.Int64,
          "overdue": pl.Int64, "rate": pl.Float64}


def _tagged(grouped: pl.DataFrame, cohort: int, by: str) -> pl.DataFrame:
    return grouped.with_columns(year=pl.lit(cohort), grouping=pl.lit(by)).select(
        pl.col(name).cast(dtype) for name, dtype in SCHEMA.items())


def retention_text(figures: pl.DataFrame, *, year: int, day: date) -> str:
    """One sentence per cohort, newest first: its hires and each due milestone's rate, overdue apart."""
    overall = figures.filter(grouping="all").sort("year", "months", descending=[True, False])
    sentences = []
    for (cohort,), rows in overall.group_by("year", maintain_order=True):
        said = []
        for r in rows.iter_rows(named=True):
            answered = r["stayed"] + r["left"]
            lead = f"满{r['months']}个月" + ("回访仍在平湖的" if not said else "的")
            text = f"{lead}占{r['rate'] * 100:.1f}%" if answered else f"满{r['months']}个月应回访{r['due']}人、尚无回访结论"
            if r["overdue"] and answered:
                text += f"（另有{r['overdue']}人逾期未回访，不计为离开）"
            said.append(text)
        sentences.append(f"{cohort}年引进人才{rows['hires'][0]}人中，" + "，".join(said))
    when = f"截至{day.year}年{day.month}月{day.day}日"
    if not sentences:
        return f"留平方面，{when}，{year - COHORT_YEARS + 1}—{year}年引进的人才尚无到期的留平回访。"
    return f"留平方面，{when}，" + "；".join(sentences) + "。"


def retention_sheet(figures: pl.DataFrame) -> pl.DataFrame:
    """The 留平 sheet: one row per cohort, grouping, group and due milestone."""
    names = {"all": "全部", **rf.GROUP_LABELS}
    return figures.sort("year", descending=True, maintain_order=True).select(
        pl.col("year").cast(pl.String).alias("到岗年度"), pl.col("grouping").replace_strict(names).alias("分组方式"),
        pl.col("group_label").alias("分组"), pl.col("months").alias("回访节点（月）"), pl.col("hires").alias("到岗"),
        pl.col("due").alias("应回访"), pl.col("stayed").alias("留平"), pl.col("left").alias("离开"),
        pl.col("overdue").alias("逾期未回访"), (pl.col("rate") * 100).round(1).alias("留平率（%）"))


# --- 目标进度 ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Targets:
    progress: pl.DataFrame    # target_progress.progress's rows for the report's scope
    prose: str


def targets(cur: Cursor, actor: User, year: int, *, scope: str, today: date | None = None) -> Targets:
    found = tp.progress(cur, actor, year, today=today or clock.today())
    return Targets(found, targets_text(found, year=year, scope=scope))


def unit(metric: str) -> str:
    return UNITS.get(metric, "人")


def targets_text(found: pl.DataFrame, *, year: int, scope: str) -> str:
    """The scope's own targets one by one (the city's, or the enclave's), then how many of the enclaves'
    targets fall behind (the city's report only)."""
    if found.height == 0:
        return f"目标进度方面，{year}年{scope}未设定年度目标。"
    own = found.filter(pl.col("scope") == scope)
    day = found["as_of"][0]
    if day is None:
        listed = "、".join(f"{r['label']}{r['target']}{unit(r['metric'])}" for r in own.iter_rows(named=True))
        return f"目标进度方面，{year}年{scope}设定年度目标{own.height}项（{listed}），该年度尚未开始统计。"
    counted = own.filter(pl.col("actual").is_not_null())
    done = counted.filter(pl.col("actual") >= pl.col("target")).height
    behind = counted.filter(pl.col("behind"))
    text = f"目标进度方面，截至{day.year}年{day.month}月{day.day}日"
    if own.height:
        text += f"，{scope}{year}年度目标{own.height}项，已完成全年目标{done}项"
        text += (f"、落后于进度{behind.height}项（{'、'.join(behind['label'])}）" if behind.height
                 else "，其余均达到按进度应完成值" if done < counted.height else "")
        details = []
        year_done = (day.month, day.day) == (12, 31)        # the whole year's value is due: expected = target
        for r in counted.iter_rows(named=True):
            u = unit(r["metric"])
            share = f"{r['actual'] / r['target'] * 100:.1f}%" if r["target"] else "—"
            details.append(f"{r['label']}完成{r['actual']}{u}，为目标{r['target']}{u}的{share}"
                           + ("" if year_done else f"，按进度应完成{r['expected']}{u}"))
        if details:
            text += "。其中，" + "；".join(details)
    enclaves = found.filter(pl.col("scope") != scope)
    if enclaves.height:
        late = int(enclaves["behind"].fill_null(False).sum())
        text += ("。" if own.height else "，") + f"各人才飞地共设{year}年度目标{enclaves.height}项，" + (f"其中{late}项落后于进度" if late else "均达到按进度应完成值")
    return text + "。"


def targets_sheet(found: pl.DataFrame) -> pl.DataFrame:
    """The 目标进度 sheet: the screen's columns, one row per target."""
    return found.select(
        pl.col("scope").alias("范围"), pl.col("label").alias("指标"), pl.col("target").alias("目标"),
        pl.col("actual").alias("完成"), pl.col("expected").alias("按进度应完成"),
        pl.when(pl.col("target") > 0).then((pl.col("actual") / pl.col("target") * 100).round(1)).alias("完成率（%）"),
        pl.when(pl.col("behind").is_null()).then(pl.lit("不分飞地，未统计"))
          .when(pl.col("behind")).then(pl.lit("落后")).otherwise(pl.lit("正常")).alias("进度"),
        pl.col("shape").alias("进度口径"), pl.col("as_of").alias("统计日"))
