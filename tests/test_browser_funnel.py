"""分析 → 漏斗 in a real Chromium: a click on a bar of the chart lists the people behind it, masked per role.

AppTest cannot click a chart (st.altair_chart's on_select comes from the browser), so this is where the
chart → drill-down path is tested. Vega-Lite draws the chart as SVG here; each bar is a `g.mark-rect path`
whose aria-label names its group, stage and count ("…; 人数: 2564; …; 飞地: 平湖（杭州）人才飞地; 阶段: 已签约"),
so the test finds a bar by what it shows, not by where it happens to be drawn, and clicks it. The server,
the browser and the tabs are tests/browser_support.py's (a copy of the scale-1 demo database).
"""
from __future__ import annotations

import math
import re
import time

import pytest

sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright Python package is not installed")
expect = sync_api.expect
pytest_plugins = ["tests.browser_support"]   # the server, the browser and the tabs, shared with the other browser tests
pytest.register_assert_rewrite("tests.browser_support")

from tests.browser_support import BROWSER_MARKS, login, open_screen, settle  # noqa: E402  (playwright is there)

pytestmark = BROWSER_MARKS

SH = "平湖（上海张江）人才飞地"            # recruiter_sh's enclave in the demo
MASKED_MOBILE = re.compile(r"^1[3-9]\d\*{4}\d{4}$")           # 138****0003
WHOLE_MOBILE = re.compile(r"^1[3-9]\d{9}$")
BAR_LABEL = re.compile(r"人数: (?P<people>\d+);.*; (?P<dimension>[^;:]+): (?P<group>[^;]+); 阶段: (?P<stage>[^;]+)$")


@pytest.fixture
def tab(open_tab, server: str):  # type: ignore[no-untyped-def]
    return open_tab(server)


def open_funnel_by(tab, username: str, dimension: str) -> None:  # type: ignore[no-untyped-def]
    login(tab, username)
    open_screen(tab, "/analysis_funnel", "漏斗")
    tab.get_by_test_id("stSelectbox").filter(has_text="分组维度").click()
    tab.get_by_role("option", name=dimension, exact=True).click()
    # The rerun may start a moment after the click: wait for bars that name the dimension, then a calm page.
    bar = tab.get_by_test_id("stVegaLiteChart").first.locator(f'g.mark-rect path[aria-label*="; {dimension}: "]')
    expect(bar.first).to_be_attached()
    settle(tab)


def bars(tab) -> list[dict]:  # type: ignore[no-untyped-def]
    """Every bar of the funnel chart: its group, stage and people, read from its aria-label."""
    chart = tab.get_by_test_id("stVegaLiteChart").first
    expect(chart.locator("g.mark-rect path").first).to_be_attached()
    found = []
    for label in chart.locator("g.mark-rect path").evaluate_all("paths => paths.map(p => p.getAttribute('aria-label'))"):
        match = BAR_LABEL.search(label or "")
        if match:
            found.append({**match.groupdict(), "people": int(match["people"]), "label": label})
    return found


def click_bar(tab, bar: dict) -> None:  # type: ignore[no-untyped-def]
    path = tab.get_by_test_id("stVegaLiteChart").first.locator(f'g.mark-rect path[aria-label="{bar["label"]}"]')
    expect(path).to_have_count(1)
    path.click()


def drill_down_caption(tab):  # type: ignore[no-untyped-def]
    """The drill-down's caption: "<group> · 跨过「<stage>」的人员：共 N 人，第 1 / P 页……"."""
    return tab.get_by_test_id("stCaptionContainer").filter(has_text="的人员：共")


def expect_people_of(tab, bar: dict) -> None:  # type: ignore[no-untyped-def]
    """The drill-down names the bar's group and stage and counts the bar's people (waiting for the rerun
    the click started), then the screen settles with its table drawn."""
    expect(drill_down_caption(tab)).to_contain_text(
        f"{bar['group']} · 跨过「{bar['stage']}」的人员：共 {bar['people']:,} 人，第 1 / {math.ceil(bar['people'] / 50)} 页")
    settle(tab)


def people_column(tab, header: str) -> list[str]:  # type: ignore[no-untyped-def]
    """One column of the drill-down table (the last table on the screen), the rows the grid has drawn."""
    grid = tab.get_by_test_id("stDataFrame").last
    expect(grid.locator('[role="columnheader"]').filter(has_text=header).first).to_be_attached()
    headers = [h.strip() for h in grid.locator('[role="columnheader"]').all_inner_texts()]
    col = headers.index(header)
    return [t.strip() for t in grid.locator(f'[id^="glide-cell-{col}-"]').all_inner_texts()]


def people_shown(tab, *, enclaves: set[str], mobile: re.Pattern) -> None:  # type: ignore[no-untyped-def]
    """The drill-down table lists people of `enclaves` only, every mobile shown matching `mobile`. Polled:
    the grid is a canvas whose cells may be redrawn a moment after the caption above it changed."""
    deadline = time.monotonic() + 15
    while True:
        shown, mobiles = set(people_column(tab, "飞地")), [m for m in people_column(tab, "手机") if m]
        if shown == enclaves and mobiles and all(mobile.match(m) for m in mobiles):
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"drill-down shows enclaves {shown} and mobiles {mobiles}")
        time.sleep(0.2)


def test_a_managers_click_on_a_bar_lists_that_groups_people_masked(tab) -> None:  # type: ignore[no-untyped-def]
    open_funnel_by(tab, "manager", "飞地")
    # Before any click no stage is chosen: the drill-down asks for one and lists nobody (no whole-year scan).
    expect(tab.get_by_text("选择阶段（或点击图中的柱子）", exact=False)).to_be_visible()
    expect(drill_down_caption(tab)).to_have_count(0)
    every = bars(tab)
    assert len({b["group"] for b in every}) >= 2
    # A bar that is neither the pickers' default group nor their default stage.
    first_group = every[0]["group"]
    bar = next(b for b in every if b["group"] != first_group and b["stage"] == "已签约" and b["people"] > 0)
    click_bar(tab, bar)
    expect_people_of(tab, bar)
    people_shown(tab, enclaves={bar["group"]}, mobile=MASKED_MOBILE)


def test_a_recruiters_click_lists_their_own_enclaves_people_with_contacts(tab) -> None:  # type: ignore[no-untyped-def]
    open_funnel_by(tab, "recruiter_sh", "来源渠道")
    every = bars(tab)
    bar = max((b for b in every if b["stage"] == "已到岗"), key=lambda b: b["people"])
    assert bar["people"] > 0
    click_bar(tab, bar)
    expect_people_of(tab, bar)
    people_shown(tab, enclaves={SH}, mobile=WHOLE_MOBILE)        # their own enclave's people, contacts unmasked
