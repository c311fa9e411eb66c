"""分析 → 留平 and 目标进度's queries on the scale-N demo database, against a raw GROUP BY (screens: bench_analysis_screens)."""
from __future__ import annotations

from bench.common import Context, Row, run_probe

RAW = "raw GROUP BY to_stage, count(distinct candidate_id), same year's events"


def run(ctx: Context) -> list[Row]:
    db = ctx.demo_db()
    m, probe = run_probe(ctx, "retention_targets_probe", db)
    raw = m["raw_group_by_year_s"]
    rows = []
    for key, what in (("retention_category_s", "retention_figures.figures(by=category)"),
                      ("retention_employer_s", "retention_figures.figures(by=employer)"),
                      ("retention_people_s", "retention_figures.people(12 months, overdue), one page"),
                      ("target_progress_s", "target_progress.progress(2025)")):
        rows.append(Row("analysis", what, m[key], baseline=RAW, baseline_seconds=raw, goal="≤ 2× (issue 11)",
                        note="warm, median of 3"))
    return rows
