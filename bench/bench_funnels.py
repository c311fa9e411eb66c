"""分析 → 漏斗 and 来源's counting (db/funnels, db/sources) on the scale-N demo database, each next to a
raw DuckDB GROUP BY over the same year's events measured in the same process, taking turns."""
from __future__ import annotations

from bench.common import Context, Row, run_probe


def run(ctx: Context) -> list[Row]:
    db = ctx.demo_db()
    m, probe = run_probe(ctx, "funnel_probe", db)
    events = f"{m['events_in_year']:,} of {m['events_total']:,} events are in 2025"
    rows = []
    for name, d in m["dimensions"].items():
        by = "" if name == "none" else f", by={name}"
        grouped = "" if name == "none" else f"{name}, "
        path = "reads stage_crossing" if d["stored"] else "counts the events (per application)"
        baseline = f"raw GROUP BY {grouped}to_stage, count(distinct candidate_id), same events and joins"
        rows.append(Row("funnels", f"funnels.crossings(SYSTEM, 2025{by}): year, {path}", d["funnel_s"],
                        baseline=baseline, baseline_seconds=d["raw_s"], peak_rss_mb=probe.peak_rss_mb,
                        goal="≤ 2× (issue 11)", note=f"warm, best of 5, taking turns; {d['groups']:,} groups; {events}"))
        if d["stored"]:   # the same dates counted from the events: what a date range of a year costs
            rows.append(Row("funnels", f"funnels.crossings(SYSTEM, 2025-01-01..2026-01-01{by}, derived=False): events",
                            d["events_s"], baseline=baseline, baseline_seconds=d["events_raw_s"],
                            peak_rss_mb=probe.peak_rss_mb, goal="≤ 2× (issue 11)",
                            note=f"warm, best of 5, taking turns; the events path of the row above"))
    rows.append(Row("funnels", "sources.yield_by(SYSTEM, 2025, by=channel): its queries, this year and last",
                    m["sources"]["yield_s"], baseline="raw GROUP BY channel, to_stage (as above)",
                    baseline_seconds=m["sources"]["raw_s"], peak_rss_mb=probe.peak_rss_mb,
                    note="warm, best of 5, taking turns; crossings, intent → arrival matching and drive yield, for 2025 and 2024 — "
                         "six queries, so no per-query goal applies to the sum"))
    return rows
