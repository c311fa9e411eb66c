"""留平: of each year's hires, how many the 6-, 12- and 36-month retention checks found still in Pinghu.

A hire is a person's first arrival in the year (as analytics counts hires: by the move's effective date,
merged-away records never, people deleted on request still), under the talent category that arrival
kept, with the employer of that application and the person's enclave. Each milestone m of a hire is:
- not due: arrival + m months is after today — left out of every count of that milestone;
- 留平 (stayed) / 离开 (left): the check at m says whether they were still in Pinghu; without one, an
  earlier check that found them gone answers "left" and a later one that found them here answers
  "stayed";
- 逾期 (overdue): due and unanswered — counted on its own, never as "left" (unknown is not gone).
The rate is stayed ÷ (stayed + left): of the hires whose milestone is answered.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from db import candidates, clock
from db.permissions import Action, User, require, scope_enclave
from db.sql import Cursor, frame, year_bounds

MILESTONES = (6, 12, 36)
OUTCOMES = {"stayed": "留平", "left": "离开", "overdue": "逾期未回访"}
NO_ENCLAVE, NO_EMPLOYER = "（无所属飞地）", "（未填企业）"
# Grouping → (key over `answered a`, label and sort key over the grouped row `g` and its labels joined).
GROUPS: dict[str, tuple[str, str, str]] = {
    "all": ("'all'", "'全部'", "g.k"),
    "category": ("a.category", "coalesce(k.label, g.k)", "k.sort_order"),
    "enclave": ("cast(a.enclave_id as varchar)", f"coalesce(n.name, '{NO_ENCLAVE}')", "coalesce(n.code, '~')"),
    "employer": ("cast(a.employer_id as varchar)", f"coalesce(m.name, '{NO_EMPLOYER}')", "coalesce(m.name, '~')"),
}
GROUP_LABELS = {"category": "人才类别（到岗时）", "enclave": "飞地", "employer": "企业"}
CAPTION = ("口径：当年到岗的人（按到岗生效日期计，一人取当年首次到岗，类别取到岗时的人才类别），到岗后满 6、12、36 个月的留平回访。"
           "未到回访时间的不计；留平率 = 回访仍在平湖 ÷ 已有回访结论（留平 + 离开）；该回访时间点没有回访的，"
           "以更早回访「已离开」或更晚回访「仍在平湖」为准；仍无结论的计为「逾期未回访」，单列，不算离开。")

_ANSWERED = """
with hires as (
    select e.candidate_id, arg_min(e.application_id, e.occurred_at) as application_id,
           arg_min(e.talent_category, e.occurred_at) as category, cast(min(e.occurred_at) as date) as arrived_on,
           any_value(c.enclave_id) as enclave_id
    from stage_event e join candidate c on c.id = e.candidate_id
    where e.to_stage = 'arrived' and e.occurred_at >= $start and e.occurred_at < $end
      and c.merged_into is null and ($enclave is null or c.enclave_id = $enclave)
    group by e.candidate_id
), due as (
    select h.*, ap.employer_id, ms.months,
           cast(h.arrived_on + to_months(ms.months) as date) as due_on
    from hires h
    join application ap on ap.id = h.application_id
    cross join (select unnest([6, 12, 36]) as months) ms
    where $months is null or ms.months = $months
), checks as (     -- per hire's application: what its checks say beyond any one milestone
    select application_id,
           min(months) filter (where not still_in_pinghu) as first_left,
           arg_min(checked_on, months) filter (where not still_in_pinghu) as first_left_on,
           max(months) filter (where still_in_pinghu) as last_stayed,
           arg_min(still_employed, months) filter (where months > 6 and still_in_pinghu) as employed_after_6,
           arg_min(checked_on, months) filter (where months > 6 and still_in_pinghu) as stayed_after_6_on,
           arg_min(still_employed, months) filter (where months > 12 and still_in_pinghu) as employed_after_12,
           arg_min(checked_on, months) filter (where months > 12 and still_in_pinghu) as stayed_after_12_on
    from retention_check
    where application_id in (select application_id from hires)
    group by application_id
), answered as (    -- one row per hire and milestone: its outcome, or not_due
    select d.candidate_id, d.months, d.application_id, d.category, d.enclave_id, d.employer_id, d.arrived_on,
           d.due_on,
           case when d.due_on > $today then 'not_due'
                when k.id is not null then case when k.still_in_pinghu then 'stayed' else 'left' end
                when s.first_left < d.months then 'left'
                when s.last_stayed > d.months then 'stayed'
                else 'overdue' end as outcome,
           case when k.id is not null then k.still_employed
                when s.first_left < d.months then false
                when s.last_stayed > d.months then
                     case d.months when 6 then s.employed_after_6 else s.employed_after_12 end end as employed,
           case when k.id is not null then k.checked_on
                when s.first_left < d.months then s.first_left_on
                when s.last_stayed > d.months then
                     case d.months when 6 then s.stayed_after_6_on else s.stayed_after_12_on end end as checked_on
    from due d
    left join retention_check k on k.application_id = d.application_id and k.months = d.months
    left join checks s on s.application_id = d.application_id
)
"""


def _params(actor: User, year: int, today: date | None) -> dict:
    require(actor, Action.VIEW_DASHBOARD)
    return year_bounds(year) | {"enclave": scope_enclave(actor), "today": today or clock.today()}


def _group(by: str) -> tuple[str, str, str]:
    if by not in GROUPS:
        raise ValueError(f"unknown grouping: {by!r}")
    return GROUPS[by]


def figures(cur: Cursor, actor: User, year: int, *, by: str = "all", today: date | None = None) -> pl.DataFrame:
    """Per group and milestone: hires of the year in the group, due, stayed, left, overdue, employed
    (stayed and still employed by the answering check), rate (stayed ÷ answered; null when none).
    Groups: all, category (at arrival), enclave, employer; a group whose milestones are not yet due
    shows with zeros. Recruiters: their enclave's hires only."""
    key, label, order = _group(by)
    return frame(
        cur,
        f"""
        {_ANSWERED}
        , grouped as (      -- one pass; labels are joined to the few groups afterwards
            select {key} as k, a.months, count(*) as hires,
                   count(*) filter (where a.outcome <> 'not_due') as due,
                   count(*) filter (where a.outcome = 'stayed') as stayed,
                   count(*) filter (where a.outcome = 'left') as gone,
                   count(*) filter (where a.outcome = 'overdue') as overdue,
                   count(*) filter (where a.outcome = 'stayed' and a.employed) as employed
            from answered a
            group by 1, 2
        )
        select g.k as group_key, {label} as group_label, g.months, cast(g.hires as bigint) as hires,
               cast(g.due as bigint) as due, cast(g.stayed as bigint) as stayed, cast(g.gone as bigint) as "left",
               cast(g.overdue as bigint) as overdue, cast(g.employed as bigint) as employed,
               case when g.stayed + g.gone > 0 then g.stayed / (g.stayed + g.gone) end as rate
        from grouped g
        left join talent_category k on k.code = g.k
        left join enclave n on cast(n.id as varchar) = g.k
        left join employer m on cast(m.id as varchar) = g.k
        order by {order}, group_label, g.months
        """,
        _params(actor, year, today) | {"months": None},
    )


