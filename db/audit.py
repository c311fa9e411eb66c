"""The append-only audit log: every command records who did what, with before/after values."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import polars as pl

from db import clock
from db.enums import Role
from db.permissions import Action, User, require
from db.sql import Cursor, frame, scalar, to_json

ACTION_LABELS = {
    "login": "登录", "login_failed": "登录失败", "login_locked": "账号锁定", "logout": "退出登录",
    "session_timeout": "会话超时", "create": "新建", "update": "修改", "delete": "删除",
    "merge": "合并", "move_stage": "阶段变更", "bulk_update": "批量操作", "export": "导出",
    "import": "导入", "undo_import": "撤销导入", "backup": "备份", "password_change": "修改密码",
    "password_reset": "重置密码", "unlock": "解锁账号", "view_unmasked": "查看未脱敏信息",
    "log_activity": "记录沟通", "follow_up": "完成跟进", "retention_check": "留平回访", "restore": "从备份恢复",
    "commit_signups": "扫码报名入库", "reject_signups": "扫码报名拒绝",
}


EXPORT_LIMIT = 100_000
ROLE_LABELS = {**Role.labels(), "anonymous": "未登录"}
ENTITY_LABELS = {
    "candidate": "候选人", "application": "投递", "app_user": "账号", "import_batch": "导入批次", "database": "数据库",
    "enclave": "人才飞地", "employer": "企业", "position": "岗位", "agreement": "院校协议", "campus_drive": "校园招聘",
    "co_supervision": "联合培养", "appointment": "科技副总/柔性引进", "declaration": "人才项目申报", "target": "目标",
    "registers": "台账导入", "talent_event": "人才活动",
    "stage_threshold": "停滞阈值",
}
# What a field is called on screen, for the readable changes column.
FIELD_LABELS = {
    "name": "姓名", "gender": "性别", "birth_year": "出生年份", "mobile": "手机", "email": "邮箱", "university_id": "学校编号",
    "university_raw": "学校", "college": "学院", "major": "专业", "degree": "学历", "graduation_year": "毕业年份",
    "graduation_month": "毕业月份", "talent_category": "人才类别", "talent_category_manual": "人才类别手动指定",
    "channel": "来源渠道", "source_enclave_id": "来源飞地", "source_drive_id": "来源校招", "source_agreement_id": "来源协议",
    "enclave_id": "所属飞地", "owner_id": "负责人", "consent_method": "授权方式", "consent_purpose": "授权目的",
    "next_follow_up_on": "下次跟进", "notes": "备注", "tags": "标签", "username": "用户名", "display_name": "显示名",
    "role": "角色", "active": "启用", "stage": "阶段", "version": "版本", "note": "备注", "lost_reason": "原因",
    "rows": "行数", "masked": "脱敏", "filters": "筛选条件", "owner": "负责人", "tag": "标签", "ids": "编号",
    "cleared": "已清除", "records": "记录", "redacted": "已删除", "read": "读取", "inserted": "新增", "matched": "匹配",
    "duplicate_in_file": "文件内重复", "rejected": "拒绝", "warnings": "警告", "filled": "补全", "applications": "投递",
    "c": "候选人", "e": "企业", "p": "岗位", "d": "校园招聘", "kind": "方式", "occurred_on": "日期",
    "follow_up_on": "约定跟进", "activity_id": "沟通记录", "m": "回访节点（月）", "on": "回访日期", "employed": "仍在职",
    "pinghu": "仍在平湖", "survivor": "保留记录", "merged": "被合并记录", "skipped": "跳过",
    "batch_id": "导入批次", "committed": "入库", "consents": "记录授权",
    "lost_code": "流失原因", "days": "天数",
}


def changes(before_json: str | None, after_json: str | None) -> str:
    """Before/after as one readable line: "姓名：张三 → 张珊；手机：（空）→ 138…"; "—" when neither."""
    before, after = _loaded(before_json), _loaded(after_json)
    if isinstance(after, dict) and set(after) == {"redacted"}:
        return "（内容已按本人要求删除）"
    if before is None and isinstance(after, dict):
        before = {}
    if after is None and isinstance(before, dict):
        after = {}
    if not isinstance(before, dict) or not isinstance(after, dict):
        parts = [f"修改前：{_shown(before)}" if before is not None else "", f"内容：{_shown(after)}" if after is not None else ""]
        return "；".join(p for p in parts if p) or "—"
    keys = list(dict.fromkeys([*before, *after]))
    parts = []
    for key in keys:
        label = FIELD_LABELS.get(key, key)
        if key in before and key in after:
            if before[key] != after[key]:
                parts.append(f"{label}：{_shown(before[key])} → {_shown(after[key])}")
        elif key in after:
            parts.append(f"{label}：{_shown(after[key])}")
        else:
            parts.append(f"{label}（原值）：{_shown(before[key])}")
    return "；".join(parts) or "—"


def _loaded(text: str | None) -> Any:
    import json

    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def _shown(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(_shown(v) for v in value[:20]) + ("……" if len(value) > 20 else "")
    if isinstance(value, dict):
        return "，".join(f"{FIELD_LABELS.get(k, k)} {_shown(v)}" for k, v in value.items())
    return str(value)


def readable(log: pl.DataFrame) -> pl.DataFrame:
    """A page of the log for people: Chinese action and object names, a changes column instead of JSON."""
    return log.with_columns(
        pl.col("action").replace_strict(ACTION_LABELS, default=pl.col("action")).alias("action_label"),
        pl.col("entity").replace_strict(ENTITY_LABELS, default=pl.col("entity")).alias("entity_label"),
        pl.col("actor_role").replace_strict(ROLE_LABELS, default=pl.col("actor_role")).alias("role_label"),
        pl.struct("before_json", "after_json").map_elements(
            lambda r: changes(r["before_json"], r["after_json"]), return_dtype=pl.String).alias("changes"),
    )


def record(
    cur: Cursor,
    actor: User,
    action: str,
    *,
    entity: str | None = None,
    entity_id: Any = None,
    before: Any = None,
    after: Any = None,
    detail: str | None = None,
) -> None:
    """Append one entry; call inside the command's transaction so it commits (or not) with the change."""
    cur.execute(
        """
        insert into audit_log (id, occurred_at, actor, actor_role, action, entity, entity_id,
                               before_json, after_json, detail)
        values (nextval('seq_audit_log'), $at, $actor, $role, $action, $entity, $entity_id,
                $before, $after, $detail)
        """,
        {
            "at": clock.now(), "actor": actor.username[:64], "role": actor.role, "action": action,
            "entity": entity, "entity_id": None if entity_id is None else str(entity_id),
            "before": to_json(before), "after": to_json(after), "detail": detail,
        },
    )


