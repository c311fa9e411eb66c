"""Pipeline commands and reads on a real database: applications, moves, history, audit, retention checks."""
from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime, timedelta

import duckdb
import pytest

from db import pipeline, retention
from db.errors import ConcurrentEdit, NotFound, PermissionDenied, ValidationError
from tests import factories
from tests.conftest import PipelineWorld

NOW = datetime(2026, 11, 28, 10, 0)


@pytest.fixture
def at(monkeypatch: pytest.MonkeyPatch) -> Callable[[datetime], None]:
    """Freeze the office clock (moves are stamped with it); call the result to move time on."""
    return factories.freeze_clock(monkeypatch, NOW)


def events(cur: duckdb.DuckDBPyConnection, app_id: int) -> list[tuple]:
    return cur.execute("select from_stage, to_stage, occurred_at, actor, note from stage_event"
                       " where application_id = ? order by id", [app_id]).fetchall()


def application(cur: duckdb.DuckDBPyConnection, app_id: int) -> tuple:
    return cur.execute("select stage, version, updated_at, lost_reason from application where id = ?", [app_id]).fetchall()[0]


def audits(cur: duckdb.DuckDBPyConnection, action: str) -> list[dict]:
    found = cur.execute("select actor, entity, entity_id, before_json, after_json, detail from audit_log"
                        " where action = ? order by id", [action]).fetchall()
    return [{"actor": a, "entity": e, "entity_id": i, "before": json.loads(b) if b else None,
             "after": json.loads(f) if f else None, "detail": d} for a, e, i, b, f, d in found]


# --- opening an application ------------------------------------------------------------------------

def test_open_application_writes_the_creation_event_and_is_audited(cur, world: PipelineWorld, at) -> None:  # type: ignore[no-untyped-def]
    sh = world.users["recruiter_sh"]
    app_id = pipeline.open_application(cur, sh, world.alice, employer_id=world.employer, position_id=world.position,
                                       drive_id=world.drive, note="双选会现场投递")
    assert cur.execute("select candidate_id, employer_id, position_id, drive_id, stage, created_by, version"
                       " from application where id = ?", [app_id]).fetchall()[0] == (
        world.alice, world.employer, world.position, world.drive, "lead", "recruiter_sh", 1)
    assert events(cur, app_id) == [(None, "lead", NOW, "recruiter_sh", "双选会现场投递")]
    [entry] = audits(cur, "create")
    assert entry["entity"] == "application" and entry["entity_id"] == str(app_id) and entry["actor"] == "recruiter_sh"
    assert entry["after"]["stage"] == "lead"


def test_open_application_may_start_at_a_later_open_stage_but_not_at_an_end(cur, world: PipelineWorld, at) -> None:  # type: ignore[no-untyped-def]
    app_id = pipeline.open_application(cur, world.users["hr"], world.alice, employer_id=world.employer, stage="interviewing")
    assert events(cur, app_id)[0][:2] == (None, "interviewing")
    for stage in ("rejected", "withdrawn", "retained"):
        with pytest.raises(ValidationError, match="新建投递只能从进行中的阶段开始"):
            pipeline.open_application(cur, world.users["hr"], world.alice, employer_id=world.other_employer, stage=stage)


def test_one_open_application_per_employer(cur, world: PipelineWorld, at) -> None:  # type: ignore[no-untyped-def]
    hr = world.users["hr"]
    first = pipeline.open_application(cur, hr, world.alice, employer_id=world.employer, stage="applied")
    with pytest.raises(ValidationError, match="^该候选人在「平湖光电科技有限公司」已有进行中的投递（已投递），请在原投递上变更阶段。$"):
        pipeline.open_application(cur, hr, world.alice, employer_id=world.employer)
    pipeline.move_stage(cur, hr, first, "rejected", lost_code="other", lost_reason="岗位已招满")
    second = pipeline.open_application(cur, hr, world.alice, employer_id=world.employer)
    assert second != first


