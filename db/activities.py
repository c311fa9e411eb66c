"""Activity: notes, calls, visits, WeChat and meetings on a person's timeline, and follow-ups due.

A person's next follow-up date lives on `candidate.next_follow_up_on` (one date per person, set
when an activity schedules one); 待跟进 lists the people whose date has come.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import TypeVar

import polars as pl

from db import audit, candidates, clock, national_id
from db.connection import run_in_transaction
from db.enums import ActivityKind
from db.errors import ConcurrentEdit, ValidationError
from db.permissions import Action, User, require
from db.sql import Cursor, frame, next_id, rows

STALE = "该候选人刚被他人修改，请刷新后重试。"
MAX_BODY = 2000
SCOPES = ("mine", "enclave", "all")
EARLIEST = date(2000, 1, 1)
T = TypeVar("T")


def log(
    cur: Cursor, actor: User, candidate_id: int, *, kind: str, occurred_on: date, body: str,
    follow_up_on: date | None = None,
) -> int:
    """Add one entry to the person's timeline; a `follow_up_on` date becomes their next follow-up.
    Returns the activity's id."""
    kind = _kind(kind)
    body = _body(body)
    today = clock.today()
    if occurred_on > today:
        raise ValidationError(f"发生日期 {occurred_on} 晚于今天：请记录已经发生的沟通，计划事项请填「下次跟进日期」。",
                              field="occurred_on")
    if occurred_on < EARLIEST:
        raise ValidationError(f"发生日期 {occurred_on} 过早，请检查。", field="occurred_on")
    _check_follow_up(follow_up_on, today)

    def work(cur: Cursor) -> int:
        _require_editable(cur, actor, candidate_id)
        activity_id = _insert(cur, actor, candidate_id, kind, occurred_on, body, follow_up_on)
        if follow_up_on is not None:
            _set_follow_up(cur, actor, candidate_id, follow_up_on)
        audit.record(cur, actor, "log_activity", entity="candidate", entity_id=candidate_id,
                     after={"activity_id": activity_id, "kind": kind, "occurred_on": occurred_on,
                            "follow_up_on": follow_up_on},
                     detail=f"记录{ActivityKind.label_of(kind)}（{occurred_on}）"
                            + (f"，下次跟进 {follow_up_on}" if follow_up_on else ""))
        return activity_id

    return _retrying(cur, work)


def complete_follow_up(
    cur: Cursor, actor: User, candidate_id: int, *, next_on: date | None = None, note: str | None = None,
    kind: str = "note",
) -> None:
    """Mark the person's follow-up done: clear it, or reschedule it to `next_on`. A `note` is
    logged as an activity of `kind` (what the follow-up was: a call, a WeChat message …)."""
    today = clock.today()
    if next_on is not None and next_on <= today:
        raise ValidationError(f"新的跟进日期 {next_on} 须晚于今天（{today}）。", field="next_on")
    kind = _kind(kind)
    text = (note or "").strip()
    body = _body(text) if text else None

    def work(cur: Cursor) -> None:
        _require_editable(cur, actor, candidate_id)
        before = rows(cur, "select next_follow_up_on from candidate where id = $id", {"id": candidate_id})[0][0]
        if body is not None:
            _insert(cur, actor, candidate_id, kind, today, body, next_on)
        _set_follow_up(cur, actor, candidate_id, next_on)
        audit.record(cur, actor, "follow_up", entity="candidate", entity_id=candidate_id,
                     before={"next_follow_up_on": before}, after={"next_follow_up_on": next_on},
                     detail="完成跟进" + (f"，改期至 {next_on}" if next_on else ""))

    _retrying(cur, work)


def for_candidate(cur: Cursor, actor: User, candidate_id: int, *, limit: int = 200) -> pl.DataFrame:
    """The person's activities, newest first, with labels and who logged them."""
    require(actor, Action.READ_PROGRAMMES)
    found = frame(
        cur,
        """
        select a.id, a.kind, a.occurred_on, a.body, a.follow_up_on, a.created_by,
               coalesce(u.display_name, a.created_by) as created_by_name, a.created_at
        from activity a left join app_user u on u.username = a.created_by
        where a.candidate_id = $id
        order by a.occurred_on desc, a.created_at desc, a.id desc
        limit $limit
        """,
        {"id": candidate_id, "limit": limit},
    )
    return found.with_columns(pl.col("kind").replace_strict(ActivityKind.labels(), default=pl.col("kind"))
                              .alias("kind_label"))


