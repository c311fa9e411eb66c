"""Refresh-proof sessions: signed, expiring, idle-limited, revocable tokens."""
from __future__ import annotations

from datetime import datetime, timedelta

import duckdb
import pytest

from db import clock, sessions, users
from db.enums import Role
from db.permissions import SYSTEM, User


@pytest.fixture
def admin(cur: duckdb.DuckDBPyConnection) -> User:
    return users.create_user(cur, SYSTEM, username="root", display_name="管理员", role=Role.ADMIN,
                             password="long enough")


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> list[datetime]:
    """A settable clock for db/ (sessions age by it); itsdangerous' own timestamp uses real time."""
    at = [datetime(2026, 3, 2, 9, 0, 0)]
    monkeypatch.setattr(clock, "now", lambda: at[0])
    return at


def test_a_token_resumes_its_user(cur: duckdb.DuckDBPyConnection, admin: User) -> None:
    token = sessions.start(cur, admin)
    assert sessions.resume(cur, token) == admin


def test_tampered_or_foreign_tokens_are_refused(cur: duckdb.DuckDBPyConnection, admin: User) -> None:
    token = sessions.start(cur, admin)
    assert sessions.resume(cur, token[:-2] + ("AA" if not token.endswith("AA") else "BB")) is None
    assert sessions.resume(cur, "not-a-token") is None
    assert sessions.resume(cur, None) is None


def test_logout_revokes_the_token(cur: duckdb.DuckDBPyConnection, admin: User) -> None:
    token = sessions.start(cur, admin)
    sessions.end(cur, token, admin)
    assert sessions.resume(cur, token) is None
    assert cur.execute("select action from audit_log where action = 'logout'").fetchall() == [("logout",)]


def test_idle_for_thirty_minutes_ends_the_session(cur: duckdb.DuckDBPyConnection, admin: User,
                                                  frozen: list[datetime]) -> None:
    token = sessions.start(cur, admin)
    frozen[0] += timedelta(minutes=29)
    assert sessions.resume(cur, token) == admin        # … and this refreshes the idle clock
    frozen[0] += timedelta(minutes=29)
    assert sessions.resume(cur, token) == admin
    frozen[0] += timedelta(minutes=31)
    assert sessions.resume(cur, token) is None


def test_sessions_expire_after_their_lifetime_even_when_active(cur: duckdb.DuckDBPyConnection, admin: User,
                                                                frozen: list[datetime]) -> None:
    token = sessions.start(cur, admin)
    for _ in range(int(sessions.SESSION_LIFETIME / timedelta(minutes=20))):
        frozen[0] += timedelta(minutes=20)
        sessions.resume(cur, token)
    assert sessions.resume(cur, token) is None


def test_password_reset_and_deactivation_revoke_open_sessions(cur: duckdb.DuckDBPyConnection, admin: User) -> None:
    other = users.create_user(cur, SYSTEM, username="hr1", display_name="人事", role=Role.HR, password="long enough")
    token = sessions.start(cur, other)
    users.reset_password(cur, admin, other.id, "another one!")
    assert sessions.resume(cur, token) is None
    token = sessions.start(cur, other)
    users.update_user(cur, admin, other.id, display_name="人事", role=Role.HR, enclave_id=None, active=False)
    assert sessions.resume(cur, token) is None


def test_the_signing_key_is_per_database_unless_configured(cur: duckdb.DuckDBPyConnection, admin: User,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    token = sessions.start(cur, admin)
    monkeypatch.setenv("CRM_SECRET_KEY", "a configured key")
    assert sessions.resume(cur, token) is None          # signed with the other key
    assert sessions.resume(cur, sessions.start(cur, admin)) == admin


def test_changing_ones_password_ends_every_other_session(cur: duckdb.DuckDBPyConnection, admin: User) -> None:
    """Another browser, or a copied cookie, must not outlive the old password; this browser stays."""
    here, elsewhere, stolen = (sessions.start(cur, admin) for _ in range(3))
    ended = users.change_own_password(cur, admin, "long enough", "a new password", current_token=here)
    assert ended == 2
    assert sessions.resume(cur, here) == admin
    assert sessions.resume(cur, elsewhere) is None and sessions.resume(cur, stolen) is None
    detail = cur.execute("select detail from audit_log where action = 'password_change'").fetchall()
    assert detail == [("已注销其他 2 个登录会话",)]


def test_a_role_change_revokes_open_sessions(cur: duckdb.DuckDBPyConnection, admin: User) -> None:
    other = users.create_user(cur, SYSTEM, username="hr1", display_name="人事", role=Role.HR, password="long enough")
    token = sessions.start(cur, other)
    users.update_user(cur, admin, other.id, display_name="人事", role=Role.MANAGER, enclave_id=None, active=True)
    assert sessions.resume(cur, token) is None
