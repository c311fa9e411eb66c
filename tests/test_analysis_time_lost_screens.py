"""分析 → 时长 and 流失原因 on screen, for a manager and a recruiter, on a small world with known answers:
figures, the people behind them masked per role, the stuck list for its owner, and the threshold editor."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from db import pipeline, users
from db.permissions import SYSTEM
from tests import factories as f
from tests.conftest import PipelineWorld
from tests.helpers import DEMO_PASSWORD, button, login, metrics

D = datetime
NOW = D(2025, 12, 1, 10, 0)


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> Callable[[datetime], None]:
    """Freeze the office clock (the screens count stuck days to its today; AppTest runs in this process)."""
    f.freeze_clock(monkeypatch, NOW)
    return lambda _: None


@pytest.fixture
def office(db_path: Path, cur: duckdb.DuckDBPyConnection, world: PipelineWorld, frozen) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Accounts that log in, and 2025's history:
    李娜 (SH, recruiter_sh's): 已投递 → 放弃 (薪资) on 2025-03-10, and a second application stuck in 已联系
        since 2025-06-16 (168 days, threshold 30);
    王强 (CD, recruiter_cd's): 线索 4 days → 已联系 → 未通过 (岗位不匹配) on 2025-02-25."""
    cur.execute("update app_user set password_hash = ?", [users.hash_password(DEMO_PASSWORD)])
    hr = world.users["hr"]
    a = pipeline.open_application(cur, hr, world.alice, employer_id=world.employer, stage="applied",
                                  effective_on=date(2025, 3, 1))
    pipeline.move_stage(cur, hr, a, "withdrawn", lost_code="salary", effective_on=date(2025, 3, 10))
    stuck = pipeline.open_application(cur, hr, world.alice, employer_id=world.other_employer,
                                      effective_on=date(2025, 6, 1))
    pipeline.move_stage(cur, hr, stuck, "contacted", effective_on=date(2025, 6, 16))
    b = f.walk(cur, world.bob, ("lead", D(2025, 2, 1, 10)), ("contacted", D(2025, 2, 5, 10)),
               ("rejected", D(2025, 2, 25, 10)))
    cur.execute("update application set lost_code = 'job_mismatch' where id = ?", [b])
    return {"alice": world.alice, "bob": world.bob}


def open_screen(app, db_path: Path, username: str, screen: str):  # type: ignore[no-untyped-def]
    at = login(app(db_path), username)
    at.switch_page(f"pages/{screen}").run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def frame_of(at, column: str):  # type: ignore[no-untyped-def]
    """The table holding `column` (tables keep their frame's column names; the headers are display labels)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def select_year(at, key: str, year: int):  # type: ignore[no-untyped-def]
    at.selectbox(key=key).select(year).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


# --- 流失原因 -------------------------------------------------------------------------------------------------

def test_lost_reasons_for_a_manager_with_the_people_masked(app, db_path: Path, office) -> None:  # type: ignore[no-untyped-def]
    at = select_year(open_screen(app, db_path, "manager", "analysis_lost.py"), "lost_year", 2025)
    assert "流失原因" in [t.value for t in at.title]
    assert metrics(at)["退出"] == "2 次"
    assert any(c.value.startswith("口径：") for c in at.caption)
    assert len(at.get("vega_lite_chart")) == 2
    by_stage = frame_of(at, "离开阶段")
    assert by_stage[["离开阶段", "薪资", "岗位不匹配", "合计"]].values.tolist() == [["已联系", 0, 1, 1], ["已投递", 1, 0, 1]]
    people = frame_of(at, "reason_label")
    assert people["name"].tolist() == ["李娜", "王强"]
    assert people["mobile"].tolist() == ["138****8000", "139****9000"]           # masked until revealed
    at.selectbox(key="lost_people_reason").select("job_mismatch").run()
    assert frame_of(at, "reason_label")["name"].tolist() == ["王强"]
    at.radio(key="lost_source").set_value("enclave").run()
    assert frame_of(at, "归属飞地")["归属飞地"].tolist() == ["SH 飞地", "CD 飞地"]   # 1 each: by key


def test_lost_reasons_for_a_recruiter_are_their_enclaves(app, db_path: Path, office) -> None:  # type: ignore[no-untyped-def]
    at = select_year(open_screen(app, db_path, "recruiter_sh", "analysis_lost.py"), "lost_year", 2025)
    assert metrics(at)["退出"] == "1 次"
    people = frame_of(at, "reason_label")
    assert people[["name", "mobile", "reason_label"]].values.tolist() == [["李娜", "13800138000", "薪资"]]


# --- 时长 -------------------------------------------------------------------------------------------------------

def test_time_in_stage_and_stuck_people_for_a_manager(app, db_path: Path, cur, office) -> None:  # type: ignore[no-untyped-def]
    at = select_year(open_screen(app, db_path, "manager", "analysis_time.py"), "time_year", 2025)
    assert "时长" in [t.value for t in at.title]
    stays = frame_of(at, "open_now").set_index("label")
    # 线索: 王强 4 days and 李娜's second application 15 (1 → 16 June): median 9.5
    assert stays.loc["线索", "stays"] == 2 and stays.loc["线索", "median_days"] == 9.5
    assert stays.loc["已联系", "open_now"] == 1 and stays.loc["已联系", "open_median_days"] == 168.0
    assert sum(c.value.startswith("口径：") for c in at.caption) >= 3
    stuck = frame_of(at, "threshold")
    assert stuck[["name", "mobile", "days", "threshold"]].values.tolist() == [["李娜", "138****8000", 168, 30]]
    assert stuck["detail"].tolist() == [f"candidate?id={office['alice']}"]
    # 分组 by owner: the same figures per recruiter
    at.radio(key="time_by").set_value("owner").run()
    assert set(frame_of(at, "open_now")["group"]) == {"recruiter_sh", "recruiter_cd"}
    # the manager raises 已联系's threshold: nobody is stuck any more, and the change is audited
    at.number_input(key="time_threshold_contacted").set_value(200)
    button(at, "保存阈值").click().run()
    assert not at.exception and "已保存停滞阈值。" in [s.value for s in at.success]
    assert any(c.value == "没有停滞的人员。" for c in at.caption)
    assert cur.execute("select actor, detail from audit_log where entity = 'stage_threshold'").fetchall() == [
        ("manager", "停滞阈值「已联系」：30 天 → 200 天")]


def test_time_screen_for_recruiters_lists_their_own_stuck_people_only(app, db_path: Path, office) -> None:  # type: ignore[no-untyped-def]
    at = select_year(open_screen(app, db_path, "recruiter_sh", "analysis_time.py"), "time_year", 2025)
    stuck = frame_of(at, "threshold")
    assert stuck[["name", "mobile"]].values.tolist() == [["李娜", "13800138000"]]
    assert not [n for n in at.number_input if n.key and n.key.startswith("time_threshold_")]   # read-only
    stays = frame_of(at, "open_now").set_index("label")
    assert stays.loc["线索", "stays"] == 1                                # 王强 is in CD
    other = select_year(open_screen(app, db_path, "recruiter_cd", "analysis_time.py"), "time_year", 2025)
    assert any(c.value == "没有停滞的人员。" for c in other.caption)
