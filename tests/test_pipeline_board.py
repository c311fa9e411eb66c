"""The board (counts and latest cards per stage) and the candidate list's bulk stage move."""
from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from db import clock, pipeline
from db.enums import Stage
from db.errors import PermissionDenied, ValidationError
from tests import factories
from tests.conftest import PipelineWorld

NOW = datetime(2026, 11, 28, 10, 0)


@pytest.fixture
def ticking(monkeypatch: pytest.MonkeyPatch) -> None:
    """A clock one minute further on each call, so 'most recent' is well defined for the cards."""
    moments = (NOW + timedelta(minutes=i) for i in range(10_000))
    monkeypatch.setattr(clock, "now", lambda: next(moments))
    monkeypatch.setattr(clock, "today", lambda: NOW.date())


def people(cur, world: PipelineWorld, n: int, enclave_id: int) -> list[int]:  # type: ignore[no-untyped-def]
    ids = [factories.candidate(cur, f"候选人{i}", enclave_id=enclave_id) for i in range(n)]
    cur.execute("update candidate set mobile = '13700000000' where id = ?", [ids[0]])
    return ids


def test_counts_per_stage_and_the_latest_cards(cur, world: PipelineWorld, ticking) -> None:  # type: ignore[no-untyped-def]
    hr = world.users["hr"]
    apps = [pipeline.open_application(cur, hr, p, employer_id=world.employer, stage="applied")
            for p in people(cur, world, 5, world.sh)]
    pipeline.move_stage(cur, hr, apps[0], "offer")
    pipeline.open_application(cur, hr, world.bob, employer_id=world.other_employer, stage="applied")
    view = pipeline.board(cur, hr, employer_id=world.employer, cards_per_stage=3)
    assert view.counts == {s.value: 0 for s in Stage} | {"applied": 4, "offer": 1}
    assert view.total == 5
    # The three most recently moved of four, newest first; the offer's own column.
    assert view.cards_in("applied")["application_id"].to_list() == [apps[4], apps[3], apps[2]]
    assert view.cards_in("offer")["application_id"].to_list() == [apps[0]]
    assert set(view.cards.columns) >= {"name", "mobile", "email", "enclave_id", "employer", "position", "version",
                                       "moved_at", "editable", "masked"}
    assert pipeline.board(cur, hr).total == 6
    assert pipeline.board(cur, hr, employer_id=world.other_employer).counts["applied"] == 1


def test_board_by_drive_and_by_enclave(cur, world: PipelineWorld, ticking) -> None:  # type: ignore[no-untyped-def]
    hr = world.users["hr"]
    at_drive = pipeline.open_application(cur, hr, world.alice, employer_id=world.employer, drive_id=world.drive)
    pipeline.open_application(cur, hr, world.bob, employer_id=world.employer, drive_id=world.drive)
    pipeline.open_application(cur, hr, world.bob, employer_id=world.other_employer)
    assert pipeline.board(cur, hr, drive_id=world.drive).total == 2
    view = pipeline.board(cur, hr, drive_id=world.drive, enclave_id=world.sh)
    assert view.total == 1 and view.cards["application_id"].to_list() == [at_drive]


def test_cards_are_masked_and_editable_per_actor(cur, world: PipelineWorld, ticking) -> None:  # type: ignore[no-untyped-def]
    hr = world.users["hr"]
    pipeline.open_application(cur, hr, world.alice, employer_id=world.employer)
    pipeline.open_application(cur, hr, world.bob, employer_id=world.employer)

    def seen(actor: str) -> dict[str, tuple]:
        cards = pipeline.board(cur, world.users[actor], employer_id=world.employer).cards
        return {r["name"]: (r["mobile"], r["editable"]) for r in cards.iter_rows(named=True)}

    assert seen("recruiter_sh") == {"李娜": ("13800138000", True), "王强": ("139****9000", False)}
    assert seen("recruiter_cd") == {"李娜": ("138****8000", False), "王强": ("13900139000", True)}
    assert seen("manager") == {"李娜": ("138****8000", False), "王强": ("139****9000", False)}
    assert seen("hr") == {"李娜": ("138****8000", True), "王强": ("139****9000", True)}


def test_a_deleted_persons_card_still_counts_but_cannot_be_moved(cur, world: PipelineWorld, ticking) -> None:  # type: ignore[no-untyped-def]
    pipeline.open_application(cur, world.users["hr"], world.alice, employer_id=world.employer)
    cur.execute("update candidate set deleted_at = ?, name = '已删除' where id = ?", [NOW, world.alice])
    view = pipeline.board(cur, world.users["hr"], employer_id=world.employer)
    assert view.counts["lead"] == 1 and view.cards["editable"].to_list() == [False]