def test_open_application_checks_its_references(cur, world: PipelineWorld, at) -> None:  # type: ignore[no-untyped-def]
    hr = world.users["hr"]
    with pytest.raises(ValidationError, match="所选企业不存在"):
        pipeline.open_application(cur, hr, world.alice, employer_id=999)
    with pytest.raises(ValidationError, match="所选岗位不属于「嘉兴新材料有限公司」"):
        pipeline.open_application(cur, hr, world.alice, employer_id=world.other_employer, position_id=world.position)
    with pytest.raises(ValidationError, match="所选校园招聘不存在"):
        pipeline.open_application(cur, hr, world.alice, employer_id=world.employer, drive_id=999)
    with pytest.raises(NotFound):
        pipeline.open_application(cur, hr, 999, employer_id=world.employer)
    assert cur.execute("select count(*) from application").fetchall()[0] == (0,)


def test_no_application_for_a_merged_or_deleted_person(cur, world: PipelineWorld, at) -> None:  # type: ignore[no-untyped-def]
    merged = factories.candidate(cur, "并入者", enclave_id=world.sh, merged_into=world.alice)
    deleted = factories.candidate(cur, "已删除", enclave_id=world.sh, deleted=True)
    with pytest.raises(NotFound):
        pipeline.open_application(cur, world.users["hr"], merged, employer_id=world.employer)
    with pytest.raises(PermissionDenied, match="已按本人要求删除"):
        pipeline.open_application(cur, world.users["hr"], deleted, employer_id=world.employer)


# --- moving ------------------------------------------------------------------------------------------

def test_a_move_appends_an_event_bumps_the_version_and_is_audited(cur, world: PipelineWorld, at) -> None:  # type: ignore[no-untyped-def]
    sh = world.users["recruiter_sh"]
    app_id = pipeline.open_application(cur, sh, world.alice, employer_id=world.employer)
    later = NOW + timedelta(hours=2)
    at(later)
    pipeline.move_stage(cur, sh, app_id, "interviewing", expected_version=1)
    at(later + timedelta(hours=1))
    pipeline.move_stage(cur, sh, app_id, "applied", note="企业要求补交材料", expected_version=2)
    assert application(cur, app_id) == ("applied", 3, later + timedelta(hours=1), None)
    assert events(cur, app_id)[1:] == [("lead", "interviewing", later, "recruiter_sh", None),
                                       ("interviewing", "applied", later + timedelta(hours=1), "recruiter_sh", "企业要求补交材料")]
    moves = audits(cur, "move_stage")
    assert [(m["before"]["stage"], m["after"]["stage"], m["after"]["version"]) for m in moves] == [
        ("lead", "interviewing", 2), ("interviewing", "applied", 3)]
    assert moves[1]["after"]["note"] == "企业要求补交材料" and moves[1]["detail"].endswith("面试中 → 已投递")


def test_an_exit_keeps_the_lost_reason_on_the_application_and_the_event(cur, world: PipelineWorld, at) -> None:  # type: ignore[no-untyped-def]
    hr = world.users["hr"]
    app_id = pipeline.open_application(cur, hr, world.alice, employer_id=world.employer, stage="offer")
    pipeline.move_stage(cur, hr, app_id, "withdrawn", lost_code="salary", lost_reason="  薪资未达预期 ", note="电话确认")
    assert application(cur, app_id)[0::3] == ("withdrawn", "薪资未达预期")
    assert events(cur, app_id)[-1][4] == "薪资；薪资未达预期；电话确认"
    with pytest.raises(ValidationError, match="结束状态"):
        pipeline.move_stage(cur, hr, app_id, "offer")


