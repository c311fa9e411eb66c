"""`python -m db targets|retention`: the 目标 and 留平 screens' figures on the command line (the same functions)."""
from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from db import retention_figures, target_progress
from db.connection import open_database
from db.errors import DomainError
from db.permissions import SYSTEM


def add_parsers(sub: Any) -> None:
    p = sub.add_parser("targets", help="打印某年度各范围、各指标的目标、完成值、应完成值与落后标记（与目标完成页同一套统计）")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--db", type=Path)
    p.add_argument("--today", type=date.fromisoformat, help="统计日（默认今天），格式 2026-06-30")
    p.add_argument("--json", action="store_true", help="以一个 JSON 数组输出")
    p = sub.add_parser("retention", help="打印某年度到岗人员 6/12/36 个月留平回访统计（与留平页同一套统计）")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--by", choices=sorted(retention_figures.GROUPS), default="all")
    p.add_argument("--db", type=Path)
    p.add_argument("--today", type=date.fromisoformat, help="统计日（默认今天），格式 2026-06-30")
    p.add_argument("--json", action="store_true", help="以一个 JSON 数组输出")


def _read(path: Path, work: Any) -> pl.DataFrame:
    if not path.exists():
        raise DomainError(f"数据库文件 {path} 不存在。")
    conn = open_database(path)
    try:
        return work(conn.cursor())
    finally:
        conn.close()


def _print(df: pl.DataFrame, as_json: bool, columns: dict[str, str], title: str) -> None:
    if as_json:
        print(json.dumps(df.select(list(columns)).to_dicts(), ensure_ascii=False, default=str))
        return
    print(title)
    for row in df.select(list(columns)).iter_rows():
        print("  " + "  ".join(f"{label}={'—' if v is None else (f'{v:.1%}' if isinstance(v, float) else v)}"
                               for label, v in zip(columns.values(), row)))


def targets(path: Path, args: argparse.Namespace) -> int:
    df = _read(path, lambda cur: target_progress.progress(cur, SYSTEM, args.year, today=args.today))
    if df.height == 0 and not args.json:
        print(f"{args.year} 年没有设置目标。")
        return 0
    _print(df, args.json, {"scope": "范围", "metric": "指标", "label": "名称", "target": "目标", "actual": "完成",
                           "expected": "应完成", "behind": "落后", "shape": "进度口径", "as_of": "统计日"},
           f"{args.year} 年目标完成情况")
    return 0


def retention(path: Path, args: argparse.Namespace) -> int:
    df = _read(path, lambda cur: retention_figures.figures(cur, SYSTEM, args.year, by=args.by, today=args.today))
    _print(df, args.json, {"group_label": "分组", "months": "月数", "hires": "到岗", "due": "应回访", "stayed": "留平",
                           "left": "离开", "overdue": "逾期未回访", "employed": "留平且在岗", "rate": "留平率"},
           f"{args.year} 年到岗人员留平回访")
    return 0


COMMANDS = {"targets": targets, "retention": retention}