def follow_ups(
    cur: Cursor, actor: User, *, today: date | None = None, scope: str = "mine", within_days: int = 0,
    limit: int = 500,
) -> pl.DataFrame:
    """People whose next follow-up is due by `today` (+ `within_days`): overdue first, with days
    overdue (0 = today), the latest activity and their most advanced open stage; contacts masked.
    `mine`: people the actor owns; `enclave`: the actor's enclave; `all`: everyone the actor may
    edit (a recruiter's own enclave)."""
    require(actor, Action.READ_PROGRAMMES)
    if scope not in SCOPES:
        raise ValidationError(f"未知的范围：{scope}。")
    today = today or clock.today()
    clauses = ["c.next_follow_up_on <= $until", "c.merged_into is null", "c.deleted_at is null"]
    params: dict[str, object] = {"until": today + timedelta(days=within_days), "today": today, "limit": limit}
    if scope == "mine":
        clauses.append("c.owner_id = $owner_id")
        params["owner_id"] = actor.id
    elif scope == "enclave" or actor.is_recruiter:
        if actor.enclave_id is None:
            raise ValidationError("您的账号未关联飞地，请选择「我负责的」或「全部」。")
        clauses.append("c.enclave_id = $enclave_id")
        params["enclave_id"] = actor.enclave_id
    due = frame(
        cur,
        f"""
        with due as (
            select c.id, c.name, c.mobile, c.email, c.enclave_id, c.owner_id, c.next_follow_up_on, c.version
            from candidate c
            where {' and '.join(clauses)}
            order by c.next_follow_up_on, c.id
            limit $limit
        ), latest as (
            select a.candidate_id, a.kind, a.occurred_on, a.body,
                   row_number() over (partition by a.candidate_id
                                      order by a.occurred_on desc, a.created_at desc, a.id desc) as n
            from activity a where a.candidate_id in (select id from due)
        ), stages as (
            select a.candidate_id, a.stage,
                   row_number() over (partition by a.candidate_id order by s.rank desc, a.updated_at desc) as n
            from application a join stage s on s.code = a.stage
            where a.candidate_id in (select id from due) and not s.is_exit and a.stage <> 'retained'
        )
        select d.id, d.name, d.mobile, d.email, d.enclave_id, en.name as enclave, d.owner_id,
               o.display_name as owner, d.next_follow_up_on, $today - d.next_follow_up_on as days_overdue,
               st.stage, sl.label as stage_label, la.kind as last_kind, la.occurred_on as last_on,
               la.body as last_body, d.version
        from due d
        left join enclave en on en.id = d.enclave_id
        left join app_user o on o.id = d.owner_id
        left join latest la on la.candidate_id = d.id and la.n = 1
        left join stages st on st.candidate_id = d.id and st.n = 1
        left join stage sl on sl.code = st.stage
        order by d.next_follow_up_on, d.id
        """,
        params,
    )
    due = due.with_columns(pl.col("last_kind").replace_strict(ActivityKind.labels(), default=pl.col("last_kind"))
                           .alias("last_kind_label"))
    return candidates.mask_frame(due, actor)


# --- shared steps -----------------------------------------------------------------------------------

def _kind(kind: str) -> str:
    try:
        return ActivityKind(kind).value
    except ValueError:
        raise ValidationError(f"未知的沟通方式：{kind}（可选：{'、'.join(ActivityKind.labels().values())}）。",
                              field="kind") from None


def _body(body: str | None) -> str:
    text = (body or "").strip()
    if not text:
        raise ValidationError("请填写沟通内容。", field="body")
    if len(text) > MAX_BODY:
        raise ValidationError(f"沟通内容最多 {MAX_BODY} 个字（现为 {len(text)} 个字），请精简。", field="body")
    if national_id.contains(text):
        raise ValidationError("沟通内容中含有身份证号码：本系统不保存身份证号，请删除后再保存。", field="body")
    return text


def _check_follow_up(follow_up_on: date | None, today: date) -> None:
    if follow_up_on is not None and follow_up_on < today:
        raise ValidationError(f"下次跟进日期 {follow_up_on} 早于今天（{today}），请重新选择。", field="follow_up_on")


def _require_editable(cur: Cursor, actor: User, candidate_id: int) -> None:
    candidates.require_editable(cur, actor, candidate_id)
    candidates.require_live(candidates.get(cur, actor, candidate_id))


def _insert(cur: Cursor, actor: User, candidate_id: int, kind: str, occurred_on: date, body: str,
            follow_up_on: date | None) -> int:
    activity_id = next_id(cur, "seq_activity")
    cur.execute("insert into activity (id, candidate_id, kind, occurred_on, body, follow_up_on, created_by, created_at)"
                " values ($id, $c, $kind, $on, $body, $follow, $by, $at)",
                {"id": activity_id, "c": candidate_id, "kind": kind, "on": occurred_on, "body": body,
                 "follow": follow_up_on, "by": actor.username, "at": clock.now()})
    return activity_id


def _set_follow_up(cur: Cursor, actor: User, candidate_id: int, follow_up_on: date | None) -> None:
    # next_follow_up_on is a profile field: bump the version so a stale edit form cannot undo it.
    cur.execute("update candidate set next_follow_up_on = $on, version = version + 1, updated_at = $at,"
                " updated_by = $by where id = $id",
                {"on": follow_up_on, "at": clock.now(), "by": actor.username, "id": candidate_id})


def _retrying(cur: Cursor, work: Callable[[Cursor], T]) -> T:
    try:
        return run_in_transaction(cur, work)
    except ConcurrentEdit as error:
        raise ConcurrentEdit(STALE) from error
