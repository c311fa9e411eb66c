"""A new office sets itself up in a real Chromium, from a database with nothing but its admin: an
enclave, a recruiter for it, an employer with a position, an agreement, a drive with that employer;
the recruiter logs a candidate and walks an application to 已到岗; the admin's 总览 counts the hire.

tests/test_office_setup.py does the same through AppTest, by widget key; this one clicks what a new
office would click — select boxes opened and an option picked, dates typed into react-aria's
segments, the school found by typing — so what only a browser shows (a value a form drops, an
expander that closes, a message that never appears) fails here. The browser and the tabs are
tests/browser_support.py's; the server is this test's own, on an empty office.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from db.connection import open_database
from db.users import ensure_admin

sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright Python package is not installed")
expect = sync_api.expect
pytest_plugins = ["tests.browser_support"]   # the browser and the tabs, shared with the other browser tests
pytest.register_assert_rewrite("tests.browser_support")

from tests.browser_support import (  # noqa: E402  (only once playwright is known to be there)
    ARTIFACTS, BROWSER_MARKS, expect_overview, full_screenshot, open_login, running_server, settle, submit_login,
    switch_screen,
)

pytestmark = BROWSER_MARKS

ADMIN_PASSWORD = "admin-setup-pw"
RECRUITER_PASSWORD = "recruiter-pw-1"
ENCLAVE = "平湖（上海张江）人才飞地"
EMPLOYER = "平湖光电科技有限公司"
PERSON = "林晓"
# Stage by stage from where a new application starts (线索) to 已到岗.
STAGES = ("线索", "已联系", "已投递", "面试中", "签约意向", "已录用", "已签约", "已到岗")


@pytest.fixture
def office(tmp_path: Path) -> Iterator[str]:
    """An app server on what `CRM_DEMO=0 make run` starts with: reference data and one admin.
    Requested before `open_tab`, so it stops after open_tab's failure screenshots are taken."""
    path = tmp_path / "office.duckdb"
    conn = open_database(path)
    ensure_admin(conn.cursor(), ADMIN_PASSWORD)
    conn.close()
    with running_server(path) as base:
        yield base


# ---- driving the widgets ------------------------------------------------------------------------

def log_in(tab, username: str, password: str) -> None:  # type: ignore[no-untyped-def]
    open_login(tab)
    submit_login(tab, username, password)
    expect_overview(tab)
    settle(tab)


def expander(tab, title: str):  # type: ignore[no-untyped-def]
    """An expander by its title, opened, once its opening animation is over: during it (about 0.6 s)
    a click on a select box inside opens the list and closes it again at once."""
    box = tab.get_by_test_id("stExpander").filter(has=tab.locator("summary", has_text=title))
    details = box.locator("details")
    if details.get_attribute("open") is None:
        box.locator("summary").click()
    expect(details).to_have_attribute("open", "")
    expect(details).not_to_have_attribute("style", re.compile("height"))   # the animation's inline height
    expect(box.get_by_test_id("stExpanderDetails")).to_be_visible()
    return box


def widget(scope, kind: str, label: str):  # type: ignore[no-untyped-def]
    """The widget container of `kind` (stSelectbox, stDateInput …) in `scope` whose label reads `label`."""
    label_text = scope.page.get_by_test_id("stWidgetLabel").get_by_text(label, exact=True)
    return scope.get_by_test_id(kind).filter(has=label_text)


def choose(scope, label: str, option: str) -> None:  # type: ignore[no-untyped-def]
    """Open the select box labelled `label` and click `option` in its list (the list is drawn outside
    the widget, so it is looked for in the whole tab)."""
    box = widget(scope, "stSelectbox", label)
    box.get_by_role("combobox").click()
    scope.page.get_by_role("option", name=option, exact=True).click()
    expect(box.get_by_role("combobox")).to_have_value(option)