def test_a_forbidden_move_leaves_no_trace(cur, world: PipelineWorld, at) -> None:  # type: ignore[no-untyped-def]
    hr = world.users["hr"]
    app_id = pipeline.open_application(cur, hr, world.alice, employer_id=world.employer, stage="interviewing")
    before = (application(cur, app_id), events(cur, app_id), len(audits(cur, "move_stage")))
    for to_stage, kwargs, message in [
        ("contacted", {"note": "x"}, "只能退回上一阶段（面试中 → 已投递），且必须填写原因。"),
        ("applied", {}, "退回上一阶段（面试中 → 已投递）必须填写原因。"),
        ("rejected", {}, "标记为「未通过」必须选择流失原因（薪资、地域、岗位不匹配、继续深造、考公考编、去其他城市、联系不上、其他），可另填说明（例如：面试未通过）。"),
        ("retained", {}, "只有「已到岗」的人员才能标记为「留平1年+」（当前：面试中）。"),
        ("interviewing", {}, "该投递已处于「面试中」阶段。"),
    ]:
        with pytest.raises(ValidationError) as caught:
            pipeline.move_stage(cur, hr, app_id, to_stage, **kwargs)
        assert str(caught.value) == message
    assert (application(cur, app_id), events(cur, app_id), len(audits(cur, "move_stage"))) == before


def test_a_stale_version_is_refused_in_chinese(cur, world: PipelineWorld, at) -> None:  # type: ignore[no-untyped-def]
    hr = world.users["hr"]
    app_id = pipeline.open_application(cur, hr, world.alice, employer_id=world.employer)
    pipeline.move_stage(cur, hr, app_id, "contacted", expected_version=1)
    with pytest.raises(ConcurrentEdit, match="^该投递刚被他人修改，请刷新后重试。$"):
        pipeline.move_stage(cur, hr, app_id, "applied", expected_version=1)
    assert application(cur, app_id)[:2] == ("contacted", 2)


def test_moving_an_unknown_application(cur, world: PipelineWorld, at) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NotFound, match="投递 #42 不存在"):
        pipeline.move_stage(cur, world.users["hr"], 42, "applied")


def test_overlong_notes_are_refused(cur, world: PipelineWorld, at) -> None:  # type: ignore[no-untyped-def]
    app_id = pipeline.open_application(cur, world.users["hr"], world.alice, employer_id=world.employer)
    with pytest.raises(ValidationError, match="备注最多 500 个字"):
        pipeline.move_stage(cur, world.users["hr"], app_id, "applied", note="长" * 501)


# --- retention --------------------------------------------------------------------------------------

def hired(cur: duckdb.DuckDBPyConnection, world: PipelineWorld, at: Callable[[datetime], None], arrived: datetime,
          candidate_id: int | None = None) -> int:
    """An application recorded on `arrived` as a hire (已到岗)."""
    at(arrived)
    app_id = pipeline.open_application(cur, world.users["hr"], candidate_id or world.alice, employer_id=world.employer,
                                       stage="arrived")
    at(NOW)
    return app_id


def test_retained_needs_a_12_or_36_month_check_still_in_pinghu(cur, world: PipelineWorld, at) -> None:  # type: ignore[no-untyped-def]
    hr = world.users["hr"]
    app_id = hired(cur, world, at, datetime(2025, 6, 1, 10))
    retention.record_retention_check(cur, hr, app_id, months=6, checked_on=date(2025, 12, 5), still_employed=True,
                                    still_in_pinghu=True)
    with pytest.raises(ValidationError, match="请先登记到岗满 12 个月或 36 个月的留平回访"):
        pipeline.move_stage(cur, hr, app_id, "retained")
    retention.record_retention_check(cur, hr, app_id, months=12, checked_on=date(2026, 6, 3), still_employed=False,
                                    still_in_pinghu=False, note="已回原籍")
    with pytest.raises(ValidationError, match="请先登记"):
        pipeline.move_stage(cur, hr, app_id, "retained")
    retention.record_retention_check(cur, hr, app_id, months=36, checked_on=date(2026, 11, 1), still_employed=False,
                                    still_in_pinghu=True, note="返回平湖，换了单位")
    pipeline.move_stage(cur, hr, app_id, "retained")
    assert application(cur, app_id)[0] == "retained"
    assert [a["after"]["m"] for a in audits(cur, "retention_check")] == [6, 12, 36]


