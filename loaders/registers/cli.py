"""`python -m loaders registers FILE.xlsx [--db PATH] [--json]`: the register workbook, headless."""
from __future__ import annotations

import argparse
import json
from pathlib import Path


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("registers", help="导入台账工作簿（飞地、企业、岗位、院校协议、校园招聘、联合培养、目标等）")
    p.add_argument("file", type=Path, help="台账工作簿（.xlsx）")
    p.add_argument("--db", type=Path, help="数据库文件（默认 $CRM_DB 或 data/crm.duckdb；不存在则新建）")
    p.add_argument("--json", action="store_true", help="只输出一行 JSON：sheets（各表计数与拒绝原因）, unknown_sheets")


def run(path: Path, args: argparse.Namespace) -> int:
    from db.connection import open_database
    from db.permissions import SYSTEM
    from loaders.registers.workbook import import_workbook

    data = read(args.file)
    conn = open_database(path)
    try:
        result = import_workbook(conn.cursor(), SYSTEM, data, args.file.name)
        conn.execute("checkpoint").fetchall()
    finally:
        conn.close()
    if args.json:
        print(json.dumps(result.as_json(), ensure_ascii=False))
    else:
        print("\n".join(result.lines()))
    return 0


def read(file: Path) -> bytes:
    """The file's bytes, or FileRefused saying what is wrong with the path."""
    from loaders.importer.reader import FileRefused

    if file.is_dir():
        raise FileRefused(f"{file} 是一个文件夹，不是文件：请指定台账工作簿（.xlsx）。")
    if not file.exists():
        raise FileRefused(f"找不到文件：{file}。请检查路径和文件名是否正确。")
    try:
        return file.read_bytes()
    except OSError:
        raise FileRefused(f"无法读取文件 {file}：请检查文件权限，或把文件复制到本机后重试。") from None
