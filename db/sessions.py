"""Login sessions that survive a browser refresh: a signed, expiring token naming a revocable row.

The browser holds only `itsdangerous`-signed session ids. A token is honoured while its signature
is valid, it is younger than SESSION_LIFETIME, its row is not revoked and the user was active
within IDLE_TIMEOUT. Logging out, a password reset, a role/enclave change or deactivating the
account revokes it; changing one's own password revokes all the user's other sessions. Backups
carry neither the rows nor the signing key (db/backup.py).
"""
from __future__ import annotations

import os
import secrets
from datetime import timedelta

from itsdangerous import BadSignature, URLSafeTimedSerializer

from db import audit, clock
from db.connection import transaction
from db.permissions import User
from db.sql import Cursor, rows

IDLE_TIMEOUT = timedelta(minutes=30)
SESSION_LIFETIME = timedelta(hours=12)
# Writing last_seen on every rerun would make each click a write; a minute's slack is harmless.
TOUCH_EVERY = timedelta(minutes=1)
_SALT = "feidi-crm-session"
SECRET_SETTING = "session_secret"   # the app_setting row holding the generated signing key


def start(cur: Cursor, user: User) -> str:
    """A new session for `user`; returns the token to hand to the browser."""
    sid = secrets.token_urlsafe(32)
    now = clock.now()
    with transaction(cur):
        cur.execute(
            "insert into auth_session (id, user_id, created_at, last_seen_at, expires_at)"
            " values ($sid, $uid, $now, $now, $exp)",
            {"sid": sid, "uid": user.id, "now": now, "exp": now + SESSION_LIFETIME},
        )
    return _serializer(cur).dumps(sid)


def resume(cur: Cursor, token: str | None) -> User | None:
    """The user a token still stands for, refreshing its idle clock; None if it no longer counts."""
    sid = _session_id(cur, token)
    if sid is None:
        return None
    found = rows(
        cur,
        """
        select u.id, u.username, u.role, u.enclave_id, u.display_name, s.last_seen_at, s.expires_at, s.revoked_at
        from auth_session s join app_user u on u.id = s.user_id
        where s.id = $sid and u.active
        """,
        {"sid": sid},
    )
    if not found:
        return None
    uid, username, role, enclave_id, display, last_seen, expires, revoked = found[0]
    now = clock.now()
    if revoked is not None or expires <= now or now - last_seen > IDLE_TIMEOUT:
        return None
    if now - last_seen >= TOUCH_EVERY:
        touch(cur, token)
    return User(uid, username, role, enclave_id, display)


def touch(cur: Cursor, token: str | None) -> None:
    sid = _session_id(cur, token)
    if sid is not None:
        with transaction(cur):
            cur.execute("update auth_session set last_seen_at = $now where id = $sid and revoked_at is null",
                        {"now": clock.now(), "sid": sid})


def end(cur: Cursor, token: str | None, user: User, *, reason: str = "logout") -> None:
    """Revoke the session (logout or idle timeout) and audit it."""
    sid = _session_id(cur, token)
    with transaction(cur):
        if sid is not None:
            cur.execute("update auth_session set revoked_at = $now where id = $sid", {"now": clock.now(), "sid": sid})
        audit.record(cur, user, reason, entity="app_user", entity_id=user.id)


def revoke_all(cur: Cursor, user_id: int, *, keep: str | None = None) -> int:
    """Revoke every open session of the user except the one the token `keep` names; returns how
    many. Call inside the command's transaction (the caller audits why)."""
    kept = _session_id(cur, keep)
    # The UPDATE's own result row is the number of rows it changed (RETURNING would make DuckDB
    # delete and re-insert the rows, skipping its write-conflict check).
    return rows(
        cur,
        "update auth_session set revoked_at = $now"
        " where user_id = $uid and revoked_at is null and id is distinct from $kept",
        {"now": clock.now(), "uid": user_id, "kept": kept},
    )[0][0]


def forget_all(cur: Cursor) -> None:
    """Drop every session and the generated signing key: a database restored from a backup starts
    with everyone logged out and signs with a key no copy of the backup holds."""
    with transaction(cur):
        cur.execute("delete from auth_session")
        cur.execute("delete from app_setting where name = $n", {"n": SECRET_SETTING})


def _session_id(cur: Cursor, token: str | None) -> str | None:
    if not token:
        return None
    try:
        return _serializer(cur).loads(token, max_age=int(SESSION_LIFETIME.total_seconds()))
    except BadSignature:   # also covers SignatureExpired
        return None


def _serializer(cur: Cursor) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(_secret(cur), salt=_SALT)


def _secret(cur: Cursor) -> str:
    """$CRM_SECRET_KEY, else a random key created with the database and kept in it."""
    configured = os.environ.get("CRM_SECRET_KEY")
    if configured:
        return configured
    found = rows(cur, "select value from app_setting where name = $n", {"n": SECRET_SETTING})
    if found:
        return found[0][0]
    with transaction(cur):
        cur.execute("insert into app_setting values ($n, $v) on conflict (name) do nothing",
                    {"n": SECRET_SETTING, "v": secrets.token_urlsafe(48)})
    return rows(cur, "select value from app_setting where name = $n", {"n": SECRET_SETTING})[0][0]
