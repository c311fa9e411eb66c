"""Who is using this browser tab: login form, refresh-proof sessions, idle timeout, logout."""
from __future__ import annotations

import logging
import time
from pathlib import Path

import streamlit as st

from db import sessions, users
from db.connection import shared_connection
from db.enums import Role
from db.errors import DomainError
from db.permissions import User
from db.sql import Cursor
from pages import _locale, _screens
from pages._text import md

COOKIE = "crm_session"
IDLE_SECONDS = int(sessions.IDLE_TIMEOUT.total_seconds())
log = logging.getLogger("crm.session")


def cursor() -> Cursor:
    """A cursor on the process's shared connection, one per script run. A database file that cannot
    be opened (damaged, another program's, held by another process) is said in Chinese, with what to
    do, instead of a traceback."""
    try:
        return shared_connection().cursor()
    except DomainError as error:
        log.error("database unusable: %s", error)
        st.error(md(error))
        st.stop()
        raise   # not reached: st.stop ends the run


def current_user() -> User | None:
    """The logged-in user, resuming a session from the browser cookie after a refresh."""
    state = st.session_state
    user: User | None = state.get("user")
    now = time.monotonic()
    if user is not None:
        if now - state.get("last_active", now) > IDLE_SECONDS:
            sessions.end(cursor(), state.get("token"), user, reason="session_timeout")
            _forget(message="30 分钟未操作，已自动退出，请重新登录。")
            return None
        # Every run asks the database whether this login still stands: a password change elsewhere,
        # an admin's reset, a role change or deactivation ends it in this tab too, at the next click.
        # (A point lookup by key; resume also refreshes the idle clock once a minute.)
        if sessions.resume(cursor(), state.get("token")) is None:
            _forget(message="您的登录已失效（密码已修改、账号被调整或停用），请重新登录。")
            return None
        state["last_active"] = now
        return user
    token = None if state.get("logged_out") else st.context.cookies.get(COOKIE)
    if token:
        user = sessions.resume(cursor(), token)
        if user is not None:
            state.update(user=user, token=token, last_active=now)
            return user
    return None


def gate(screen_file: str) -> User:
    """Every screen's first line: the logged-in user, allowed to open this screen — or stop.

    Not only crm_app's navigation decides: with a pages/ folder beside crm_app.py, Streamlit runs
    a fresh server's first request (and every AppTest rerun) in legacy mode, executing the screen
    file directly. So each screen checks login and role itself.
    """
    _leave_legacy_mode()
    flush_cookie()
    _locale.apply()
    user = current_user()
    if user is None:
        login_form()
        st.stop()
    if not _screens.allowed(user.role, screen_file):
        st.error("您没有权限打开此页面。")
        st.stop()
    sidebar(user)
    return user


def _leave_legacy_mode() -> None:
    """In legacy mode Streamlit registered crm_app.py itself as a page and lists every file of
    pages/ in the sidebar. End the mode and rerun, so crm_app's own navigation takes over."""
    try:
        from streamlit.runtime.pages_manager import PagesManager
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        ctx = get_script_run_ctx()
        registered = ctx.pages_manager.get_pages().values() if ctx else []
        legacy = any(Path(str(p.get("script_path", ""))).name == "crm_app.py" for p in registered)
    except (ImportError, AttributeError):   # internals moved: the gate's own checks still hold
        return
    if legacy:
        PagesManager.uses_pages_directory = False
        st.rerun()


def login_page() -> None:
    _leave_legacy_mode()
    flush_cookie()
    _locale.apply()
    if current_user() is not None:   # only reachable in Streamlit's legacy mode: go to the app
        st.switch_page(_screens.HERE / "overview.py")
    login_form()


def login_form() -> None:
    """The login screen: username, password, and the reason a previous session ended."""
    st.title("飞地招才 CRM")
    st.caption("平湖市人才飞地 · 校地合作 · 校园招聘 · 人才引进统计")
    if note := st.session_state.pop("logout_note", None):
        st.info(note)
    with st.form("login", clear_on_submit=False):
        username = st.text_input("用户名", autocomplete="username")
        password = st.text_input("密码", type="password", autocomplete="current-password")
        submitted = st.form_submit_button("登录", type="primary")
    if not submitted:
        return
    if not username.strip() or not password:
        st.error("请输入用户名和密码。")
        return
    cur = cursor()
    result = users.login(cur, username, password)
    if result.user is None:
        st.error(result.message)
        return
    token = sessions.start(cur, result.user)
    now = time.monotonic()
    st.session_state.update(user=result.user, token=token, last_active=now, logged_out=False,
                            pending_cookie=(token, int(sessions.SESSION_LIFETIME.total_seconds())))
    st.rerun()


def sidebar(user: User) -> None:
    """Who is logged in, and the logout button."""
    with st.sidebar:
        st.markdown(f"**{md(user.display_name or user.username)}**")
        st.caption(f"{Role.label_of(user.role)} · {md(user.username)}")
        if st.button("退出登录", key="logout", width="stretch"):
            sessions.end(cursor(), st.session_state.get("token"), user)
            _forget(message="您已安全退出。")
            st.rerun()


def _forget(*, message: str) -> None:
    for key in ("user", "token", "last_active"):
        st.session_state.pop(key, None)
    st.session_state["logged_out"] = True   # this tab's cookie header still carries the old token
    st.session_state["logout_note"] = message
    st.session_state["pending_cookie"] = ("", 0)


def flush_cookie() -> None:
    """Write the cookie a login or logout asked for. Runs at the top of the *next* script run:
    elements emitted just before `st.rerun()` may never reach the browser."""
    pending = st.session_state.pop("pending_cookie", None)
    if pending is not None:
        _write_cookie(*pending)


def _write_cookie(token: str, max_age: int) -> None:
    # The token is our own URL-safe signature (no user text), so running this script is safe.
    if not all(ch.isalnum() or ch in "-_.:" for ch in token):
        log.error("refusing to write an unexpected session token")
        return
    st.html(
        f"<script>document.cookie = '{COOKIE}={token}; Path=/; Max-Age={max_age}; SameSite=Strict'"
        " + (location.protocol === 'https:' ? '; Secure' : '');</script>",
        unsafe_allow_javascript=True,
    )
