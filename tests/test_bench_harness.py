"""`make bench` pieces at scale 1: the demo and overview benchmarks run and fill their table rows.

Only that they work is checked — never how fast (timings belong in the bench table, not in tests).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from bench import bench_demo, bench_overview
from bench.common import Context, print_table


@pytest.mark.slow
def test_demo_and_overview_benchmarks_run_at_scale_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BENCH_APPTEST_TIMEOUT", "120")   # scale 1 needs seconds; a hang fails fast
    ctx = Context(workdir=tmp_path, scale=1)
    demo_rows = bench_demo.run(ctx)
    overview_rows = bench_overview.run(ctx)

    assert ctx.demo_timing is not None and ctx.demo_timing.peak_rss_mb > 0
    assert [r.section for r in demo_rows] == ["demo", "demo"]
    assert "--scale 1" in demo_rows[0].name
    assert "candidates" in demo_rows[0].note and "stage_events" in demo_rows[0].note
    assert {r.section for r in overview_rows} == {"overview"}
    names = " ".join(r.name for r in overview_rows)
    for what in ("cold", "warm", "recruiter_sh", "analytics.funnel", "analytics.overview"):
        assert what in names
    for row in demo_rows + overview_rows:
        assert row.seconds > 0 and row.baseline_seconds and row.baseline_seconds > 0, row
        assert row.ratio is not None
    assert all(r.peak_rss_mb and r.peak_rss_mb > 0 for r in overview_rows if "总览" in r.name)

    print_table(demo_rows + overview_rows)
    table = capsys.readouterr().out
    assert "analytics.funnel" in table and "×" in table
