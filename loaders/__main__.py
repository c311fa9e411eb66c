"""Command line: `python -m loaders demo|init|import …` — headless, Chinese messages, no tracebacks."""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from db.cli import configure_logging, guarded, leave
from db.connection import database_path, open_database
from loaders import import_cli
from loaders.registers import cli as registers_cli


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m loaders", description="飞地招才 CRM：数据载入工具")
    sub = parser.add_subparsers(dest="command", required=True)
    p_demo = sub.add_parser("demo", help="生成演示数据（只能载入空数据库）")
    p_demo.add_argument("--db", type=Path, help="数据库文件（默认 $CRM_DB 或 data/crm.duckdb）")
    p_demo.add_argument("--scale", type=int, default=1, help="候选人与流程数据的倍数（默认 1）")
    p_demo.add_argument("--seed", type=int, default=2025, help="随机种子（相同种子生成相同数据）")
    p_demo.add_argument("--events", type=int, default=0, metavar="N",
                        help="阶段记录至少 N 条：不足时让已有人员多投几家企业（未成功的投递），其余数据和各项统计不变")
    p_demo.add_argument("--json", action="store_true", help="以一行 JSON 输出结果")
    p_init = sub.add_parser("init", help="make run 的首次启动准备：建库、迁移、演示数据或管理员账号")
    p_init.add_argument("--db", type=Path)
    import_cli.add_parser(sub)
    registers_cli.add_parser(sub)
    args = parser.parse_args(argv)
    path = args.db or database_path()
    return guarded(f"loaders {args.command}", lambda: _run(path, args), database=path)


def _run(path: Path, args: argparse.Namespace) -> int:
    if args.command == "init":
        from loaders import bootstrap   # imported per command: demo data pulls in faker, numpy, argon2

        bootstrap.prepare(path, with_demo=bootstrap.demo_wanted())
        return 0
    if args.command == "import":
        return import_cli.run(path, args)
    if args.command == "registers":
        return registers_cli.run(path, args)
    return _demo(path, args)


def _demo(path: Path, args: argparse.Namespace) -> int:
    from loaders import demo

    conn = open_database(path)
    try:
        say = (lambda _m: None) if args.json else print
        summary = demo.generate(conn.cursor(), scale=args.scale, seed=args.seed, events_at_least=args.events,
                                progress=say)
        conn.execute("checkpoint")
    finally:
        conn.close()
    if args.json:
        print(json.dumps(summary.__dict__, ensure_ascii=False))
    else:
        print(f"完成：{summary.candidates:,} 名候选人，{summary.applications:,} 份投递，"
              f"{summary.stage_events:,} 条阶段记录，用时 {summary.seconds:.1f} 秒（规模 ×{summary.scale}）。")
    return 0


if __name__ == "__main__":
    configure_logging()
    leave(main())