def totals(grouped: pl.DataFrame) -> pl.DataFrame:
    """The whole scope's figures per milestone from any grouping's (each hire is in exactly one group
    of category, enclave or employer): the same columns, one row per milestone."""
    summed = grouped.group_by("months").agg(pl.col("hires", "due", "stayed", "left", "overdue", "employed").sum())
    answered = pl.col("stayed") + pl.col("left")
    return pl.DataFrame({"months": list(MILESTONES)}, schema={"months": grouped.schema.get("months", pl.Int32)}).join(
        summed, on="months", how="left").with_columns(
        pl.col("hires", "due", "stayed", "left", "overdue", "employed").fill_null(0).cast(pl.Int64),
        pl.when(answered > 0).then(pl.col("stayed") / answered).alias("rate"),
        pl.lit("all").alias("group_key"), pl.lit("全部").alias("group_label"),
    ).select(grouped.columns)


@dataclass(frozen=True)
class PeoplePage:
    rows: pl.DataFrame      # application_id, candidate_id, name, mobile, email, enclave, employer, category, arrived_on, due_on, outcome, checked_on, masked
    total: int


def people(cur: Cursor, actor: User, year: int, *, months: int, by: str = "all", group_key: str | None = None,
           outcome: str | None = None, today: date | None = None, offset: int = 0, limit: int = 50) -> PeoplePage:
    """The hires behind one figure (a group's milestone, optionally one outcome), 50 a page, oldest
    arrival first; contacts masked as the actor must see them."""
    key, _, _ = _group(by)
    if months not in MILESTONES:
        raise ValueError(f"unknown milestone: {months!r}")
    if outcome is not None and outcome not in OUTCOMES:
        raise ValueError(f"unknown outcome: {outcome!r}")
    params = _params(actor, year, today) | {"months": months, "group": group_key, "outcome": outcome,
                                            "offset": max(0, int(offset)), "limit": max(1, min(int(limit), 200))}
    found = frame(
        cur,
        f"""
        {_ANSWERED}
        , chosen as (
            select a.*, count(*) over () as total from answered a
            where a.months = $months and a.outcome <> 'not_due' and ($outcome is null or a.outcome = $outcome)
              and ($group is null or {key} is not distinct from $group)
            order by a.arrived_on, a.candidate_id
            limit $limit offset $offset
        )
        select x.application_id, x.candidate_id, c.name, c.mobile, c.email, c.enclave_id,
               coalesce(n.name, '{NO_ENCLAVE}') as enclave, coalesce(m.name, '{NO_EMPLOYER}') as employer,
               coalesce(k.label, x.category) as category, x.arrived_on, x.due_on, x.outcome, x.checked_on, x.total
        from chosen x
        join candidate c on c.id = x.candidate_id
        left join talent_category k on k.code = x.category
        left join enclave n on n.id = x.enclave_id
        left join employer m on m.id = x.employer_id
        order by x.arrived_on, x.candidate_id
        """,
        params,
    )
    total = int(found["total"][0]) if found.height else 0
    shown = found.drop("total").with_columns(pl.col("outcome").replace_strict(OUTCOMES, default=None))
    return PeoplePage(candidates.mask_frame(shown, actor), total)
