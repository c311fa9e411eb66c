"""待跟进 on screen: a recruiter's due and overdue follow-ups, completing and rescheduling one, and
recording a retention check that also marks the hire 留平1年+."""
from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from db import clock, pipeline, stage_derived, users
from db.connection import open_database
from db.permissions import SYSTEM
from tests import factories
from tests.conftest import PipelineWorld
from tests.helpers import DEMO_PASSWORD, button, login, metrics, shown


@pytest.fixture
def due_db(db_path: Path, cur: duckdb.DuckDBPyConnection, world: PipelineWorld) -> dict[str, int]:
    """Follow-ups around today for the SH recruiter — 李娜 (theirs) 3 days overdue, 陈静 (theirs) due
    today, 刘洋 (SH, nobody's) 1 day overdue, 赵敏 (theirs) tomorrow — 王强 (CD) due today; and 李娜
    arrived at 平湖光电 13 months ago, so her 12-month retention check is due."""
    cur.execute("update app_user set password_hash = ?", [users.hash_password(DEMO_PASSWORD)])
    today, sh = clock.today(), world.users["recruiter_sh"]
    ids = {"alice": world.alice, "bob": world.bob}
    for key, name in (("carol", "陈静"), ("dave", "刘洋"), ("erin", "赵敏")):
        ids[key] = factories.candidate(cur, name, enclave_id=world.sh)
    cur.execute("update candidate set owner_id = ? where id in (?, ?)", [sh.id, ids["carol"], ids["erin"]])
    for key, days in (("alice", -3), ("carol", 0), ("dave", -1), ("erin", 1), ("bob", 0)):
        cur.execute("update candidate set next_follow_up_on = ? where id = ?", [today + timedelta(days=days), ids[key]])
    ids["hire"] = pipeline.open_application(cur, SYSTEM, world.alice, employer_id=world.employer, stage="arrived")
    arrived = datetime.combine(today - timedelta(days=400), datetime.min.time())
    cur.execute("update stage_event set occurred_at = ? where application_id = ?", [arrived, ids["hire"]])
    stage_derived.refresh(cur, candidate_ids=[world.alice])
    return ids


def open_follow_ups(app, db_path: Path, username: str):  # type: ignore[no-untyped-def]
    at = login(app(db_path), username)
    at.switch_page("pages/follow_ups.py").run()
    assert not at.exception and "待跟进" in [t.value for t in at.title]
    return at


def table(at, column: str):  # type: ignore[no-untyped-def]
    """The shown table that has `column` (follow-ups: next_follow_up_on; retention checks: months), or None."""
    return next((d.value for d in at.dataframe if column in d.value.columns), None)


def names(at) -> list[str]:  # type: ignore[no-untyped-def]
    follow = table(at, "next_follow_up_on")
    return [] if follow is None else follow["name"].to_list()


def read(db_path: Path, query: str, params: list) -> list[tuple]:
    conn = open_database(db_path)
    try:
        return conn.execute(query, params).fetchall()
    finally:
        conn.close()


def test_a_recruiters_due_and_overdue_follow_ups(app, db_path: Path, due_db: dict[str, int]) -> None:  # type: ignore[no-untyped-def]
    at = open_follow_ups(app, db_path, "recruiter_sh")
    shown = metrics(at)
    assert (shown["今天到期"], shown["已逾期"], shown["未来 7 天"], shown["留平回访待登记"]) == (
        "1 人", "1 人", "1 人", "1 人")
    assert names(at) == ["李娜", "陈静", "赵敏"]              # overdue first; 赵敏 is due tomorrow
    assert table(at, "next_follow_up_on")["due"].to_list() == ["逾期 3 天", "今天", "1 天后"]
    assert table(at, "next_follow_up_on")["mobile"].to_list()[0] == "13800138000"
    at.radio(key="follow_ups_scope").set_value("enclave").run()
    assert names(at) == ["李娜", "刘洋", "陈静", "赵敏"]       # the enclave's, never 王强 of 成都
    assert not at.error


def test_completing_and_rescheduling_a_follow_up(app, db_path: Path, due_db: dict[str, int]) -> None:  # type: ignore[no-untyped-def]
    at = open_follow_ups(app, db_path, "recruiter_sh")
    at.selectbox(key="follow_ups_person").select(due_db["alice"])
    next_on = clock.today() + timedelta(days=7)
    next(d for d in at.date_input if d.label.startswith("下次跟进日期")).set_value(next_on)
    next(t for t in at.text_area if t.label.startswith("沟通内容")).input("电话确认下周到企业面试")
    button(at, "完成跟进").click().run()
    assert not at.exception and not at.error
    assert [shown(s.value) for s in at.success] == [f"已完成对李娜的跟进，下次跟进 {next_on}。"]
    assert names(at) == ["陈静", "赵敏", "李娜"]              # 李娜 is now due in 7 days
    assert read(db_path, "select next_follow_up_on from candidate where id = ?", [due_db["alice"]]) == [(next_on,)]
    assert read(db_path, "select kind, body, created_by from activity", []) == [("call", "电话确认下周到企业面试", "recruiter_sh")]
    # Done without a new date: the follow-up ends.
    at.selectbox(key="follow_ups_person").select(due_db["carol"])
    button(at, "完成跟进").click().run()
    assert names(at) == ["赵敏", "李娜"]
    assert read(db_path, "select next_follow_up_on from candidate where id = ?", [due_db["carol"]]) == [(None,)]


def test_recording_a_retention_check_marks_the_hire_retained(app, db_path: Path, due_db: dict[str, int]) -> None:  # type: ignore[no-untyped-def]
    at = open_follow_ups(app, db_path, "recruiter_sh")
    checks = table(at, "months")
    assert checks[["name", "employer", "months"]].values.tolist() == [["李娜", "平湖光电科技有限公司", 12]]
    button(at, "登记回访").click().run()
    assert not at.exception and not at.error
    assert [shown(s.value) for s in at.success] == ["已登记李娜到岗 12 个月的留平回访。已标记为「留平1年+」。"]
    assert metrics(at)["留平回访待登记"] == "0 人"
    assert read(db_path, "select stage, version from application where id = ?", [due_db["hire"]]) == [("retained", 3)]
    assert read(db_path, "select months, still_in_pinghu, checked_by from retention_check", []) == [
        (12, True, "recruiter_sh")]


def test_hr_sees_everyone_with_contacts_masked(app, db_path: Path, due_db: dict[str, int]) -> None:  # type: ignore[no-untyped-def]
    at = open_follow_ups(app, db_path, "hr")
    assert names(at) == []   # HR owns nobody …
    at.radio(key="follow_ups_scope").set_value("all").run()
    assert names(at) == ["李娜", "刘洋", "王强", "陈静", "赵敏"]    # … and sees the whole city, masked by default
    assert table(at, "next_follow_up_on")["mobile"].to_list()[0] == "138****8000"
