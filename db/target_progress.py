"""目标 vs actuals: per year, scope (the city or an enclave) and metric, the target, the year-to-date
value, the value expected by this date, and whether the actual falls behind it.

Each metric is counted as the year's figures count it (db/analytics.py), dated so that it can be cut
at any day of the year:
- talent categories (青年博士, 青年大学生, 高能人才, 高层次人才): distinct people per category at arrival,
  dated by their first arrival in the year under it;
- 科技副总, 柔性引进: appointments, dated by their start;
- 校园招聘签约意向: people at 签约意向 or later through a drive held in the year (cancelled ones
  excluded), dated by their first such move, kept inside the drive's year;
- 联合培养: co-supervised students active in the year, dated by their start (1 January when they
  started before the year);
- 人才项目申报: distinct applicants of the year's active declarations, dated by submission (the
  register names no enclave: the city only).
The expected value at a date is the target times the share of last year's value of the same metric
and scope reached by the same day of last year (month by month, linear within a month); where last
year has none, the share of the year gone by. A past year is judged at its end, a future one not at all.
"""
from __future__ import annotations

import calendar
import math
from datetime import date

import polars as pl

from db import clock
from db.permissions import Action, User, require, scope_enclave
from db.programmes.targets import CITY, METRICS
from db.sql import Cursor, frame

CATEGORY_METRICS = ("young_phd", "young_graduate", "high_skill", "high_level")
CITY_ONLY = {"declarations"}
LAST_YEAR, LINEAR = "去年节奏", "全年均匀"
CAPTION = ("口径：完成值为年初至统计日（往年为全年）的累计，与总览、年度指标同一口径（人才类别按到岗时类别、一人一年一类计一次）；"
           "应完成 = 目标 × 去年同一指标同一范围到同一天的累计占全年的比例（按月、月内均匀），去年没有数据时按全年均匀；"
           "完成值低于应完成（四舍五入到整数）即标为落后。人才项目申报台账不分飞地，只计全市。")

_DATED = """
with hires as (
    select e.talent_category as metric, any_value(c.enclave_id) as enclave_id, cast(c.id as varchar) as who,
           year(e.occurred_at) as y, cast(min(e.occurred_at) as date) as day
    from stage_event e join candidate c on c.id = e.candidate_id
    where e.to_stage = 'arrived' and e.occurred_at >= $first and e.occurred_at < $end and c.merged_into is null
      and e.talent_category in ('young_phd', 'young_graduate', 'high_skill', 'high_level')
    group by c.id, e.talent_category, year(e.occurred_at)
), appointed as (
    select kind as metric, enclave_id, cast(id as varchar) as who, year(starts_on) as y, starts_on as day
    from appointment where starts_on >= $first and starts_on < $end
), intents as (
    select 'drive_intents' as metric, d.enclave_id, cast(a.candidate_id as varchar) as who, year(d.held_on) as y,
           cast(least(greatest(min(ev.occurred_at), make_date(year(d.held_on), 1, 1)),
                      make_date(year(d.held_on), 12, 31)) as date) as day
    from application a
    join campus_drive d on d.id = a.drive_id
    join candidate c on c.id = a.candidate_id
    join stage_event ev on ev.application_id = a.id
    where d.status <> 'cancelled' and d.held_on >= $first and d.held_on < $end and c.merged_into is null
      and ev.to_stage in ('intent', 'offer', 'signed', 'arrived', 'retained')
    group by a.candidate_id, d.enclave_id, year(d.held_on)
), supervised as (
    select 'co_supervised' as metric, c.enclave_id, 'cs' || s.id as who, y.y,
           greatest(s.starts_on, make_date(y.y, 1, 1)) as day
    from co_supervision s join candidate c on c.id = s.candidate_id
    cross join (select unnest([$last_year, $year]) as y) y
    where s.starts_on < make_date(y.y + 1, 1, 1)
      and (s.expected_graduation is null or s.expected_graduation >= make_date(y.y, 1, 1)) and c.merged_into is null
), declared as (
    select 'declarations' as metric, null::bigint as enclave_id,
           coalesce(cast(candidate_id as varchar), applicant_name) as who, year as y,
           min(least(greatest(coalesce(submitted_on, make_date(year, 1, 1)), make_date(year, 1, 1)),
                     make_date(year, 12, 31))) as day
    from declaration where active and year in ($last_year, $year)
    group by 1, 2, 3, 4
), dated as (
    select * from hires union all select * from appointed union all select * from intents
    union all select * from supervised union all select * from declared
), firsts as (      -- once per person (or record) per metric, year and scope: the city, and each enclave
    select metric, null::bigint as enclave_id, who, y, min(day) as day from dated group by metric, who, y
    union all
    select metric, enclave_id, who, y, min(day) from dated where enclave_id is not null group by metric, enclave_id, who, y
)
"""


def as_of(year: int, today: date) -> date | None:
    """The day a year's progress is judged on: today within it, its last day once past, None before it."""
    if year < today.year:
        return date(year, 12, 31)
    return today if year == today.year else None


