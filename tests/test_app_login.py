"""Login on screen: errors in Chinese, lockout, logout, idle timeout; all audited."""
from __future__ import annotations

from pathlib import Path

import duckdb

from db.connection import clear_shared_connection
from tests.helpers import button, login


def audit_rows(path: Path, action: str) -> list[tuple]:
    clear_shared_connection()   # the app process holds the file; release it to read as a test
    conn = duckdb.connect(str(path), config={"preserve_insertion_order": False})
    found = conn.execute("select actor, detail from audit_log where action = ? order by id", [action]).fetchall()
    conn.close()
    return found


def test_login_opens_the_overview(app, demo_db: Path) -> None:  # type: ignore[no-untyped-def]
    at = login(app(demo_db), "manager")
    assert not at.exception
    assert [t.value for t in at.title] == ["总览"]
    assert "人才办 王主任" in [m.value for m in at.sidebar.markdown][0]


def test_wrong_password_is_refused_in_chinese(app, demo_db: Path) -> None:  # type: ignore[no-untyped-def]
    at = login(app(demo_db), "manager", "not the password")
    assert [e.value for e in at.error] == ["用户名或密码错误。再错 4 次账号将被锁定 15 分钟。"]
    assert [t.value for t in at.title] == ["飞地招才 CRM"]
    assert audit_rows(demo_db, "login_failed") == [("manager", "密码错误（第 1 次）")]


def test_five_failures_lock_the_account_on_screen(app, demo_db: Path) -> None:  # type: ignore[no-untyped-def]
    at = app(demo_db)
    for _ in range(5):
        login(at, "hr", "wrong password")
    assert "已锁定 15 分钟" in at.error[0].value
    login(at, "hr")   # the right password, still locked
    assert "已锁定" in at.error[0].value
    assert [t.value for t in at.title] == ["飞地招才 CRM"]


def test_empty_fields_are_asked_for(app, demo_db: Path) -> None:  # type: ignore[no-untyped-def]
    at = app(demo_db)
    at.run()
    button(at, "登录").click()
    at.run()
    assert [e.value for e in at.error] == ["请输入用户名和密码。"]


def test_logout_returns_to_the_login_form_and_is_audited(app, demo_db: Path) -> None:  # type: ignore[no-untyped-def]
    at = login(app(demo_db), "admin")
    button(at, "退出登录").click()
    at.run()
    assert [t.value for t in at.title] == ["飞地招才 CRM"]
    assert "您已安全退出。" in [i.value for i in at.info]
    at.run()   # a rerun after logout stays logged out
    assert [t.value for t in at.title] == ["飞地招才 CRM"]
    assert [r[0] for r in audit_rows(demo_db, "logout")] == ["admin"]


def test_thirty_idle_minutes_log_out(app, demo_db: Path) -> None:  # type: ignore[no-untyped-def]
    at = login(app(demo_db), "manager")
    at.session_state["last_active"] = at.session_state["last_active"] - 31 * 60
    at.run()
    assert [t.value for t in at.title] == ["飞地招才 CRM"]
    assert any("30 分钟未操作" in i.value for i in at.info)
    assert [r[0] for r in audit_rows(demo_db, "session_timeout")] == ["manager"]


def test_a_new_session_with_the_cookie_resumes_the_login(app, demo_db: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A browser refresh is a new Streamlit session carrying the cookie: it stays logged in."""
    first = login(app(demo_db), "manager")
    token = first.session_state["token"]
    import streamlit as st

    class Cookies(dict):
        pass

    monkeypatch.setattr(type(st.context), "cookies", property(lambda self: Cookies(crm_session=token)))
    refreshed = app(demo_db)
    refreshed.run()
    assert [t.value for t in refreshed.title] == ["总览"]


def test_an_app_started_on_a_new_database_has_an_admin(app, tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    """Started with `streamlit run` instead of `make run`: the first admin still exists."""
    monkeypatch.setenv("CRM_ADMIN_PASSWORD", "chosen by the operator")
    at = login(app(tmp_path / "brand-new.duckdb"), "admin", "chosen by the operator")
    assert [t.value for t in at.title] == ["总览"]


def test_a_generated_first_admin_password_is_printed_once(app, tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("CRM_ADMIN_PASSWORD", raising=False)
    at = app(tmp_path / "brand-new.duckdb")
    at.run()
    printed = capsys.readouterr().out
    password = printed.split("初始密码：")[1].split("（")[0]
    assert [t.value for t in login(at, "admin", password).title] == ["总览"]
