"""Command line: `python -m db migrate|report|annual-report|funnel|check|targets|retention|backup|restore` — Chinese messages, no tracebacks."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from db import analytics, backup, funnels, migrate, progress_cli
from db.cli import configure_logging, guarded, leave
from db.connection import connect, database_path, open_database
from db.errors import DomainError
from db.permissions import SYSTEM


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m db", description="飞地招才 CRM：数据库工具")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("migrate", help="创建数据库或升级到最新结构")
    p.add_argument("--db", type=Path)
    p = sub.add_parser("report", help="打印某年度的核心指标（与总览页同一套统计）")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--db", type=Path)
    p.add_argument("--json", action="store_true", help="以一行 JSON 输出")
    p = sub.add_parser("annual-report", help="生成年度报告（Excel 或 PDF，全市或一个飞地；不含个人信息）")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--db", type=Path)
    p.add_argument("--enclave", help="飞地编码（如 SH）；不填为全市")
    p.add_argument("--out", type=Path, required=True, help="输出文件，扩展名 .xlsx 或 .pdf")
    p = sub.add_parser("funnel", help="按维度分组，打印某年度跨过各阶段的人数（与分析 → 漏斗页同一套统计）")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--by", required=True, metavar="DIMENSION",
                   help="分组维度：" + ", ".join(funnels.DIMENSIONS))
    p.add_argument("--db", type=Path)
    p.add_argument("--json", action="store_true", help="输出一个 JSON 数组：[{group, stage, people}, …]")
    p = sub.add_parser("check", help="检查数据库中未由外键约束的引用是否完整，并按阶段记录重算停留时长与各年跨过的阶段")
    p.add_argument("--db", type=Path)
    progress_cli.add_parsers(sub)
    p = sub.add_parser("backup", help="导出整个数据库到目录（EXPORT DATABASE）")
    p.add_argument("dir", type=Path)
    p.add_argument("--db", type=Path)
    p = sub.add_parser("restore", help="从备份目录恢复到一个新的数据库文件（IMPORT DATABASE）")
    p.add_argument("dir", type=Path)
    p.add_argument("--db", type=Path)
    args = parser.parse_args(argv)
    path = args.db or database_path()
    return guarded(f"db {args.command}", lambda: COMMANDS[args.command](path, args), database=path)


def _migrate(path: Path, args: argparse.Namespace) -> int:
    conn = connect(path)
    try:
        done = migrate.migrate(conn)
    finally:
        conn.close()
    conn = open_database(path)   # also loads reference data into a new file
    conn.close()
    print(f"已应用迁移：{', '.join(f'{v:03d}' for v in done)}" if done else "数据库结构已是最新。")
    return 0


def _report(path: Path, args: argparse.Namespace) -> int:
    if not path.exists():
        raise DomainError(f"数据库文件 {path} 不存在。")
    conn = open_database(path)
    try:
        cur = conn.cursor()
        figures = analytics.headline(cur, SYSTEM, args.year)
    finally:
        conn.close()
    if args.json:
        print(json.dumps(figures.as_dict(), ensure_ascii=False))
        return 0
    labels = {
        "hires_young_phd": "青年博士（人）", "hires_young_graduate": "青年大学生（人）", "hires_high_skill": "高能人才（人）",
        "drive_employers": "校园招聘企业（家）", "drive_universities": "校园招聘高校（所）",
        "drive_positions": "提供岗位（个）", "drive_intents": "签约意向（人）", "co_supervised": "联合培养研究生（名）",
        "tech_vp": "科技副总（名）", "flexible_high_level": "柔性引进高层次人才（名）", "enclaves": "人才飞地（个）",
        "agreement_universities": "合作高校（所）", "declaration_applicants_national": "国家级人才项目申报（人）",
        "declaration_batches_national": "国家级申报批次（批）", "declaration_applicants_provincial": "省级人才项目申报（人）",
        "talent_classes": "产业人才班（期）", "talent_class_trainees": "产业人才班学员（人）", "matching_events": "产才对接活动（场）",
    }
    print(f"{args.year} 年度核心指标")
    for key, value in figures.as_dict().items():
        print(f"  {labels[key]:<16}{value:>8,}")
    print()
    print(analytics.report_text(figures, year=args.year))
    return 0


def _annual_report(path: Path, args: argparse.Namespace) -> int:
    from db import annual_report

    fmt = annual_report.format_of(str(args.out))
    if not path.exists():
        raise DomainError(f"数据库文件 {path} 不存在。")
    conn = open_database(path)
    try:
        data = annual_report.export(conn.cursor(), SYSTEM, args.year, fmt, enclave_code=args.enclave)
    finally:
        conn.close()
    try:
        args.out.write_bytes(data)
    except OSError as error:
        raise DomainError(f"无法写入 {args.out}：{error.strerror or error}。") from None
    print(f"已生成 {args.out}（{len(data) / 1024:,.0f} KB）")
    return 0


def _funnel(path: Path, args: argparse.Namespace) -> int:
    dimension = funnels.dimension(args.by)          # an unknown one is refused before the file is opened
    if not path.exists():
        raise DomainError(f"数据库文件 {path} 不存在。")
    conn = open_database(path)
    try:
        counts = funnels.crossings(conn.cursor(), SYSTEM, funnels.Slice.year(args.year), by=dimension.code)
    finally:
        conn.close()
    if args.json:
        print(json.dumps([{"group": g, "stage": s, "people": n}
                          for g, s, n in counts.select("group", "stage", "people").iter_rows()], ensure_ascii=False))
        return 0
    wide = funnels.table(counts)
    stages = funnels.STAGES
    print(f"{args.year} 年度漏斗：按{dimension.label}分组（当年跨过各阶段的人数，一人每阶段每组只计一次）")
    print("\t".join([dimension.label, *(funnels.LABELS[s] for s in stages)]))
    for row in wide.iter_rows(named=True):
        print("\t".join([row["group"], *(f"{row[s]:,}" for s in stages)]))
    return 0


def _check(path: Path, args: argparse.Namespace) -> int:
    from db import integrity

    if not path.exists():
        raise DomainError(f"数据库文件 {path} 不存在。")
    conn = open_database(path)
    try:
        problems = {k: v for k, v in integrity.dangling(conn.cursor()).items() if v}
    finally:
        conn.close()
    if not problems:
        print(f"检查通过：{len(integrity.CHECKS)} 项检查（引用完整性与按阶段记录重算的统计）均无问题。")
        return 0
    for label, n in problems.items():
        print(f"问题：{label} —— {n:,} 行", file=sys.stderr)
    return 2


def _backup(path: Path, args: argparse.Namespace) -> int:
    conn = open_database(path)
    try:
        target = backup.export(conn.cursor(), SYSTEM, args.dir)
    finally:
        conn.close()
    print(f"已备份到 {target}")
    return 0


def _restore(path: Path, args: argparse.Namespace) -> int:
    backup.restore(args.dir, path)
    print(f"已从 {args.dir} 恢复到 {path}（登录会话已清空，所有用户需重新登录）")
    return 0


COMMANDS = {"migrate": _migrate, "report": _report, "annual-report": _annual_report, "funnel": _funnel, "check": _check, "backup": _backup,
            "restore": _restore, **progress_cli.COMMANDS}

if __name__ == "__main__":
    configure_logging()
    leave(main())
