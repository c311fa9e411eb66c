"""Pipeline: applications, stage moves under the office's rules, the board, retention checks.

Rules (DESIGN.md, issue 3): forward to any later open stage; back exactly one stage, with a note;
`rejected` / `withdrawn` from any open stage, with a coded lost reason (+ text); `retained` only from `arrived`
after a 12- or 36-month retention check found the person still in Pinghu; nothing leaves
`rejected`, `withdrawn` or `retained`. Every move appends a stage_event, bumps the application's
`version` (optimistic concurrency) and is audited.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

import polars as pl

from db import audit, candidates, clock, stage_derived
from db.connection import run_in_transaction
from db.enums import Stage
from db.errors import ConcurrentEdit, NotFound, ValidationError
from db.permissions import Action, User, require
from db.sql import Cursor, bind, frame, next_id, rows, scalar
from db.lost_reasons import LostReason
from db.stage_rules import TERMINAL, as_stage, check_lost_reason, check_move, clean, moment

STALE = "该投递刚被他人修改，请刷新后重试。"
BULK_LIMIT = 1000
T = TypeVar("T")
# The open stages as an SQL list, for `stage in {_OPEN}` (codes from the enum, never user text).
_OPEN = "(" + ", ".join(f"'{s.value}'" for s in Stage if s not in TERMINAL) + ")"


# --- commands ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Application:
    id: int
    candidate_id: int
    stage: str
    version: int


def open_application(
    cur: Cursor, actor: User, candidate_id: int, *, employer_id: int, position_id: int | None = None,
    drive_id: int | None = None, stage: str = "lead", note: str | None = None, effective_on: date | None = None,
) -> int:
    """A new application of the person to an employer, starting at `stage` on `effective_on` (the date
    it happened, default today); returns its id."""
    first = as_stage(stage)
    if first in TERMINAL:
        raise ValidationError("新建投递只能从进行中的阶段开始（不能是未通过、放弃或留平1年+）。")
    note = clean(note, "备注")

    def work(cur: Cursor) -> int:
        require_person_editable(cur, actor, candidate_id)
        employer = _check_references(cur, employer_id, position_id, drive_id)
        open_now = rows(cur, f"select stage from application where candidate_id = $c and employer_id = $e"
                             f" and stage in {_OPEN}", {"c": candidate_id, "e": employer_id})
        if open_now:
            raise ValidationError(f"该候选人在「{employer}」已有进行中的投递（{Stage.label_of(open_now[0][0])}），"
                                  "请在原投递上变更阶段。")
        app_id, now = next_id(cur, "seq_application"), clock.now()
        at = moment(effective_on, None, now)
        values = {"id": app_id, "c": candidate_id, "e": employer_id, "p": position_id, "d": drive_id,
                  "stage": first.value, "by": actor.username, "now": at, "note": note}
        insert = ("insert into application (id, candidate_id, employer_id, position_id, drive_id, stage,"
                  " created_by, created_at, updated_at, version)"
                  " values ($id, $c, $e, $p, $d, $stage, $by, $now, $now, 1)")
        cur.execute(insert, bind(insert, values))
        _append_event(cur, app_id, candidate_id, None, first.value, at, actor, note)
        # Touching the person serialises two users opening the same application at once.
        cur.execute("update candidate set updated_at = $now where id = $c", {"now": now, "c": candidate_id})
        audit.record(cur, actor, "create", entity="application", entity_id=app_id,
                     after={k: values[k] for k in ("c", "e", "p", "d", "stage", "note")},
                     detail=f"为候选人 #{candidate_id} 新建投递：{employer}（{first.label}）")
        return app_id

    return retrying(cur, work)


def move_stage(
    cur: Cursor, actor: User, application_id: int, to_stage: str, *, note: str | None = None,
    lost_reason: str | None = None, expected_version: int | None = None, effective_on: date | None = None,
    lost_code: str | None = None,
) -> None:
    """Move one application on `effective_on` (the date it happened: default today, never in the future,
    never before its previous move); with `expected_version`, a move someone else made first is refused."""
    dst = as_stage(to_stage)
    note, lost_reason = clean(note, "备注"), clean(lost_reason, "原因")

    def work(cur: Cursor) -> None:
        app = load_application(cur, application_id)
        require_person_editable(cur, actor, app.candidate_id)
        if expected_version is not None and app.version != expected_version:
            raise ConcurrentEdit(STALE)
        check_move(app.stage, dst, note=note, lost_reason=lost_reason, lost_code=lost_code,
                   retention_confirmed=_retention_confirmed(cur, app.id))
        _write_move(cur, actor, app, dst, note=note, lost_reason=lost_reason, lost_code=lost_code,
                    effective_on=effective_on)

    retrying(cur, work)


@dataclass(frozen=True)
class Skipped:
    candidate_id: int
    name: str
    reason: str


@dataclass(frozen=True)
class BulkResult:
    moved: tuple[int, ...]              # candidate ids whose application moved
    skipped: tuple[Skipped, ...]

    @property
    def summary(self) -> str:
        return f"已变更 {len(self.moved)} 人，跳过 {len(self.skipped)} 人。"


def bulk_move(
    cur: Cursor, actor: User, candidate_ids: list[int], to_stage: str, *, note: str | None = None,
    lost_reason: str | None = None, effective_on: date | None = None, lost_code: str | None = None,
) -> BulkResult:
    """Move each person's most advanced open application on `effective_on` (default today); one
    transaction, one audit entry. People the move does not apply to (a date before their application's
    last move among the reasons) are skipped with the reason, not failed."""
    moment(effective_on, None, clock.now())      # a date in the future is refused for everyone at once
    require(actor, Action.EDIT_CANDIDATES)
    dst = as_stage(to_stage)
    note, lost_reason = clean(note, "备注"), clean(lost_reason, "原因")
    if dst.is_exit:      # the same missing code for everyone: refused at once, not skipped person by person
        check_lost_reason(dst, lost_code, lost_reason)
    ids = sorted({int(i) for i in candidate_ids})
    if not ids:
        raise ValidationError("请先勾选要变更阶段的候选人。")
    if len(ids) > BULK_LIMIT:
        raise ValidationError(f"一次最多批量变更 {BULK_LIMIT} 人（已选 {len(ids)} 人），请缩小范围。")

    def work(cur: Cursor) -> BulkResult:
        moves, moved, skipped = [], [], []
        for row in _bulk_targets(cur, ids).iter_rows(named=True):
            reason = _skip_reason(actor, row, dst, note, lost_reason, lost_code) or _date_reason(row, effective_on)
            if reason:
                skipped.append(Skipped(row["candidate_id"], row["name"] or "", reason))
            else:
                moves.append(row)
                moved.append(row["candidate_id"])
        for row in moves:
            app = _Application(row["application_id"], row["candidate_id"], row["stage"], row["version"])
            _write_move(cur, actor, app, dst, note=note, lost_reason=lost_reason, lost_code=lost_code, audited=False,
                        effective_on=effective_on, derive=False)
        stage_derived.refresh(cur, candidate_ids=moved)      # once for everyone moved
        audit.record(cur, actor, "bulk_update", entity="application",
                     before={str(r["application_id"]): r["stage"] for r in moves},
                     after={"stage": dst.value, "applications": [r["application_id"] for r in moves],
                            "skipped": {str(s.candidate_id): s.reason for s in skipped}},
                     detail=f"批量变更阶段为「{dst.label}」：{len(moved)} 人成功，{len(skipped)} 人跳过")
        return BulkResult(tuple(moved), tuple(skipped))

    return retrying(cur, work)


def _bulk_targets(cur: Cursor, ids: list[int]) -> pl.DataFrame:
    """Each chosen person with their most advanced open application (null when none)."""
    return frame(
        cur,
        f"""
        with chosen as (select unnest($ids) as id),
        ranked as (
            select a.id, a.candidate_id, a.stage, a.version,
                   row_number() over (partition by a.candidate_id
                                      order by s.rank desc, a.updated_at desc, a.id desc) as pick
            from application a join stage s on s.code = a.stage
            where a.candidate_id in (select id from chosen) and a.stage in {_OPEN}
        )
        select ch.id as candidate_id, c.name, c.enclave_id, c.id is not null as found, c.merged_into,
               c.deleted_at is not null as deleted, r.id as application_id, r.stage, r.version,
               exists (select 1 from retention_check rc where rc.application_id = r.id
                       and rc.months in (12, 36) and rc.still_in_pinghu) as retention_confirmed,
               (select max(e.occurred_at) from stage_event e where e.application_id = r.id) as last_moved_at
        from chosen ch
        left join candidate c on c.id = ch.id
        left join ranked r on r.candidate_id = ch.id and r.pick = 1
        order by ch.id
        """,
        {"ids": ids},
    )


def _skip_reason(actor: User, row: dict[str, Any], dst: Stage, note: str | None, lost_reason: str | None,
                 lost_code: str | None = None) -> str | None:
    if not row["found"]:
        return "候选人不存在"
    if row["merged_into"] is not None:
        return f"已合并到编号 {row['merged_into']}"
    if row["deleted"]:
        return "已按本人要求删除（已匿名化）"
    if not candidates.may_edit(actor, row["enclave_id"]):
        return "无权限：招才专员只能维护本飞地的人员"
    if row["application_id"] is None:
        return "没有进行中的投递"
    try:
        check_move(row["stage"], dst, note=note, lost_reason=lost_reason, lost_code=lost_code,
                   retention_confirmed=row["retention_confirmed"])
    except ValidationError as error:
        return str(error)
    return None

def _date_reason(row: dict[str, Any], effective_on: date | None) -> str | None:
    try:
        moment(effective_on, row["last_moved_at"], clock.now())
    except ValidationError as error:
        return str(error)
    return None


# --- shared command steps -------------------------------------------------------------------------------

def retrying(cur: Cursor, work: Callable[[Cursor], T]) -> T:
    try:
        return run_in_transaction(cur, work)
    except ConcurrentEdit as error:
        raise ConcurrentEdit(STALE) from error


def load_application(cur: Cursor, application_id: int) -> _Application:
    found = rows(cur, "select candidate_id, stage, version from application where id = $id", {"id": application_id})
    if not found:
        raise NotFound(f"投递 #{application_id} 不存在。")
    return _Application(application_id, *found[0])


def require_person_editable(cur: Cursor, actor: User, candidate_id: int) -> None:
    candidates.require_editable(cur, actor, candidate_id)
    candidates.require_live(candidates.get(cur, actor, candidate_id))


def _retention_confirmed(cur: Cursor, application_id: int) -> bool:
    """A check at 12 or 36 months found the person still in Pinghu: the condition for `retained`."""
    return bool(scalar(cur, "select count(*) from retention_check where application_id = $id"
                            " and months in (12, 36) and still_in_pinghu", {"id": application_id}))


def _check_references(cur: Cursor, employer_id: int, position_id: int | None, drive_id: int | None) -> str:
    employer = scalar(cur, "select name from employer where id = $id", {"id": employer_id})
    if employer is None:
        raise ValidationError("请选择企业：所选企业不存在。", field="employer_id")
    if position_id is not None and scalar(cur, "select employer_id from position where id = $id",
                                          {"id": position_id}) != employer_id:
        raise ValidationError(f"所选岗位不属于「{employer}」，请重新选择。", field="position_id")
    if drive_id is not None and scalar(cur, "select count(*) from campus_drive where id = $id", {"id": drive_id}) == 0:
        raise ValidationError("所选校园招聘不存在。", field="drive_id")
    return employer


def _write_move(cur: Cursor, actor: User, app: _Application, dst: Stage, *, note: str | None,
                lost_reason: str | None, audited: bool = True, effective_on: date | None = None,
                lost_code: str | None = None, derive: bool = True) -> None:
    now = clock.now()
    previous = scalar(cur, "select max(occurred_at) from stage_event where application_id = $id", {"id": app.id})
    at = moment(effective_on, previous, now)
    lost = lost_reason if dst.is_exit else None
    code = lost_code if dst.is_exit else None
    # The UPDATE's own result row is the number of rows it changed: 0 means someone moved it first.
    # (Not RETURNING: DuckDB turns UPDATE … RETURNING into DELETE+INSERT, which would fail again
    # should application ever be FK-referenced; see migrations 001 and 008.)
    updated = rows(cur, "update application set stage = $to, lost_reason = $lost, lost_code = $code,"
                        " version = version + 1, updated_at = $now where id = $id and version = $version",
                   {"to": dst.value, "lost": lost, "code": code, "now": now, "id": app.id, "version": app.version})
    if updated[0][0] != 1:
        raise ConcurrentEdit(STALE)
    coded = LostReason.label_of(code) if code else None
    event_note = "；".join(t for t in (coded, lost, note) if t) or None
    _append_event(cur, app.id, app.candidate_id, app.stage, dst.value, at, actor, event_note, derive=derive)
    if audited:
        audit.record(cur, actor, "move_stage", entity="application", entity_id=app.id,
                     before={"stage": app.stage, "version": app.version},
                     after={"stage": dst.value, "version": app.version + 1, "note": note, "lost_reason": lost, "lost_code": code,
                            "effective_on": at.date()},
                     detail=f"候选人 #{app.candidate_id}：{Stage.label_of(app.stage)} → {dst.label}"
                            + (f"（生效日期 {at.date()}）" if at.date() != now.date() else ""))


def _append_event(cur: Cursor, app_id: int, candidate_id: int, from_stage: str | None, to_stage: str,
                  at: datetime, actor: User, note: str | None, *, derive: bool = True) -> None:
    """Append one move; with `derive`, refresh the person's stored stays and crossings (db/stage_derived)
    — a caller writing several moves passes False and refreshes them all once."""
    # An arrival keeps the person's talent category as it is now: the hire counts under it for good
    # (migration 015), whatever later edits of the person say.
    cur.execute("insert into stage_event (id, application_id, candidate_id, from_stage, to_stage, occurred_at,"
                " actor, note, recorded_at, talent_category) values (nextval('seq_stage_event'), $app, $c, $from,"
                " $to, $at, $actor, $note, $recorded,"
                " case when $to = 'arrived' then (select talent_category from candidate where id = $c) end)",
                {"app": app_id, "c": candidate_id, "from": from_stage, "to": to_stage, "at": at,
                 "actor": actor.username, "note": note, "recorded": clock.now()})
    if derive:
        stage_derived.refresh(cur, candidate_ids=[candidate_id])


# --- reads ----------------------------------------------------------------------------------------------

def applications(cur: Cursor, actor: User, candidate_id: int) -> pl.DataFrame:
    """A person's applications, open ones first, most advanced first; `moved_at` is the last move."""
    require(actor, Action.READ_PROGRAMMES)
    return frame(
        cur,
        f"""
        select a.id, a.employer_id, e.name as employer, a.position_id, p.title as position, a.drive_id,
               d.title as drive, a.stage, s.label as stage_label, a.stage in {_OPEN} as is_open, a.lost_code, a.lost_reason,
               a.version, a.created_at, a.updated_at as moved_at,
               exists (select 1 from retention_check rc where rc.application_id = a.id
                       and rc.months in (12, 36) and rc.still_in_pinghu) as retention_confirmed
        from application a
        join stage s on s.code = a.stage
        left join employer e on e.id = a.employer_id
        left join position p on p.id = a.position_id
        left join campus_drive d on d.id = a.drive_id
        where a.candidate_id = $id
        order by a.stage in {_OPEN} desc, s.rank desc, a.updated_at desc, a.id desc
        """,
        {"id": candidate_id},
    )


