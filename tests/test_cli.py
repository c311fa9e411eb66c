"""The command lines: one Chinese line per problem, exit codes that mean something, tracebacks in a log."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from db.cli import guarded
from db.connection import open_database
from tests.conftest import ROOT


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    import os

    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=300)


# A command as the command lines run one, failing as only a bug does.
BUG = ("from db.cli import configure_logging, guarded, leave; configure_logging();"
       " leave(guarded('db test', lambda: 1 // 0))")


def test_a_bug_is_one_line_for_the_user_and_a_traceback_in_the_log(tmp_path: Path) -> None:
    done = run("-c", BUG, env={"CRM_LOG_DIR": str(tmp_path / "logs")})
    assert done.returncode == 1
    assert "内部错误" in done.stderr and "Traceback" not in done.stderr + done.stdout
    assert "ZeroDivisionError" in (tmp_path / "logs" / "cli.log").read_text(encoding="utf-8")


def test_a_damaged_database_is_said_plainly_with_how_to_restore(tmp_path: Path) -> None:
    broken = tmp_path / "crm.duckdb"
    broken.write_bytes(b"this is not a DuckDB file" * 100)
    done = run("-m", "db", "report", "--year", "2025", "--db", str(broken), env={"CRM_LOG_DIR": str(tmp_path / "logs")})
    assert done.returncode == 2
    assert f"数据库文件 {broken} 已损坏" in done.stderr and "python -m db restore" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout and "DuckDB" not in done.stderr


def test_damage_found_mid_command_is_said_like_damage_found_opening(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """DuckDB checks a block's checksum when it first reads the block, which may be long after opening."""
    def work() -> int:
        raise duckdb.IOException("Corrupt database file: computed checksum 1 does not match stored checksum 2")

    assert guarded("loaders import", work, database=tmp_path / "crm.duckdb") == 2
    said = capsys.readouterr().err
    assert f"数据库文件 {tmp_path / 'crm.duckdb'} 已损坏" in said and "checksum" not in said


def test_a_busy_database_is_said_plainly(tmp_path: Path) -> None:
    path = tmp_path / "crm.duckdb"
    holder = open_database(path)   # this test process holds the file, as the running app would
    try:
        done = run("-m", "db", "report", "--year", "2025", "--db", str(path))
    finally:
        holder.close()
    assert done.returncode == 2
    assert "正被另一个进程" in done.stderr and "Traceback" not in done.stderr


def test_report_of_a_missing_database_is_refused(tmp_path: Path) -> None:
    done = run("-m", "db", "report", "--year", "2025", "--db", str(tmp_path / "nope.duckdb"))
    assert done.returncode == 2 and "不存在" in done.stderr


def test_backup_and_restore_round_trip(demo_db: Path, tmp_path: Path) -> None:
    done = run("-m", "db", "backup", str(tmp_path / "backups"), "--db", str(demo_db))
    assert done.returncode == 0, done.stderr
    folder = next((tmp_path / "backups").iterdir())
    restored = tmp_path / "restored.duckdb"
    done = run("-m", "db", "restore", str(folder), "--db", str(restored))
    assert done.returncode == 0, done.stderr
    again = run("-m", "db", "restore", str(folder), "--db", str(restored))
    assert again.returncode == 2 and "已存在" in again.stderr          # never overwrites
    original = run("-m", "db", "report", "--year", "2025", "--db", str(demo_db), "--json").stdout
    copy = run("-m", "db", "report", "--year", "2025", "--db", str(restored), "--json").stdout
    assert original == copy
    conn = duckdb.connect(str(restored))
    counts = conn.execute("select (select count(*) from candidate), (select count(*) from stage_event),"
                          " (select count(*) from schema_migrations)").fetchall()[0]
    fresh_ids = conn.execute("select nextval('seq_candidate') > (select max(id) from candidate),"
                             " nextval('seq_stage_event') > (select max(id) from stage_event)").fetchall()[0]
    conn.close()
    assert fresh_ids == (True, True)   # sequences come back where they were: no id is handed out twice
    assert counts[0] > 30_000 and counts[1] > 200_000 and counts[2] >= 6


def test_migrate_reports_what_it_did(tmp_path: Path) -> None:
    path = tmp_path / "m.duckdb"
    first = run("-m", "db", "migrate", "--db", str(path))
    assert first.returncode == 0 and "已应用迁移：001" in first.stdout
    assert "已是最新" in run("-m", "db", "migrate", "--db", str(path)).stdout