def enter_date(scope, label: str, day: date) -> None:  # type: ignore[no-untyped-def]
    """Type a date into a date input's segments: from the year segment, in one go (react-aria moves on
    to the next segment once one is full), then Escape. A click on a segment opens the calendar, and
    it stays open while typing, after Enter and after Tab, over the widgets below the field (the next
    click there only closes it); Escape closes it and keeps the typed date."""
    field = widget(scope, "stDateInput", label)
    field.locator('span[role="spinbutton"][data-type="year"]').click()
    scope.page.keyboard.type(f"{day.year:04d}{day.month:02d}{day.day:02d}")
    scope.page.keyboard.press("Escape")
    expect(scope.page.get_by_test_id("stDateInputCalendar")).to_have_count(0)
    for part, value in (("year", day.year), ("month", day.month), ("day", day.day)):
        expect(field.locator(f'span[role="spinbutton"][data-type="{part}"]')).to_have_attribute(
            "aria-valuenow", str(value))


def find_school(scope, label: str, text: str, expected: str) -> None:  # type: ignore[no-untyped-def]
    """The live school search above a form: type, Enter, and its best match shows preselected."""
    scope.get_by_label("查找学校", exact=True).fill(text)
    scope.get_by_label("查找学校", exact=True).press("Enter")
    expect(widget(scope, "stSelectbox", label).get_by_role("combobox")).to_have_value(re.compile(f"^{expected}"))
    settle(scope.page)   # a click while the search's rerun still draws can land on a box being replaced


def submit(scope, button: str) -> None:  # type: ignore[no-untyped-def]
    scope.get_by_test_id("stFormSubmitButton").get_by_role("button", name=button, exact=True).click()


def succeeded(tab, text: str) -> None:  # type: ignore[no-untyped-def]
    """The green message a write leaves (it survives the write's rerun), and no error beside it."""
    expect(tab.get_by_test_id("stAlertContentSuccess").filter(has_text=text)).to_be_visible()
    settle(tab)
    expect(tab.get_by_test_id("stAlertContentError")).to_have_count(0)


def metric(tab, label: str):  # type: ignore[no-untyped-def]
    return tab.get_by_test_id("stMetric").filter(
        has=tab.get_by_test_id("stMetricLabel").get_by_text(label, exact=True)).get_by_test_id("stMetricValue")


# ---- the test -----------------------------------------------------------------------------------

