"""One person's timeline: stage moves, activities, the import that brought them, edits and merges."""
from __future__ import annotations

import json

import polars as pl

from db.enums import ActivityKind, Stage
from db.permissions import Action, User, require
from db.sql import Cursor, frame

FIELD_LABELS = {
    "name": "姓名", "gender": "性别", "birth_year": "出生年份", "mobile": "手机", "email": "邮箱", "university_id": "学校",
    "university_raw": "学校（原文）", "college": "学院", "major": "专业", "degree": "学历", "graduation_year": "毕业年份",
    "graduation_month": "毕业月份", "talent_category": "人才类别", "talent_category_manual": "人才类别（手动）",
    "channel": "来源渠道", "source_enclave_id": "来源飞地", "source_drive_id": "来源校招", "source_agreement_id": "来源协议",
    "enclave_id": "所属飞地", "owner_id": "负责人", "consent_method": "授权方式", "consent_purpose": "授权目的",
    "next_follow_up_on": "下次跟进", "notes": "备注", "tags": "标签",
}
ACTION_TEXT = {"create": "建档", "update": "修改", "merge": "合并", "delete": "按本人要求删除", "view_unmasked": "查看完整联系方式"}


def for_candidate(cur: Cursor, actor: User, candidate_id: int) -> pl.DataFrame:
    """Newest first: columns at, kind (阶段/跟进/导入/记录), actor, text. Edits list the fields that
    changed, never their values (another enclave's recruiter may read this)."""
    require(actor, Action.READ_PROGRAMMES)
    params = {"id": candidate_id, "sid": str(candidate_id)}
    stages = frame(cur, """
        select e.occurred_at as at, e.recorded_at, e.actor, e.from_stage, e.to_stage, e.note,
               coalesce(m.name, '') as employer
        from stage_event e join application a on a.id = e.application_id left join employer m on m.id = a.employer_id
        where e.candidate_id = $id""", params)
    activities = frame(cur, """
        select created_at as at, created_by as actor, kind, occurred_on, body, follow_up_on
        from activity where candidate_id = $id""", params)
    imports = frame(cur, """
        select b.imported_at as at, b.imported_by as actor, b.id, b.file_name
        from import_batch b join candidate c on c.import_batch_id = b.id where c.id = $id""", params)
    edits = frame(cur, """
        select occurred_at as at, actor, action, before_json, after_json, detail from audit_log
        where entity = 'candidate' and entity_id = $sid and action in ('create', 'update', 'merge', 'delete')""", params)
    entries = [
        *[(r["at"], "阶段", r["actor"], _stage_text(r)) for r in stages.iter_rows(named=True)],
        *[(r["at"], "跟进", r["actor"], _activity_text(r)) for r in activities.iter_rows(named=True)],
        *[(r["at"], "导入", r["actor"], f"由导入批次 #{r['id']}（{r['file_name']}）建档") for r in imports.iter_rows(named=True)],
        *[(r["at"], "记录", r["actor"], _edit_text(r)) for r in edits.iter_rows(named=True)],
    ]
    schema = {"at": pl.Datetime, "kind": pl.String, "actor": pl.String, "text": pl.String}
    return pl.DataFrame(entries, schema=schema, orient="row").sort("at", descending=True)


def _stage_text(r: dict) -> str:
    to = Stage.label_of(r["to_stage"])
    move = f"新建投递：{to}" if r["from_stage"] is None else f"{Stage.label_of(r['from_stage'])} → {to}"
    late = r["recorded_at"] is not None and r["recorded_at"].date() != r["at"].date()
    parts = [move, r["employer"], r["note"] or "", f"{r['recorded_at']:%Y-%m-%d} 补录" if late else ""]
    return " · ".join(p for p in parts if p)


def _activity_text(r: dict) -> str:
    text = f"{ActivityKind.label_of(r['kind'])}（{r['occurred_on']}）：{r['body']}"
    return text + (f"；下次跟进 {r['follow_up_on']}" if r["follow_up_on"] else "")


def _edit_text(r: dict) -> str:
    label = ACTION_TEXT.get(r["action"], r["action"])
    if r["action"] == "update":
        changed = sorted(json.loads(r["after_json"] or "{}"))
        fields = "、".join(FIELD_LABELS.get(f, f) for f in changed) or "无变化"
        return f"{label}：{fields}" + (f"（{r['detail']}）" if r["detail"] else "")
    return f"{label}" + (f"：{r['detail']}" if r["detail"] else "")
