"""The app in a real Chromium: login, the 总览 figures and charts, lockout, refresh-proof sessions, role scope.

Recipe: ../shared/BROWSER_TESTS.md — Debian's /usr/bin/chromium driven by the playwright package
(never `playwright install`), one Streamlit server per session on a copy of the scale-1 demo
database, a fresh browser context (= a fresh Streamlit session) per test.
"""
from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from db.connection import open_database
from db.enums import Role
from db.permissions import SYSTEM
from db import sessions
from db.users import authenticate, create_user
from tests.helpers import DEMO_PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
# Throw-away accounts on the server's copy, so failed logins never touch the demo accounts others use.
WRONG_ONCE = "browser_wrong"
LOCK_ME = "browser_lock"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is absent: run `make browser-deps` (apt chromium + CJK font)"),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright Python package is not installed")
expect = sync_api.expect


@pytest.fixture(scope="session")
def server_db(demo_master: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of the scale-1 demo database (the master stays untouched), plus the
    throw-away accounts the login-failure tests lock."""
    path = tmp_path_factory.mktemp("browser") / "crm.duckdb"
    shutil.copy(demo_master, path)
    conn = open_database(path)
    for username in (WRONG_ONCE, LOCK_ME):
        create_user(conn.cursor(), SYSTEM, username=username, display_name=username, role=Role.MANAGER,
                    password=DEMO_PASSWORD)
    conn.close()
    return path


@pytest.fixture(scope="session")
def server(server_db: Path) -> Iterator[str]:
    """The session's app server, on the shared copy of the demo database; yields its base URL."""
    with running_server(server_db) as base:
        yield base


@contextmanager
def running_server(db: Path) -> Iterator[str]:
    """`streamlit run crm_app.py` on a free local port, in its own process group; yields the base URL."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log_path = db.with_suffix(".log")
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "crm_app.py", "--server.headless", "true",
             "--server.address", "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false",
             "--server.fileWatcherType", "none"],
            cwd=ROOT, env={**os.environ, "CRM_DB": str(db)}, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_healthy(base, proc, log_path)
            yield base
        finally:
            _stop(proc)


def _wait_healthy(base: str, proc: subprocess.Popen, log_path: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited ({proc.returncode}):\n{log_path.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as response:
                if response.read().decode().strip() == "ok":
                    return
        except OSError:
            pass
        time.sleep(0.25)
    raise RuntimeError(f"streamlit not healthy after {timeout:.0f} s:\n{log_path.read_text()[-3000:]}")


def _stop(proc: subprocess.Popen) -> None:
    """SIGTERM to the server's own process group only, SIGKILL after 10 s."""
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """One headless Chromium for the whole session (launching costs about a second)."""
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def open_tab(browser, request: pytest.FixtureRequest) -> Iterator[Callable[[str], object]]:  # type: ignore[no-untyped-def]
    """Opens tabs on a server, each in a fresh context (its own cookies, its own Streamlit session);
    screenshots every tab into test-artifacts/ if the test failed."""
    contexts = []

    def open_on(base: str):  # type: ignore[no-untyped-def]
        context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}, base_url=base)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    failed_before = request.session.testsfailed
    yield open_on
    # The call phase's report is logged before fixture teardown, so a failure has been counted by now.
    if request.session.testsfailed > failed_before:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid.split("::")[-1])
        for i, tab in enumerate(tab for context in contexts for tab in context.pages):
            full_screenshot(tab, ARTIFACTS / f"{name}{'-' + str(i) if i else ''}.png")
    for context in contexts:
        context.close()


@pytest.fixture
def page(open_tab, server: str):  # type: ignore[no-untyped-def]
    """A fresh tab on the session's server."""
    return open_tab(server)


def full_screenshot(tab, path: Path) -> None:  # type: ignore[no-untyped-def]
    """The whole app: the scrolling element is stMain, so grow the viewport to its height first."""
    height = tab.evaluate("() => document.querySelector('[data-testid=stMain]')?.scrollHeight || 900")
    tab.set_viewport_size({"width": 1280, "height": max(900, min(int(height) + 50, 8000))})
    tab.screenshot(path=str(path), full_page=True)


# ---- helpers ------------------------------------------------------------------------------------

