"""The stage rules as a pure function: every allowed move, every forbidden one and its Chinese message."""
from __future__ import annotations

import itertools

import pytest

from db.enums import EXIT_STAGES, PIPELINE, Stage
from db.errors import ValidationError
from db.stage_rules import allowed_targets, check_move

OPEN = [s for s in PIPELINE if s != Stage.RETAINED]          # lead … arrived
TERMINAL = [Stage.REJECTED, Stage.WITHDRAWN, Stage.RETAINED]


@pytest.mark.parametrize("src, dst", [(a, b) for a, b in itertools.combinations(OPEN, 2)])
def test_forward_to_any_later_open_stage_needs_nothing(src: Stage, dst: Stage) -> None:
    check_move(src, dst)


@pytest.mark.parametrize("src", OPEN[1:])
def test_back_exactly_one_stage_with_a_note(src: Stage) -> None:
    previous = PIPELINE[src.rank - 2]
    check_move(src, previous, note="候选人要求改期面试")


def test_back_one_stage_without_a_note_is_refused() -> None:
    with pytest.raises(ValidationError, match="^退回上一阶段（面试中 → 已投递）必须填写原因。$"):
        check_move("interviewing", "applied")
    with pytest.raises(ValidationError, match="必须填写原因"):
        check_move("interviewing", "applied", note="   ")


@pytest.mark.parametrize("src, dst", [(a, b) for a, b in itertools.combinations(OPEN, 2) if b.rank - a.rank >= 2])
def test_back_more_than_one_stage_is_refused_even_with_a_note(src: Stage, dst: Stage) -> None:
    previous = PIPELINE[dst.rank - 2]
    with pytest.raises(ValidationError) as caught:
        check_move(dst, src, note="想退回")
    assert str(caught.value) == f"只能退回上一阶段（{dst.label} → {previous.label}），且必须填写原因。"


def test_the_issue_example_message() -> None:
    with pytest.raises(ValidationError, match=r"^只能退回上一阶段（面试中 → 已投递），且必须填写原因。$"):
        check_move("interviewing", "contacted", note="x")


@pytest.mark.parametrize("src, exit_stage", list(itertools.product(OPEN, EXIT_STAGES)))
def test_exit_from_any_open_stage_with_a_lost_reason(src: Stage, exit_stage: Stage) -> None:
    check_move(src, exit_stage, lost_code="salary", lost_reason="薪资未达预期")


@pytest.mark.parametrize("exit_stage, example", [(Stage.REJECTED, "面试未通过"), (Stage.WITHDRAWN, "已接受其他单位录用")])
def test_exit_without_a_lost_reason_is_refused(exit_stage: Stage, example: str) -> None:
    with pytest.raises(ValidationError) as caught:
        check_move("offer", exit_stage, note="a note is not a reason", lost_reason="a text is not a code")
    assert str(caught.value) == f"标记为「{exit_stage.label}」必须选择流失原因（薪资、地域、岗位不匹配、继续深造、考公考编、去其他城市、联系不上、其他），可另填说明（例如：{example}）。"
    assert caught.value.field == "lost_code"


def test_retained_only_from_arrived_after_a_retention_check() -> None:
    check_move("arrived", "retained", retention_confirmed=True)
    with pytest.raises(ValidationError, match="请先登记到岗满 12 个月或 36 个月的留平回访"):
        check_move("arrived", "retained")
    for src in OPEN[:-1]:
        with pytest.raises(ValidationError, match=f"只有「已到岗」的人员才能标记为「留平1年\\+」（当前：{src.label}）"):
            check_move(src, "retained", retention_confirmed=True)


@pytest.mark.parametrize("src, dst", [(a, b) for a in TERMINAL for b in Stage if b != a])
def test_nothing_moves_out_of_an_end_state(src: Stage, dst: Stage) -> None:
    with pytest.raises(ValidationError) as caught:
        check_move(src, dst, note="n", lost_reason="r", retention_confirmed=True)
    assert str(caught.value) == f"「{src.label}」是结束状态，不能再变更阶段；如需重新跟进，请新建一条投递。"


@pytest.mark.parametrize("stage", OPEN)
def test_moving_to_the_same_stage_is_refused(stage: Stage) -> None:
    with pytest.raises(ValidationError, match=f"该投递已处于「{stage.label}」阶段"):
        check_move(stage, stage, note="n")


def test_unknown_stage_codes_are_refused() -> None:
    with pytest.raises(ValidationError, match="未知的阶段：hired"):
        check_move("lead", "hired")


def test_allowed_targets_lists_exactly_what_check_move_allows() -> None:
    assert allowed_targets("interviewing") == [Stage.APPLIED, Stage.INTENT, Stage.OFFER, Stage.SIGNED, Stage.ARRIVED,
                                               Stage.REJECTED, Stage.WITHDRAWN]
    assert allowed_targets("lead") == [*OPEN[1:], *EXIT_STAGES]
    assert Stage.RETAINED not in allowed_targets("arrived")
    assert allowed_targets("arrived", retention_confirmed=True) == [Stage.SIGNED, Stage.RETAINED, *EXIT_STAGES]
    assert allowed_targets("retained") == allowed_targets("rejected") == []
