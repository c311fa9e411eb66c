"""National ID numbers are found by what they look like, in any column: an import stores, shows and logs
none of them — not in people, rejected rows, warnings, reasons, the rejects download, audit or the log."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from db import national_id
from db.connection import open_database
from db.import_history import rejects
from db.permissions import SYSTEM
from loaders.import_export import rejects_table, to_csv
from loaders.importer import check, references, staged_file, write_file

ROOT = Path(__file__).resolve().parent.parent


def valid_id(first17: str) -> str:
    return first17 + national_id.check_char(first17)


ID_COLUMN = valid_id("33048219990101123")         # under a header that says only "ID"
IN_NOTES = valid_id("11010519850623457")          # inside a remark
OLD = "330482990101123"                           # 15 digits, pre-1999: born 1999-01-01
IN_MOBILE = valid_id("44030419920812345")         # typed into the mobile column, no e-mail: rejected
KEPT_MOBILE = valid_id("32010219950315678")       # in the mobile column of a row kept by its e-mail
SPACED = valid_id("51010719880909101")
NUMBERS = (ID_COLUMN, IN_NOTES, OLD, IN_MOBILE, KEPT_MOBILE, SPACED)
SHEET = "\n".join([
    "姓名,手机号码,邮箱,ID,备注",
    f"张三,13800138000,zs@qq.com,{ID_COLUMN},身份证 {IN_NOTES}",
    f"李四,{IN_MOBILE},,{OLD},",
    f"王五,{KEPT_MOBILE},ww@qq.com,,备注{OLD}",
    f"赵六,13900139000,,\"{SPACED[:6]} {SPACED[6:14]} {SPACED[14:]}\",",
]) + "\n"


def cli(*args: str, logs: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "loaders", "import", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, env={**os.environ, "CRM_LOG_DIR": str(logs)})


def everything_stored(db: Path) -> str:
    """Every text value of every table of the database, one string."""
    conn = duckdb.connect(str(db), read_only=True)
    try:
        columns = conn.execute("select table_name, column_name from information_schema.columns"
                               " where data_type = 'VARCHAR' order by all").fetchall()
        assert len(columns) > 50                  # guards the scan against finding nothing to look at
        found = [conn.execute(f'select string_agg("{c}", \'|\') from "{t}"').fetchall()[0][0] or ""
                 for t, c in columns]
    finally:
        conn.close()
    return "\n".join(found)


def leaked(text: str) -> list[str]:
    return [n for n in NUMBERS if n in text or n[:17] in text or n[:12] in text]


@pytest.mark.slow
def test_no_id_number_is_stored_shown_or_logged_whatever_its_column(tmp_path: Path) -> None:
    logs, db = tmp_path / "logs", tmp_path / "crm.duckdb"
    path = tmp_path / f"报名表{IN_MOBILE}.csv"             # people name files after a person too
    path.write_bytes(SHEET.encode("utf-8"))
    done = cli(str(path), "--db", str(db), "--json", logs=logs)
    assert done.returncode == 0, done.stderr
    counts = json.loads(done.stdout)
    assert (counts["read"], counts["inserted"], counts["rejected"]) == (4, 3, 1)
    assert counts["read"] == counts["inserted"] + counts["matched"] + counts["duplicate_in_file"] + counts["rejected"]
    shown = cli(str(path), "--db", str(db), "--force", logs=logs)      # the text report, warnings listed
    assert shown.returncode == 0, shown.stderr
    assert "第 2 行：「ID」、「备注」中的身份证号已移除，不会保存" in shown.stdout
    broken = tmp_path / "引号.csv"                 # polars' error about it quotes the cells after the quote
    broken.write_bytes(f'姓名,手机号码\n张三,"13800138000\n李四,{IN_NOTES}\n'.encode())
    refused = cli(str(broken), "--db", str(db), logs=logs)
    assert refused.returncode == 2 and "双引号" in refused.stderr

    conn = open_database(db)
    try:
        cur = conn.cursor()
        with staged_file(path, references(cur)) as file:
            prepared = check(file)
            result = write_file(cur, SYSTEM, file, force=True)[1]
        assert result.read == result.inserted + result.matched + result.duplicate_in_file + result.rejected == 4
        downloads = [to_csv(rejects_table(prepared.rejects)),
                     to_csv(rejects_table(rejects(cur, SYSTEM, result.batch_id)))]
        reason = cur.execute("select reasons from import_reject where batch_id = ?", [result.batch_id]).fetchall()
    finally:
        conn.close()
    assert "身份证号已移除" in reason[0][0]                              # the marker, never the digits
    said = [prepared.warnings["message"].str.join("|").item(), done.stderr + shown.stdout + shown.stderr,
            refused.stderr, *(d.decode("utf-8") for d in downloads)]
    log = (logs / "cli.log").read_text(encoding="utf-8")
    assert "CSV unreadable" in log                                   # the log did get polars' words
    assert leaked(everything_stored(db)) == []
    assert leaked("\n".join(said)) == []
    assert leaked(log) == []


@pytest.mark.slow
def test_the_command_line_log_redacts_whatever_is_logged(tmp_path: Path) -> None:
    script = ("import logging; from db.cli import configure_logging; configure_logging();"
              f"logging.getLogger('crm.test').error('行内容：%s', '张三,{ID_COLUMN}')")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60,
                          env={**os.environ, "CRM_LOG_DIR": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    log = (tmp_path / "cli.log").read_text(encoding="utf-8")
    assert "张三" in log and national_id.REDACTED in log and ID_COLUMN not in log