def elapsed_share(day: date | None, monthly: list[int] | None) -> float:
    """How much of a year's value is expected by `day` (same month and day in any year): by last
    year's 12 monthly values when they add up to anything, else by the share of days gone."""
    if day is None:
        return 0.0
    if day.month == 12 and day.day == 31:
        return 1.0
    if monthly and sum(monthly) > 0:
        days = calendar.monthrange(day.year, day.month)[1]
        reached = sum(monthly[: day.month - 1]) + monthly[day.month - 1] * day.day / days
        return reached / sum(monthly)
    return day.timetuple().tm_yday / (366 if calendar.isleap(day.year) else 365)


def progress(cur: Cursor, actor: User, year: int, *, today: date | None = None) -> pl.DataFrame:
    """One row per target of `year` in the actor's scope (全市 first, then enclaves by code; metrics in
    the target grid's order): enclave_id, scope, metric, label, target, actual (null where the metric
    has no enclave figure), expected, behind, shape (去年节奏 / 全年均匀), as_of."""
    require(actor, Action.VIEW_DASHBOARD)
    today = today or clock.today()
    day = as_of(year, today)
    enclave = scope_enclave(actor)
    params = {"year": year, "last_year": year - 1, "first": date(year - 1, 1, 1), "end": date(year + 1, 1, 1),
              "asof": day or date(year, 1, 1), "counted": day is not None, "enclave": enclave}
    goals = frame(
        cur,
        """
        select t.enclave_id, coalesce(n.name, $city) as scope, coalesce(n.code, '') as code, t.metric,
               cast(t.value as bigint) as target
        from target t left join enclave n on n.id = t.enclave_id
        where t.year = $year and (($enclave is null) or t.enclave_id = $enclave)
        """,
        {"year": year, "city": CITY, "enclave": enclave},
    )
    # Long rows: month 0 is the year's value up to the day judged; months 1–12 are last year's shape.
    counted = frame(
        cur,
        f"""
        {_DATED}
        select enclave_id, metric, 0 as month, count(*) as n from firsts
        where y = $year and $counted and day <= $asof group by 1, 2
        union all
        select enclave_id, metric, month(day), count(*) from firsts where y = $last_year group by 1, 2, 3
        """,
        params,
    ) if goals.height else pl.DataFrame()
    return _assemble(goals, counted, day)


def _assemble(goals: pl.DataFrame, counted: pl.DataFrame, day: date | None) -> pl.DataFrame:
    schema = {"enclave_id": pl.Int64, "scope": pl.String, "metric": pl.String, "label": pl.String,
              "target": pl.Int64, "actual": pl.Int64, "expected": pl.Int64, "behind": pl.Boolean,
              "shape": pl.String, "as_of": pl.Date}
    if goals.height == 0:
        return pl.DataFrame(schema=schema)
    actuals: dict[tuple, int] = {}
    shapes: dict[tuple, list[int]] = {}
    for r in counted.iter_rows(named=True) if counted.height else ():
        key = (r["enclave_id"], r["metric"])
        if r["month"] == 0:
            actuals[key] = int(r["n"])
        else:
            shapes.setdefault(key, [0] * 12)[int(r["month"]) - 1] = int(r["n"])
    order = list(METRICS)
    out = []
    for g in goals.sort(pl.col("enclave_id").is_not_null(), "code", pl.col("metric").replace_strict(
            {m: i for i, m in enumerate(order)}, default=len(order))).iter_rows(named=True):
        key = (g["enclave_id"], g["metric"])
        has_figure = not (g["enclave_id"] is not None and g["metric"] in CITY_ONLY)
        actual = actuals.get(key, 0) if has_figure else None
        monthly = shapes.get(key)
        shaped = bool(monthly and sum(monthly) > 0)
        # Rounded half up, as people round: the flag compares the two whole numbers the screen shows.
        expected = math.floor(g["target"] * elapsed_share(day, monthly) + 0.5) if has_figure else None
        out.append({"enclave_id": g["enclave_id"], "scope": g["scope"], "metric": g["metric"],
                    "label": METRICS.get(g["metric"], g["metric"]), "target": g["target"], "actual": actual,
                    "expected": expected, "behind": None if actual is None else actual < expected,
                    "shape": LAST_YEAR if shaped else LINEAR, "as_of": day})
    return pl.DataFrame(out, schema=schema)


def years(cur: Cursor, actor: User) -> list[int]:
    """Years with targets in the actor's scope, and this year; newest first."""
    require(actor, Action.VIEW_DASHBOARD)
    found = frame(cur, "select distinct year from target where $enclave is null or enclave_id = $enclave",
                  {"enclave": scope_enclave(actor)})
    return sorted(set(found["year"].to_list()) | {clock.today().year}, reverse=True)


def default_year(cur: Cursor, actor: User) -> int:
    """This year if it has targets in the actor's scope, else the latest earlier year that has."""
    this_year = clock.today().year
    found = frame(cur, "select max(year) as y from target where year <= $year"
                       " and ($enclave is null or enclave_id = $enclave)",
                  {"year": this_year, "enclave": scope_enclave(actor)})["y"][0]
    return this_year if found is None else int(found)
