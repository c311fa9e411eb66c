"""`make bench`'s funnel rows at scale 1: the probe runs and fills one row per dimension next to its raw
GROUP BY. Only that they work is checked — never how fast (timings belong in the bench table)."""
from __future__ import annotations

from pathlib import Path

import pytest

from bench import bench_funnels
from bench.common import Context


@pytest.mark.slow
def test_the_funnel_benchmark_runs_at_scale_1(tmp_path: Path) -> None:
    rows = bench_funnels.run(Context(workdir=tmp_path, scale=1))
    names = " ".join(r.name for r in rows)
    for dimension in ("enclave", "university", "employer", "drive", "degree"):
        assert f"by={dimension}" in names
    assert "sources.yield_by" in names
    for row in rows:
        assert row.section == "funnels" and row.seconds > 0 and row.baseline_seconds and row.ratio is not None
