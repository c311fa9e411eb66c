"""Each role reaches exactly its screens; the others cannot be opened, not even by URL."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import login, nav_pages, request_url_path

# url path → title; what every role gets, then the extras per role.
COMMON = {"overview": "总览", "candidates": "候选人", "candidate": "候选人详情", "board": "流程看板", "account": "我的账户",
          "programme_enclaves": "人才飞地", "programme_employers": "企业与岗位", "programme_agreements": "院校协议",
          "programme_drives": "校园招聘", "programme_events": "人才活动", "programme_co_supervision": "联合培养",
          "programme_appointments": "科技副总·柔性引进", "programme_declarations": "人才项目申报",
          "programme_targets": "目标", "analysis_funnel": "漏斗", "analysis_sources": "来源",
          "analysis_time": "时长", "analysis_lost": "流失原因", "analysis_retention": "留平", "analysis_targets": "目标进度"}
COMMON |= {"analysis_report": "年度报告"}          # 分析: recruiters see their own enclave's figures
EDITING = {"candidate_new": "新建候选人", "duplicates": "重复候选人", "follow_ups": "待跟进",
           "signup_review": "扫码报名审核"}
REGISTERS = {"import_registers": "台账导入"}
EXTRA = {
    "recruiter_sh": EDITING,
    "manager": REGISTERS,
    "hr": EDITING | REGISTERS | {"import_data": "导入"},
    "admin": EDITING | REGISTERS | {"import_data": "导入", "admin_users": "用户管理", "admin_audit": "审计日志",
                                    "admin_backup": "备份"},
}
ALL_SCREENS = {k: v for extra in EXTRA.values() for k, v in extra.items()} | COMMON


@pytest.mark.parametrize("username", list(EXTRA))
def test_each_role_reaches_exactly_its_screens(app, demo_db: Path, username: str) -> None:  # type: ignore[no-untyped-def]
    at = login(app(demo_db), username)
    assert not at.exception
    assert nav_pages(at) == COMMON | EXTRA[username]


@pytest.mark.parametrize("username", list(EXTRA))
def test_screens_outside_the_role_cannot_be_opened_by_url(app, demo_db: Path, username: str) -> None:  # type: ignore[no-untyped-def]
    at = login(app(demo_db), username)
    for url_path, title in ALL_SCREENS.items():
        if url_path in nav_pages(at):
            continue
        request_url_path(at, url_path)
        titles = [t.value for t in at.title]
        assert title not in titles, f"{username} opened {title}"
        assert not at.exception


@pytest.mark.parametrize("username", ["recruiter_sh", "manager", "hr"])
def test_in_legacy_mode_an_admin_screen_file_does_not_open_for_other_roles(app, demo_db: Path, username: str) -> None:  # type: ignore[no-untyped-def]
    """A fresh server's first request runs pages/<name>.py directly: its gate leaves legacy mode
    and the role's own navigation takes over, landing on 总览."""
    at = login(app(demo_db), username)
    legacy = app(demo_db, legacy_pages_mode=True)
    legacy.session_state["user"] = at.session_state["user"]
    legacy.session_state["last_active"] = at.session_state["last_active"]
    legacy.session_state["token"] = at.session_state["token"]      # every run checks the login still stands
    legacy.run()
    request_url_path(legacy, "admin_users")
    assert "用户管理" not in [t.value for t in legacy.title]
    assert "总览" in [t.value for t in legacy.title]
    assert "crm_app" not in nav_pages(legacy)     # the legacy file list is gone


def test_the_gate_refuses_a_screen_the_role_may_not_open() -> None:
    """Should navigation ever offer a screen to the wrong role, the screen itself still refuses."""
    from pages import _screens

    assert not _screens.allowed("recruiter", "admin_users.py")
    assert _screens.allowed("admin", "/anywhere/pages/admin_users.py")


def test_a_screen_file_run_directly_still_demands_login(app, demo_db: Path) -> None:  # type: ignore[no-untyped-def]
    """Streamlit's legacy mode runs pages/*.py without crm_app.py: the screen's gate shows the login."""
    at = app(demo_db, legacy_pages_mode=True)
    at.run()
    request_url_path(at, "admin_users")
    assert "用户管理" not in [t.value for t in at.title]
    assert "用户名" in [t.label for t in at.text_input]


def test_the_test_can_open_a_screen_by_url(app, demo_db: Path) -> None:  # type: ignore[no-untyped-def]
    """Guards the test above: requesting an allowed screen by URL does open it."""
    at = login(app(demo_db), "admin")
    request_url_path(at, "admin_audit")
    assert "审计日志" in [t.value for t in at.title]


def test_a_shared_link_opens_its_screen_after_login(app, demo_db: Path) -> None:  # type: ignore[no-untyped-def]
    """Logged out, /candidate?id=… used to be Streamlit's English "Page not found" and, after login,
    总览: every screen's address is known before login, and its gate asks for the login first."""
    import duckdb

    from tests.helpers import button, shown

    conn = duckdb.connect(str(demo_db), read_only=True)
    person, name = conn.execute("select id, name from candidate where merged_into is null order by id limit 1").fetchall()[0]
    conn.close()
    at = app(demo_db)
    at.query_params["id"] = str(person)
    request_url_path(at, "candidate")
    assert not at.exception
    assert [t.value for t in at.title] == ["飞地招才 CRM"]                 # the login form, nothing of the screen
    inputs = {t.label: t for t in at.text_input}
    inputs["用户名"].input("manager")
    inputs["密码"].input("pinghu2025")
    button(at, "登录").click()
    at.run()
    assert [shown(t.value) for t in at.title] == [name]
