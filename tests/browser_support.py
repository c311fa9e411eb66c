"""What every real-browser test shares: the app server, one Chromium, fresh tabs, login and waiting.

A pytest plugin, not a conftest: the browser test modules load it with
`pytest_plugins = ["tests.browser_support"]` after their own `importorskip("playwright…")`, so a
machine without playwright skips them without importing this. Loaded as a plugin its fixtures are
registered once, so every browser test module shares the one session-wide Chromium (playwright's
sync API cannot run two at once) and the one demo server.

Recipe: ../shared/BROWSER_TESTS.md — Debian's /usr/bin/chromium driven by the playwright package
(never `playwright install`), a Streamlit server on a copy of the scale-1 demo database, a fresh
browser context (= a fresh Streamlit session) per tab.
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
from playwright.sync_api import expect, sync_playwright

from db.connection import open_database
from db.enums import Role
from db.permissions import SYSTEM
from db.users import create_user
from tests.helpers import DEMO_PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
DEFAULT_VIEWPORT = {"width": 1280, "height": 900}
# Throw-away accounts on the server's copy, so failed logins never touch the demo accounts others use.
WRONG_ONCE = "browser_wrong"
LOCK_ME = "browser_lock"
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'

BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is absent: run `make browser-deps` (apt chromium + CJK font)"),
]


# ---- the server ---------------------------------------------------------------------------------

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


# ---- the browser --------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """One headless Chromium for the whole session (launching costs about a second)."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def open_tab(browser, request: pytest.FixtureRequest) -> Iterator[Callable[..., object]]:  # type: ignore[no-untyped-def]
    """Opens tabs on a server, each in a fresh context (its own cookies, its own Streamlit session);
    screenshots every tab into test-artifacts/ if the test failed."""
    contexts = []

    def open_on(base: str, *, viewport: dict[str, int] | None = None):  # type: ignore[no-untyped-def]
        context = browser.new_context(locale="zh-CN", viewport=viewport or DEFAULT_VIEWPORT, base_url=base)
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


def full_screenshot(tab, path: Path) -> None:  # type: ignore[no-untyped-def]
    """The whole app at the tab's own width: the scrolling element is stMain, so grow the viewport
    to its height first."""
    width = (tab.viewport_size or DEFAULT_VIEWPORT)["width"]
    height = tab.evaluate("() => document.querySelector('[data-testid=stMain]')?.scrollHeight || 900")
    tab.set_viewport_size({"width": width, "height": max(900, min(int(height) + 50, 8000))})
    tab.screenshot(path=str(path), full_page=True)


# ---- logging in and waiting ---------------------------------------------------------------------

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
    # .first: while a rerun replaces the page, the old heading and the new one may both be there.
    expect(tab.get_by_role("heading", name="总览", exact=True).first).to_be_visible()
    expect(tab.get_by_test_id("stMetric").first).to_be_visible()


def session_cookie(tab) -> str | None:  # type: ignore[no-untyped-def]
    found = [c["value"] for c in tab.context.cookies() if c["name"] == "crm_session"]
    return found[0] if found and found[0] else None


def open_screen(tab, url_path: str, title: str) -> None:  # type: ignore[no-untyped-def]
    """Type a screen's address into the tab (a new page load, the login resumed from the cookie) and
    wait until it has drawn: its title shows, then the page settles."""
    tab.goto(url_path)
    expect(tab.get_by_role("heading", name=title, exact=True).first).to_be_visible()
    settle(tab)


def switch_screen(tab, title: str) -> None:  # type: ignore[no-untyped-def]
    """Open a screen from the sidebar menu — the same Streamlit session, so quicker than a page load —
    and wait until it has drawn."""
    tab.get_by_test_id("stSidebar").get_by_role("link", name=title, exact=True).click()
    expect(tab.get_by_role("heading", name=title, exact=True).first).to_be_visible()
    settle(tab)


# The idle flag alone is not enough: between the runs of a rerun it reads "notRunning" too, with the
# title drawn and the rest still to come (seen: 我的账户's figures arrived 0.5 s after the flag).
# Settled = idle, no element marked stale, and nothing added or changed in the page for 0.3 s.
_SETTLED = """() => {
  if (window.__lastChange === undefined) {
    window.__lastChange = performance.now();
    new MutationObserver(() => { window.__lastChange = performance.now(); })
      .observe(document.body, {subtree: true, childList: true, characterData: true});
    return false;
  }
  const app = document.querySelector('[data-testid="stApp"]');
  return app?.getAttribute('data-test-script-state') === 'notRunning' && !document.querySelector('[data-stale="true"]')
    && performance.now() - window.__lastChange > 300;
}"""


def settle(tab) -> None:  # type: ignore[no-untyped-def]
    """Wait until no script run is pending and the page has stopped changing."""
    expect(tab.locator(IDLE)).to_be_attached()
    tab.wait_for_function(_SETTLED, polling=100)


def wait_for(condition: Callable[[], object], what: str, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)
