"""Role × action matrix at the db/ level: each pipeline and activity command called directly as each role
on a person of the Shanghai (SH) enclave. Allowed: recruiters of that enclave, HR, admin; refused:
a recruiter of another enclave and managers — and a refused command writes nothing."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import duckdb
import pytest

from db import activities, pipeline, retention
from db.errors import PermissionDenied
from db.permissions import SYSTEM, User
from tests import factories as f
from tests.conftest import PipelineWorld

NOW = datetime(2026, 11, 28, 10, 0)
ACTORS = {"recruiter_sh": True, "recruiter_cd": False, "manager": False, "hr": True, "admin": True}


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retention checks and follow-ups are validated against today: keep it fixed."""
    f.freeze_clock(monkeypatch, NOW)


Cur = duckdb.DuckDBPyConnection


def _app(cur: Cur, world: PipelineWorld, stage: str = "applied") -> int:
    return pipeline.open_application(cur, SYSTEM, world.alice, employer_id=world.employer, stage=stage)


def open_application(cur: Cur, world: PipelineWorld, actor: User) -> Callable[[], bool]:
    pipeline.open_application(cur, actor, world.alice, employer_id=world.employer)
    return lambda: cur.execute("select count(*) from application").fetchall()[0][0] == 1


def move_stage(cur: Cur, world: PipelineWorld, actor: User) -> Callable[[], bool]:
    app_id = _app(cur, world)
    pipeline.move_stage(cur, actor, app_id, "interviewing")
    return lambda: cur.execute("select stage from application where id = ?", [app_id]).fetchall()[0][0] == "interviewing"


def record_retention_check(cur: Cur, world: PipelineWorld, actor: User) -> Callable[[], bool]:
    app_id = _app(cur, world, "arrived")
    retention.record_retention_check(cur, actor, app_id, months=6, checked_on=date(2026, 11, 28), still_employed=True,
                                    still_in_pinghu=True)
    return lambda: cur.execute("select count(*) from retention_check").fetchall()[0][0] == 1


def log_activity(cur: Cur, world: PipelineWorld, actor: User) -> Callable[[], bool]:
    activities.log(cur, actor, world.alice, kind="call", occurred_on=date(2026, 11, 27), body="电话沟通",
                   follow_up_on=date(2026, 12, 5))
    return lambda: cur.execute("select count(*) from activity").fetchall()[0][0] == 1


def complete_follow_up(cur: Cur, world: PipelineWorld, actor: User) -> Callable[[], bool]:
    cur.execute("update candidate set next_follow_up_on = ? where id = ?", [date(2026, 11, 20), world.alice])
    activities.complete_follow_up(cur, actor, world.alice, next_on=date(2026, 12, 20))
    return lambda: cur.execute("select next_follow_up_on from candidate where id = ?",
                               [world.alice]).fetchall()[0][0] == date(2026, 12, 20)


COMMANDS = [open_application, move_stage, record_retention_check, log_activity, complete_follow_up]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("username", list(ACTORS))
def test_role_action_matrix(cur: Cur, world: PipelineWorld, command, username: str) -> None:  # type: ignore[no-untyped-def]
    audit_rows = cur.execute("select count(*) from audit_log").fetchall()[0][0]
    if ACTORS[username]:
        done = command(cur, world, world.users[username])
        assert done()
        assert cur.execute("select actor from audit_log order by id desc limit 1").fetchall()[0] == (username,)
        return
    with pytest.raises(PermissionDenied) as caught:
        command(cur, world, world.users[username])
    assert "您无权修改该候选人" in str(caught.value)
    # Only the set-up (done as the system) left rows; the refused command wrote nothing.
    assert cur.execute("select count(*) from audit_log where actor = ?", [username]).fetchall()[0] == (0,)
    assert cur.execute("select count(*) from audit_log").fetchall()[0][0] - audit_rows <= 1
    assert cur.execute("select count(*) from activity").fetchall()[0] == (0,)
    assert cur.execute("select count(*) from retention_check").fetchall()[0] == (0,)
    assert cur.execute("select count(*) from stage_event where actor = ?", [username]).fetchall()[0] == (0,)


@pytest.mark.parametrize("username", list(ACTORS))
def test_bulk_move_matrix(cur: Cur, world: PipelineWorld, username: str) -> None:
    app_id = _app(cur, world)
    actor = world.users[username]
    if username == "manager":
        with pytest.raises(PermissionDenied, match="您无权修改该候选人"):
            pipeline.bulk_move(cur, actor, [world.alice], "interviewing")
    else:
        result = pipeline.bulk_move(cur, actor, [world.alice], "interviewing")
        # A recruiter of another enclave is not refused the batch: that person is skipped, with why.
        expected = ((world.alice,), ()) if ACTORS[username] else ((), ("无权限：招才专员只能维护本飞地的人员",))
        assert (result.moved, tuple(s.reason for s in result.skipped)) == expected
    stage = cur.execute("select stage from application where id = ?", [app_id]).fetchall()[0][0]
    assert stage == ("interviewing" if ACTORS[username] else "applied")


def test_recruiters_cannot_act_on_city_level_people(cur: Cur, world: PipelineWorld) -> None:
    """A person with no owning enclave (市本级) is HR's and admins' to maintain, never a recruiter's."""
    cur.execute("update candidate set enclave_id = null where id = ?", [world.alice])
    with pytest.raises(PermissionDenied):
        pipeline.open_application(cur, world.users["recruiter_sh"], world.alice, employer_id=world.employer)
    with pytest.raises(PermissionDenied):
        activities.log(cur, world.users["recruiter_sh"], world.alice, kind="note", occurred_on=NOW.date(), body="x")
    pipeline.open_application(cur, world.users["hr"], world.alice, employer_id=world.employer)


@pytest.mark.parametrize("username", list(ACTORS))
def test_every_role_may_read_the_pipeline(cur: Cur, world: PipelineWorld, username: str) -> None:
    _app(cur, world)
    actor = world.users[username]
    assert pipeline.applications(cur, actor, world.alice).height == 1
    assert pipeline.history(cur, actor, world.alice).height == 1
    assert pipeline.board(cur, actor).total == 1
    assert activities.for_candidate(cur, actor, world.alice).height == 0
