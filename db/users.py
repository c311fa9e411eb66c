"""Accounts: argon2id passwords, lockout after failed logins, admin management of users."""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import polars as pl
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from db import audit, clock
from db.connection import transaction
from db.enums import Role
from db.errors import NotFound, ValidationError
from db.permissions import SYSTEM, Action, User, require
from db.sql import Cursor, frame, next_id, rows

MAX_FAILED_ATTEMPTS = 5
LOCKOUT = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 8

_hasher = PasswordHasher()   # argon2id with the library's current recommended parameters
# Verifying against this when the username is unknown keeps both paths equally slow.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    message: str = ""


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def login(cur: Cursor, username: str, password: str) -> LoginResult:
    """Check a password, count failures, lock after 5 for 15 minutes; every outcome is audited."""
    username = username.strip()
    found = rows(
        cur,
        "select id, username, role, enclave_id, display_name, password_hash, failed_attempts, locked_until, active"
        " from app_user where username = $u",
        {"u": username},
    )
    now = clock.now()
    if not found:
        _verify(_DUMMY_HASH, password)
        _audit_failure(cur, username, "用户名不存在")
        return LoginResult(None, "用户名或密码错误。")
    uid, name, role, enclave_id, display, pw_hash, failed, locked_until, active = found[0]
    user = User(uid, name, role, enclave_id, display)
    if not active:
        _audit_failure(cur, username, "账号已停用")
        return LoginResult(None, "该账号已停用，请联系系统管理员。")
    if locked_until is not None and locked_until > now:
        _audit_failure(cur, username, "账号锁定中")
        return LoginResult(None, f"密码错误次数过多，账号已锁定，请于 {locked_until:%H:%M} 后再试或联系管理员解锁。")
    if not _verify(pw_hash, password):
        return _count_failure(cur, user, failed, locked_until, now)
    with transaction(cur):
        cur.execute(
            "update app_user set failed_attempts = 0, locked_until = null, last_login_at = $now where id = $id",
            {"now": now, "id": uid},
        )
        if _hasher.check_needs_rehash(pw_hash):
            cur.execute("update app_user set password_hash = $h where id = $id", {"h": hash_password(password), "id": uid})
        audit.record(cur, user, "login", entity="app_user", entity_id=uid)
    return LoginResult(user)


def authenticate(cur: Cursor, username: str, password: str) -> User | None:
    """The user for these credentials, or None (wrong, unknown, locked or inactive)."""
    return login(cur, username, password).user


def _verify(pw_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(pw_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _count_failure(cur: Cursor, user: User, failed: int, locked_until: datetime | None, now: datetime) -> LoginResult:
    # A lock that has run out starts a fresh count.
    failed = 0 if locked_until is not None else failed
    failed += 1
    lock = now + LOCKOUT if failed >= MAX_FAILED_ATTEMPTS else None
    with transaction(cur):
        cur.execute(
            "update app_user set failed_attempts = $f, locked_until = $lock where id = $id",
            {"f": failed, "lock": lock, "id": user.id},
        )
        audit.record(cur, _anonymous(user.username), "login_failed", entity="app_user", entity_id=user.id,
                     detail=f"密码错误（第 {failed} 次）")
        if lock:
            audit.record(cur, SYSTEM, "login_locked", entity="app_user", entity_id=user.id,
                         detail=f"连续 {failed} 次密码错误，锁定至 {lock:%Y-%m-%d %H:%M}")
    if lock:
        return LoginResult(None, f"密码连续错误 {failed} 次，账号已锁定 15 分钟（至 {lock:%H:%M}）。")
    left = MAX_FAILED_ATTEMPTS - failed
    return LoginResult(None, f"用户名或密码错误。再错 {left} 次账号将被锁定 15 分钟。")


def _audit_failure(cur: Cursor, username: str, why: str) -> None:
    with transaction(cur):
        audit.record(cur, _anonymous(username), "login_failed", detail=why)


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
            _revoke_all(cur, user_id)   # a changed scope must not live on in an open browser
        audit.record(cur, actor, "update", entity="app_user", entity_id=user_id, before=before,
                     after=_snapshot(cur, user_id))


def reset_password(cur: Cursor, actor: User, user_id: int, new_password: str) -> None:
    """Admin sets a new password; also lifts any lockout and ends the user's open sessions."""
    require(actor, Action.ADMINISTER)
    _check_password(new_password)
    with transaction(cur):
        _snapshot(cur, user_id)
        cur.execute(
            "update app_user set password_hash = $h, failed_attempts = 0, locked_until = null where id = $id",
            {"h": hash_password(new_password), "id": user_id},
        )
        _revoke_all(cur, user_id)
        audit.record(cur, actor, "password_reset", entity="app_user", entity_id=user_id)


def change_own_password(cur: Cursor, actor: User, old_password: str, new_password: str) -> None:
    found = rows(cur, "select password_hash from app_user where id = $id", {"id": actor.id})
    if not found or not _verify(found[0][0], old_password):
        raise ValidationError("当前密码不正确。", field="old_password")
    _check_password(new_password)
    if old_password == new_password:
        raise ValidationError("新密码不能与当前密码相同。", field="new_password")
    with transaction(cur):
        cur.execute("update app_user set password_hash = $h where id = $id",
                    {"h": hash_password(new_password), "id": actor.id})
        audit.record(cur, actor, "password_change", entity="app_user", entity_id=actor.id)


def unlock(cur: Cursor, actor: User, user_id: int) -> None:
    require(actor, Action.ADMINISTER)
    with transaction(cur):
        _snapshot(cur, user_id)
        cur.execute("update app_user set failed_attempts = 0, locked_until = null where id = $id", {"id": user_id})
        audit.record(cur, actor, "unlock", entity="app_user", entity_id=user_id)


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


def _revoke_all(cur: Cursor, user_id: int) -> None:
    cur.execute("update auth_session set revoked_at = $now where user_id = $id and revoked_at is null",
                {"now": clock.now(), "id": user_id})
