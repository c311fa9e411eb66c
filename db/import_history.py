"""An import afterwards: the batches, their rejects and warnings, and undo (db/imports.py writes them)."""
from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from db import audit, clock, stage_derived
from db.bulk import frame
from db.connection import run_in_transaction
from db.contact_keys import KINDS, key_sql
from db.errors import DomainError, NotFound, ValidationError
from db.import_matches import CONSENT, FILLABLE
from db.permissions import Action, User, require
from db.sql import Cursor, rows, scalar


class UndoRefused(DomainError):
    def __init__(self, message: str, *, rows: list[int]) -> None:
        super().__init__(message)
        self.rows = rows


@dataclass(frozen=True)
class UndoResult:
    batch_id: int
    deleted_candidates: int
    reverted_fields: int
    kept_fields: int                # filled fields someone has changed since: left as they are
    deleted_applications: int


def history(cur: Cursor, actor: User, *, limit: int = 50) -> pl.DataFrame:
    require(actor, Action.IMPORT)
    return frame(cur, """
        select id, file_name, imported_by, imported_at, drive_id, read_rows, inserted, matched, duplicate_in_file,
               rejected, warnings, undone_at, undone_by
        from import_batch order by id desc limit $limit""", {"limit": limit})


def batches_of_drive(cur: Cursor, actor: User, drive_id: int) -> pl.DataFrame:
    """The import batches attached to a campus drive (their counts; no people): for the drive's page."""
    require(actor, Action.READ_PROGRAMMES)
    return frame(cur, """
        select id, file_name, imported_by, imported_at, read_rows, inserted, matched, rejected
        from import_batch where drive_id = $d and undone_at is null order by id desc""", {"d": drive_id})


def rejects(cur: Cursor, actor: User, batch_id: int) -> pl.DataFrame:
    require(actor, Action.IMPORT)
    return frame(cur, "select row_number, reasons, row_json from import_reject where batch_id = $b"
                      " order by row_number", {"b": batch_id})


def warnings(cur: Cursor, actor: User, batch_id: int, *, limit: int = 1000) -> pl.DataFrame:
    require(actor, Action.IMPORT)
    return frame(cur, "select row_number, field, message from import_warning where batch_id = $b"
                      " order by row_number, field limit $limit", {"b": batch_id, "limit": limit})


def undo(cur: Cursor, actor: User, batch_id: int) -> UndoResult:
    """Revert everything a batch wrote, or refuse — naming the rows — where later work depends on it.

    One transaction: stage events, applications, people and the filled blanks go together or not at
    all (stage_event points at its application without a foreign key for this, see migration 008).
    """
    require(actor, Action.IMPORT)
    return run_in_transaction(cur, lambda c: _undo(c, actor, batch_id), attempts=3)


