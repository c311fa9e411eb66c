"""`make bench`'s 分析 screen rows at scale 1: the probe opens every 分析 screen for a manager and a
recruiter and fills a cold and a warm row for each — only that it works, never how fast."""
from __future__ import annotations

from pathlib import Path

import pytest

from bench import bench_analysis_screens
from bench.analysis_screens_probe import SCREENS
from bench.common import Context


@pytest.mark.slow
def test_every_analysis_screen_is_timed_for_both_roles(demo_db: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BENCH_APPTEST_TIMEOUT", "120")   # scale 1 needs seconds; a hang fails fast
    ctx = Context(workdir=tmp_path, scale=1)
    ctx._demo = demo_db                                  # the session's scale-1 demo (a copy): no second generation
    rows = bench_analysis_screens.run(ctx)
    assert len(rows) == len(SCREENS) * 2 * 2
    names = {r.name for r in rows}
    for _, title in SCREENS.values():
        for user in ("manager", "recruiter_sh"):
            assert {f"分析 → {title} cold: {user}", f"分析 → {title} warm: {user}"} <= names
    assert {"漏斗", "来源", "时长", "流失原因", "留平", "目标进度", "年度报告"} == {t for _, t in SCREENS.values()}
    for row in rows:
        assert row.section == "analysis" and row.seconds > 0 and row.ratio is not None
        assert row.goal in ("< 2 s (issue 11)", "< 0.3 s (issue 11)")
    assert "stage events" in rows[0].note
