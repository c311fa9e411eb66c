"""Accounts: argon2id passwords, lockout after failed logins, admin management of users."""
from __future__ import annotations

import logging
import os
import random
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

import polars as pl
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from db import audit, clock, sessions
from db.connection import run_in_transaction, transaction
from db.enums import Role
from db.errors import ConcurrentEdit, NotFound, ValidationError
from db.permissions import SYSTEM, Action, User, require
from db.sql import Cursor, frame, next_id, rows

MAX_FAILED_ATTEMPTS = 5
LOCKOUT = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 8
# What the login form says. Unknown, wrong and deactivated get one sentence, so the form never
# tells whether a username exists; the audit log records the real reason.
REFUSED = "用户名或密码错误。"
LOCKED = f"登录失败次数过多，请 {int(LOCKOUT.total_seconds() // 60)} 分钟后再试或联系管理员。"
BUSY = "登录请求过多，请稍后再试。"
# A write conflict (with an admin's change to the account, say) is retried after a short random
# pause, so every attempt is counted. Beyond this many tries the form says BUSY.
LOGIN_WRITE_TRIES = 60

T = TypeVar("T")
log = logging.getLogger("crm.users")
_hasher = PasswordHasher()   # argon2id with the library's current recommended parameters
# Verifying against this when the username is unknown keeps both paths equally slow.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    message: str = ""


@dataclass(frozen=True)
class _Failure:
    """An account's failure count after one more failed attempt, and what that attempt did."""
    count: int
    locked_until: datetime | None

    @property
    def locked_now(self) -> bool:      # this attempt was the one that reached the limit
        return self.count == MAX_FAILED_ATTEMPTS

    @property
    def was_locked(self) -> bool:      # the account was already locked: refused as such
        return self.count > MAX_FAILED_ATTEMPTS

    @property
    def message(self) -> str:
        return LOCKED if self.count >= MAX_FAILED_ATTEMPTS else REFUSED


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def login(cur: Cursor, username: str, password: str) -> LoginResult:
    """Check a password; every failure counts, 5 in a row lock for 15 minutes; every outcome is audited.

    Never raises: a write conflict that outlasts the retries comes back as the BUSY message.
    """
    username = username.strip()
    try:
        return _login(cur, username, password)
    except ConcurrentEdit:
        log.warning("login for %r gave up after %d write conflicts", username, LOGIN_WRITE_TRIES)
        return LoginResult(None, BUSY)


def _login(cur: Cursor, username: str, password: str) -> LoginResult:
    found = rows(
        cur,
        "select id, username, role, enclave_id, display_name, password_hash, locked_until, active"
        " from app_user where username = $u",
        {"u": username},
    )
    if not found:
        return _stranger_failure(cur, username, password)
    uid, name, role, enclave_id, display, pw_hash, locked_until, active = found[0]
    user = User(uid, name, role, enclave_id, display)
    if _locked(locked_until, clock.now()):   # refused unverified, as a stranger's locked name is
        return _count_failure(cur, user, "账号锁定中")
    verified = _verify(pw_hash, password)     # deactivated accounts too: the same cost as any check
    if not active:
        return _count_failure(cur, user, "账号已停用")
    if not verified:
        return _count_failure(cur, user, "密码错误")
    if not _record_success(cur, user, pw_hash, password):
        return _count_failure(cur, user, _changed_since_read(cur, uid))
    return LoginResult(user)


def authenticate(cur: Cursor, username: str, password: str) -> User | None:
    """The user for these credentials, or None (wrong, unknown, locked or inactive)."""
    return login(cur, username, password).user


