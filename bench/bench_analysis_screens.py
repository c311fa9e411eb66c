"""Every 分析 screen on the scale-N demo database (≥ 10M stage events at scale 30), through AppTest, for a
manager and a recruiter: cold (the screen's first run with its caches empty) and warm (a rerun), each
next to a one-line script's first run and rerun measured in the same process."""
from __future__ import annotations

from bench.analysis_screens_probe import SCREENS, USERS
from bench.common import Context, Row, run_probe


def run(ctx: Context) -> list[Row]:
    db = ctx.demo_db()
    m, probe = run_probe(ctx, "analysis_screens_probe", db)
    world = f"{m['candidates']:,} candidates, {m['events_total']:,} stage events"
    rows = []
    for name, (_, title) in SCREENS.items():
        for user in USERS:
            if f"{name}_{user}_cold_s" not in m:          # BENCH_SCREENS chose others
                continue
            rows.append(Row("analysis", f"分析 → {title} cold: {user}", m[f"{name}_{user}_cold_s"],
                            baseline='minimal script `st.write("x")`, first run', baseline_seconds=m["minimal_first_s"],
                            peak_rss_mb=probe.peak_rss_mb, goal="< 2 s (issue 11)",
                            note=f"AppTest after login, every st.cache_data emptied first; default view; {world}"))
            rows.append(Row("analysis", f"分析 → {title} warm: {user}", m[f"{name}_{user}_warm_s"],
                            baseline='minimal script `st.write("x")`, rerun', baseline_seconds=m["minimal_rerun_s"],
                            peak_rss_mb=probe.peak_rss_mb, goal="< 0.3 s (issue 11)", note="median of 3 reruns"))
    return rows
