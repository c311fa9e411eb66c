"""Activity log and follow-ups on a real database: logging, validation, 待跟进 lists, completing follow-ups."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest

from db import activities, clock, pipeline
from db.errors import PermissionDenied, ValidationError
from tests import factories
from tests.conftest import PipelineWorld

TODAY = date(2026, 11, 28)


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Due and overdue are relative to today: keep it fixed."""
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 11, 28, 9, 30))
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def follow_up_of(cur, candidate_id: int) -> tuple:  # type: ignore[no-untyped-def]
    return cur.execute("select next_follow_up_on, version, updated_by from candidate where id = ?",
                       [candidate_id]).fetchall()[0]


def test_log_adds_to_the_timeline_and_schedules_the_next_follow_up(cur, world: PipelineWorld) -> None:  # type: ignore[no-untyped-def]
    sh = world.users["recruiter_sh"]
    activity_id = activities.log(cur, sh, world.alice, kind="call", occurred_on=date(2026, 11, 27),
                                 body="  电话沟通岗位意向，对薪资较关注  ", follow_up_on=date(2026, 12, 3))
    assert cur.execute("select candidate_id, kind, occurred_on, body, follow_up_on, created_by from activity"
                       " where id = ?", [activity_id]).fetchall()[0] == (
        world.alice, "call", date(2026, 11, 27), "电话沟通岗位意向，对薪资较关注", date(2026, 12, 3), "recruiter_sh")
    # The follow-up date is a profile field: the version moves so a stale edit form cannot undo it.
    assert follow_up_of(cur, world.alice) == (date(2026, 12, 3), 2, "recruiter_sh")
    [(after, detail)] = cur.execute("select after_json, detail from audit_log where action = 'log_activity'").fetchall()
    assert json.loads(after)["follow_up_on"] == "2026-12-03" and detail == "记录电话（2026-11-27），下次跟进 2026-12-03"


def test_an_activity_without_a_follow_up_keeps_the_scheduled_one(cur, world: PipelineWorld) -> None:  # type: ignore[no-untyped-def]
    sh = world.users["recruiter_sh"]
    activities.log(cur, sh, world.alice, kind="wechat", occurred_on=TODAY, body="发送岗位介绍", follow_up_on=date(2026, 12, 1))
    activities.log(cur, sh, world.alice, kind="note", occurred_on=TODAY, body="备注：有意向来平湖")
    assert follow_up_of(cur, world.alice)[:2] == (date(2026, 12, 1), 2)


@pytest.mark.parametrize("kwargs, message", [
    ({"kind": "email"}, "未知的沟通方式：email（可选：备注、电话、走访、微信、面谈）。"),
    ({"body": "   "}, "请填写沟通内容。"),
    ({"body": "长" * 2001}, "沟通内容最多 2000 个字（现为 2001 个字），请精简。"),
    ({"occurred_on": date(2026, 11, 29)}, "发生日期 2026-11-29 晚于今天：请记录已经发生的沟通，计划事项请填「下次跟进日期」。"),
    ({"follow_up_on": date(2026, 11, 27)}, "下次跟进日期 2026-11-27 早于今天（2026-11-28），请重新选择。"),
])
def test_log_validation(cur, world: PipelineWorld, kwargs: dict, message: str) -> None:  # type: ignore[no-untyped-def]
    good = {"kind": "call", "occurred_on": TODAY, "body": "电话", "follow_up_on": None}
    with pytest.raises(ValidationError) as caught:
        activities.log(cur, world.users["hr"], world.alice, **(good | kwargs))
    assert str(caught.value) == message
    assert cur.execute("select count(*) from activity").fetchall()[0] == (0,)


def test_no_activity_for_a_deleted_person(cur, world: PipelineWorld) -> None:  # type: ignore[no-untyped-def]
    gone = factories.candidate(cur, "已删除", enclave_id=world.sh, deleted=True)
    with pytest.raises(PermissionDenied, match="已按本人要求删除"):
        activities.log(cur, world.users["hr"], gone, kind="note", occurred_on=TODAY, body="x")


def test_for_candidate_newest_first_with_labels(cur, world: PipelineWorld) -> None:  # type: ignore[no-untyped-def]
    sh = world.users["recruiter_sh"]
    activities.log(cur, sh, world.alice, kind="visit", occurred_on=date(2026, 11, 2), body="走访学校就业处")
    activities.log(cur, sh, world.alice, kind="meeting", occurred_on=date(2026, 11, 20), body="面谈")
    activities.log(cur, sh, world.alice, kind="call", occurred_on=date(2026, 11, 10), body="电话")
    log = activities.for_candidate(cur, world.users["manager"], world.alice)
    assert log.select("occurred_on", "kind_label", "body", "created_by_name").rows() == [
        (date(2026, 11, 20), "面谈", "面谈", "recruiter_sh"), (date(2026, 11, 10), "电话", "电话", "recruiter_sh"),
        (date(2026, 11, 2), "走访", "走访学校就业处", "recruiter_sh")]
    assert activities.for_candidate(cur, sh, world.bob).height == 0