def _undo(cur: Cursor, actor: User, batch_id: int) -> UndoResult:
    found = rows(cur, "select file_name, undone_at from import_batch where id = $b", {"b": batch_id})
    if not found:
        raise NotFound(f"导入批次 #{batch_id} 不存在。")
    file_name, undone_at = found[0]
    if undone_at is not None:
        raise ValidationError(f"导入批次 #{batch_id} 已于 {undone_at:%Y-%m-%d %H:%M} 撤销过。")
    blockers = frame(cur, """
        with mine as (select id from candidate where import_batch_id = $b),
             apps as (select id, candidate_id, stage, version from application where import_batch_id = $b),
             blocked as (
                 select c.id as candidate_id, '之后被编辑、合并或删除过' as why from candidate c
                 where c.import_batch_id = $b
                   and (c.version > 1 or c.deleted_at is not null or c.merged_into is not null)
                 union all select m.id, '之后有其他投递' from mine m
                   where exists (select 1 from application a where a.candidate_id = m.id
                                 and a.import_batch_id is distinct from $b)
                 union all select m.id, '之后有跟进记录' from mine m
                   where exists (select 1 from activity a where a.candidate_id = m.id)
                 union all select m.id, '之后被加为其他人才活动的参加人员' from mine m
                   where exists (select 1 from event_attendee x where x.candidate_id = m.id
                                 and x.import_batch_id is distinct from $b)
                 union all select m.id, '是联合培养学生' from mine m
                   where exists (select 1 from co_supervision s where s.candidate_id = m.id)
                 union all select m.id, '有其他人员被合并到此人' from mine m
                   where exists (select 1 from candidate o where o.merged_into = m.id)
                 union all select a.candidate_id, '本批次的投递之后推进过阶段' from apps a
                   where a.version > 1
                      or exists (select 1 from stage_event e where e.application_id = a.id and e.from_stage is not null)
                      or exists (select 1 from retention_check r where r.application_id = a.id))
        select r.row_number, c.name, b.why
        from blocked b
        join import_row r on r.batch_id = $b and r.candidate_id = b.candidate_id and r.outcome <> 'duplicate_in_file'
        left join candidate c on c.id = b.candidate_id
        order by r.row_number, b.why""", {"b": batch_id})
    if blockers.height:
        listed = "；".join(f"第 {r} 行 {n or ''}：{w}" for r, n, w in blockers.head(10).iter_rows())
        more = f"……共 {blockers['row_number'].n_unique()} 行" if blockers.height > 10 else ""
        raise UndoRefused(f"无法撤销导入批次 #{batch_id}：以下行导入的数据之后已有其他工作依赖它们——{listed}{more}。"
                          "请先处理这些人员，或保留本批次。", rows=sorted(set(blockers["row_number"].to_list())))
    reverted, kept = _revert_fills(cur, batch_id)
    deleted_events = scalar(cur, "select count(*) from stage_event where application_id in"
                                 " (select id from application where import_batch_id = $b)", {"b": batch_id})
    touched = stage_derived.batch_people(cur, batch_id)
    rows(cur, "delete from stage_event where application_id in (select id from application where import_batch_id = $b)",
                {"b": batch_id})
    stage_derived.refresh(cur, candidate_ids=touched)
    n_apps = int(scalar(cur, "select count(*) from application where import_batch_id = $b", {"b": batch_id}))
    rows(cur, "delete from application where import_batch_id = $b", {"b": batch_id})
    rows(cur, "delete from event_attendee where import_batch_id = $b", {"b": batch_id})   # an event's sign-ups
    rows(cur, "delete from contact_key where candidate_id in (select id from candidate where import_batch_id = $b)",
                {"b": batch_id})
    deleted = int(scalar(cur, "select count(*) from candidate where import_batch_id = $b", {"b": batch_id}))
    rows(cur, "delete from candidate_tag where candidate_id in (select id from candidate where import_batch_id = $b)",
                {"b": batch_id})
    rows(cur, "delete from candidate where import_batch_id = $b", {"b": batch_id})
    now = clock.now()
    rows(cur, "update import_batch set undone_at = $at, undone_by = $who where id = $b",
                {"at": now, "who": actor.username, "b": batch_id})
    result = UndoResult(batch_id, deleted, reverted, kept, n_apps)
    audit.record(cur, actor, "undo_import", entity="import_batch", entity_id=batch_id, after=result.__dict__,
                 detail=f"撤销导入「{file_name}」：删除 {deleted} 名新增人员、{n_apps} 份投递（{deleted_events} 条阶段记录），"
                        f"还原 {reverted} 个补全字段" + (f"，{kept} 个字段之后被修改过、保留现值" if kept else ""))
    return result


def _revert_fills(cur: Cursor, batch_id: int) -> tuple[int, int]:
    """Set each filled field back to NULL where it still holds what the batch wrote; release claimed keys."""
    total = int(scalar(cur, "select count(*) from import_fill where batch_id = $b", {"b": batch_id}))
    if total == 0:
        return 0, 0
    reverted = 0
    for f in (*FILLABLE, *CONSENT):      # column names from our own allowlists
        still = f"""c.id in (select candidate_id from import_fill where batch_id = $b and field = '{f}'
                              and value = cast(c.{f} as varchar))"""
        n = int(scalar(cur, f"select count(*) from candidate c where {still}", {"b": batch_id}))
        if n == 0:
            continue
        if f in KINDS:
            rows(cur, f"delete from contact_key where (key, candidate_id) in"
                        f" (select {key_sql(KINDS[f], 'c.' + f)}, c.id from candidate c where {still})", {"b": batch_id})
        rows(cur, f"update candidate c set {f} = null, version = c.version + 1 where {still}", {"b": batch_id})
        reverted += n
    return reverted, total - reverted
