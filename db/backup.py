"""Backups: EXPORT DATABASE from inside the owning process; restore with IMPORT DATABASE into a new file.

A backup is owner-only (folders 0700, files 0600) and holds no way to log in without a password:
the live `auth_session` rows and the generated cookie-signing key are removed from it before it
gets its final name, and a restore drops them again.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb

from db import audit, clock, migrate, sessions
from db.connection import connect, transaction
from db.errors import ValidationError
from db.permissions import SYSTEM, Action, User, require
from db.sql import Cursor

MANIFEST = "schema.sql"
FOLDER_MODE = 0o700
FILE_MODE = 0o600
# Exported files rewritten without what would let a reader of the backup log in: file → the rows
# kept (our own constant SQL). No session at all; every setting but the signing key.
_SCRUBBED = {
    "auth_session.parquet": "false",
    "app_setting.parquet": f"name <> '{sessions.SECRET_SETTING}'",
}


def export(cur: Cursor, actor: User, directory: Path) -> Path:
    """Write the whole database to a new timestamped folder under `directory`; returns that folder.

    EXPORT writes into a hidden staging folder, created owner-only first so no one else can open a
    file in it meanwhile; the folder is renamed only once sessions and key are gone from it.
    """
    require(actor, Action.ADMINISTER)
    directory = Path(directory)
    target = directory / f"crm-{clock.now():%Y%m%d-%H%M%S}"
    if target.exists():
        raise ValidationError(f"备份目录 {target} 已存在，请稍后重试。")
    if not directory.exists():
        _private_folder(directory, parents=True)
    staging = directory / f".{target.name}.partial"
    shutil.rmtree(staging, ignore_errors=True)   # left by an export killed in the same second
    _private_folder(staging)
    try:
        # The path is ours (a timestamped folder name), quoted for the SQL literal EXPORT requires.
        cur.execute(f"export database '{_literal(staging)}' (format parquet)").fetchall()
        _scrub(staging)
        _make_private(staging)
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    with transaction(cur):
        audit.record(cur, actor, "backup", entity="database", detail=f"备份到 {target}（不含登录会话与会话签名密钥）")
    return target


def list_backups(directory: Path) -> list[Path]:
    directory = Path(directory)
    if not directory.exists():
        return []
    finished = (p for p in directory.iterdir() if not p.name.startswith(".") and (p / MANIFEST).exists())
    return sorted(finished, reverse=True)


def restore(source: Path, path: Path) -> None:
    """Create the database file `path` from the backup folder `source`; refuses to overwrite.

    The restored database has no sessions and no generated signing key, whatever the backup held
    (older backups did hold them): everyone logs in again, and old cookies are worthless.
    """
    source, path = Path(source), Path(path)
    if not (source / MANIFEST).exists():
        raise ValidationError(f"{source} 不是有效的备份目录（缺少 {MANIFEST}）。")
    if path.exists():
        raise ValidationError(f"目标数据库 {path} 已存在：恢复只写入新文件，请指定一个不存在的 --db 路径。")
    conn = connect(path)
    try:
        conn.execute(f"import database '{_literal(source)}'").fetchall()
        done = {v for v, in conn.execute("select version from schema_migrations").fetchall()}
        if not done:
            raise ValidationError("备份中没有结构版本记录，无法恢复。")
        migrate.migrate(conn)   # a backup from an older version is brought up to date
        cur = conn.cursor()
        sessions.forget_all(cur)
        with transaction(cur):
            audit.record(cur, SYSTEM, "restore", entity="database",
                         detail=f"从 {source} 恢复（登录会话已清空，会话签名密钥已删除）")
    except (duckdb.Error, ValidationError):
        conn.close()
        path.unlink(missing_ok=True)
        raise
    conn.close()


def _scrub(folder: Path) -> None:
    """Rewrite the exported session and setting files without live session ids and signing key.

    An in-memory DuckDB reads each exported file and writes its replacement beside it, so the
    app's own connection is not involved; the replacement then takes the file's name.
    """
    scratch = duckdb.connect()
    try:
        for name, kept in _SCRUBBED.items():
            exported, cleaned = folder / name, folder / f".{name}.clean"
            if not exported.exists():   # EXPORT named it otherwise: never keep a backup we cannot clean
                raise RuntimeError(f"EXPORT DATABASE wrote no {name}; the backup cannot be cleaned")
            scratch.execute(f"copy (select * from read_parquet('{_literal(exported)}') where {kept})"
                            f" to '{_literal(cleaned)}' (format parquet)").fetchall()
            os.replace(cleaned, exported)
    finally:
        scratch.close()


def _private_folder(folder: Path, *, parents: bool = False) -> None:
    folder.mkdir(mode=FOLDER_MODE, parents=parents)
    os.chmod(folder, FOLDER_MODE)   # mkdir's mode is filtered by the umask; this is not


def _make_private(folder: Path) -> None:
    """Owner-only modes, set explicitly: EXPORT creates files as the umask allows (often 0644)."""
    for path in folder.rglob("*"):
        os.chmod(path, FOLDER_MODE if path.is_dir() else FILE_MODE)
    os.chmod(folder, FOLDER_MODE)


def _literal(path: Path) -> str:
    return str(path.resolve()).replace("'", "''")
