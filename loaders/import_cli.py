"""`python -m loaders import FILE [--db PATH] [--drive ID] [--force] [--json]`: the importer, headless."""
from __future__ import annotations

import argparse
import json
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from db.connection import open_database
from db.pinyin import dictionary
from loaders.digest import sha256_file

if TYPE_CHECKING:
    from db.imports import ImportResult
    from loaders.importer import Imported

SHOWN = 20   # warnings and rejects listed on the terminal; all of them are kept with the batch


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("import", help="导入校园招聘报名表（CSV / TSV / TXT / Excel）")
    p.add_argument("file", type=Path, help="要导入的文件")
    p.add_argument("--db", type=Path, help="数据库文件（默认 $CRM_DB 或 data/crm.duckdb；不存在则新建）")
    p.add_argument("--drive", type=int, help="校园招聘场次编号：每个有效行都登记一份该场次的投递")
    p.add_argument("--force", action="store_true", help="文件已导入过也再次导入（已有人员只匹配，不重复新增）")
    p.add_argument("--create-employers", action="store_true", help="意向企业不在名录中时新建企业（需配合 --drive）")
    p.add_argument("--json", action="store_true", help="只输出一行 JSON：batch_id, read, inserted, matched, "
                                                       "duplicate_in_file, rejected, warnings")


def run(path: Path, args: argparse.Namespace) -> int:
    progress = None if args.json else _progress
    # The database is opened (created, migrated, given reference data) while the importer is imported
    # (polars: a tenth of a second) and the file is read: the reading waits for it only when it first
    # looks up a school.
    with ThreadPoolExecutor(max_workers=2) as pool:
        opening = pool.submit(open_database, path)
        # The file is hashed meanwhile too, on the core the imports leave idle (the hash is needed only
        # at the write, to refuse a file imported before).
        sha256 = pool.submit(sha256_file, args.file) if args.file.is_file() else None
        pool.submit(dictionary)         # pypinyin's tables load (0.06 s) before the names are read out
        from db.permissions import SYSTEM
        from loaders.importer import references, staged_file, write_file

        try:
            if progress:
                progress(0.0, "读取文件……")
            with staged_file(args.file, lambda: references(opening.result().cursor()), progress=progress,
                             sha256=sha256) as file:
                conn = opening.result()
                create = file.unknown_employers if args.create_employers and args.drive is not None else ()
                imported, result = write_file(conn.cursor(), SYSTEM, file, drive_id=args.drive, force=args.force,
                                              create_employers=create, progress=progress)
                conn.execute("checkpoint").fetchall()
        finally:
            if opening.exception() is None:     # waits for it: a refused file still leaves a ready database
                opening.result().close()
    if args.json:
        print(json.dumps(result.counts(), ensure_ascii=False))
    else:
        _report(imported, result)
    return 0


def _progress(fraction: float, message: str) -> None:
    print(f"[{fraction:4.0%}] {message}", file=sys.stderr, flush=True)


def _report(p: Imported, r: ImportResult) -> None:
    print(f"导入完成（批次 #{r.batch_id}）：读取 {r.read:,} 行 = 新增 {r.inserted:,} + 匹配已有 {r.matched:,}"
          f" + 文件内重复 {r.duplicate_in_file:,} + 拒绝 {r.rejected:,}；警告 {r.warnings:,} 条。")
    where = f"工作表「{p.sheet.sheet_name}」" if p.sheet.sheet_name else f"编码 {p.sheet.encoding}"
    print(f"{where}，表头在第 {p.header_row} 行。")
    if r.earlier_batch:
        print(f"此文件曾由批次 #{r.earlier_batch} 导入；本次为强制再次导入。")
    if p.dropped_columns:
        print(f"身份证号列「{'、'.join(p.dropped_columns)}」已识别并丢弃：不会保存到任何地方。")
    if p.unknown_columns:
        print(f"未使用的列（未保存）：{'、'.join(p.unknown_columns)}")
    if r.filled:
        print(f"已为已有人员补全 {r.filled:,} 个空白字段（不覆盖已有内容）。")
    if r.applications:
        print(f"已登记 {r.applications:,} 份投递。")
    if r.created_employers:
        print(f"已新建企业：{'、'.join(r.created_employers)}")
    for title, table, total in (("警告", p.warnings, p.warning_count), ("拒绝", p.rejects, p.rejected)):
        if total:
            print(f"{title}（前 {min(SHOWN, total)} 条，共 {total:,} 条）：")
            text = "message" if "message" in table.columns else "reasons"
            for row_number, message in table.select("row_number", text).head(SHOWN).iter_rows():
                print(f"  第 {row_number} 行：{message}")
    if r.warnings > p.warning_count:
        print(f"另有 {r.warnings - p.warning_count:,} 条与已有人员比对的警告，可在导入页面的导入记录中查看。")
