"""流失原因: the coded reasons exits carry, and why people left — by reason × stage left and by source.

An exit is an application moving to `rejected` (未通过) or `withdrawn` (放弃); it carries a code from
LostReason (migration 014 coded the free texts entered before) and, optionally, its text. Counting
rules: an exit counts in the year of its move's effective date (stage_event.occurred_at); the unit is
the exit (one application; a person who left two employers counts twice, which is what "why do we lose
people at this stage" asks); merged-away records never count (merge moves their applications to the
survivor); people deleted on request still do (the code is not identifying). Recruiters see their own
enclave's exits only.
"""
from __future__ import annotations

from typing import Literal

import polars as pl

from db import clock
from db.enums import Channel, Labelled, Stage
from db.permissions import Action, User, require, scope_enclave
from db.sql import Cursor, frame, rows, scalar, year_bounds

PAGE_SIZE = 50


class LostReason(Labelled):
    SALARY = "salary", "薪资"
    LOCATION = "location", "地域"
    JOB_MISMATCH = "job_mismatch", "岗位不匹配"
    FURTHER_STUDY = "further_study", "继续深造"
    CIVIL_SERVICE = "civil_service", "考公考编"
    OTHER_CITY = "other_city", "去其他城市"
    UNREACHABLE = "unreachable", "联系不上"
    OTHER = "other", "其他"


Source = Literal["channel", "enclave", "drive"]
SOURCES: dict[str, str] = {"channel": "来源渠道", "enclave": "归属飞地", "drive": "校园招聘"}
NO_VALUE = {"channel": "（未填渠道）", "enclave": "市本级（无飞地）", "drive": "（非校园招聘）"}
STATEMENT = ("口径：统计年度内生效的「未通过」「放弃」阶段变更（按生效日期计），每条投递的退出计一次（一人退出两家企业计两次）；"
             "「离开阶段」是退出前所处的阶段；已合并的重复记录不计，按本人要求删除的人员仍计入。")

# Exits of the year in the actor's scope, one row per exit: the CTE every figure here starts from.
_EXITS = """
    with exits as (
        select e.application_id, e.candidate_id, e.from_stage, e.occurred_at,
               coalesce(a.lost_code, 'other') as reason, a.lost_reason, a.drive_id, a.employer_id
        from stage_event e
        join application a on a.id = e.application_id
        join candidate c on c.id = e.candidate_id
        where e.to_stage in ('rejected', 'withdrawn') and e.occurred_at >= $start and e.occurred_at < $end
          and c.merged_into is null and ($enclave is null or c.enclave_id = $enclave)
    )
"""


def _params(actor: User, year: int) -> dict:
    require(actor, Action.VIEW_DASHBOARD)
    return {"enclave": scope_enclave(actor)} | year_bounds(year)


def years(cur: Cursor, actor: User) -> list[int]:
    """Years with any exit, newest first; always includes this year."""
    require(actor, Action.VIEW_DASHBOARD)
    found = rows(cur, "select distinct cast(extract(year from occurred_at) as integer) from stage_event"
                      " where to_stage in ('rejected', 'withdrawn')")
    return sorted({r[0] for r in found if r[0] is not None} | {clock.today().year}, reverse=True)


def by_reason_and_stage(cur: Cursor, actor: User, year: int) -> pl.DataFrame:
    """Exits of `year` per reason × stage left: columns reason, reason_label, from_stage, from_label,
    from_rank, exits — only the combinations that occurred."""
    found = frame(cur, _EXITS + """
        select reason, from_stage, cast(count(*) as bigint) as exits from exits group by 1, 2
    """, _params(actor, year))
    return _labelled(found).sort("from_rank", "reason_order")


def by_reason(cur: Cursor, actor: User, year: int) -> pl.DataFrame:
    """Exits of `year` per reason, every reason of the list present (0 when none): reason, reason_label,
    exits, share (of all the year's exits; null when there were none)."""
    found = frame(cur, _EXITS + "select reason, cast(count(*) as bigint) as exits from exits group by 1",
                  _params(actor, year))
    grid = pl.DataFrame({"reason": [r.value for r in LostReason],
                         "reason_label": [r.label for r in LostReason]})
    out = grid.join(found, on="reason", how="left", maintain_order="left").with_columns(pl.col("exits").fill_null(0))
    total = int(out["exits"].sum())
    return out.with_columns((pl.col("exits") / total if total else pl.lit(None, dtype=pl.Float64)).alias("share"))


