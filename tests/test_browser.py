"""The app in a real Chromium: login, the 总览 figures and charts, lockout, refresh-proof sessions, role scope.

The server, the browser and the tabs are tests/browser_support.py's (shared with
test_browser_screens.py): one Streamlit server per session on a copy of the scale-1 demo database,
a fresh browser context (= a fresh Streamlit session) per test.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from db.connection import open_database
from db import sessions
from db.users import authenticate
from db.enums import Role
from pages._screens import SCREENS
from tests.helpers import DEMO_PASSWORD

sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright Python package is not installed")
expect = sync_api.expect
pytest_plugins = ["tests.browser_support"]   # the server, the browser and the tabs, shared with the other browser tests
pytest.register_assert_rewrite("tests.browser_support")

from tests.browser_support import (  # noqa: E402  (only once playwright is known to be there)
    ARTIFACTS, BROWSER_MARKS, LOCK_ME, WRONG_ONCE, expect_overview, full_screenshot, login, open_login, running_server,
    session_cookie, settle, submit_login, wait_for,
)

pytestmark = BROWSER_MARKS


@pytest.fixture
def page(open_tab, server: str):  # type: ignore[no-untyped-def]
    """A fresh tab on the session's server."""
    return open_tab(server)


# ---- helpers ------------------------------------------------------------------------------------

def metric(tab, label: str):  # type: ignore[no-untyped-def]
    return tab.get_by_test_id("stMetric").filter(
        has=tab.get_by_test_id("stMetricLabel").get_by_text(label, exact=True)).get_by_test_id("stMetricValue")


def error_alert(tab):  # type: ignore[no-untyped-def]
    return tab.get_by_test_id("stAlertContentError")


def nav_titles(tab) -> list[str]:  # type: ignore[no-untyped-def]
    # innerText also holds the Material icon's ligature name ("dashboard\n\n总览"): keep the title line.
    return [t.strip().splitlines()[-1] for t in tab.locator('a[data-testid="stSidebarNavLink"]').all_inner_texts()]


# ---- tests --------------------------------------------------------------------------------------

def test_manager_sees_the_2025_figures_charts_and_enclaves(page) -> None:  # type: ignore[no-untyped-def]
    login(page, "manager")
    expect(metric(page, "青年博士")).to_have_text("39 人")
    expect(metric(page, "青年大学生")).to_have_text("9,645 人")
    expect(metric(page, "高能人才")).to_have_text("1,304 人")
    expect(page.get_by_test_id("stAlertContentInfo")).to_contain_text(
        re.compile(r"^2025年，全市已引进青年博士39人、青年大学生9645人、培育高能人才1304人"))

    charts = page.get_by_test_id("stVegaLiteChart")
    expect(charts).to_have_count(2)
    for i in range(2):
        expect(charts.nth(i).locator("g.mark-rect path").first).to_be_attached()
        assert charts.nth(i).locator("g.mark-rect path").count() >= 5
    table = page.get_by_test_id("stDataFrame").last     # the agreements expiring within 90 days come first
    table.scroll_into_view_if_needed()
    expect(table).to_be_visible()
    # glide-data-grid draws on a canvas; its accessible cells carry the values. 12 enclaves, 上海 among them.
    expect(table.locator('[id^="glide-cell-"]').filter(has_text="上海").first).to_be_attached()
    expect(table.locator('[id^="glide-cell-1-11"]')).to_be_attached()

    ARTIFACTS.mkdir(exist_ok=True)
    full_screenshot(page, ARTIFACTS / "overview-manager.png")


def test_wrong_password_shows_a_chinese_error(page) -> None:  # type: ignore[no-untyped-def]
    open_login(page)
    submit_login(page, WRONG_ONCE, "not-the-password")
    expect(error_alert(page)).to_have_text("用户名或密码错误。")
    expect(page.get_by_label("用户名", exact=True)).to_be_visible()   # still on the login form


def test_five_wrong_passwords_lock_the_account(page) -> None:  # type: ignore[no-untyped-def]
    open_login(page)
    for attempt in range(1, 6):
        submit_login(page, LOCK_ME, f"wrong-{attempt}")
        # Each answer reads like the last, so wait for this submit's run to finish before the next one.
        settle(page)
        if attempt < 5:   # the same sentence as for an unknown name: no countdown to tell them apart
            expect(error_alert(page)).to_have_text("用户名或密码错误。")
    expect(error_alert(page)).to_have_text("登录失败次数过多，请 15 分钟后再试或联系管理员。")
    submit_login(page, LOCK_ME)   # the right password no longer helps
    expect(error_alert(page)).to_have_text("登录失败次数过多，请 15 分钟后再试或联系管理员。")
    expect(page.get_by_role("heading", name="总览", exact=True)).to_have_count(0)