def test_an_office_sets_itself_up_in_a_browser(office: str, open_tab) -> None:  # type: ignore[no-untyped-def]
    this_year = date.today().year
    admin = open_tab(office)
    log_in(admin, "admin", ADMIN_PASSWORD)

    # 1. the enclave
    switch_screen(admin, "人才飞地")
    form = expander(admin, "新建飞地")
    for label, value in (("名称 *", ENCLAVE), ("编码 *", "sh"), ("城市 *", "上海市"), ("省份 *", "上海市"),
                         ("依托单位", "张江科学城")):
        form.get_by_label(label, exact=True).fill(value)
    submit(form, "新建飞地")
    succeeded(admin, "已新建飞地")
    expect(admin.get_by_role("heading", name=f"{ENCLAVE}（SH）")).to_be_visible()

    # 2. its recruiter
    switch_screen(admin, "用户管理")
    form = admin.get_by_test_id("stForm").filter(has_text="创建账号")
    form.get_by_label("用户名（英文）", exact=True).fill("recruiter_sh")
    form.get_by_label("姓名", exact=True).fill("张江专员")
    choose(form, "角色", "招才专员")
    choose(form, "所属飞地（招才专员必填）", ENCLAVE)
    form.get_by_label("初始密码（至少 8 个字符）", exact=True).fill(RECRUITER_PASSWORD)
    submit(form, "创建账号")
    succeeded(admin, "已创建账号 recruiter_sh")

    # 3. an employer, and a position under it
    switch_screen(admin, "企业与岗位")
    form = expander(admin, "新建企业")
    form.get_by_label("企业名称 *", exact=True).fill(EMPLOYER)
    form.get_by_label("行业", exact=True).fill("光电")
    form.get_by_text("高新技术企业", exact=True).click()
    expect(form.get_by_role("checkbox", name="高新技术企业")).to_be_checked()
    submit(form, "新建企业")
    succeeded(admin, "已新建企业")
    expect(admin.get_by_role("heading", name=EMPLOYER)).to_be_visible()     # the new employer is selected
    form = expander(admin, "新建岗位")
    form.get_by_label("岗位名称 *", exact=True).fill("光学工程师")
    form.get_by_label("招聘人数", exact=True).fill("3")
    submit(form, "新建岗位")
    succeeded(admin, "已新建岗位")
    expect(admin.get_by_role("tab", name="岗位（1）")).to_be_visible()

    # 4. an agreement with 浙江大学
    switch_screen(admin, "院校协议")
    form = expander(admin, "新建院校协议")
    find_school(form, "高校 *", "浙大", "浙江大学")
    form.get_by_label("名称", exact=True).fill("平湖市与浙江大学引才协议")
    choose(form, "协议类型 *", "引才协议")
    enter_date(form, "开始日期 *", date(2025, 1, 1))
    enter_date(form, "结束日期", date(2027, 12, 31))
    submit(form, "新建院校协议")
    succeeded(admin, "已新建院校协议")
    for typed in ("开始日期：2025-01-01", "结束日期：2027-12-31"):     # the typed dates were kept
        expect(admin.get_by_test_id("stMain")).to_contain_text(typed)

    # 5. this year's drive at 浙江大学, with the employer offering 5 positions
    switch_screen(admin, "校园招聘")
    form = expander(admin, "新建校园招聘")
    find_school(form, "高校 *", "浙江大学", "浙江大学")
    form.get_by_label("名称 *", exact=True).fill(f"{this_year}年扬帆计划·浙江大学专场")
    enter_date(form, "日期 *", date(this_year, 1, 1))
    choose(form, "状态 *", "已举办")
    submit(form, "新建校园招聘")
    succeeded(admin, "已新建校园招聘")
    expect(admin.get_by_test_id("stMain")).to_contain_text(f"日期：{this_year}-01-01")
    admin.get_by_role("tab", name="参会企业与岗位").click()     # the drive's detail opens on its funnel
    form = expander(admin, "添加参会企业")
    choose(form, "企业", EMPLOYER)
    form.get_by_label("岗位数", exact=True).fill("5")
    submit(form, "保存")
    succeeded(admin, "已保存参会企业")
    expect(metric(admin, "参会企业")).to_have_text("1 家")
    expect(metric(admin, "岗位")).to_have_text("5 个")

    # 6. the recruiter logs a candidate and walks an application to 已到岗
    recruiter = open_tab(office)
    log_in(recruiter, "recruiter_sh", RECRUITER_PASSWORD)
    switch_screen(recruiter, "新建候选人")
    form = recruiter.get_by_test_id("stForm")
    form.get_by_label("姓名 *", exact=True).fill(PERSON)
    form.get_by_label("手机", exact=True).fill("13812340000")
    choose(form, "学历", "硕士")
    form.get_by_label("授权取得方式 *", exact=True).fill("扬帆计划现场登记表签字")
    submit(form, "保存候选人")
    succeeded(recruiter, "已保存，候选人编号")
    recruiter.get_by_role("button", name="查看该候选人").click()
    expect(recruiter.get_by_role("heading", name=PERSON)).to_be_visible()
    settle(recruiter)
    recruiter.get_by_role("tab", name="投递与阶段").click()
    form = expander(recruiter, "新建投递")
    choose(form, "企业", EMPLOYER)
    submit(form, "新建投递")
    succeeded(recruiter, f"已新建投递：{EMPLOYER}（线索）")
    for current, target in zip(STAGES, STAGES[1:]):
        form = expander(recruiter, "变更阶段")
        choose(form, "目标阶段", target)
        submit(form, "确认变更")
        succeeded(recruiter, f"从「{current}」变更为「{target}」")

    # 7. the admin's 总览 counts the hire
    switch_screen(admin, "总览")
    choose(admin.get_by_test_id("stMain"), "年度", f"{this_year} 年")
    expect(metric(admin, "青年大学生")).to_have_text("1 人")
    for label, shown in (("场次", "1 场"), ("企业", "1 家"), ("岗位", "5 个"), ("有效协议", "1 份"), ("合作高校", "1 所")):
        expect(metric(admin, label)).to_have_text(shown)
    ARTIFACTS.mkdir(exist_ok=True)
    full_screenshot(admin, ARTIFACTS / "office-setup-overview.png")
