"""Backups: EXPORT DATABASE from inside the owning process; restore with IMPORT DATABASE into a new file."""
from __future__ import annotations

from pathlib import Path

import duckdb

from db import audit, clock, migrate
from db.connection import connect, transaction
from db.errors import ValidationError
from db.permissions import Action, User, require
from db.sql import Cursor

MANIFEST = "schema.sql"


def export(cur: Cursor, actor: User, directory: Path) -> Path:
    """Write the whole database to a new timestamped folder under `directory`; returns that folder."""
    require(actor, Action.ADMINISTER)
    target = Path(directory) / f"crm-{clock.now():%Y%m%d-%H%M%S}"
    if target.exists():
        raise ValidationError(f"备份目录 {target} 已存在，请稍后重试。")
    target.parent.mkdir(parents=True, exist_ok=True)
    # The path is ours (a timestamped folder name), quoted for the SQL literal EXPORT requires.
    cur.execute(f"export database '{_literal(target)}' (format parquet)")
    with transaction(cur):
        audit.record(cur, actor, "backup", entity="database", detail=f"备份到 {target}")
    return target


def list_backups(directory: Path) -> list[Path]:
    directory = Path(directory)
    if not directory.exists():
        return []
    return sorted((p for p in directory.iterdir() if (p / MANIFEST).exists()), reverse=True)


def restore(source: Path, path: Path) -> None:
    """Create the database file `path` from the backup folder `source`; refuses to overwrite."""
    source, path = Path(source), Path(path)
    if not (source / MANIFEST).exists():
        raise ValidationError(f"{source} 不是有效的备份目录（缺少 {MANIFEST}）。")
    if path.exists():
        raise ValidationError(f"目标数据库 {path} 已存在：恢复只写入新文件，请指定一个不存在的 --db 路径。")
    conn = connect(path)
    try:
        conn.execute(f"import database '{_literal(source)}'")
        done = {v for v, in conn.execute("select version from schema_migrations").fetchall()}
        if not done:
            raise ValidationError("备份中没有结构版本记录，无法恢复。")
        migrate.migrate(conn)   # a backup from an older version is brought up to date
    except (duckdb.Error, ValidationError):
        conn.close()
        path.unlink(missing_ok=True)
        raise
    conn.close()


def _literal(path: Path) -> str:
    return str(path.resolve()).replace("'", "''")
