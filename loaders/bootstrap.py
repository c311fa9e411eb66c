"""First start of `make run`: create and migrate the database, then demo data or a first admin."""
from __future__ import annotations

import os
from pathlib import Path

from db import users
from db.connection import open_database
from db.sql import scalar
from loaders import demo


def prepare(path: Path, *, with_demo: bool, say=print) -> None:  # type: ignore[no-untyped-def]
    """Make `path` ready to serve. Demo data is loaded only into a database created right now."""
    is_new = not path.exists()
    conn = open_database(path)
    try:
        cur = conn.cursor()
        if is_new and with_demo:
            say(f"首次启动：在 {path} 创建演示数据库……")
            summary = demo.generate(cur, scale=1, seed=2025, progress=lambda m: say("  " + m))
            say(f"演示数据已就绪：{summary.candidates:,} 名候选人，用时 {summary.seconds:.1f} 秒。")
            say("演示账号（仅限演示数据库）：admin / manager / hr / recruiter_sh …，密码均为 pinghu2025")
            return
        generated = users.ensure_admin(cur)
        if generated:
            say("=" * 64)
            say(f"已创建管理员账号 admin，初始密码：{generated}")
            say("此密码只显示这一次，请登录后在「我的账户」中修改。")
            say("=" * 64)
        n = scalar(cur, "select count(*) from candidate")
        say(f"数据库 {path} 已就绪（{n:,} 名候选人）。")
    finally:
        conn.close()


def demo_wanted() -> bool:
    return os.environ.get("CRM_DEMO", "1").strip().lower() not in ("0", "false", "no", "off")
