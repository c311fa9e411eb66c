"""Timing probe for bench_analysis_screens, run as a fresh process: `python -m bench.analysis_screens_probe DB`.

Every 分析 screen through AppTest, for a manager and for a recruiter (recruiter_sh): the screen's first
run after login with every st.cache_data cache emptied just before it (cold — as for a user whose first
visit of the day is that screen, on a server that has been up a while: every screen is visited once,
untimed, before any is timed), then the median of three reruns (warm). Next to it, in the same
process, a one-line script's first run and rerun. Prints one JSON object (last line of stdout); nothing
is asserted. BENCH_TRACE_SQL=1 also prints, to stderr, each cold run's slowest queries and where they
were called from (the script runs on AppTest's own thread, out of a profiler's sight).
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from bench.overview_probe import ROOT, login_form, median_of, minimal_runs, peak_rss_mb, steady_state_pages_mode, timed

# name → (page, title); the order the bench table lists them in.
SCREENS = {
    "funnel": ("pages/analysis_funnel.py", "漏斗"),
    "sources": ("pages/analysis_sources.py", "来源"),
    "time": ("pages/analysis_time.py", "时长"),
    "lost": ("pages/analysis_lost.py", "流失原因"),
    "retention": ("pages/analysis_retention.py", "留平"),
    "targets": ("pages/analysis_targets.py", "目标进度"),
    "report": ("pages/analysis_report.py", "年度报告"),
}
USERS = ("manager", "recruiter_sh")


QUERIES: list[tuple[float, str, str]] | None = None


def trace_queries() -> None:
    """Time every query made through db/sql.py's helpers, with its caller: before any db/ module imports
    them by name, so every module gets the timed ones."""
    global QUERIES
    import time
    import traceback

    from db import sql

    QUERIES = []
    for name in ("frame", "rows", "scalar"):
        def timed_query(cur, query, params=None, _run=getattr(sql, name)):  # type: ignore[no-untyped-def]
            started = time.perf_counter()
            try:
                return _run(cur, query, params)
            finally:
                callers = traceback.extract_stack(limit=4)[:-1]
                where = " < ".join(f"{f.name}@{Path(f.filename).name}:{f.lineno}" for f in reversed(callers))
                QUERIES.append((time.perf_counter() - started, where, " ".join(query.split())[:80]))
        setattr(sql, name, timed_query)


def check(at, username: str, title: str) -> None:  # type: ignore[no-untyped-def]
    """A run that raised or did not reach the screen would make its timing meaningless: fail loudly."""
    if at.exception:
        raise RuntimeError(f"{username} {title}: the script raised {at.exception[0].message}")
    if not any(t.value == title for t in at.title):
        raise RuntimeError(f"{username} {title}: not rendered (titles: {[t.value for t in at.title]})")


def screen_runs(only: set[str] | None = None) -> dict[str, float]:
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from db.connection import clear_shared_connection

    def logged_in(username: str) -> AppTest:
        at = login_form(username)
        at.run()                                                   # login, then 总览 (untimed)
        return at

    screens = [(name, page, title) for name, (page, title) in SCREENS.items() if not only or name in only]
    out: dict[str, float] = {}
    clear_shared_connection()
    # One untimed visit of every screen first: a server that has been up a while has the tables in DuckDB's
    # buffers. Without it, the first screen timed would pay for reading columns the later ones then find
    # loaded, and each screen's figure would depend on the order they are visited in.
    warm_up = logged_in("manager")
    for _, page, title in screens:
        warm_up.switch_page(page)
        warm_up.run()
        check(warm_up, "manager", title)
    for username in USERS:
        at = logged_in(username)
        for name, page, title in screens:
            at.switch_page(page)
            st.cache_data.clear()                                  # the screen's first run: nothing cached
            if QUERIES is not None:
                QUERIES.clear()
            out[f"{name}_{username}_cold_s"] = timed(at.run)
            if QUERIES is not None:
                print(f"--- {title} cold, {username}: {out[f'{name}_{username}_cold_s']:.3f} s, "
                      f"{sum(q[0] for q in QUERIES):.3f} s in {len(QUERIES)} queries", file=sys.stderr)
                for seconds, where, sql in sorted(QUERIES, reverse=True)[:12]:
                    print(f"{seconds:7.3f}  {where}  {sql}", file=sys.stderr)
            check(at, username, title)
            out[f"{name}_{username}_warm_s"] = median_of(at.run)
            check(at, username, title)
    clear_shared_connection()
    return out


def events(db: Path) -> dict[str, int]:
    from db.connection import connect

    conn = connect(db)
    try:
        return {"events_total": conn.execute("select count(*) from stage_event").fetchall()[0][0],
                "candidates": conn.execute("select count(*) from candidate").fetchall()[0][0]}
    finally:
        conn.close()


def main(argv: list[str]) -> int:
    db = Path(argv[1]).resolve()
    os.environ["CRM_DB"] = str(db)
    sys.path.insert(0, str(ROOT))
    if os.environ.get("BENCH_TRACE_SQL"):
        trace_queries()
    only = {x for x in os.environ.get("BENCH_SCREENS", "").split(",") if x} or None
    steady_state_pages_mode()
    result: dict[str, float] = {**events(db), **minimal_runs(), **screen_runs(only)}
    result["peak_rss_mb"] = peak_rss_mb()
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
