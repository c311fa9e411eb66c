"""Parallel wrong passwords: every one counted and audited, the lock holds, none raises."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime

import duckdb
import pytest

from db import clock, sessions, users
from db.enums import Role
from db.permissions import SYSTEM, User

PASSWORD = "correct horse"


@pytest.fixture(autouse=True)
def no_unknown_name_counts() -> None:
    """Failure counts of unknown usernames live in the process (db/users.py): each test starts clean."""
    users.forget_unknown_names()


def account(cur: duckdb.DuckDBPyConnection, username: str) -> User:
    return users.create_user(cur, SYSTEM, username=username, display_name=username, role=Role.HR, password=PASSWORD)


Attempt = Callable[[duckdb.DuckDBPyConnection], None]


def at_once(conn: duckdb.DuckDBPyConnection, attempts: list[Attempt]) -> list[BaseException]:
    """Run each attempt in its own thread with its own cursor (one per script run, as in the app),
    all released together; returns what any of them raised."""
    start = threading.Barrier(len(attempts))
    failures: list[BaseException] = []

    def run(attempt: Attempt) -> None:
        cur = conn.cursor()
        try:
            start.wait()
            attempt(cur)
        except BaseException as error:   # noqa: BLE001 — reported by the test, never swallowed
            failures.append(error)

    threads = [threading.Thread(target=run, args=(a,)) for a in attempts]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not any(t.is_alive() for t in threads)
    return failures


def failures_of(cur: duckdb.DuckDBPyConnection, user: User) -> tuple[int, datetime | None, int, int]:
    """(failed_attempts, locked_until, login_failed entries, login_locked entries) of one account."""
    count, until = cur.execute("select failed_attempts, locked_until from app_user where id = ?", [user.id]).fetchall()[0]
    audited = dict(cur.execute(
        "select action, count(*) from audit_log where entity = 'app_user' and entity_id = ? group by action",
        [str(user.id)]).fetchall())
    return count, until, audited.get("login_failed", 0), audited.get("login_locked", 0)


def test_thirty_simultaneous_wrong_passwords_lock_the_account(conn: duckdb.DuckDBPyConnection) -> None:
    cur = conn.cursor()
    alice = account(cur, "alice")
    own = sessions.start(cur, alice)   # alice is logged in meanwhile: auth_session references her row
    messages: list[str] = []

    def guess(n: int) -> Attempt:
        return lambda c: messages.append(users.login(c, "alice", f"wrong guess {n}").message)

    assert at_once(conn, [guess(n) for n in range(30)]) == []
    count, until, failed, locked = failures_of(cur, alice)
    assert (count, failed, locked) == (30, 30, 1)      # every guess counted and audited, one lock
    assert until is not None and until > clock.now()
    assert sorted(messages) == sorted([users.REFUSED] * 4 + [users.LOCKED] * 26)
    refused = users.login(cur, "alice", PASSWORD)      # the right password, while locked
    assert refused.user is None and refused.message == users.LOCKED
    count, _until, failed, locked = failures_of(cur, alice)
    assert (count, failed, locked) == (31, 31, 1)
    last = cur.execute("select detail from audit_log where action = 'login_failed' order by id desc limit 1").fetchall()
    assert last == [("账号锁定中（连续第 31 次失败）",)]
    assert sessions.resume(cur, own) == alice   # guesses lock new logins out, not her open session


def test_interleaved_guesses_at_two_accounts_lock_both(conn: duckdb.DuckDBPyConnection) -> None:
    cur = conn.cursor()
    targets = [account(cur, "alice"), account(cur, "bob")]

    def five_guesses(n: int) -> Attempt:
        def run(c: duckdb.DuckDBPyConnection) -> None:
            for k in range(5):   # thread n starts on one account, then alternates
                result = users.login(c, targets[(n + k) % 2].username, f"wrong {n}-{k}")
                assert result.user is None and result.message in (users.REFUSED, users.LOCKED)
        return run

    assert at_once(conn, [five_guesses(n) for n in range(8)]) == []
    for user in targets:
        count, until, failed, locked = failures_of(cur, user)
        assert (count, failed, locked) == (20, 20, 1)
        assert until is not None and until > clock.now()
        assert users.authenticate(cur, user.username, PASSWORD) is None


def test_a_right_password_racing_the_lock_is_refused(conn: duckdb.DuckDBPyConnection,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The right password was checked while the account was still open, but parallel guesses
    locked it before the login was written: the lock wins, and the attempt counts as locked."""
    cur = conn.cursor()
    alice = account(cur, "alice")
    verify = users._verify

    def verify_while_others_lock(pw_hash: str, password: str) -> bool:
        ok = verify(pw_hash, password)
        if password == PASSWORD:   # meanwhile, five wrong guesses from another browser
            other = conn.cursor()
            for n in range(5):
                users.login(other, "alice", f"wrong {n}")
        return ok

    monkeypatch.setattr(users, "_verify", verify_while_others_lock)
    result = users.login(cur, "alice", PASSWORD)
    assert result.user is None and result.message == users.LOCKED
    count, until, failed, locked = failures_of(cur, alice)
    assert (count, failed, locked) == (6, 6, 1)
    assert cur.execute("select count(*) from audit_log where action = 'login'").fetchall() == [(0,)]


def test_a_guess_during_an_admins_open_change_is_retried_and_counted(conn: duckdb.DuckDBPyConnection) -> None:
    """An admin's unlock holds the account row when a guess arrives: the guess's write conflicts,
    waits the unlock out, and is counted after it (DuckDB raises the conflict; nothing may show it)."""
    cur = conn.cursor()
    alice = account(cur, "alice")
    for _ in range(3):
        users.login(cur, "alice", "wrong")
    admin = conn.cursor()
    admin.execute("begin")
    admin.execute("update app_user set failed_attempts = 0, locked_until = null where id = ?", [alice.id]).fetchall()
    finished: list[float] = []
    raised: list[BaseException] = []

    def guess() -> None:
        try:
            users.login(conn.cursor(), "alice", "wrong")
            finished.append(time.monotonic())
        except BaseException as error:   # noqa: BLE001 — reported by the test, never swallowed
            raised.append(error)

    guesser = threading.Thread(target=guess)
    guesser.start()
    time.sleep(0.4)                       # the guess verifies (~0.1 s), then meets the open unlock
    committed = time.monotonic()
    admin.execute("commit")
    guesser.join(timeout=60)
    assert raised == [] and finished and finished[0] > committed
    count, _until, failed, _locked = failures_of(cur, alice)
    assert (count, failed) == (1, 4)      # counted after the unlock: the first of a fresh count
