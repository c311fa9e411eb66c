"""时长: days spent in each pipeline stage, contact → hire time, and the people stuck in an open stage.

Counting rules. A *stay* in a stage runs from the move into it to the application's next move (both by
effective date, stage_event.occurred_at, so a move entered late counts when it happened). A stay counts
in the year it ended; stays still running are left out of the median and p90 (their end is not known
yet) and reported beside them as the number still in the stage and how long they have waited so far.
Contact → hire: per person hired in the year (their first arrival in it, once per person), from their
first move to 已联系 or beyond on any application (a person created straight at 已投递 was contacted
then) to that arrival. Merged-away records never count; people deleted on request still do. Groups:
the person's owner (负责人, candidate.owner_id) or owning enclave. Recruiters see their enclave only.
A person is *stuck* when an open application (线索 … 已签约) has sat in its stage longer than that
stage's threshold (table stage_threshold, migration 014), counted in whole days to today.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import polars as pl

from db import audit, clock
from db.connection import run_in_transaction
from db.enums import PIPELINE, Role, Stage
from db.errors import ConcurrentEdit, PermissionDenied, ValidationError
from db.permissions import Action, User, require, scope_enclave
from db.sql import Cursor, frame, rows, year_bounds

Group = Literal["all", "owner", "enclave"]
GROUPS: dict[str, str] = {"all": "全部", "owner": "负责人", "enclave": "归属飞地"}
OPEN_STAGES = tuple(s for s in PIPELINE if s.rank < Stage.ARRIVED.rank)       # 线索 … 已签约
_OPEN_SQL = "(" + ", ".join(f"'{s.value}'" for s in OPEN_STAGES) + ")"
NO_OWNER, NO_ENCLAVE = "（未指定负责人）", "市本级（无飞地）"
PAGE_SIZE = 50
MAX_DAYS = 3650
THRESHOLD_EDITORS = frozenset({Role.MANAGER, Role.ADMIN})

STAY_STATEMENT = ("口径：停留天数 = 进入该阶段到这条投递下一次阶段变更的天数（均按生效日期）；按停留结束的年份计入，"
                  "每条投递的每次停留计一次；仍停留在该阶段的投递没有结束日，不计入中位数和 P90，单独列出人数与已停留天数；"
                  "已合并的重复记录不计，按本人要求删除的人员仍计入。")
HIRE_STATEMENT = ("口径：当年到岗的人（一人一年计一次，取当年首次到岗），从其任一投递首次进入「已联系」或之后阶段的日期，"
                  "到该次到岗的天数（均按生效日期）。")
STUCK_STATEMENT = ("口径：进行中的投递（线索至已签约）在当前阶段停留的天数（自最近一次阶段变更的生效日期到今天）"
                   "超过该阶段的阈值。")


def _group_sql(by: Group) -> tuple[str, str, str]:
    """(key, label, join) SQL for a grouping, from a fixed list (never user text)."""
    if by == "all":
        return "cast(null as bigint)", "'全部'", ""
    if by == "owner":
        return "c.owner_id", f"coalesce(any_value(u.display_name), '{NO_OWNER}')", "left join app_user u on u.id = c.owner_id"
    if by == "enclave":
        return "c.enclave_id", f"coalesce(any_value(n.name), '{NO_ENCLAVE}')", "left join enclave n on n.id = c.enclave_id"
    raise ValueError(f"unknown grouping: {by!r}")


def _scope(actor: User) -> dict:
    require(actor, Action.VIEW_DASHBOARD)
    return {"enclave": scope_enclave(actor)}


def stage_durations(cur: Cursor, actor: User, year: int, *, by: Group = "all") -> pl.DataFrame:
    """Per open stage (and group): stays that ended in `year` — stays, median_days, p90_days — and the
    stays still running today — open_now, open_median_days (how long those have waited so far).
    Columns: group_key, group, stage, label, rank, stays, median_days, p90_days, open_now, open_median_days.

    Two queries: ended stays are moves whose stored end (stage_event.left_at: the application's next
    move, kept by every writer — db/stage_derived.py) falls in the year, a filter on one column instead
    of a window pairing all events; running stays are the moves into an open stage with no end yet (an
    application's last move, so its current stage)."""
    key, label, join = _group_sql(by)
    params = _scope(actor) | year_bounds(year) | {"now": clock.now()}
    ended = frame(cur, f"""
        select {key} as group_key, {label} as "group", e.to_stage as stage, cast(count(*) as bigint) as stays,
               quantile_cont(epoch(e.left_at - e.occurred_at) / 86400.0, [0.5, 0.9]) as q
        from stage_event e join candidate c on c.id = e.candidate_id {join}
        where e.to_stage in {_OPEN_SQL} and e.left_at >= $start and e.left_at < $end
          and c.merged_into is null and ($enclave is null or c.enclave_id = $enclave)
        group by 1, 3
    """, params)
    running = frame(cur, f"""
        select {key} as group_key, {label} as "group", e.to_stage as stage, cast(count(*) as bigint) as open_now,
               round(median(epoch($now - e.occurred_at) / 86400.0), 1) as open_median_days
        from stage_event e join candidate c on c.id = e.candidate_id {join}
        where e.left_at is null and e.to_stage in {_OPEN_SQL}
          and c.merged_into is null and ($enclave is null or c.enclave_id = $enclave)
        group by 1, 3
    """, params)
    ended = ended.with_columns(pl.col("q").list.get(0).round(1).alias("median_days"),
                               pl.col("q").list.get(1).round(1).alias("p90_days")).drop("q")
    both = ended.join(running, on=["group_key", "stage"], how="full", coalesce=True, nulls_equal=True)
    both = both.with_columns(pl.coalesce("group", "group_right").alias("group")).drop("group_right")
    both = both.with_columns(pl.col("stays").fill_null(0), pl.col("open_now").fill_null(0))
    return _with_stage_labels(both).select(
        "group_key", "group", "stage", "stays", "median_days", "p90_days", "open_now", "open_median_days", "label",
        "rank").sort(["group", "rank"])


def contact_to_hire(cur: Cursor, actor: User, year: int, *, by: Group = "all") -> pl.DataFrame:
    """Per group: people hired in `year` (first arrival in the year) — hires, median_days, p90_days from
    their first contact. Columns: group_key, group, hires, median_days, p90_days."""
    key, label, join = _group_sql(by)
    params = _scope(actor) | year_bounds(year)
    return frame(cur, f"""
        with hired as (
            select e.candidate_id, min(e.occurred_at) as arrived
            from stage_event e join candidate c on c.id = e.candidate_id
            where e.to_stage = 'arrived' and e.occurred_at >= $start and e.occurred_at < $end
              and c.merged_into is null and ($enclave is null or c.enclave_id = $enclave)
            group by 1
        ), spans as (
            select h.candidate_id, epoch(h.arrived - min(e.occurred_at)) / 86400.0 as days
            from hired h join stage_event e on e.candidate_id = h.candidate_id
            where e.to_stage not in ('lead', 'rejected', 'withdrawn') and e.occurred_at <= h.arrived
            group by h.candidate_id, h.arrived
        )
        select {key} as group_key, {label} as "group", cast(count(*) as bigint) as hires,
               round(percentile_cont(0.5) within group (order by days), 1) as median_days,
               round(percentile_cont(0.9) within group (order by days), 1) as p90_days
        from spans s join candidate c on c.id = s.candidate_id {join}
        group by 1
        order by hires desc, "group"
    """, params)


# --- thresholds -------------------------------------------------------------------------------------------

def thresholds(cur: Cursor) -> pl.DataFrame:
    """Each open stage's stuck threshold: stage, label, days, updated_by, updated_at, version."""
    found = frame(cur, "select stage, days, updated_by, updated_at, version from stage_threshold")
    return _with_stage_labels(found).sort("rank").select("stage", "label", "days", "updated_by", "updated_at",
                                                         "version")


def may_edit_thresholds(actor: User) -> bool:
    return actor.role in THRESHOLD_EDITORS


def set_threshold(cur: Cursor, actor: User, stage: str, days: int, *, expected_version: int | None = None) -> None:
    """Set one stage's threshold (managers and admins), audited; a change someone made first is refused."""
    if not may_edit_thresholds(actor):
        raise PermissionDenied("只有管理者和系统管理员可以修改停滞阈值。")
    if stage not in {s.value for s in OPEN_STAGES}:
        raise ValidationError(f"「{Stage.label_of(stage)}」不是进行中的阶段，不能设置停滞阈值。", field="stage")
    if not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise ValidationError(f"停滞阈值须为 1 至 {MAX_DAYS} 之间的整数天数。", field="days")

    def work(cur: Cursor) -> None:
        before = rows(cur, "select days, version from stage_threshold where stage = $s", {"s": stage})
        if not before:
            raise ValidationError(f"阶段「{Stage.label_of(stage)}」没有停滞阈值记录。")
        old_days, version = before[0]
        if expected_version is not None and version != expected_version:
            raise ConcurrentEdit("该阈值刚被他人修改，请刷新后重试。")
        if old_days == days:
            return
        changed = rows(cur, "update stage_threshold set days = $d, updated_by = $by, updated_at = $now,"
                            " version = version + 1 where stage = $s and version = $v",
                       {"d": days, "by": actor.username, "now": clock.now(), "s": stage, "v": version})
        if changed[0][0] != 1:
            raise ConcurrentEdit("该阈值刚被他人修改，请刷新后重试。")
        audit.record(cur, actor, "update", entity="stage_threshold", entity_id=stage,
                     before={"days": old_days}, after={"days": days},
                     detail=f"停滞阈值「{Stage.label_of(stage)}」：{old_days} 天 → {days} 天")

    run_in_transaction(cur, work)


# --- stuck people ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class StuckFilter:
    owner_id: int | None = None      # managers: one recruiter's people; recruiters always see their own
    enclave_id: int | None = None


def _stuck_where(actor: User, f: StuckFilter) -> tuple[str, dict]:
    require(actor, Action.VIEW_DASHBOARD)
    if actor.is_recruiter:   # a recruiter's own people (who are in their enclave)
        return "c.owner_id = $owner", {"owner": actor.id}
    clauses, params = ["true"], {}
    if f.owner_id is not None:
        clauses.append("c.owner_id = $owner")
        params["owner"] = f.owner_id
    if f.enclave_id is not None:
        clauses.append("c.enclave_id = $enclave_id")
        params["enclave_id"] = f.enclave_id
    return " and ".join(clauses), params


_STUCK = f"""
    with open_apps as (   -- an open application's running stay: its last move, the one with no stored end yet
        select a.id as application_id, a.candidate_id, a.employer_id, a.stage, e.occurred_at as since
        from application a join stage_event e on e.application_id = a.id
        where a.stage in {_OPEN_SQL} and e.left_at is null
    ), stuck as (
        select o.*, date_diff('day', cast(o.since as date), $today) as days, t.days as threshold
        from open_apps o join stage_threshold t on t.stage = o.stage
        where date_diff('day', cast(o.since as date), $today) > t.days
    )
"""


def stuck(cur: Cursor, actor: User, f: StuckFilter = StuckFilter(), *, offset: int = 0,
          limit: int = PAGE_SIZE) -> pl.DataFrame:
    """Stuck applications, longest over their threshold first, 50 a page: candidate_id, name, mobile,
    email (masked as the actor must see them), employer, stage, label, since, days, threshold, owner,
    enclave, detail (the candidate screen's address)."""
    from db.candidates import mask_frame

    where, params = _stuck_where(actor, f)
    params |= {"today": clock.today(), "limit": max(1, min(int(limit), PAGE_SIZE)), "offset": max(0, int(offset))}
    found = frame(cur, _STUCK + f"""
        select c.id as candidate_id, c.name, c.mobile, c.email, c.enclave_id, emp.name as employer, s.stage,
               cast(s.since as date) as since, s.days, s.threshold,
               coalesce(u.display_name, '{NO_OWNER}') as owner, coalesce(n.name, '{NO_ENCLAVE}') as enclave,
               'candidate?id=' || cast(c.id as varchar) as detail
        from stuck s
        join candidate c on c.id = s.candidate_id
        left join employer emp on emp.id = s.employer_id
        left join app_user u on u.id = c.owner_id
        left join enclave n on n.id = c.enclave_id
        where c.merged_into is null and c.deleted_at is null and {where}
        order by s.days - s.threshold desc, s.application_id
        limit $limit offset $offset
    """, params)
    found = found.with_columns(pl.col("stage").replace_strict(Stage.labels(), default=None).alias("label"))
    return mask_frame(found, actor)


def stuck_counts(cur: Cursor, actor: User, f: StuckFilter = StuckFilter()) -> pl.DataFrame:
    """Stuck applications per open stage (every open stage present): stage, label, threshold, stuck."""
    where, params = _stuck_where(actor, f)
    found = frame(cur, _STUCK + f"""
        select s.stage, cast(count(*) as bigint) as stuck
        from stuck s join candidate c on c.id = s.candidate_id
        where c.merged_into is null and c.deleted_at is null and {where}
        group by 1
    """, params | {"today": clock.today()})
    grid = thresholds(cur).select("stage", "label", pl.col("days").alias("threshold"))
    return grid.join(found, on="stage", how="left", maintain_order="left").with_columns(pl.col("stuck").fill_null(0))


def enclaves(cur: Cursor) -> pl.DataFrame:
    return frame(cur, "select id, name from enclave order by code")


def _with_stage_labels(found: pl.DataFrame) -> pl.DataFrame:
    ranks = {s.value: s.rank for s in Stage}
    return found.with_columns(
        pl.col("stage").replace_strict(Stage.labels(), default=None).alias("label"),
        pl.col("stage").replace_strict(ranks, default=0, return_dtype=pl.Int64).alias("rank"),
    )