def test_retention_check_validation(cur, world: PipelineWorld, at) -> None:  # type: ignore[no-untyped-def]
    hr = world.users["hr"]
    app_id = hired(cur, world, at, datetime(2025, 6, 1, 10))
    ok = {"still_employed": True, "still_in_pinghu": True}
    with pytest.raises(ValidationError, match="只在到岗后 6、12 或 36 个月"):
        retention.record_retention_check(cur, hr, app_id, months=9, checked_on=date(2026, 3, 1), **ok)
    with pytest.raises(ValidationError, match="晚于今天"):
        retention.record_retention_check(cur, hr, app_id, months=6, checked_on=date(2026, 11, 29), **ok)
    with pytest.raises(ValidationError, match=r"不能早于到岗日期（2025-06-01）"):
        retention.record_retention_check(cur, hr, app_id, months=6, checked_on=date(2025, 5, 1), **ok)
    retention.record_retention_check(cur, hr, app_id, months=6, checked_on=date(2025, 12, 1), **ok)
    with pytest.raises(ValidationError, match=r"已登记过到岗 6 个月回访（2025-12-01）"):
        retention.record_retention_check(cur, hr, app_id, months=6, checked_on=date(2025, 12, 2), **ok)
    lead = pipeline.open_application(cur, hr, world.alice, employer_id=world.other_employer)
    with pytest.raises(ValidationError, match="只有「已到岗」或「留平1年\\+」的投递需要留平回访（当前：线索）"):
        retention.record_retention_check(cur, hr, lead, months=6, checked_on=date(2026, 1, 1), **ok)
    assert cur.execute("select count(*) from retention_check").fetchall()[0] == (1,)


def test_retention_due_lists_the_latest_milestone_not_yet_recorded(cur, world: PipelineWorld, at) -> None:  # type: ignore[no-untyped-def]
    hr, sh, cd = world.users["hr"], world.users["recruiter_sh"], world.users["recruiter_cd"]
    twelve = hired(cur, world, at, datetime(2025, 11, 1, 9))     # 12 months due 2026-11-01 (6 also due, not shown)
    six = hired(cur, world, at, datetime(2026, 5, 20, 9), world.bob)     # 6 months due 2026-11-20
    later = factories.hire(cur, world.bob, datetime(2026, 7, 1, 9))     # nothing due yet
    due = retention.retention_due(cur, hr)
    assert due.select("application_id", "months", "due_on", "days_overdue").rows() == [
        (twelve, 12, date(2026, 11, 1), 27), (six, 6, date(2026, 11, 20), 8)]
    assert due["total"].to_list() == [2, 2]
    # Recruiters: their own enclave only, other enclaves' people are not their work.
    assert retention.retention_due(cur, sh)["application_id"].to_list() == [twelve]
    assert retention.retention_due(cur, cd)["application_id"].to_list() == [six]
    # A 12-month check answers the 6-month one too; `within_days` looks ahead.
    retention.record_retention_check(cur, hr, twelve, months=12, checked_on=date(2026, 11, 2), still_employed=True,
                                    still_in_pinghu=True)
    assert retention.retention_due(cur, hr)["application_id"].to_list() == [six]
    ahead = retention.retention_due(cur, hr, within_days=200)          # up to 2027-06-16
    assert ahead.select("application_id", "months", "due_on").rows() == [
        (later, 6, date(2027, 1, 1)), (six, 12, date(2027, 5, 20))]
    assert retention.retention_due(cur, hr, today=date(2026, 11, 19)).height == 0


def test_retention_due_masks_contacts_for_who_may_not_see_them(cur, world: PipelineWorld, at) -> None:  # type: ignore[no-untyped-def]
    hired(cur, world, at, datetime(2025, 11, 1, 9))
    assert retention.retention_due(cur, world.users["recruiter_sh"])["mobile"].to_list() == ["13800138000"]
    assert retention.retention_due(cur, world.users["manager"])["mobile"].to_list() == ["138****8000"]


# --- reads --------------------------------------------------------------------------------------------