def test_an_empty_board(cur, world: PipelineWorld) -> None:  # type: ignore[no-untyped-def]
    view = pipeline.board(cur, world.users["manager"], employer_id=world.employer)
    assert view.total == 0 and view.cards.height == 0 and set(view.counts) == {s.value for s in Stage}


# --- bulk move -------------------------------------------------------------------------------------------

def test_bulk_move_moves_each_persons_most_advanced_open_application(cur, world: PipelineWorld, ticking) -> None:  # type: ignore[no-untyped-def]
    hr, sh = world.users["hr"], world.users["recruiter_sh"]
    behind = pipeline.open_application(cur, hr, world.alice, employer_id=world.employer, stage="contacted")
    ahead = pipeline.open_application(cur, hr, world.alice, employer_id=world.other_employer, stage="interviewing")
    carol, dave, erin, frank = (factories.candidate(cur, n, enclave_id=world.sh) for n in ("陈静", "刘洋", "赵敏", "孙丽"))
    pipeline.open_application(cur, hr, dave, employer_id=world.employer, stage="offer")     # offer → intent: back
    ended = pipeline.open_application(cur, hr, erin, employer_id=world.employer)
    pipeline.move_stage(cur, hr, ended, "rejected", lost_code="job_mismatch", lost_reason="面试未通过")
    pipeline.open_application(cur, hr, world.bob, employer_id=world.employer)
    pipeline.open_application(cur, hr, frank, employer_id=world.employer)
    cur.execute("update candidate set deleted_at = ? where id = ?", [NOW, frank])

    result = pipeline.bulk_move(cur, sh, [world.alice, world.bob, carol, dave, erin, frank, 999, world.alice], "intent")
    assert result.moved == (world.alice,)
    assert {s.candidate_id: s.reason for s in result.skipped} == {
        world.bob: "无权限：招才专员只能维护本飞地的人员",
        carol: "没有进行中的投递",
        dave: "退回上一阶段（已录用 → 签约意向）必须填写原因。",
        erin: "没有进行中的投递",
        frank: "已按本人要求删除（已匿名化）",
        999: "候选人不存在",
    }
    assert result.summary == "已变更 1 人，跳过 6 人。"
    assert cur.execute("select id, stage, version from application where candidate_id = ? order by id",
                       [world.alice]).fetchall() == [(behind, "contacted", 1), (ahead, "intent", 2)]
    assert cur.execute("select from_stage, to_stage, actor from stage_event where application_id = ? order by id desc"
                       " limit 1", [ahead]).fetchall()[0] == ("interviewing", "intent", "recruiter_sh")
    [entry] = cur.execute("select before_json, after_json, detail from audit_log where action = 'bulk_update'").fetchall()
    assert json.loads(entry[0]) == {str(ahead): "interviewing"}
    assert json.loads(entry[1])["applications"] == [ahead] and entry[2] == "批量变更阶段为「签约意向」：1 人成功，6 人跳过"
    # One audit entry for the batch; the only single move audited is the set-up's rejection.
    assert cur.execute("select count(*) from audit_log where action = 'move_stage'").fetchall()[0] == (1,)


def test_bulk_exit_needs_a_reason_for_everyone(cur, world: PipelineWorld, ticking) -> None:  # type: ignore[no-untyped-def]
    hr = world.users["hr"]
    pipeline.open_application(cur, hr, world.alice, employer_id=world.employer)
    pipeline.open_application(cur, hr, world.bob, employer_id=world.employer)
    with pytest.raises(ValidationError, match="^标记为「放弃」必须选择流失原因（薪资、地域、岗位不匹配、继续深造、考公考编、去其他城市、联系不上、其他），可另填说明（例如：已接受其他单位录用）。$"):
        pipeline.bulk_move(cur, hr, [world.alice, world.bob], "withdrawn", lost_reason="考公考编")
    moved = pipeline.bulk_move(cur, hr, [world.alice, world.bob], "withdrawn", lost_code="civil_service",
                               lost_reason="考公考编")
    assert moved.moved == (world.alice, world.bob) and moved.skipped == ()
    assert cur.execute("select distinct lost_reason from application").fetchall() == [("考公考编",)]


def test_bulk_move_refuses_managers_an_empty_selection_and_huge_batches(cur, world: PipelineWorld) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied):
        pipeline.bulk_move(cur, world.users["manager"], [world.alice], "applied")
    with pytest.raises(ValidationError, match="请先勾选"):
        pipeline.bulk_move(cur, world.users["hr"], [], "applied")
    with pytest.raises(ValidationError, match="一次最多批量变更 1000 人"):
        pipeline.bulk_move(cur, world.users["hr"], list(range(1, 1002)), "applied")
    with pytest.raises(ValidationError, match="未知的阶段"):
        pipeline.bulk_move(cur, world.users["hr"], [world.alice], "hired")
