"""Malformed files and databases are refused in Chinese, saying what to do: no English error text of polars
or DuckDB and no traceback reaches the user, on the screen (an upload checked) or the command line."""
from __future__ import annotations

import io
import json
import os
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from db.connection import open_database
from loaders.importer import FileRefused, references

from tests.import_support import checked

ROOT = Path(__file__).resolve().parent.parent
# Words a Chinese message may still hold: file types, encodings, and the commands and options it names.
ALLOWED = {"csv", "tsv", "txt", "utf", "gbk", "excel", "xlsx", "xlsm", "zip", "pdf", "html", "word", "powerpoint",
           "docx", "office", "jpeg", "png", "gif", "rar", "xml", "mht", "python", "restore", "force"}
SHEET = "姓名,手机号码\n张三,13800138000\n"


def _xlsx() -> bytes:
    buffer = io.BytesIO()
    pl.DataFrame({"姓名": ["张三"] * 50, "手机号码": ["13800138000"] * 50}).write_excel(buffer)
    return buffer.getvalue()


def corpus() -> dict[str, bytes]:
    """name → content of files an import may be handed, none of them a clean table."""
    junk = random.Random(7).randbytes
    many = "姓名,手机号码\n" + "张三,13800138000\n" * 5000          # past the bytes sniffing looks at
    return {
        "截断.xlsx": _xlsx()[:3000],
        "随机.csv": junk(5000),
        "引号不成对.csv": '姓名,手机号码\n张三,"13800138000\n李四,13900139000\n'.encode(),
        "引号中间.csv": '姓名,手机号码\n张三,"138"00138000\n李四,13900139000\n'.encode(),
        "表头后乱码.csv": SHEET.encode() + junk(3000),
        "远处乱码.csv": many.encode() + junk(3000),
        "空字符.csv": "姓名,手机号码\n张三,138\x00\x0000138000\n".encode(),
        "远处空字符.csv": (many + "李四,139\x00\x00\n").encode(),
        "只有表头.csv": "姓名,手机号码\n".encode(),
        "残缺UTF16.csv": b"\xff\xfe" + "姓名,手机".encode("utf-16-le") + b"\x00",
        "假的.xls": b"\xd0\xcf\x11\xe0" + junk(2000),
        "假的.xlsx": b"PK\x03\x04" + junk(2000),
        "文档.pdf": b"%PDF-1.4 " + junk(100),
        "无表头.csv": "序号,备注\n1,x\n".encode(),
    }


def is_chinese(message: str, *paths: Path) -> bool:
    """Chinese, with no English word beyond ALLOWED (paths, which the message may name, taken out)."""
    for path in sorted(paths, key=lambda p: -len(str(p))):
        message = message.replace(str(path), "")
    english = [w for w in re.findall(r"[A-Za-z]{4,}", message) if w.lower() not in ALLOWED]
    return bool(re.search(r"[\u4e00-\u9fff]", message)) and not english


def test_the_language_check_catches_english() -> None:
    """Guards the checks below against passing anything."""
    assert is_chinese("文件内容不是规整的表格：请在 Excel 中另存为 CSV（UTF-8）。")
    assert not is_chinese("文件内容不是规整的表格（could not parse `x` as dtype `str`）")
    assert not is_chinese("IO Error: not a valid DuckDB database file")


@pytest.mark.parametrize("name", list(corpus()))
def test_a_malformed_upload_is_refused_in_chinese_or_read(tmp_path: Path, name: str) -> None:
    conn = open_database(tmp_path / "crm.duckdb")
    refs = references(conn.cursor())
    conn.close()
    try:
        found = checked(corpus()[name], name, refs)
    except FileRefused as refused:
        assert is_chinese(str(refused)), str(refused)
        return
    messages = [*found.warnings["message"].to_list(), *found.rejects["reasons"].to_list(),
                *found.preview["结果"].to_list()]
    assert all(is_chinese(m) for m in messages), messages


def cli(*args: str, logs: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "loaders", "import", *args, "--json"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300, env={**os.environ, "CRM_LOG_DIR": str(logs)})


def said_plainly(done: subprocess.CompletedProcess[str], *paths: Path) -> str:
    """The refusal the command printed, checked: exit 2, one Chinese line, no traceback."""
    assert "Traceback" not in done.stderr + done.stdout
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    assert done.stdout == "" and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert is_chinese(done.stderr, *paths), done.stderr
    return done.stderr


@pytest.mark.slow
def test_malformed_files_on_the_command_line(tmp_path: Path) -> None:
    db, logs = tmp_path / "crm.duckdb", tmp_path / "logs"
    for name, content in corpus().items():
        path = tmp_path / name
        path.write_bytes(content)
        done = cli(str(path), "--db", str(db), "--force", logs=logs)
        if done.returncode == 0:             # read after all (the rows with junk rejected): one JSON line
            assert "Traceback" not in done.stderr and json.loads(done.stdout)["read"] > 0, name
            continue
        said_plainly(done, path, db)
    folder = tmp_path / "报名表.csv"
    folder.mkdir()
    assert "是一个文件夹，不是文件" in said_plainly(cli(str(folder), "--db", str(db), logs=logs), folder)
    missing = tmp_path / "没有这个文件.csv"
    assert "找不到文件" in said_plainly(cli(str(missing), "--db", str(db), logs=logs), missing)


@pytest.mark.slow
def test_a_database_that_is_no_database_is_refused_saying_how_to_restore(tmp_path: Path) -> None:
    sheet, logs = tmp_path / "报名表.csv", tmp_path / "logs"
    sheet.write_text(SHEET, encoding="utf-8")
    good = tmp_path / "good.duckdb"
    open_database(good).close()
    damaged = tmp_path / "damaged.duckdb"
    shutil.copy(good, damaged)
    with damaged.open("r+b") as f:          # the block DuckDB reads first after its headers
        f.seek(12288)
        f.write(random.Random(1).randbytes(8192))
    text, empty, folder = tmp_path / "text.duckdb", tmp_path / "empty.duckdb", tmp_path / "folder.duckdb"
    text.write_text("这不是数据库\n" * 100, encoding="utf-8")
    empty.write_bytes(b"")
    folder.mkdir()
    for db in (damaged, text, empty):
        said = said_plainly(cli(str(sheet), "--db", str(db), logs=logs), sheet, db)
        assert f"数据库文件 {db}" in said and "python -m db restore" in said
    assert "是一个文件夹" in said_plainly(cli(str(sheet), "--db", str(folder), logs=logs), sheet, folder)
    assert "not a valid" in (logs / "cli.log").read_text(encoding="utf-8")     # DuckDB's words: in the log only
