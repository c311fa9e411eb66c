"""Candidate search and the pipeline board at scale N, next to raw DuckDB scans of the same table."""
from __future__ import annotations

from bench.common import Context, Row, run_probe

LABELS = {
    "name": "search: a common name (page + count)", "initials": "search: initials 'zw' (page + count)",
    "last4": "search: last 4 mobile digits (page + count)", "school_filter": "search: school 浙江大学 + degree filter",
    "empty_page_200": "search: empty, page 200 (page + count)", "board_employer": "board: busiest employer",
    "board_drive": "board: busiest campus drive",
}


def run(ctx: Context) -> list[Row]:
    db = ctx.demo_db()
    m, probe = run_probe(ctx, "search_probe", db)
    size = f"{m['candidates']:,} candidates, {m['applications']:,} applications"
    rows = [Row("search", "raw count(*) over candidate", m["count_star"], note=f"{size}; the issue's baseline")]
    for key, label in LABELS.items():
        rows.append(Row("search", label, m[key], baseline="raw count(*) over candidate",
                        baseline_seconds=m["count_star"], peak_rss_mb=probe.peak_rss_mb, goal="feels instant",
                        note=f"warm median of 5; first run {m[key + '_first']:.3f} s; a raw LIKE scan of names "
                             f"takes {m['like_scan']:.3f} s"))
    return rows