def _verify(pw_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(pw_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _locked(locked_until: datetime | None, now: datetime) -> bool:
    return locked_until is not None and locked_until > now


def _record_success(cur: Cursor, user: User, pw_hash: str, password: str) -> bool:
    """Clear the failure count and audit the login — unless, since the account was read, parallel
    attempts locked it, it was deactivated or its password changed: then False, nothing written."""
    new_hash = hash_password(password) if _hasher.check_needs_rehash(pw_hash) else None

    def work(cur: Cursor) -> bool:
        now = clock.now()
        # First statement of the transaction, so its snapshot is no older than this check; its
        # result row is the number of rows changed (see _count_failure for why not RETURNING).
        cleared = rows(
            cur,
            "update app_user set failed_attempts = 0, locked_until = null, last_login_at = $now"
            " where id = $id and active and (locked_until is null or locked_until <= $now)"
            " and password_hash = $verified",
            {"now": now, "id": user.id, "verified": pw_hash},
        )[0][0]
        if not cleared:
            return False
        if new_hash:   # only over the hash just verified: a reset since then wins
            cur.execute("update app_user set password_hash = $h where id = $id and password_hash = $old",
                        {"h": new_hash, "id": user.id, "old": pw_hash})
        audit.record(cur, user, "login", entity="app_user", entity_id=user.id)
        return True

    return _write(cur, work)


def _count_failure(cur: Cursor, user: User, why: str) -> LoginResult:
    """Add one failure to the account's row and audit it; lock at MAX_FAILED_ATTEMPTS.

    The new count is computed by the UPDATE from the row itself, as the transaction's first
    statement: DuckDB raises no conflict when a transaction overwrites a row another one committed
    after its snapshot, so a count read earlier (in Python, or by an earlier statement) would
    silently lose parallel failures. Not UPDATE … RETURNING: DuckDB runs it as DELETE+INSERT,
    which skips the write-conflict check and fails outright while auth_session rows reference the
    account; the new values are read back instead, in the same transaction.
    Attempts while locked still count, so the count says how many there were; a lock that has run
    out starts a fresh count.
    """
    def work(cur: Cursor) -> _Failure:
        now = clock.now()
        cur.execute(
            """
            update app_user set
                failed_attempts = case when locked_until > $now then greatest(failed_attempts, $max) + 1
                                       when locked_until is not null then 1
                                       else least(failed_attempts, $max - 1) + 1 end,
                locked_until = case when locked_until > $now then locked_until
                                    when locked_until is null and failed_attempts >= $max - 1 then $until end
            where id = $id
            """,
            {"now": now, "max": MAX_FAILED_ATTEMPTS, "until": now + LOCKOUT, "id": user.id},
        ).fetchall()
        count, locked_until = rows(cur, "select failed_attempts, locked_until from app_user where id = $id",
                                   {"id": user.id})[0]
        failure = _Failure(count, locked_until)
        reason = "账号锁定中" if failure.was_locked else why
        audit.record(cur, _anonymous(user.username), "login_failed", entity="app_user", entity_id=user.id,
                     detail=f"{reason}（连续第 {count} 次失败）")
        if failure.locked_now:
            audit.record(cur, SYSTEM, "login_locked", entity="app_user", entity_id=user.id,
                         detail=f"连续 {count} 次登录失败，锁定至 {locked_until:%Y-%m-%d %H:%M}")
        return failure

    return LoginResult(None, _write(cur, work).message)


class _Strangers:
    """Failure counts of usernames that do not exist, so they lock exactly as accounts do: the
    locked message must not tell that a name is real. Kept in the app process (the only one that
    writes the database, so the only one logging people in), for at most CAPACITY names."""

    CAPACITY = 10_000

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._state: dict[str, tuple[int, datetime | None]] = {}

    def locked(self, username: str, now: datetime) -> bool:
        with self._lock:
            return _locked(self._state.get(username, (0, None))[1], now)

    def fail(self, username: str, now: datetime) -> _Failure:
        """One more failure, by the same rule as _count_failure's UPDATE."""
        with self._lock:
            count, locked_until = self._state.pop(username, (0, None))
            if _locked(locked_until, now):
                count = max(count, MAX_FAILED_ATTEMPTS) + 1
            elif locked_until is not None:
                count, locked_until = 1, None
            else:
                count = min(count, MAX_FAILED_ATTEMPTS - 1) + 1
                locked_until = now + LOCKOUT if count >= MAX_FAILED_ATTEMPTS else None
            self._state[username] = (count, locked_until)   # re-inserted last: the oldest go first
            while len(self._state) > self.CAPACITY:
                self._state.pop(next(iter(self._state)))
            return _Failure(count, locked_until)

    def forget(self) -> None:
        with self._lock:
            self._state.clear()


_strangers = _Strangers()


def forget_unknown_names() -> None:
    """Clear the failure counts of unknown usernames (tests start from none)."""
    _strangers.forget()


def _stranger_failure(cur: Cursor, username: str, password: str) -> LoginResult:
    """An unknown username: as slow, as counted and as worded as a wrong password."""
    now = clock.now()
    if not _strangers.locked(username, now):
        _verify(_DUMMY_HASH, password)
    failure = _strangers.fail(username, now)
    reason = "用户名不存在，按锁定处理" if failure.was_locked else "用户名不存在"

    def work(cur: Cursor) -> None:
        guessed = _anonymous(username)
        audit.record(cur, guessed, "login_failed", detail=f"{reason}（连续第 {failure.count} 次失败）")
        if failure.locked_now:   # the name is typed text: cut as the actor column is
            audit.record(cur, SYSTEM, "login_locked", detail=f"不存在的用户名 {guessed.username[:64]} 连续"
                         f" {failure.count} 次登录失败，按锁定处理至 {failure.locked_until:%Y-%m-%d %H:%M}")

    _write(cur, work)
    return LoginResult(None, failure.message)


# DuckDB has no row locks: parallel guesses at one account would all collide on its row, one
# winning per round, and retry in a storm. Logins' writes take turns in this process instead (the
# only one writing the database); each is a few milliseconds, the password check stays outside.
_LOGIN_WRITES = threading.Lock()


def _write(cur: Cursor, work: Callable[[Cursor], T]) -> T:
    """Run a login's unit of work, one login at a time, retrying conflicts with other writers of the
    account row after a short random pause (at once, they would collide again)."""
    for attempt in range(1, LOGIN_WRITE_TRIES + 1):
        try:
            with _LOGIN_WRITES:
                return run_in_transaction(cur, work, attempts=1)
        except ConcurrentEdit:
            if attempt == LOGIN_WRITE_TRIES:
                raise
            time.sleep(random.uniform(0, 0.005 * min(attempt, 10)))   # about 1.4 s over all tries
    raise AssertionError("unreachable")


def _changed_since_read(cur: Cursor, user_id: int) -> str:
    """Why a verified password no longer logs in (for the audit log): the account changed meanwhile."""
    active, locked_until = rows(cur, "select active, locked_until from app_user where id = $id", {"id": user_id})[0]
    if not active:
        return "账号已停用"
    return "账号锁定中" if _locked(locked_until, clock.now()) else "密码刚被修改"


def _anonymous(username: str) -> User:
    return User(id=0, username=username or "(空)", role="anonymous")


def get(cur: Cursor, user_id: int) -> User | None:
    found = rows(cur, "select id, username, role, enclave_id, display_name from app_user where id = $id and active",
                 {"id": user_id})
    return User(*found[0]) if found else None


def count(cur: Cursor) -> int:
    return int(rows(cur, "select count(*) from app_user")[0][0])


def list_users(cur: Cursor, actor: User) -> pl.DataFrame:
    require(actor, Action.ADMINISTER)
    return frame(
        cur,
        """
        select u.id, u.username, u.display_name, u.role, u.enclave_id, e.name as enclave_name, u.active,
               u.failed_attempts, u.locked_until, u.last_login_at, u.created_at
        from app_user u left join enclave e on e.id = u.enclave_id
        order by u.role, u.username
        """,
    )


def usernames(cur: Cursor) -> list[str]:
    return [r[0] for r in rows(cur, "select username from app_user order by username")]


def create_user(
    cur: Cursor, actor: User, *, username: str, display_name: str, role: str, password: str,
    enclave_id: int | None = None,
) -> User:
    """Add an account. Admin only; recruiters must belong to an enclave."""
    require(actor, Action.ADMINISTER)
    username = username.strip()
    if not username or not username.replace("_", "").replace("-", "").replace(".", "").isalnum() or not username.isascii():
        raise ValidationError("用户名只能包含英文字母、数字、下划线、点和短横线。", field="username")
    if role not in Role.labels():
        raise ValidationError(f"未知角色：{role}", field="role")
    if role == Role.RECRUITER and enclave_id is None:
        raise ValidationError("招才专员必须指定所属飞地。", field="enclave_id")
    _check_password(password)
    with transaction(cur):
        if rows(cur, "select 1 from app_user where username = $u", {"u": username}):
            raise ValidationError(f"用户名 {username} 已存在。", field="username")
        if enclave_id is not None and not rows(cur, "select 1 from enclave where id = $id", {"id": enclave_id}):
            raise ValidationError("所选飞地不存在。", field="enclave_id")
        uid = next_id(cur, "seq_app_user")
        cur.execute(
            "insert into app_user (id, username, display_name, role, enclave_id, password_hash, created_at)"
            " values ($id, $u, $d, $r, $e, $h, $now)",
            {"id": uid, "u": username, "d": display_name.strip() or username, "r": role, "e": enclave_id,
             "h": hash_password(password), "now": clock.now()},
        )
        after = {"username": username, "display_name": display_name, "role": role, "enclave_id": enclave_id}
        audit.record(cur, actor, "create", entity="app_user", entity_id=uid, after=after)
    return User(uid, username, role, enclave_id, display_name)


def update_user(
    cur: Cursor, actor: User, user_id: int, *, display_name: str, role: str, enclave_id: int | None, active: bool
) -> None:
    require(actor, Action.ADMINISTER)
    if role == Role.RECRUITER and enclave_id is None:
        raise ValidationError("招才专员必须指定所属飞地。", field="enclave_id")
    if user_id == actor.id and (not active or role != Role.ADMIN):
        raise ValidationError("不能停用自己的账号或取消自己的管理员角色。")
    with transaction(cur):
        before = _snapshot(cur, user_id)
        cur.execute(
            "update app_user set display_name = $d, role = $r, enclave_id = $e, active = $a where id = $id",
            {"d": display_name.strip(), "r": role, "e": enclave_id, "a": active, "id": user_id},
        )
        if not active or before["role"] != role or before["enclave_id"] != enclave_id:
            sessions.revoke_all(cur, user_id)   # a changed scope must not live on in an open browser
        audit.record(cur, actor, "update", entity="app_user", entity_id=user_id, before=before,
                     after=_snapshot(cur, user_id))


def reset_password(cur: Cursor, actor: User, user_id: int, new_password: str) -> None:
    """Admin sets a new password; also lifts any lockout and ends the user's open sessions."""
    require(actor, Action.ADMINISTER)
    _check_password(new_password)
    new_hash = hash_password(new_password)

    def work(cur: Cursor) -> None:
        _snapshot(cur, user_id)
        cur.execute("update app_user set password_hash = $h, failed_attempts = 0, locked_until = null where id = $id",
                    {"h": new_hash, "id": user_id})
        sessions.revoke_all(cur, user_id)
        audit.record(cur, actor, "password_reset", entity="app_user", entity_id=user_id)

    run_in_transaction(cur, work)   # failed logins write the same columns: a conflict is retried


def change_own_password(
    cur: Cursor, actor: User, old_password: str, new_password: str, *, current_token: str | None = None
) -> int:
    """Set a new password and end every other session of the user: another browser, or a stolen
    cookie, must not outlive the old password. The session `current_token` names (the browser
    making the change) stays. Returns how many sessions were ended."""
    found = rows(cur, "select password_hash from app_user where id = $id", {"id": actor.id})
    if not found or not _verify(found[0][0], old_password):
        raise ValidationError("当前密码不正确。", field="old_password")
    _check_password(new_password)
    if old_password == new_password:
        raise ValidationError("新密码不能与当前密码相同。", field="new_password")
    new_hash = hash_password(new_password)

    def work(cur: Cursor) -> int:
        cur.execute("update app_user set password_hash = $h where id = $id", {"h": new_hash, "id": actor.id})
        ended = sessions.revoke_all(cur, actor.id, keep=current_token)
        audit.record(cur, actor, "password_change", entity="app_user", entity_id=actor.id,
                     detail=f"已注销其他 {ended} 个登录会话")
        return ended

    return run_in_transaction(cur, work)   # a conflict is retried, not shown as an error page


def unlock(cur: Cursor, actor: User, user_id: int) -> None:
    require(actor, Action.ADMINISTER)

    def work(cur: Cursor) -> None:
        _snapshot(cur, user_id)
        cur.execute("update app_user set failed_attempts = 0, locked_until = null where id = $id", {"id": user_id})
        audit.record(cur, actor, "unlock", entity="app_user", entity_id=user_id)

    run_in_transaction(cur, work)   # failed logins write the same columns: a conflict is retried


def ensure_admin(cur: Cursor, password: str | None = None) -> str | None:
    """A database with no accounts gets one `admin`. Returns the password when it was generated here.

    The password comes from the argument, else $CRM_ADMIN_PASSWORD, else is generated (and must be
    shown to the operator once, by the caller).
    """
    if count(cur) > 0:
        return None
    given = password or os.environ.get("CRM_ADMIN_PASSWORD")
    chosen = given or secrets.token_urlsafe(12)
    create_user(cur, SYSTEM, username="admin", display_name="系统管理员", role=Role.ADMIN, password=chosen)
    return None if given else chosen


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(f"密码至少需要 {MIN_PASSWORD_LENGTH} 个字符。", field="password")


def _snapshot(cur: Cursor, user_id: int) -> dict:
    found = rows(cur, "select username, display_name, role, enclave_id, active from app_user where id = $id",
                 {"id": user_id})
    if not found:
        raise NotFound("该账号不存在。")
    keys = ("username", "display_name", "role", "enclave_id", "active")
    return dict(zip(keys, found[0]))
