"""The importer as a process: the CLI contract (exit codes, one JSON line, Chinese messages, new databases)
and kill -9 in the middle of an import leaving the database exactly as it was."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from bench.bench_import import write_messy_csv

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow
SHEET = "报名表\n\n姓名,手机号码,邮箱,身份证号\n张三,138-0013-8000,,330482199901011234\n李四,abc,ls@qq.com,\n王五,,,\n张三,13800138000,zs@qq.com,\n"


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "loaders", "import", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, env={**os.environ, **(env or {})})


def test_json_is_one_line_with_the_contract_keys_and_a_new_database_is_created(tmp_path: Path) -> None:
    path = tmp_path / "报名表.csv"
    path.write_bytes(SHEET.encode("gbk"))
    db = tmp_path / "new" / "folder" / "crm.duckdb"
    done = cli(str(path), "--db", str(db), "--json")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 1
    result = json.loads(lines[0])
    assert list(result) == ["batch_id", "read", "inserted", "matched", "duplicate_in_file", "rejected", "warnings"]
    assert (result["read"], result["inserted"], result["duplicate_in_file"], result["rejected"]) == (4, 2, 1, 1)
    assert result["read"] == result["inserted"] + result["matched"] + result["duplicate_in_file"] + result["rejected"]
    conn = duckdb.connect(str(db), read_only=True)
    assert conn.execute("select count(*) from university").fetchall() == [(2756,)]    # reference data, no demo
    assert conn.execute("select count(*) from enclave").fetchall() == [(0,)]
    conn.close()


def test_the_text_report_says_what_happened(tmp_path: Path) -> None:
    path = tmp_path / "报名表.csv"
    path.write_bytes(SHEET.encode("utf-8-sig"))
    done = cli(str(path), "--db", str(tmp_path / "crm.duckdb"))
    assert done.returncode == 0, done.stderr
    assert "读取 4 行 = 新增 2 + 匹配已有 0 + 文件内重复 1 + 拒绝 1" in done.stdout
    assert "身份证号列「身份证号」已识别并丢弃" in done.stdout
    assert "第 6 行：" in done.stdout


@pytest.mark.parametrize(("content", "name", "message"), [
    (b"<html><body>table</body></html>", "x.xls", "这是网页(HTML)文件"),
    (b"", "x.csv", "文件是空的"),
    ("序号,备注\n1,x\n".encode(), "x.csv", "未找到表头"),
    (None, "missing.csv", "找不到文件"),
])
def test_refused_files_exit_2_with_a_chinese_message_and_no_traceback(tmp_path: Path, content: bytes | None,
                                                                      name: str, message: str) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    done = cli(str(path), "--db", str(tmp_path / "crm.duckdb"), "--json")
    assert done.returncode == 2
    assert message in done.stderr and "Traceback" not in done.stderr + done.stdout
    assert done.stdout == ""


def test_reimport_exits_2_naming_the_batch_and_force_inserts_nothing_twice(tmp_path: Path) -> None:
    path = tmp_path / "报名表.csv"
    path.write_bytes(SHEET.encode("gbk"))
    db = str(tmp_path / "crm.duckdb")
    assert cli(str(path), "--db", db, "--json").returncode == 0
    again = cli(str(path), "--db", db, "--json")
    assert again.returncode == 2 and "批次 #1" in again.stderr and "--force" in again.stderr
    forced = cli(str(path), "--db", db, "--json", "--force")
    assert forced.returncode == 0, forced.stderr
    assert json.loads(forced.stdout)["inserted"] == 0
    conn = duckdb.connect(db, read_only=True)
    assert conn.execute("select count(*) from candidate").fetchall() == [(2,)]
    conn.close()


def test_an_unknown_drive_and_a_busy_database_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "报名表.csv"
    path.write_bytes(SHEET.encode("gbk"))
    db = tmp_path / "crm.duckdb"
    done = cli(str(path), "--db", str(db), "--drive", "12345")
    assert done.returncode == 2 and "场次 #12345 不存在" in done.stderr
    holder = duckdb.connect(str(db))      # another process holds the file, as the running app would
    try:
        busy = cli(str(path), "--db", str(db))
    finally:
        holder.close()
    assert busy.returncode == 2 and "正被另一个进程" in busy.stderr and "Traceback" not in busy.stderr


KILLABLE = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from db.connection import open_database
    from db.permissions import SYSTEM
    from loaders.importer import import_file

    stage = sys.argv[3]
    def hold(fraction, message):
        if message.startswith(stage):
            print("READY", flush=True)
            time.sleep(600)        # inside the transaction: the test kills us here
    conn = open_database(sys.argv[1])
    import_file(conn.cursor(), SYSTEM, Path(sys.argv[2]), progress=hold)
    print("COMMITTED", flush=True)
""")


def snapshot(db: Path) -> dict[str, object]:
    conn = duckdb.connect(str(db), read_only=True)
    try:
        tables = [t for (t,) in conn.execute("select table_name from information_schema.tables").fetchall()]
        return {t: conn.execute(f'select count(*), hash(string_agg(cast(t as varchar), \'|\' order by cast(t as varchar)))'
                                f' from "{t}" t').fetchall() for t in tables}
    finally:
        conn.close()


@pytest.mark.parametrize("stage", ["写入", "提交"])
def test_kill_9_mid_import_leaves_the_database_unchanged(tmp_path: Path, stage: str) -> None:
    db = tmp_path / "crm.duckdb"
    first = tmp_path / "first.csv"
    first.write_bytes(SHEET.encode("gbk"))
    assert cli(str(first), "--db", str(db), "--json").returncode == 0
    before = snapshot(db)
    big = tmp_path / "big.csv"
    write_messy_csv(big, 130_000, seed=7)       # more than one DuckDB row group: blocks hit the file before commit
    script = tmp_path / "killable.py"
    script.write_text(KILLABLE)
    temp = tmp_path / "tmp"
    temp.mkdir()
    proc = subprocess.Popen([sys.executable, str(script), str(db), str(big), stage], cwd=ROOT,
                            stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(temp)})
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "READY"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert snapshot(db) == before
    # The killed import's staged batches are still on disk; the next import removes them.
    assert [p.name for p in temp.glob("crm-import-*")] == [p.name for p in temp.glob(f"crm-import-{proc.pid}-*")] != []
    (tmp_path / "next.csv").write_text("姓名,手机\n王五,13900139000\n", encoding="utf-8")
    assert cli(str(tmp_path / "next.csv"), "--db", str(db), env={"TMPDIR": str(temp)}).returncode == 0
    assert list(temp.glob("crm-import-*")) == []