# --- 待跟进 ------------------------------------------------------------------------------------------

@pytest.fixture
def due(cur, world: PipelineWorld) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Follow-ups around today: overdue and due today (shown), tomorrow (not yet), and people who
    must never be listed (deleted, merged, another enclave's)."""
    sh = world.users["recruiter_sh"]
    ids = {"alice": world.alice, "bob": world.bob}
    for name in ("carol", "dave", "erin", "frank", "gina"):
        ids[name] = factories.candidate(cur, name, enclave_id=world.sh)
    cur.execute("update candidate set owner_id = ? where id in (?, ?, ?)", [sh.id, ids["carol"], ids["erin"], ids["frank"]])
    when = {"alice": TODAY - timedelta(days=3), "bob": TODAY, "carol": TODAY, "dave": TODAY - timedelta(days=1),
            "erin": TODAY + timedelta(days=1), "frank": TODAY - timedelta(days=9), "gina": TODAY}
    for name, on in when.items():
        cur.execute("update candidate set next_follow_up_on = ? where id = ?", [on, ids[name]])
    cur.execute("update candidate set deleted_at = ? where id = ?", [datetime(2026, 11, 1), ids["frank"]])
    cur.execute("update candidate set merged_into = ? where id = ?", [world.alice, ids["gina"]])
    activities.log(cur, sh, world.alice, kind="call", occurred_on=date(2026, 11, 1), body="第一次电话")
    activities.log(cur, sh, world.alice, kind="wechat", occurred_on=date(2026, 11, 20), body="微信发了岗位表")
    pipeline.open_application(cur, world.users["hr"], world.alice, employer_id=world.employer, stage="interviewing")
    return ids


def test_a_recruiters_own_follow_ups_due_and_overdue(cur, world: PipelineWorld, due: dict[str, int]) -> None:  # type: ignore[no-untyped-def]
    mine = activities.follow_ups(cur, world.users["recruiter_sh"], scope="mine")
    assert mine.select("name", "days_overdue").rows() == [("李娜", 3), ("carol", 0)]
    alice = mine.row(0, named=True)
    assert (alice["mobile"], alice["stage_label"], alice["last_kind_label"], alice["last_body"]) == (
        "13800138000", "面试中", "微信", "微信发了岗位表")
    assert alice["owner"] == "recruiter_sh" and alice["enclave"] == "SH 飞地"


def test_follow_ups_of_the_enclave_and_of_everyone(cur, world: PipelineWorld, due: dict[str, int]) -> None:  # type: ignore[no-untyped-def]
    sh, hr = world.users["recruiter_sh"], world.users["hr"]
    enclave = activities.follow_ups(cur, sh, scope="enclave")
    assert enclave["name"].to_list() == ["李娜", "dave", "carol"]
    # For a recruiter "all" is what they may work on: their enclave, never another's people.
    assert activities.follow_ups(cur, sh, scope="all")["name"].to_list() == ["李娜", "dave", "carol"]
    everyone = activities.follow_ups(cur, hr, scope="all")
    assert everyone["name"].to_list() == ["李娜", "dave", "王强", "carol"]
    assert everyone.filter(everyone["name"] == "王强")["mobile"].to_list() == ["139****9000"]
    assert activities.follow_ups(cur, hr, scope="mine").height == 0
    assert activities.follow_ups(cur, sh, scope="enclave", within_days=1)["name"].to_list()[-1] == "erin"
    assert activities.follow_ups(cur, sh, scope="enclave", today=TODAY - timedelta(days=2))["name"].to_list() == ["李娜"]
    with pytest.raises(ValidationError, match="未关联飞地"):
        activities.follow_ups(cur, hr, scope="enclave")
    with pytest.raises(ValidationError, match="未知的范围"):
        activities.follow_ups(cur, hr, scope="team")


def test_complete_clears_or_reschedules_and_logs_the_note(cur, world: PipelineWorld, due: dict[str, int]) -> None:  # type: ignore[no-untyped-def]
    sh = world.users["recruiter_sh"]
    activities.complete_follow_up(cur, sh, world.alice, next_on=date(2026, 12, 10), note="电话确认下周面试", kind="call")
    assert follow_up_of(cur, world.alice)[0] == date(2026, 12, 10)
    assert cur.execute("select kind, occurred_on, body, follow_up_on from activity order by id desc limit 1").fetchall()[0] == (
        "call", TODAY, "电话确认下周面试", date(2026, 12, 10))
    activities.complete_follow_up(cur, sh, due["carol"])
    assert follow_up_of(cur, due["carol"])[0] is None
    assert activities.follow_ups(cur, sh, scope="mine").height == 0
    details = [r[0] for r in cur.execute("select detail from audit_log where action = 'follow_up' order by id").fetchall()]
    assert details == ["完成跟进，改期至 2026-12-10", "完成跟进"]
    with pytest.raises(ValidationError, match="须晚于今天"):
        activities.complete_follow_up(cur, sh, world.alice, next_on=TODAY)