def by_source(cur: Cursor, actor: User, year: int, *, source: Source) -> pl.DataFrame:
    """Exits of `year` per source × reason: columns source_key, source (label), reason, reason_label,
    exits. Channel is the person's channel; enclave their owning enclave; drive the application's campus
    drive, else the drive the person came from. No value forms a group of its own."""
    if source == "channel":
        key, label_sql, join = "c.channel", "c.channel", ""
    elif source == "enclave":
        key, label_sql, join = "c.enclave_id", "n.name", "left join enclave n on n.id = c.enclave_id"
    elif source == "drive":
        key = "coalesce(x.drive_id, c.source_drive_id)"
        label_sql = "d.title || '（' || cast(d.held_on as varchar) || '）'"
        join = f"left join campus_drive d on d.id = {key}"
    else:
        raise ValueError(f"unknown source: {source!r}")
    found = frame(cur, _EXITS + f"""
        select cast({key} as varchar) as source_key, any_value({label_sql}) as source, x.reason,
               cast(count(*) as bigint) as exits
        from exits x join candidate c on c.id = x.candidate_id {join}
        group by 1, 3
    """, _params(actor, year))
    if source == "channel":
        found = found.with_columns(pl.col("source").replace_strict(Channel.labels(), default=pl.col("source")))
    found = found.with_columns(pl.col("source").fill_null(NO_VALUE[source]))
    return found.with_columns(_reason_label()).with_columns(
        pl.col("exits").sum().over("source_key").alias("source_total")
    ).sort(["source_total", "source_key", "exits"], descending=[True, False, True], nulls_last=True).drop("source_total")


def total(cur: Cursor, actor: User, year: int) -> int:
    return int(scalar(cur, _EXITS + "select count(*) from exits", _params(actor, year)))


def people(cur: Cursor, actor: User, year: int, *, reason: str | None = None, from_stage: str | None = None,
           offset: int = 0, limit: int = PAGE_SIZE) -> pl.DataFrame:
    """The exits behind a figure, newest first, 50 a page: candidate_id, name, mobile, email (masked as
    the actor must see them), employer, from_label, to_label, reason_label, lost_reason (text), left_on."""
    from db.candidates import mask_frame

    params = _params(actor, year) | {"reason": reason, "from_stage": from_stage,
                                     "limit": max(1, min(int(limit), PAGE_SIZE)), "offset": max(0, int(offset))}
    found = frame(cur, _EXITS + """
        select c.id as candidate_id, c.name, c.mobile, c.email, c.enclave_id, emp.name as employer,
               fs.label as from_label, x.reason, x.lost_reason, cast(x.occurred_at as date) as left_on
        from exits x
        join candidate c on c.id = x.candidate_id
        left join employer emp on emp.id = x.employer_id
        left join stage fs on fs.code = x.from_stage
        where ($reason is null or x.reason = $reason) and ($from_stage is null or x.from_stage = $from_stage)
        order by x.occurred_at desc, x.application_id desc
        limit $limit offset $offset
    """, params)
    return mask_frame(found.with_columns(_reason_label()), actor)


def count_people(cur: Cursor, actor: User, year: int, *, reason: str | None = None,
                 from_stage: str | None = None) -> int:
    params = _params(actor, year) | {"reason": reason, "from_stage": from_stage}
    return int(scalar(cur, _EXITS + "select count(*) from exits x where ($reason is null or x.reason = $reason)"
                                    " and ($from_stage is null or x.from_stage = $from_stage)", params))


def _reason_label() -> pl.Expr:
    return pl.col("reason").replace_strict(LostReason.labels(), default=pl.col("reason")).alias("reason_label")


def _labelled(found: pl.DataFrame) -> pl.DataFrame:
    order = {r.value: i for i, r in enumerate(LostReason)}
    ranks = {s.value: s.rank for s in Stage}
    return found.with_columns(
        _reason_label(),
        pl.col("from_stage").replace_strict(Stage.labels(), default="（新建即退出）").alias("from_label"),
        pl.col("from_stage").replace_strict(ranks, default=0, return_dtype=pl.Int64).alias("from_rank"),
        pl.col("reason").replace_strict(order, default=len(order), return_dtype=pl.Int64).alias("reason_order"),
    )
