"""年度报告: both files through the CLI on the scale-N demo database (goal: both under 30 s at scale 30)."""
from __future__ import annotations

from bench.common import Context, Row, run_process


def run(ctx: Context) -> list[Row]:
    db = ctx.demo_db()
    baseline = run_process([ctx.python, "-m", "db", "report", "--year", "2025", "--db", str(db), "--json"])
    rows = []
    for fmt in ("xlsx", "pdf"):
        out = ctx.workdir / f"annual-report.{fmt}"
        timed = run_process([ctx.python, "-m", "db", "annual-report", "--year", "2025", "--db", str(db),
                             "--out", str(out)])
        rows.append(Row("annual_report", f"python -m db annual-report --out FILE.{fmt}", timed.seconds,
                        baseline="python -m db report --json (the headline alone)", baseline_seconds=baseline.seconds,
                        peak_rss_mb=timed.peak_rss_mb, goal="both files < 30 s at scale 30",
                        note=f"whole process; {out.stat().st_size / 1024:,.0f} KB"))
    return rows