def test_applications_and_history_of_a_person(cur, world: PipelineWorld, at) -> None:  # type: ignore[no-untyped-def]
    hr = world.users["hr"]
    first = pipeline.open_application(cur, hr, world.alice, employer_id=world.employer, position_id=world.position)
    second = pipeline.open_application(cur, hr, world.alice, employer_id=world.other_employer, drive_id=world.drive)
    at(NOW + timedelta(minutes=5))
    pipeline.move_stage(cur, hr, second, "offer")
    at(NOW + timedelta(minutes=9))
    pipeline.move_stage(cur, hr, first, "rejected", lost_code="job_mismatch", lost_reason="专业不匹配")
    apps = pipeline.applications(cur, world.users["recruiter_cd"], world.alice)
    assert apps.select("id", "employer", "position", "drive", "stage_label", "is_open", "lost_reason", "version").rows() == [
        (second, "嘉兴新材料有限公司", None, "专场", "已录用", True, None, 2),
        (first, "平湖光电科技有限公司", "光学工程师", None, "未通过", False, "专业不匹配", 2)]
    assert apps["moved_at"].to_list() == [NOW + timedelta(minutes=5), NOW + timedelta(minutes=9)]
    trail = pipeline.history(cur, world.users["manager"], world.alice)
    assert trail.select("application_id", "from_label", "to_label", "note").rows() == [
        (first, "线索", "未通过", "岗位不匹配；专业不匹配"), (second, "线索", "已录用", None),
        (second, None, "线索", None), (first, None, "线索", None)]
    assert set(trail["actor_name"]) == {"hr"}
    assert pipeline.applications(cur, hr, world.bob).height == 0


# --- the date a move happened ------------------------------------------------------------------------

def test_an_arrival_recorded_in_january_counts_in_december(cur, world: PipelineWorld, at) -> None:  # type: ignore[no-untyped-def]
    """Issue 10: every move was stamped with the moment it was entered, so an arrival in December
    entered on 5 January counted as next year's hire. The effective date decides; the entry time stays."""
    from db import analytics
    from db.permissions import SYSTEM

    hr = world.users["hr"]
    at(datetime(2026, 12, 1, 9, 0))
    app = pipeline.open_application(cur, hr, world.alice, employer_id=world.employer, stage="signed")
    at(datetime(2027, 1, 5, 10, 30))
    pipeline.move_stage(cur, hr, app, "arrived", effective_on=date(2026, 12, 28))
    occurred, recorded = cur.execute("select occurred_at, recorded_at from stage_event where to_stage = 'arrived'"
                                     ).fetchall()[0]
    assert (occurred.date(), recorded) == (date(2026, 12, 28), datetime(2027, 1, 5, 10, 30))
    assert sum(analytics.hires_by_category(cur, SYSTEM, 2026).values()) == 1
    assert sum(analytics.hires_by_category(cur, SYSTEM, 2027).values()) == 0
    entry = audits(cur, "move_stage")[-1]
    assert entry["after"]["effective_on"] == "2026-12-28" and "生效日期 2026-12-28" in entry["detail"]


def test_an_effective_date_is_never_in_the_future_nor_before_the_previous_move(cur, world: PipelineWorld, at) -> None:  # type: ignore[no-untyped-def]
    hr = world.users["hr"]
    app = pipeline.open_application(cur, hr, world.alice, employer_id=world.employer,
                                    effective_on=NOW.date() - timedelta(days=10))
    with pytest.raises(ValidationError, match="晚于今天"):
        pipeline.move_stage(cur, hr, app, "contacted", effective_on=NOW.date() + timedelta(days=1))
    with pytest.raises(ValidationError, match="早于这条投递上一次阶段变更的日期"):
        pipeline.move_stage(cur, hr, app, "contacted", effective_on=NOW.date() - timedelta(days=11))
    pipeline.move_stage(cur, hr, app, "contacted", effective_on=NOW.date() - timedelta(days=10))   # the same day
    pipeline.move_stage(cur, hr, app, "applied")                                                      # today, now
    moments = [e[2] for e in events(cur, app)]
    assert moments == sorted(moments) and moments[-1] == NOW and len(set(moments)) == 3
    result = pipeline.bulk_move(cur, hr, [world.alice], "interviewing", effective_on=NOW.date() - timedelta(days=20))
    assert result.moved == () and "早于" in result.skipped[0].reason
    with pytest.raises(ValidationError, match="晚于今天"):
        pipeline.bulk_move(cur, hr, [world.alice], "interviewing", effective_on=NOW.date() + timedelta(days=3))
