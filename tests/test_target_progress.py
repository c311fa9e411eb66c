"""目标 vs actuals on a hand-made world whose answers are known by construction (db/target_progress.py)."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from db import analytics, target_progress as tp
from db.connection import open_database
from db.permissions import SYSTEM
from tests import factories as f

TODAY = date(2026, 4, 30)          # day 120 of 2026


@pytest.fixture
def world(cur: duckdb.DuckDBPyConnection) -> dict:
    """The hand-made 目标 world of tests/factories.py (the annual report's tests count on it too)."""
    return f.target_world(cur)


def table(df) -> dict[tuple, tuple]:  # type: ignore[no-untyped-def]
    return {(s, m): (t, a, e, b, shape) for s, m, t, a, e, b, shape in
            df.select("scope", "metric", "target", "actual", "expected", "behind", "shape").iter_rows()}


def test_year_to_date_against_the_expected_value(cur, world) -> None:  # type: ignore[no-untyped-def]
    df = tp.progress(cur, SYSTEM, 2026, today=TODAY)
    assert table(df) == {
        # last year's shape: 1 of 4 by the end of April → 25 of 100
        ("全市", "young_graduate"): (100, 3, 25, True, "去年节奏"),
        ("全市", "young_phd"): (4, 0, 1, True, "全年均匀"),                 # 4 × 120/365 = 1.3 → 1; 改类 counts as graduate
        ("全市", "tech_vp"): (10, 1, 10, True, "去年节奏"),                 # both of 2025's started in March
        ("全市", "declarations"): (20, 2, 7, True, "全年均匀"),             # 20 × 120/365 = 6.6 → 7
        ("SH 飞地", "young_graduate"): (60, 2, 15, True, "去年节奏"),
        ("SH 飞地", "declarations"): (5, None, None, None, "全年均匀"),     # the register names no enclave
        ("CD 飞地", "young_graduate"): (2, 1, 1, False, "全年均匀"),        # 2 × 120/365 = 0.66 → 1
    }
    assert df["scope"].to_list()[:4] == ["全市"] * 4 and df["as_of"].unique().to_list() == [TODAY]
    assert df.filter(scope="全市")["metric"].to_list() == ["young_phd", "young_graduate", "tech_vp", "declarations"]


def test_a_past_year_is_judged_at_its_end_and_a_future_one_not_at_all(cur, world) -> None:  # type: ignore[no-untyped-def]
    past = tp.progress(cur, SYSTEM, 2025, today=TODAY)
    assert table(past) == {("全市", "young_graduate"): (50, 4, 50, True, "全年均匀")}
    assert past["as_of"].to_list() == [date(2025, 12, 31)]
    f.target(cur, 2027, None, "young_graduate", 10)
    assert table(tp.progress(cur, SYSTEM, 2027, today=TODAY)) == {
        ("全市", "young_graduate"): (10, 0, 0, False, "去年节奏")}


def test_the_expected_share_follows_last_years_months() -> None:
    shape = [1, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0]
    assert tp.elapsed_share(date(2026, 5, 31), shape) == pytest.approx(0.25)
    assert tp.elapsed_share(date(2026, 6, 15), shape) == pytest.approx((1 + 3 * 15 / 30) / 4)
    assert tp.elapsed_share(date(2026, 12, 31), shape) == 1.0
    assert tp.elapsed_share(date(2026, 7, 2), None) == pytest.approx(183 / 365)
    assert tp.elapsed_share(None, shape) == 0.0


def test_a_recruiter_sees_their_enclave(cur, world) -> None:  # type: ignore[no-untyped-def]
    df = tp.progress(cur, world["recruiter_sh"], 2026, today=TODAY)
    assert set(df["scope"]) == {"SH 飞地"} and set(df["metric"]) == {"young_graduate", "declarations"}


def test_the_demo_years_actuals_are_the_reported_figures(demo_master: Path) -> None:
    conn = open_database(demo_master)
    try:
        cur = conn.cursor()
        df = tp.progress(cur, SYSTEM, 2025, today=date(2026, 6, 30)).filter(scope="全市")
        head = analytics.headline(cur, SYSTEM, 2025)
    finally:
        conn.close()
    actual = dict(zip(df["metric"], df["actual"]))
    assert actual["young_phd"] == head.hires_young_phd == 39
    assert actual["young_graduate"] == head.hires_young_graduate == 9645
    assert actual["high_skill"] == head.hires_high_skill == 1304
    assert (actual["tech_vp"], actual["flexible"], actual["drive_intents"]) == (
        head.tech_vp, head.flexible_high_level, head.drive_intents)
    assert (df["expected"] == df["target"]).all()


def test_the_cli_prints_the_screens_figures(demo_db: Path) -> None:
    import json
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    run = [sys.executable, "-m", "db", "targets", "--year", "2025", "--db", str(demo_db), "--today", "2026-06-30",
           "--json"]
    printed = json.loads(subprocess.run(run, cwd=root, capture_output=True, text=True, check=True).stdout)
    conn = open_database(demo_db)
    try:
        df = tp.progress(conn.cursor(), SYSTEM, 2025, today=date(2026, 6, 30))
    finally:
        conn.close()
    assert [(r["scope"], r["metric"], r["actual"], r["expected"], r["behind"]) for r in printed] == list(
        df.select("scope", "metric", "actual", "expected", "behind").iter_rows())
    retention = subprocess.run([sys.executable, "-m", "db", "retention", "--year", "2025", "--by", "category",
                                "--db", str(demo_db), "--json"], cwd=root, capture_output=True, text=True, check=True)
    rows = json.loads(retention.stdout)
    assert {r["group_label"] for r in rows} >= {"青年博士", "青年大学生", "高能人才"} and {r["months"] for r in rows} == {6, 12, 36}
