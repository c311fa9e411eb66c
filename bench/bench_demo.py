"""Demo generation at scale N, next to DuckDB itself writing as many stage_event-shaped rows."""
from __future__ import annotations

import json

from bench.common import Context, Row, Timed, run_process

# The baseline: one process that opens a fresh DuckDB file and writes `n` rows with the columns
# and types of stage_event (no keys, no constraints, no other tables) — the floor for storing that
# many events. Checkpointed, as the demo loader is, so both end with the rows on disk.
BASELINE = """
import sys, duckdb
path, n = sys.argv[1], int(sys.argv[2])
con = duckdb.connect(path)
con.execute('''
    create table stage_event as
    select i as id, i // 4 as application_id, i // 8 as candidate_id,
           case when i % 8 = 0 then null else stages[i % 8] end as from_stage,
           stages[i % 8 + 1] as to_stage,
           timestamp '2025-01-01' + to_seconds(i % 31536000) as occurred_at,
           'demo' as actor, cast(null as varchar) as note
    from range(?) t(i),
         (select ['lead', 'contacted', 'applied', 'interviewing', 'intent', 'offer', 'signed', 'arrived'] as stages)
''', [n])
con.execute('checkpoint')
con.close()
"""


def run(ctx: Context) -> list[Row]:
    ctx.demo_db()
    timing: Timed = ctx.demo_timing  # type: ignore[assignment]
    summary = json.loads(timing.stdout.strip().splitlines()[-1])
    events = int(summary["stage_events"])
    written = int(summary["candidates"]) + int(summary["applications"]) + events
    baseline_path = ctx.workdir / "baseline-stage-events.duckdb"
    baseline_path.unlink(missing_ok=True)
    baseline = run_process([ctx.python, "-c", BASELINE, str(baseline_path), str(events)])
    baseline_path.unlink(missing_ok=True)
    counts = (f"{summary['candidates']:,} candidates, {summary['applications']:,} applications, "
              f"{events:,} stage_events")
    return [
        Row("demo", f"python -m loaders demo --scale {ctx.scale} --events {ctx.events_at_least:,} (whole process)", timing.seconds,
            baseline=f"DuckDB CTAS of {events:,} stage_event-shaped rows (whole process)",
            baseline_seconds=baseline.seconds, peak_rss_mb=timing.peak_rss_mb,
            goal="finishes on 2 cores (issue 2)",
            note=(f"{counts}; {written / timing.seconds:,.0f} rows/s over all three tables "
                  f"({events / timing.seconds:,.0f} events/s) vs baseline {events / baseline.seconds:,.0f} rows/s, "
                  f"baseline peak RSS {baseline.peak_rss_mb:,.0f} MB. The demo also makes people (faker, pinyin), "
                  "candidates and applications, and writes through keys, CHECKs and FKs; the baseline writes "
                  "one unconstrained table from range(n).")),
        Row("demo", f"generate() alone (its own clock, scale {ctx.scale})", float(summary["seconds"]),
            baseline="same baseline", baseline_seconds=baseline.seconds,
            note=f"process total minus this = start-up, migrations, reference data, checkpoint "
                 f"({timing.seconds - float(summary['seconds']):.1f} s)"),
    ]
