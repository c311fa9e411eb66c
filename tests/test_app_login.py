"""Login on screen: errors in Chinese, lockout, logout, idle timeout; all audited."""
from __future__ import annotations

from pathlib import Path

import duckdb

from db import sessions
from db.connection import clear_shared_connection, open_database
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
    assert [e.value for e in at.error] == ["用户名或密码错误。"]
    assert [t.value for t in at.title] == ["飞地招才 CRM"]
    assert audit_rows(demo_db, "login_failed") == [("manager", "密码错误（连续第 1 次失败）")]


def test_an_unknown_username_reads_like_a_wrong_password(app, demo_db: Path) -> None:  # type: ignore[no-untyped-def]
    at = login(app(demo_db), "no_such_user", "not the password")
    assert [e.value for e in at.error] == ["用户名或密码错误。"]
    assert audit_rows(demo_db, "login_failed") == [("no_such_user", "用户名不存在（连续第 1 次失败）")]


def test_five_failures_lock_the_account_on_screen(app, demo_db: Path) -> None:  # type: ignore[no-untyped-def]
    at = app(demo_db)
    for _ in range(5):
        login(at, "hr", "wrong password")
    assert [e.value for e in at.error] == ["登录失败次数过多，请 15 分钟后再试或联系管理员。"]
    login(at, "hr")   # the right password, still locked
    assert [e.value for e in at.error] == ["登录失败次数过多，请 15 分钟后再试或联系管理员。"]
    assert [t.value for t in at.title] == ["飞地招才 CRM"]


def test_a_password_changed_on_screen_ends_the_other_browsers(app, demo_db: Path) -> None:  # type: ignore[no-untyped-def]
    """我的账户 hands the screen's own token to the change: that browser stays, the others end."""
    elsewhere = login(app(demo_db), "manager").session_state["token"]
    at = login(app(demo_db), "manager")
    here = at.session_state["token"]
    at.switch_page("pages/account.py").run()
    fields = {t.label: t for t in at.text_input}
    fields["当前密码"].input("pinghu2025")
    fields["新密码（至少 8 个字符）"].input("a brand new one")
    fields["再次输入新密码"].input("a brand new one")
    button(at, "修改密码").click()
    at.run()
    assert [m.value for m in at.success] == ["密码已修改，其他 1 处登录已退出，下次登录请使用新密码。"]
    clear_shared_connection()
    conn = open_database(demo_db)
    try:
        assert sessions.resume(conn.cursor(), here) is not None
        assert sessions.resume(conn.cursor(), elsewhere) is None
    finally:
        conn.close()


def test_an_open_tab_is_logged_out_at_its_next_click_after_a_password_change(app, demo_db: Path) -> None:  # type: ignore[no-untyped-def]
    """The other tab's session state still holds the user: every run asks whether its login stands."""
    other = login(app(demo_db), "manager")
    other.switch_page("pages/candidates.py").run()
    assert "候选人" in [t.value for t in other.title]
    at = login(app(demo_db), "manager")
    at.switch_page("pages/account.py").run()
    fields = {t.label: t for t in at.text_input}
    fields["当前密码"].input("pinghu2025")
    fields["新密码（至少 8 个字符）"].input("a brand new one")
    fields["再次输入新密码"].input("a brand new one")
    button(at, "修改密码").click()
    at.run()
    other.run()
    assert [t.value for t in other.title] == ["飞地招才 CRM"]          # the login form
    assert any("登录已失效" in i.value for i in other.info)


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


def test_a_damaged_database_file_is_said_in_chinese_not_a_traceback(app, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    damaged = tmp_path / "crm.duckdb"
    damaged.write_bytes(b"this is not a database" * 1000)
    at = app(damaged)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert any("已损坏" in e.value or "不是本系统的数据库" in e.value for e in at.error), [e.value for e in at.error]
    assert any("restore" in e.value for e in at.error)
