"""Accounts: argon2id, lockout after 5 failures for 15 minutes, admin-only management, audit trail."""
from __future__ import annotations

from datetime import datetime, timedelta

import duckdb
import pytest

from db import clock, users
from db.enums import Role
from db.errors import PermissionDenied, ValidationError
from db.permissions import SYSTEM, User

PASSWORD = "correct horse"


@pytest.fixture(autouse=True)
def no_unknown_name_counts() -> None:
    """Failure counts of unknown usernames live in the process (db/users.py): each test starts clean."""
    users.forget_unknown_names()


@pytest.fixture
def alice(cur: duckdb.DuckDBPyConnection) -> User:
    cur.execute("insert into enclave (id, code, name, city, province) values (1, 'SH', '上海飞地', '上海市', '上海市')")
    return users.create_user(cur, SYSTEM, username="alice", display_name="爱丽丝", role=Role.RECRUITER,
                             password=PASSWORD, enclave_id=1)


class FrozenClock:
    """Moves db.clock.now forward on demand (lockouts are about time)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.at = datetime(2026, 3, 2, 9, 0, 0)
        monkeypatch.setattr(clock, "now", lambda: self.at)

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


def audit_actions(cur: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in cur.execute("select action from audit_log order by id").fetchall()]


def test_passwords_are_stored_as_argon2id(cur: duckdb.DuckDBPyConnection, alice: User) -> None:
    stored = cur.execute("select password_hash from app_user where username = 'alice'").fetchall()[0][0]
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_authenticate_returns_the_pinned_user_shape(cur: duckdb.DuckDBPyConnection, alice: User) -> None:
    user = users.authenticate(cur, "alice", PASSWORD)
    assert (user.username, user.role, user.enclave_id) == ("alice", "recruiter", 1)
    assert users.authenticate(cur, "alice", "wrong") is None
    assert users.authenticate(cur, "nobody", PASSWORD) is None


def test_five_failures_lock_for_fifteen_minutes(cur: duckdb.DuckDBPyConnection, alice: User,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    frozen = FrozenClock(monkeypatch)
    messages = [users.login(cur, "alice", "wrong").message for _ in range(5)]
    assert messages == ["用户名或密码错误。"] * 4 + ["登录失败次数过多，请 15 分钟后再试或联系管理员。"]
    locked = users.login(cur, "alice", PASSWORD)       # even the right password is refused now
    assert locked.user is None and locked.message == users.LOCKED
    frozen.advance(minutes=14, seconds=59)
    assert users.authenticate(cur, "alice", PASSWORD) is None
    frozen.advance(seconds=2)
    assert users.authenticate(cur, "alice", PASSWORD) is not None
    assert cur.execute("select failed_attempts, locked_until from app_user where username = 'alice'").fetchall() == [(0, None)]


def test_a_success_resets_the_failure_count(cur: duckdb.DuckDBPyConnection, alice: User) -> None:
    for _ in range(4):
        users.login(cur, "alice", "wrong")
    assert users.authenticate(cur, "alice", PASSWORD) is not None
    for _ in range(4):
        users.login(cur, "alice", "wrong")
    assert users.authenticate(cur, "alice", PASSWORD) is not None   # 4 + 4 never reached 5 in a row


def test_logins_failures_and_lockouts_are_audited(cur: duckdb.DuckDBPyConnection, alice: User) -> None:
    users.authenticate(cur, "alice", PASSWORD)
    for _ in range(5):
        users.authenticate(cur, "alice", "wrong")
    users.authenticate(cur, "ghost", "x")
    actions = audit_actions(cur)
    assert actions.count("login") == 1 and actions.count("login_failed") == 6 and actions.count("login_locked") == 1
    ghost = cur.execute("select actor, detail from audit_log where actor = 'ghost'").fetchall()
    assert ghost == [("ghost", "用户名不存在（连续第 1 次失败）")]


def test_inactive_accounts_cannot_log_in(cur: duckdb.DuckDBPyConnection, alice: User) -> None:
    admin = users.create_user(cur, SYSTEM, username="root", display_name="管理员", role=Role.ADMIN, password=PASSWORD)
    users.update_user(cur, admin, alice.id, display_name="爱丽丝", role=Role.RECRUITER, enclave_id=1, active=False)
    result = users.login(cur, "alice", PASSWORD)
    assert result.user is None and result.message == users.REFUSED   # the form does not say why …
    detail = cur.execute("select detail from audit_log where action = 'login_failed'").fetchall()
    assert detail == [("账号已停用（连续第 1 次失败）",)]                   # … the audit log does


def test_the_form_never_tells_whether_a_username_exists(cur: duckdb.DuckDBPyConnection, alice: User,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Unknown, wrong and deactivated read the same, attempt by attempt — the lock included."""
    FrozenClock(monkeypatch)
    bob = users.create_user(cur, SYSTEM, username="bob", display_name="鲍勃", role=Role.HR, password=PASSWORD)
    users.update_user(cur, SYSTEM, bob.id, display_name="鲍勃", role=Role.HR, enclave_id=None, active=False)
    attempts = {
        "unknown user": lambda: users.login(cur, "nobody", "wrong password"),
        "wrong password": lambda: users.login(cur, "alice", "wrong password"),
        "deactivated, right password": lambda: users.login(cur, "bob", PASSWORD),
    }
    seen = {case: [attempt().message for _ in range(6)] for case, attempt in attempts.items()}
    expected = [users.REFUSED] * 4 + [users.LOCKED] * 2
    assert seen == {case: expected for case in attempts}
    details = [r[0] for r in cur.execute("select detail from audit_log where action = 'login_failed' order by id").fetchall()]
    assert details[0] == "用户名不存在（连续第 1 次失败）" and details[5] == "用户名不存在，按锁定处理（连续第 6 次失败）"
    assert details[6] == "密码错误（连续第 1 次失败）" and details[11] == "账号锁定中（连续第 6 次失败）"
    assert details[12] == "账号已停用（连续第 1 次失败）"
    locks = cur.execute("select count(*) from audit_log where action = 'login_locked'").fetchall()
    assert locks == [(3,)]