# A look at unmasked personal data stays one entry while the same screen keeps showing it: Streamlit
# reruns a screen on every click, and each rerun must not read as another look.
VIEW_REPEAT_WINDOW = timedelta(minutes=30)


def record_view(cur: Cursor, actor: User, *, entity: str, entity_id: Any = None, detail: str) -> None:
    """Audit that `actor` saw unmasked contacts, unless the same look (actor, object, detail) was
    recorded within VIEW_REPEAT_WINDOW. Runs its own transaction."""
    from db.connection import transaction

    with transaction(cur):
        seen = scalar(
            cur,
            "select count(*) from audit_log where occurred_at >= $since and action = 'view_unmasked'"
            " and actor = $actor and entity = $entity and entity_id is not distinct from $entity_id and detail = $detail",
            {"since": clock.now() - VIEW_REPEAT_WINDOW, "actor": actor.username[:64], "entity": entity,
             "entity_id": None if entity_id is None else str(entity_id), "detail": detail},
        )
        if not seen:
            record(cur, actor, "view_unmasked", entity=entity, entity_id=entity_id, detail=detail)


def search(
    cur: Cursor,
    actor: User,
    *,
    text: str = "",
    action: str | None = None,
    username: str | None = None,
    since: date | None = None,
    until: date | None = None,
    offset: int = 0,
    limit: int = 50,
) -> pl.DataFrame:
    """One page of the log, newest first. Admin only."""
    require(actor, Action.ADMINISTER)
    where, params = _filters(text, action, username, since, until)
    return frame(
        cur,
        f"""
        select id, occurred_at, actor, actor_role, action, entity, entity_id, detail, before_json, after_json
        from audit_log where {where}
        order by occurred_at desc, id desc
        limit $limit offset $offset
        """,
        {**params, "limit": limit, "offset": offset},
    )


def count(
    cur: Cursor,
    actor: User,
    *,
    text: str = "",
    action: str | None = None,
    username: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> int:
    require(actor, Action.ADMINISTER)
    where, params = _filters(text, action, username, since, until)
    return int(scalar(cur, f"select count(*) from audit_log where {where}", params))


def actions(cur: Cursor, actor: User) -> list[str]:
    require(actor, Action.ADMINISTER)
    return [r[0] for r in cur.execute("select distinct action from audit_log order by 1").fetchall()]


def _filters(
    text: str, action: str | None, username: str | None, since: date | None, until: date | None
) -> tuple[str, dict[str, Any]]:
    # Fixed clauses chosen by which filters are set; every value is a bound parameter.
    clauses, params = ["true"], {}
    if text.strip():
        # Literal text (contains, not LIKE): '%' and '_' typed here are characters.
        clauses.append("(contains(lower(detail), $text) or entity_id = $raw or contains(lower(before_json), $text)"
                       " or contains(lower(after_json), $text))")
        params |= {"text": text.strip().lower(), "raw": text.strip()}
    if action:
        clauses.append("action = $action")
        params["action"] = action
    if username:
        clauses.append("actor = $username")
        params["username"] = username
    if since:
        clauses.append("occurred_at >= $since")
        params["since"] = since
    if until:
        clauses.append("occurred_at < $until")
        params["until"] = until + timedelta(days=1)
    return " and ".join(clauses), params
