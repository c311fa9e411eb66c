"""`make bench`'s 留平 and 目标进度 query rows at scale 1: the probe runs and fills every row (never how fast)."""
from __future__ import annotations

from pathlib import Path

import pytest

from bench import bench_retention_targets
from bench.common import Context


@pytest.mark.slow
def test_the_analysis_benchmark_runs_at_scale_1(demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BENCH_APPTEST_TIMEOUT", "120")   # scale 1 needs seconds; a hang fails fast
    ctx = Context(workdir=tmp_path, scale=1)
    ctx._demo = demo_db                                  # the session's scale-1 demo (a copy): no second generation
    rows = bench_retention_targets.run(ctx)
    assert {r.section for r in rows} == {"analysis"} and len(rows) == 4
    names = " ".join(r.name for r in rows)
    for what in ("retention_figures.figures(by=employer)", "target_progress.progress"):
        assert what in names
    assert all(r.seconds > 0 and r.ratio is not None for r in rows)