def test_an_unknown_name_unlocks_when_an_account_would(cur: duckdb.DuckDBPyConnection, alice: User,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    frozen = FrozenClock(monkeypatch)
    for name in ("nobody", "alice"):
        for _ in range(5):
            users.login(cur, name, "wrong password")
    frozen.advance(minutes=14, seconds=59)
    assert [users.login(cur, n, "wrong password").message for n in ("nobody", "alice")] == [users.LOCKED] * 2
    frozen.advance(seconds=2)   # the lock ran out: a fresh count, not a new lock
    assert [users.login(cur, n, "wrong password").message for n in ("nobody", "alice")] == [users.REFUSED] * 2


@pytest.mark.parametrize("role", [Role.RECRUITER, Role.MANAGER, Role.HR])
def test_only_admins_manage_accounts(cur: duckdb.DuckDBPyConnection, alice: User, role: str) -> None:
    actor = User(id=99, username="someone", role=role, enclave_id=1)
    with pytest.raises(PermissionDenied):
        users.create_user(cur, actor, username="bob", display_name="鲍勃", role=Role.HR, password=PASSWORD)
    with pytest.raises(PermissionDenied):
        users.reset_password(cur, actor, alice.id, "new password 1")
    with pytest.raises(PermissionDenied):
        users.list_users(cur, actor)


def test_account_validation_messages_are_chinese(cur: duckdb.DuckDBPyConnection, alice: User) -> None:
    with pytest.raises(ValidationError, match="已存在"):
        users.create_user(cur, SYSTEM, username="alice", display_name="x", role=Role.HR, password=PASSWORD)
    with pytest.raises(ValidationError, match="所属飞地"):
        users.create_user(cur, SYSTEM, username="bob", display_name="x", role=Role.RECRUITER, password=PASSWORD)
    with pytest.raises(ValidationError, match="至少需要 8"):
        users.create_user(cur, SYSTEM, username="bob", display_name="x", role=Role.HR, password="short")
    with pytest.raises(ValidationError, match="英文字母"):
        users.create_user(cur, SYSTEM, username="张三", display_name="x", role=Role.HR, password=PASSWORD)


def test_admin_reset_unlocks_and_changes_the_password(cur: duckdb.DuckDBPyConnection, alice: User) -> None:
    for _ in range(5):
        users.authenticate(cur, "alice", "wrong")
    users.reset_password(cur, SYSTEM, alice.id, "brand new pw")
    assert users.authenticate(cur, "alice", "brand new pw") is not None
    assert "password_reset" in audit_actions(cur)


def test_users_change_their_own_password(cur: duckdb.DuckDBPyConnection, alice: User) -> None:
    with pytest.raises(ValidationError, match="当前密码不正确"):
        users.change_own_password(cur, alice, "nope", "another pw 1")
    users.change_own_password(cur, alice, PASSWORD, "another pw 1")
    assert users.authenticate(cur, "alice", "another pw 1") is not None


def test_first_admin_password_from_env_or_generated(cur: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch,
                                                   tmp_path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("CRM_ADMIN_PASSWORD", raising=False)
    generated = users.ensure_admin(cur)
    assert generated and len(generated) >= 12
    assert users.authenticate(cur, "admin", generated).role == Role.ADMIN
    assert users.ensure_admin(cur) is None             # only ever once

    from db.connection import open_database
    other = open_database(tmp_path / "other.duckdb")
    monkeypatch.setenv("CRM_ADMIN_PASSWORD", "from the environment")
    assert users.ensure_admin(other.cursor()) is None   # nothing to print: the operator chose it
    assert users.authenticate(other.cursor(), "admin", "from the environment") is not None
    other.close()
