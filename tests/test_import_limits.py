"""Nothing longer than db/limits.py allows gets stored by an import: a too long name rejects its row, a too
long e-mail is no e-mail, other text is cut with a warning, and messages and rejected rows quote cells
only in part — whether the file is uploaded (the screen's way) or read from disk in small batches."""
from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from db import limits
from db.connection import open_database
from db.permissions import SYSTEM
from loaders.importer import import_file

from tests.import_support import imported

NAME = "张" * 1_000_000
SCHOOL = "浙江" * 2_500_000                       # 5 MB of school name
MAJOR = "计算机" * 34_000                          # 100 KB
LONG_EMAIL = "a" * 290 + "@example.com"           # 302 characters
JUNK = "x" * 50_000
HEADER = "姓名,手机号码,邮箱,毕业院校,专业,学历"
ROWS = [
    f"{NAME},13800138001,,浙江大学,数学,本科",           # 2: rejected, name too long
    f"李四,13800138002,,{SCHOOL},数学,本科",              # 3: school cut
    f"王五,13800138003,,浙江大学,{MAJOR},{JUNK}",         # 4: major cut; degree quoted in part
    f"赵六,,{LONG_EMAIL},浙江大学,数学,本科",             # 5: rejected, no valid contact
    f"钱七,13800138005,{LONG_EMAIL},浙江大学,数学,本科",  # 6: kept, the e-mail skipped
    f"孙八,{JUNK},sb@qq.com,浙江大学,数学,本科",          # 7: kept, the mobile quoted in part
    f"周九,13800138000,{LONG_EMAIL[:200]}@x.cn,,{MAJOR},",  # 8: an existing person, differences quoted
    f"周九{JUNK[:40]},13800138000,zj@qq.com,,,",          # 9: the same person again: merge warnings
]
# The text columns of what an import writes, and the longest each may be.
BOUNDS = {("candidate", c): n for c, n in limits.CANDIDATE_TEXT.items()}
DEFAULT_BOUND = 2000


def sheet(tmp_path: Path) -> Path:
    path = tmp_path / "long.csv"
    path.write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")
    return path


def database(tmp_path: Path, name: str) -> duckdb.DuckDBPyConnection:
    """A database already holding 周九 (13800138000), who studied 数学."""
    conn = open_database(tmp_path / f"{name}.duckdb")
    cur = conn.cursor()
    imported(cur, SYSTEM, f"{HEADER}\n周九,13800138000,,,数学,\n".encode(), "earlier.csv")
    return conn


def longest(cur: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], int]:
    tables = ("candidate", "import_reject", "import_warning", "import_row", "audit_log")
    columns = cur.execute("select table_name, column_name from information_schema.columns where data_type = 'VARCHAR'"
                          " and table_name in (select unnest(?)) order by all", [list(tables)]).fetchall()
    assert {t for t, _ in columns} == set(tables)         # guards the scan against missing a table
    return {(t, c): cur.execute(f'select coalesce(max(length("{c}")), 0) from "{t}"').fetchall()[0][0]
            for t, c in columns}


@pytest.mark.parametrize("path_taken", ["upload", "import_file"])
def test_nothing_longer_than_the_limits_is_stored_and_every_row_is_accounted_for(tmp_path: Path,
                                                                                path_taken: str) -> None:
    path = sheet(tmp_path)
    conn = database(tmp_path, path_taken)
    try:
        cur = conn.cursor()
        if path_taken == "upload":
            result = imported(cur, SYSTEM, path.read_bytes(), path.name)
        else:
            result = import_file(cur, SYSTEM, path, batch_rows=3)[1]
        too_long = {k: n for k, n in longest(cur).items() if n > BOUNDS.get(k, DEFAULT_BOUND)}
        cells = [len(v) for (j,) in cur.execute("select row_json from import_reject").fetchall()
                 for v in json.loads(j).values() if v]
        rejected = dict(cur.execute("select row_number, reasons from import_reject").fetchall())
        warnings = cur.execute("select row_number, field, message from import_warning"
                               " where batch_id = ? order by all", [result.batch_id]).fetchall()
        majors = cur.execute("select length(major) from candidate where name in ('王五')").fetchall()
    finally:
        conn.close()
    assert too_long == {}
    assert max(cells) <= len(limits.clip(NAME, limits.REJECT_CELL))
    assert (result.read, result.rejected) == (8, 2)
    assert result.read == result.inserted + result.matched + result.duplicate_in_file + result.rejected
    assert rejected[2].startswith("姓名过长：最多 50 个字，现为 1,000,000 个字")
    assert "邮箱过长：最多 254 个字，现为 302 个字" in rejected[5]
    said = {(row, field): message for row, field, message in warnings}
    assert said[3, "university"] == "学校过长：最多 100 个字，现为 5,000,000 个字，已截断为前 100 个字"
    assert said[4, "major"] == "专业过长：最多 100 个字，现为 102,000 个字，已截断为前 100 个字"
    assert said[6, "email"].startswith("邮箱过长") and (7, "mobile") in said and (4, "degree") in said
    assert majors == [(100,)]
    assert max(len(m) for m in said.values()) < 300


def test_a_quote_is_cut_to_its_limit_with_the_cut_said() -> None:
    """Guards the bounds above: the clipped quote is what the messages hold."""
    assert limits.clip(JUNK) == "x" * limits.QUOTE + "…（共 50,000 字，已截断）"
