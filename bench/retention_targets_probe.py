"""Timing probe for bench_retention_targets, run as a fresh process: `python -m bench.retention_targets_probe DB`.

Prints one JSON object (last line of stdout): the 留平 and 目标进度 db/ functions next to a raw DuckDB
GROUP BY over the same year's events. Times in seconds; nothing is asserted. (The screens are timed with
every 分析 screen: bench/analysis_screens_probe.py.)
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from bench.overview_probe import ROOT, YEAR, median_of, peak_rss_mb


def direct(db: Path) -> dict[str, float]:
    from db import retention_figures, target_progress
    from db.connection import connect
    from db.permissions import SYSTEM
    from db.sql import year_bounds

    conn = connect(db)
    cur = conn.cursor()
    raw = ("select to_stage, count(distinct candidate_id) from stage_event"
           " where occurred_at >= $start and occurred_at < $end group by 1")
    bounds = year_bounds(YEAR)

    def warm(fn) -> float:  # type: ignore[no-untyped-def]
        fn()
        return median_of(fn)

    out = {
        "raw_group_by_year_s": warm(lambda: cur.execute(raw, bounds).fetchall()),
        "retention_category_s": warm(lambda: retention_figures.figures(cur, SYSTEM, YEAR, by="category")),
        "retention_employer_s": warm(lambda: retention_figures.figures(cur, SYSTEM, YEAR, by="employer")),
        "retention_people_s": warm(lambda: retention_figures.people(cur, SYSTEM, YEAR, months=12, outcome="overdue")),
        "target_progress_s": warm(lambda: target_progress.progress(cur, SYSTEM, YEAR)),
    }
    conn.close()
    return out


def main(argv: list[str]) -> int:
    db = Path(argv[1]).resolve()
    os.environ["CRM_DB"] = str(db)
    sys.path.insert(0, str(ROOT))
    result = direct(db)
    result["peak_rss_mb"] = peak_rss_mb()
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
