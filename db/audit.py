"""The append-only audit log: every command records who did what, with before/after values."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import polars as pl

from db import clock
from db.permissions import Action, User, require
from db.sql import Cursor, frame, scalar, to_json

ACTION_LABELS = {
    "login": "登录", "login_failed": "登录失败", "login_locked": "账号锁定", "logout": "退出登录",
    "session_timeout": "会话超时", "create": "新建", "update": "修改", "delete": "删除",
    "merge": "合并", "move_stage": "阶段变更", "bulk_update": "批量操作", "export": "导出",
    "import": "导入", "undo_import": "撤销导入", "backup": "备份", "password_change": "修改密码",
    "password_reset": "重置密码", "unlock": "解锁账号", "view_unmasked": "查看未脱敏信息",
    "log_activity": "记录沟通", "follow_up": "完成跟进", "retention_check": "留平回访",
}


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
        clauses.append("(detail ilike $text or entity_id = $raw or before_json ilike $text or after_json ilike $text)")
        params |= {"text": f"%{text.strip()}%", "raw": text.strip()}
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
