"""分析 → 来源: per value of a source dimension, how many leads became applications, intents and hires,
hires per campus drive, and how many intents turned into arrivals — ranked, with the change on the
year before. Stage counts come from db/funnels.crossings (the funnel's own rules and function).

Intent → hire matching: a person's 签约意向 (crossing the intent stage, on its effective date, in the
year) is converted when an arrival (a move to 已到岗) follows within 12 months of it — at the same
employer for the same-employer rate, at any employer (every employer here is a Pinghu employer) for
the any-employer rate. A person counts once per group: converted when any of their intents in the
year was.
"""
from __future__ import annotations

from typing import Any

import polars as pl

from db import funnels
from db.enums import Stage
from db.permissions import Action, User, require
from db.sql import Cursor, frame

SOURCE_STAGES = ("lead", "applied", "intent", "arrived")
CHANGES = ("leads", "applied", "intents", "hires")     # figures shown with last year's and the change
INTENT_RANK = Stage.INTENT.rank


def _group_sql(actor: User, where: funnels.Slice, by: funnels.Dimension) -> tuple[str, str, dict[str, Any]]:
    """(group key SQL, joins + where SQL, params) for queries over stage_event e, application a, candidate c."""
    q = funnels.slice_sql(actor, where, by)
    return funnels.key_sql(by), f"{q.joins} where {q.where}", q.params


def intent_conversion(cur: Cursor, actor: User, where: funnels.Slice, *, by: str) -> pl.DataFrame:
    """Per group: intents (people who crossed 签约意向 in the period), converted_same (an arrival at the
    same employer within 12 months after), converted_any (an arrival anywhere within 12 months)."""
    require(actor, Action.VIEW_DASHBOARD)
    grp, rest, params = _group_sql(actor, where, funnels.dimension(by))
    return frame(cur, f"""
        with intents as (
            select {grp} as key, e.candidate_id, a.employer_id, e.occurred_at as at
            from stage_event e
            join stage t on t.code = e.to_stage and not t.is_exit
            left join stage f on f.code = e.from_stage
            join application a on a.id = e.application_id
            join candidate c on c.id = e.candidate_id
            {rest} and e.occurred_at >= $start and e.occurred_at < $end
              and t.rank >= {INTENT_RANK} and coalesce(f.rank, 0) < {INTENT_RANK}
        ), arrivals as (
            select e.candidate_id, a.employer_id, e.occurred_at as at
            from stage_event e join application a on a.id = e.application_id
            where e.to_stage = 'arrived'
              and e.candidate_id in (select candidate_id from intents)
        ), matched as (
            select i.key, i.candidate_id,
                   bool_or(r.candidate_id is not null) as any_employer,
                   bool_or(r.employer_id is not distinct from i.employer_id and r.candidate_id is not null) as same_employer
            from intents i left join arrivals r
              on r.candidate_id = i.candidate_id and r.at >= i.at and r.at < i.at + interval 12 month
            group by i.key, i.candidate_id
        )
        select key, cast(count(*) as bigint) as intents,
               cast(count(*) filter (where same_employer) as bigint) as converted_same,
               cast(count(*) filter (where any_employer) as bigint) as converted_any
        from matched group by key
    """, params)


def drive_yield(cur: Cursor, actor: User, where: funnels.Slice, *, by: str) -> pl.DataFrame:
    """Per group: drives (campus drives held in the period, not cancelled, whose applications of the
    group's people moved in the period) and drive_hires (people who arrived in the period through an
    application of one of them)."""
    require(actor, Action.VIEW_DASHBOARD)
    d = funnels.dimension(by)
    grp, rest, params = _group_sql(actor, where, d)
    drive_join = "" if "campus_drive d " in rest else "join campus_drive d on d.id = a.drive_id"
    return frame(cur, f"""
        select {grp} as key, cast(count(distinct a.drive_id) as bigint) as drives,
               cast(count(distinct e.candidate_id) filter (where e.to_stage = 'arrived') as bigint) as drive_hires
        from stage_event e
        join application a on a.id = e.application_id
        join candidate c on c.id = e.candidate_id
        {drive_join}
        {rest} and e.occurred_at >= $start and e.occurred_at < $end
          and a.drive_id is not null and d.status <> 'cancelled' and d.held_on >= $start and d.held_on < $end
        group by 1
    """, params)


def yield_by(cur: Cursor, actor: User, year: int, *, by: str, **filters: list[str]) -> pl.DataFrame:
    """One row per group of `by` in `year`: key, group, leads, applied, intents, hires, drives,
    drive_hires, hires_per_drive, converted_same, converted_any, same_rate, any_rate, and for leads,
    applied, intents and hires <figure>_last_year and <figure>_change — ranked by hires, then leads."""
    current = _year(cur, actor, funnels.Slice.year(year, **filters), by)
    # Last year's changing figures are all stage counts: its intent matching and drive yield go unused.
    before = _counts(cur, actor, funnels.Slice.year(year - 1, **filters), by).select(
        "key", *(pl.col(c).alias(f"{c}_last_year") for c in CHANGES))
    out = current.join(before, on="key", how="left").with_columns(
        pl.col(f"{c}_last_year").fill_null(0) for c in CHANGES)
    return out.with_columns((pl.col(c) - pl.col(f"{c}_last_year")).alias(f"{c}_change") for c in CHANGES).sort(
        ["hires", "leads", "group"], descending=[True, True, False])


def _counts(cur: Cursor, actor: User, where: funnels.Slice, by: str) -> pl.DataFrame:
    return funnels.table(funnels.crossings(cur, actor, where, by=by)).select(
        "key", "group", pl.col("lead").alias("leads"), "applied", pl.col("intent").alias("intents"),
        pl.col("arrived").alias("hires"))


def _year(cur: Cursor, actor: User, where: funnels.Slice, by: str) -> pl.DataFrame:
    counts = _counts(cur, actor, where, by)
    matched = intent_conversion(cur, actor, where, by=by).drop("intents")
    drives = drive_yield(cur, actor, where, by=by)
    zero = [pl.col(c).fill_null(0) for c in ("drives", "drive_hires", "converted_same", "converted_any")]
    return (
        counts.join(drives, on="key", how="left").join(matched, on="key", how="left").with_columns(zero)
        .with_columns(
            pl.when(pl.col("drives") > 0).then(pl.col("drive_hires") / pl.col("drives")).alias("hires_per_drive"),
            pl.when(pl.col("intents") > 0).then(pl.col("converted_same") / pl.col("intents")).alias("same_rate"),
            pl.when(pl.col("intents") > 0).then(pl.col("converted_any") / pl.col("intents")).alias("any_rate"),
        )
    )


__all__ = ["SOURCE_STAGES", "CHANGES", "intent_conversion", "drive_yield", "yield_by"]
