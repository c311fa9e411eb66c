"""流程看板 on screen: a recruiter moves a person from a card, forbidden moves show the rule in Chinese,
other enclaves' cards are masked and read-only, a manager only looks, a stale card is refused."""
from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from db import pipeline, users
from db.connection import open_database
from db.permissions import SYSTEM
from tests.conftest import PipelineWorld
from tests.helpers import DEMO_PASSWORD, button, login, shown


@pytest.fixture
def board_db(db_path: Path, cur: duckdb.DuckDBPyConnection, world: PipelineWorld) -> dict[str, int]:
    """The pipeline world with passwords that log in, and one application per enclave at 平湖光电:
    李娜 (SH) 面试中, 王强 (CD) 已投递."""
    cur.execute("update app_user set password_hash = ?", [users.hash_password(DEMO_PASSWORD)])
    alice = pipeline.open_application(cur, SYSTEM, world.alice, employer_id=world.employer, position_id=world.position,
                                      stage="interviewing")
    bob = pipeline.open_application(cur, SYSTEM, world.bob, employer_id=world.employer, stage="applied")
    return {"alice": alice, "bob": bob, "employer": world.employer}


def open_board(app, db_path: Path, board: dict[str, int], username: str):  # type: ignore[no-untyped-def]
    at = login(app(db_path), username)
    at.switch_page("pages/board.py").run()
    at.selectbox(key="board_employer").select(board["employer"]).run()
    assert not at.exception and "流程看板" in [t.value for t in at.title]
    return at


def stage_of(db_path: Path, app_id: int) -> tuple:
    conn = open_database(db_path)
    try:
        return conn.execute("select stage, version from application where id = ?", [app_id]).fetchall()[0]
    finally:
        conn.close()


def pick_and_submit(at, app_id: int, target: str, *, note: str = "", lost: str = "", code: str | None = None):  # type: ignore[no-untyped-def]
    if f"board_app{app_id}_target" not in [s.key for s in at.selectbox]:
        at.button(key=f"board_pick_{app_id}").click().run()
    at.selectbox(key=f"board_app{app_id}_target").select(target)
    at.text_input(key=f"board_app{app_id}_note").input(note)
    at.selectbox(key=f"board_app{app_id}_code").select(code)
    at.text_input(key=f"board_app{app_id}_lost").input(lost)
    button(at, "确认变更").click().run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_a_recruiter_moves_a_person_forward_from_a_card(app, db_path: Path, board_db: dict[str, int]) -> None:  # type: ignore[no-untyped-def]
    at = open_board(app, db_path, board_db, "recruiter_sh")
    assert "1 人" in [c.value for c in at.caption]          # 面试中 column: 李娜
    pick_and_submit(at, board_db["alice"], "offer")
    assert [shown(s.value) for s in at.success] == ["已将李娜的投递从「面试中」变更为「已录用」。"]
    assert stage_of(db_path, board_db["alice"]) == ("offer", 2)
    assert f"board_app{board_db['alice']}_target" not in [s.key for s in at.selectbox]   # the form closed


@pytest.mark.parametrize("target, kwargs, message", [
    ("lead", {"note": "想重新联系"}, "只能退回上一阶段（面试中 → 已投递），且必须填写原因。"),
    ("applied", {}, "退回上一阶段（面试中 → 已投递）必须填写原因。"),
    ("rejected", {"lost": "面试未通过"}, "标记为「未通过」必须选择流失原因（薪资、地域、岗位不匹配、继续深造、考公考编、去其他城市、联系不上、其他），可另填说明（例如：面试未通过）。"),
    ("retained", {}, "只有「已到岗」的人员才能标记为「留平1年+」（当前：面试中）。"),
])
def test_forbidden_moves_show_the_rule_in_chinese(app, db_path: Path, board_db: dict[str, int], target: str,  # type: ignore[no-untyped-def]
                                                  kwargs: dict, message: str) -> None:
    at = pick_and_submit(open_board(app, db_path, board_db, "recruiter_sh"), board_db["alice"], target, **kwargs)
    assert [shown(e.value) for e in at.error] == [message]
    assert stage_of(db_path, board_db["alice"]) == ("interviewing", 1)


def test_back_one_stage_with_a_note_and_an_exit_with_a_reason(app, db_path: Path, board_db: dict[str, int]) -> None:  # type: ignore[no-untyped-def]
    at = pick_and_submit(open_board(app, db_path, board_db, "recruiter_sh"), board_db["alice"], "applied",
                         note="企业要求补交成绩单")
    assert not at.error and stage_of(db_path, board_db["alice"]) == ("applied", 2)
    pick_and_submit(at, board_db["alice"], "withdrawn", code="other", lost="已接受其他单位录用")
    assert stage_of(db_path, board_db["alice"]) == ("withdrawn", 3)
    # Still on the board, in the 放弃 column, but an ended application has nothing to move.
    assert "**李娜**" in [m.value for m in at.markdown]
    assert f"board_pick_{board_db['alice']}" not in [b.key for b in at.button]


def test_other_enclaves_cards_are_masked_and_read_only(app, db_path: Path, board_db: dict[str, int]) -> None:  # type: ignore[no-untyped-def]
    at = open_board(app, db_path, board_db, "recruiter_sh")
    assert "**王强**" not in [m.value for m in at.markdown]              # own enclave only, by default
    at.toggle(key="board_own").set_value(False).run()
    assert "**王强**" in [m.value for m in at.markdown]
    captions = " ".join(shown(c.value) for c in at.caption)
    assert "139****9000" in captions and "13900139000" not in captions
    assert "13800138000" in captions                                      # own enclave's contacts in full
    keys = [b.key for b in at.button]
    assert f"board_pick_{board_db['alice']}" in keys and f"board_pick_{board_db['bob']}" not in keys


def test_a_manager_sees_the_board_but_moves_nobody(app, db_path: Path, board_db: dict[str, int]) -> None:  # type: ignore[no-untyped-def]
    at = open_board(app, db_path, board_db, "manager")
    assert {"**李娜**", "**王强**"} <= {m.value for m in at.markdown}
    assert not [b for b in at.button if (b.key or "").startswith("board_pick_")]
    assert not [t for t in at.toggle if t.key == "board_own"]


def test_a_card_moved_by_someone_else_meanwhile_is_refused(app, db_path: Path, board_db: dict[str, int]) -> None:  # type: ignore[no-untyped-def]
    at = open_board(app, db_path, board_db, "recruiter_sh")
    at.button(key=f"board_pick_{board_db['alice']}").click().run()
    other = open_database(db_path)          # another user, another connection, moves her first
    try:
        pipeline.move_stage(other.cursor(), SYSTEM, board_db["alice"], "intent")
    finally:
        other.close()
    # The form still holds the version it was opened with.
    at.selectbox(key=f"board_app{board_db['alice']}_target").select("offer")
    button(at, "确认变更").click().run()
    assert not at.exception
    assert [shown(e.value) for e in at.error] == ["该投递刚被他人修改，请刷新后重试。"]
    assert stage_of(db_path, board_db["alice"]) == ("intent", 2)


def test_the_board_by_campus_drive(app, db_path: Path, board_db: dict[str, int], world: PipelineWorld) -> None:  # type: ignore[no-untyped-def]
    at = login(app(db_path), "hr")
    at.switch_page("pages/board.py").run()
    at.radio(key="board_by").set_value("drive").run()
    assert not at.exception and at.selectbox(key="board_drive").value == world.drive
    assert not [m for m in at.markdown if m.value in ("**李娜**", "**王强**")]     # nobody applied through the drive
