"""`make bench`: run every bench/bench_*.py module in name order and print one ratio table.

Each module exposes `run(ctx: Context) -> list[Row]`. BENCH_SCALE (default 30) sets the demo
scale; BENCH_ONLY=name1,name2 runs a subset (module names without the bench_ prefix).
"""
from __future__ import annotations

import importlib
import os
import sys
import tempfile
from pathlib import Path

from bench.common import Context, Row, print_table


def main() -> int:
    only = {x.strip() for x in os.environ.get("BENCH_ONLY", "").split(",") if x.strip()}
    modules = sorted(p.stem for p in Path(__file__).parent.glob("bench_*.py"))
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="crm-bench-") as tmp:
        ctx = Context(workdir=Path(tmp))
        for name in modules:
            if only and name.removeprefix("bench_") not in only:
                continue
            print(f"… {name}", file=sys.stderr, flush=True)
            rows += importlib.import_module(f"bench.{name}").run(ctx)
    print()
    print_table(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