def history(cur: Cursor, actor: User, candidate_id: int) -> pl.DataFrame:
    """A person's stage events, newest first, with labels and who moved them."""
    require(actor, Action.READ_PROGRAMMES)
    return frame(
        cur,
        """
        select ev.id, ev.occurred_at, ev.application_id, e.name as employer, ev.from_stage,
               fs.label as from_label, ev.to_stage, ts.label as to_label, ev.actor,
               coalesce(u.display_name, ev.actor) as actor_name, ev.note
        from stage_event ev
        join application a on a.id = ev.application_id
        left join employer e on e.id = a.employer_id
        left join stage fs on fs.code = ev.from_stage
        join stage ts on ts.code = ev.to_stage
        left join app_user u on u.username = ev.actor
        where ev.candidate_id = $id
        order by ev.occurred_at desc, ev.id desc
        """,
        {"id": candidate_id},
    )


@dataclass(frozen=True)
class Board:
    counts: dict[str, int]          # every stage code → applications in it (0 when none)
    cards: pl.DataFrame             # the most recently moved applications per stage, contacts masked

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def cards_in(self, stage: str) -> pl.DataFrame:
        return self.cards.filter(pl.col("stage") == stage)


def board(
    cur: Cursor, actor: User, *, employer_id: int | None = None, drive_id: int | None = None,
    enclave_id: int | None = None, cards_per_stage: int = 8,
) -> Board:
    """Counts per stage and the latest cards per stage, for one employer, drive and/or enclave.
    Two queries over `application`: a GROUP BY that also picks each stage's latest ids, then the
    cards' joins for those few ids only."""
    require(actor, Action.READ_PROGRAMMES)
    clauses, params = ["true"], {"n": max(1, min(int(cards_per_stage), 50))}
    if employer_id is not None:
        clauses.append("a.employer_id = $employer_id")
        params["employer_id"] = employer_id
    if drive_id is not None:
        clauses.append("a.drive_id = $drive_id")
        params["drive_id"] = drive_id
    if enclave_id is not None:
        clauses.append("a.candidate_id in (select id from candidate where enclave_id = $enclave_id)")
        params["enclave_id"] = enclave_id
    # max_by(…, n) is DuckDB's top-n per group; PostgreSQL would use a LATERAL … LIMIT per stage.
    per_stage = rows(cur, f"select a.stage, count(*), max_by(a.id, (a.updated_at, a.id), $n) from application a"
                          f" where {' and '.join(clauses)} group by a.stage", params)
    counts = {s.value: 0 for s in Stage} | {stage: int(n) for stage, n, _ in per_stage}
    ids = [i for _, _, recent in per_stage for i in recent]
    # The few cards are fetched by primary key. The ids go inline (integers from the query above,
    # never user text) because DuckDB answers an inline IN list from the key index; a bound list
    # would scan the whole table.
    apps = frame(
        cur,
        f"""
        select a.id as application_id, a.stage, a.version, a.updated_at as moved_at, a.candidate_id,
               e.name as employer, p.title as position, d.title as drive
        from application a
        left join employer e on e.id = a.employer_id
        left join position p on p.id = a.position_id
        left join campus_drive d on d.id = a.drive_id
        where a.id in ({_inline_ids(ids)})
        """,
    )
    people = frame(
        cur,
        f"""
        select id as candidate_id, name, mobile, email, enclave_id, deleted_at is not null as deleted
        from candidate where id in ({_inline_ids(apps["candidate_id"].to_list())})
        """,
    )
    cards = apps.join(people, on="candidate_id", how="inner").sort(["moved_at", "application_id"], descending=True)
    cards = candidates.mask_frame(cards, actor)
    editable = [candidates.may_edit(actor, e) and not d for e, d in zip(cards["enclave_id"], cards["deleted"])]
    return Board(counts, cards.with_columns(pl.Series("editable", editable, dtype=pl.Boolean)))


def _inline_ids(ids: list[int]) -> str:
    return ", ".join(str(int(i)) for i in ids) or "null"

def employers(cur: Cursor) -> pl.DataFrame:
    """Employers to choose from (id, name), by name."""
    return frame(cur, "select id, name from employer order by name")


def drives(cur: Cursor) -> pl.DataFrame:
    """Campus drives to choose from (id, title with date), newest first."""
    return frame(cur, "select d.id, d.title || '（' || cast(d.held_on as varchar) || '）' as title"
                      " from campus_drive d order by d.held_on desc, d.id desc")


def positions(cur: Cursor, employer_id: int) -> pl.DataFrame:
    return frame(cur, "select id, title from position where employer_id = $e order by title, id", {"e": employer_id})
