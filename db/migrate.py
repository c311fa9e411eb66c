"""Forward-only migrations: db/migrations/NNN_verb_noun.sql, each in its own transaction."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from db.errors import DomainError, SchemaTooNew

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
_NAME = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


class MigrationError(DomainError):
    pass


def discover(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """All migration files in version order; refuses gaps, duplicates and stray names."""
    found: list[Migration] = []
    for path in sorted(directory.glob("*.sql")):
        match = _NAME.match(path.name)
        if not match:
            raise MigrationError(f"迁移文件名不合规：{path.name}（应为 NNN_verb_noun.sql）")
        found.append(Migration(int(match.group(1)), path.stem, path.read_text(encoding="utf-8")))
    versions = [m.version for m in found]
    if versions != list(range(1, len(found) + 1)):
        raise MigrationError(f"迁移编号必须从 001 连续递增，现为 {versions}")
    return found


def applied(conn: duckdb.DuckDBPyConnection) -> dict[int, str]:
    """Version → checksum of what this database has already applied."""
    _ensure_table(conn)
    return {v: c for v, c in conn.execute("select version, checksum from schema_migrations").fetchall()}


def pending(conn: duckdb.DuckDBPyConnection) -> list[Migration]:
    done = applied(conn)
    return [m for m in discover() if m.version not in done]


def migrate(conn: duckdb.DuckDBPyConnection) -> list[int]:
    """Apply what is pending; returns the versions applied now (empty when up to date)."""
    known = discover()
    done = applied(conn)
    newest_known = known[-1].version if known else 0
    if done and max(done) > newest_known:
        raise SchemaTooNew(
            f"数据库结构版本 {max(done):03d} 比程序支持的 {newest_known:03d} 新：请升级程序后再打开此数据库。"
        )
    for m in known:
        if m.version in done and done[m.version] != m.checksum:
            raise MigrationError(f"迁移 {m.name} 在应用后被修改过：已落地的迁移不可编辑，请新增迁移。")
    now_applied: list[int] = []
    for m in known:
        if m.version in done:
            continue
        conn.execute("begin")
        try:
            conn.execute(m.sql)
            conn.execute(
                "insert into schema_migrations (version, name, checksum, applied_at) values (?, ?, ?, now())",
                [m.version, m.name, m.checksum],
            )
            conn.execute("commit")
        except Exception:
            conn.execute("rollback")
            raise
        now_applied.append(m.version)
    return now_applied


def _ensure_table(conn: duckdb.DuckDBPyConnection) -> None:
    conn.execute(
        "create table if not exists schema_migrations ("
        " version integer primary key, name varchar not null,"
        " checksum varchar not null, applied_at timestamp not null)"
    )