def submit_login(tab, username: str, password: str = DEMO_PASSWORD) -> None:  # type: ignore[no-untyped-def]
    tab.get_by_label("用户名", exact=True).fill(username)
    tab.get_by_label("密码", exact=True).fill(password)
    tab.get_by_test_id("stForm").get_by_role("button", name="登录", exact=True).click()


def open_login(tab) -> None:  # type: ignore[no-untyped-def]
    tab.goto("/")
    expect(tab.get_by_label("用户名", exact=True)).to_be_visible()


def login(tab, username: str) -> None:  # type: ignore[no-untyped-def]
    open_login(tab)
    submit_login(tab, username)
    expect_overview(tab)


def expect_overview(tab) -> None:  # type: ignore[no-untyped-def]
    expect(tab.get_by_role("heading", name="总览", exact=True)).to_be_visible()
    expect(tab.get_by_test_id("stMetric").first).to_be_visible()


def metric(tab, label: str):  # type: ignore[no-untyped-def]
    return tab.get_by_test_id("stMetric").filter(
        has=tab.get_by_test_id("stMetricLabel").get_by_text(label, exact=True)).get_by_test_id("stMetricValue")


def error_alert(tab):  # type: ignore[no-untyped-def]
    return tab.get_by_test_id("stAlertContentError")


def session_cookie(tab) -> str | None:  # type: ignore[no-untyped-def]
    found = [c["value"] for c in tab.context.cookies() if c["name"] == "crm_session"]
    return found[0] if found and found[0] else None


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
    table = page.get_by_test_id("stDataFrame")
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
        if attempt < 5:   # the same sentence as for an unknown name: no countdown to tell them apart
            expect(error_alert(page)).to_have_text("用户名或密码错误。")
    expect(error_alert(page)).to_have_text("登录失败次数过多，请 15 分钟后再试或联系管理员。")
    submit_login(page, LOCK_ME)   # the right password no longer helps
    expect(error_alert(page)).to_have_text("登录失败次数过多，请 15 分钟后再试或联系管理员。")
    expect(page.get_by_role("heading", name="总览", exact=True)).to_have_count(0)


def test_refresh_keeps_the_login_and_logout_ends_it(page) -> None:  # type: ignore[no-untyped-def]
    login(page, "manager")
    _wait_for(lambda: session_cookie(page) is not None, "the crm_session cookie after login")

    page.reload()
    expect_overview(page)
    expect(page.get_by_label("用户名", exact=True)).to_have_count(0)

    page.get_by_test_id("stSidebar").get_by_role("button", name="退出登录").click()
    expect(page.get_by_label("用户名", exact=True)).to_be_visible()
    expect(page.get_by_test_id("stAlertContentInfo")).to_have_text("您已安全退出。")
    _wait_for(lambda: session_cookie(page) is None, "the crm_session cookie to be cleared after logout")

    page.reload()
    expect(page.get_by_label("用户名", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="总览", exact=True)).to_have_count(0)


RECRUITER_MENU = ["总览", "候选人", "新建候选人", "重复候选人", "待跟进", "流程看板", "我的账户"]


def test_recruiter_sees_only_their_screens(page, server: str) -> None:  # type: ignore[no-untyped-def]
    login(page, "recruiter_sh")
    expect(page.locator('a[data-testid="stSidebarNavLink"]')).to_have_count(len(RECRUITER_MENU))
    assert sorted(nav_titles(page)) == sorted(RECRUITER_MENU)   # no 导入, no 系统管理; 候选人详情 is hidden
    _wait_for(lambda: session_cookie(page) is not None, "the crm_session cookie after login")

    page.goto("/admin_users")   # typed into the address bar: a new page load, resumed from the cookie
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar).to_contain_text("recruiter_sh")   # still logged in, so the check below means something
    expect(page.get_by_test_id("stApp")).not_to_contain_text("用户管理")
    expect(page.get_by_role("heading", name="用户管理")).to_have_count(0)


def test_admin_reaches_user_management_by_url(page) -> None:  # type: ignore[no-untyped-def]
    """The counterpart of the recruiter test: the same URL does open the screen for an admin."""
    login(page, "admin")
    _wait_for(lambda: session_cookie(page) is not None, "the crm_session cookie after login")
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


def _wait_for(condition, what: str, timeout: float = 15) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)