def test_refresh_keeps_the_login_and_logout_ends_it(page) -> None:  # type: ignore[no-untyped-def]
    login(page, "manager")
    wait_for(lambda: session_cookie(page) is not None, "the crm_session cookie after login")

    page.reload()
    expect_overview(page)
    expect(page.get_by_label("用户名", exact=True)).to_have_count(0)

    page.get_by_test_id("stSidebar").get_by_role("button", name="退出登录").click()
    expect(page.get_by_label("用户名", exact=True)).to_be_visible()
    expect(page.get_by_test_id("stAlertContentInfo")).to_have_text("您已安全退出。")
    wait_for(lambda: session_cookie(page) is None, "the crm_session cookie to be cleared after logout")

    page.reload()
    expect(page.get_by_label("用户名", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="总览", exact=True)).to_have_count(0)


# What the screen table (pages/_screens.py) lists for a recruiter — read from it, so a new screen does not
# make this test drift; the checks below still pin what a recruiter must never see.
RECRUITER_MENU = [s.title for s in SCREENS if Role.RECRUITER in s.roles and not s.hidden]
assert {"总览", "候选人", "新建候选人", "流程看板", "我的账户"} <= set(RECRUITER_MENU)
assert not {"导入", "台账导入", "用户管理", "审计日志", "备份", "候选人详情"} & set(RECRUITER_MENU)


def test_recruiter_sees_only_their_screens(page, server: str) -> None:  # type: ignore[no-untyped-def]
    login(page, "recruiter_sh")
    more = page.get_by_test_id("stSidebarNavViewButton")   # Streamlit lists 10 entries until it is clicked
    if more.count():
        more.click()
    expect(page.locator('a[data-testid="stSidebarNavLink"]')).to_have_count(len(RECRUITER_MENU))
    assert sorted(nav_titles(page)) == sorted(RECRUITER_MENU)   # no 导入, no 系统管理; 候选人详情 is hidden
    wait_for(lambda: session_cookie(page) is not None, "the crm_session cookie after login")

    page.goto("/admin_users")   # typed into the address bar: a new page load, resumed from the cookie
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar).to_contain_text("recruiter_sh")   # still logged in, so the check below means something
    expect(page.get_by_test_id("stApp")).not_to_contain_text("用户管理")
    expect(page.get_by_role("heading", name="用户管理")).to_have_count(0)


def test_admin_reaches_user_management_by_url(page) -> None:  # type: ignore[no-untyped-def]
    """The counterpart of the recruiter test: the same URL does open the screen for an admin."""
    login(page, "admin")
    wait_for(lambda: session_cookie(page) is not None, "the crm_session cookie after login")
    page.goto("/admin_users")
    expect(page.get_by_role("heading", name="用户管理")).to_be_visible()


def test_recruiter_url_to_admin_screen_right_after_a_restart(open_tab, demo_master: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A bookmark opened just after the server starts: Streamlit serves a fresh server's first
    request before crm_app.py has declared the navigation (legacy pages/ mode), so only each
    screen's own check stands between a recruiter and 用户管理."""
    db = tmp_path / "fresh.duckdb"
    shutil.copy(demo_master, db)
    conn = open_database(db)
    recruiter = authenticate(conn.cursor(), "recruiter_sh", DEMO_PASSWORD)
    assert recruiter is not None
    token = sessions.start(conn.cursor(), recruiter)   # as if logged in before the restart
    conn.close()
    with running_server(db) as base:
        tab = open_tab(base)
        tab.context.add_cookies([{"name": "crm_session", "value": token, "url": base}])
        tab.goto("/admin_users")   # the server's very first request
        expect(tab.locator('[data-testid="stApp"][data-test-script-state="notRunning"]')).to_be_attached()
        expect(tab.get_by_test_id("stMain").get_by_test_id("stElementContainer").first).to_be_visible()
        expect(tab.get_by_role("heading", name="用户管理")).to_have_count(0)
        expect(tab.get_by_test_id("stMain")).not_to_contain_text("用户管理")
        expect(tab.get_by_test_id("stMain")).not_to_contain_text("recruiter_cd")   # nor the user list

        tab.goto("/")   # the token was good all along: the same tab is the recruiter's
        expect(tab.get_by_test_id("stSidebar")).to_contain_text("recruiter_sh")
