"""扫码报名 in a real Chromium: a phone (375×812) opens a drive's link, is refused twice (bad mobile, no
consent) without losing what it typed, then signs up; HR commits the entry on 扫码报名审核; the person,
their application and their consent exist exactly once, and the same mobile again adds nobody. Then a
small burst: several phones submitting at once, each answered, and one browser session held to its limit.

The server is this module's own, on a database with one drive, its link and an HR account; the
database is read after the server has stopped (DuckDB lets one process hold the file).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest

from db import clock, signups, users
from db.connection import open_database
from db.permissions import SYSTEM
from tests import factories

sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright Python package is not installed")
expect = sync_api.expect
pytest_plugins = ["tests.browser_support"]   # the browser and the tabs, shared with the other browser tests
pytest.register_assert_rewrite("tests.browser_support")

from tests.browser_support import (  # noqa: E402  (only once playwright is known to be there)
    BROWSER_MARKS, expect_overview, open_screen, running_server, session_cookie, settle, submit_login, wait_for,
)

pytestmark = BROWSER_MARKS

HR_PASSWORD = "signup-hr-pw"
PHONE = {"width": 375, "height": 812}
EMPLOYER = "平湖光电科技有限公司"


@dataclass(frozen=True)
class Drive:
    path: Path
    id: int
    token: str


@pytest.fixture
def drive(tmp_path: Path) -> Drive:
    path = tmp_path / "signup.duckdb"
    conn = open_database(path)
    cur = conn.cursor()
    users.ensure_admin(cur, "admin-pw-signup")
    sh = factories.enclave(cur, "SH")
    drive_id = factories.drive(cur, date(2025, 10, 15), enclave_id=sh, employers={
        factories.employer(cur, EMPLOYER): 5, factories.employer(cur, "嘉兴新材料有限公司"): 3})
    hr = users.create_user(cur, SYSTEM, username="hr", display_name="人事", role="hr", password=HR_PASSWORD)
    token = signups.set_up(cur, hr, signups.drive(drive_id), opens_at=None, closes_at=clock.now() + timedelta(days=1)).token
    conn.close()
    return Drive(path, drive_id, token)


def open_form(open_tab, base: str, token: str):  # type: ignore[no-untyped-def]
    phone = open_tab(base, viewport=PHONE)
    phone.goto(f"/?signup={token}")
    expect(phone.get_by_role("heading", name="扬帆计划 · 扫码报名")).to_be_visible()
    settle(phone)
    return phone


def fill(phone, **values: str) -> None:  # type: ignore[no-untyped-def]
    labels = {"name": "姓名 *", "mobile": "手机号 *", "email": "邮箱", "school": "学校 *", "major": "专业"}
    for key, value in values.items():
        phone.get_by_label(labels[key], exact=True).fill(value)


def consent(phone, on: bool) -> None:  # type: ignore[no-untyped-def]
    box = phone.get_by_role("checkbox", name=signups.CONSENT_BOX)
    if box.is_checked() != on:
        phone.get_by_test_id("stCheckbox").filter(has_text="我已阅读上述说明").locator("label").click()
    expect(box).to_be_checked(checked=on)


def send(phone) -> None:  # type: ignore[no-untyped-def]
    phone.get_by_test_id("stFormSubmitButton").get_by_role("button", name="提交报名").click()


def received(phone) -> None:  # type: ignore[no-untyped-def]
    expect(phone.get_by_test_id("stAlertContentSuccess").filter(has_text="已收到您的报名信息")).to_be_visible()
    settle(phone)
    expect(phone.get_by_test_id("stAlertContentError")).to_have_count(0)


def refused(phone, text: str) -> None:  # type: ignore[no-untyped-def]
    expect(phone.get_by_test_id("stAlertContentError").filter(has_text=text).first).to_be_visible()
    settle(phone)


def test_a_phone_signs_up_and_hr_commits_it_once(drive: Drive, open_tab) -> None:  # type: ignore[no-untyped-def]
    with running_server(drive.path) as base:
        sign_up_and_commit(open_tab, base, drive)
    conn = open_database(drive.path)            # the server has stopped: the file is ours to read
    try:
        people = conn.execute("select id, name, mobile, channel, source_drive_id, consent_method, consent_purpose,"
                              " consent_at is not null from candidate").fetchall()
        assert [p[1:] for p in people] == [("林晓", "13800138000", "campus_drive", drive.id, signups.CONSENT_METHOD,
                                            signups.CONSENT_PURPOSE, True)]
        apps = conn.execute("select a.candidate_id, e.name, a.stage, a.drive_id from application a"
                            " join employer e on e.id = a.employer_id").fetchall()
        assert apps == [(people[0][0], EMPLOYER, "applied", drive.id)]
        assert conn.execute("select status, count(*) from signup_entry group by 1 order by 1").fetchall() == [
            ("committed", 1), ("rejected", 1)]
    finally:
        conn.close()


def sign_up_and_commit(open_tab, base: str, drive: Drive) -> None:  # type: ignore[no-untyped-def]
    phone = open_form(open_tab, base, drive.token)
    # Phone-sized, and nothing of the CRM: no sidebar, nothing wider than the screen, the honeypot off it.
    expect(phone.get_by_test_id("stSidebar")).to_have_count(0)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    trap = phone.get_by_label("请勿填写此项", exact=True).bounding_box()
    assert trap is None or trap["x"] + trap["width"] <= 0

    fill(phone, name="林晓", mobile="1380013800", email="linxiao@163.com", school="浙江大学", major="光学工程")
    # Type to filter the multiselect, then ArrowDown opens its list (clicks only toggle it, unreliably).
    employers = phone.get_by_test_id("stMultiSelect").get_by_role("combobox")
    employers.fill("平湖光电")
    employers.press("ArrowDown")
    phone.get_by_role("option", name=EMPLOYER, exact=True).click()
    phone.keyboard.press("Escape")
    consent(phone, True)
    send(phone)                                                     # refused: the mobile has 10 digits
    refused(phone, "手机号应为 11 位数字")
    expect(phone.get_by_label("姓名 *", exact=True)).to_have_value("林晓")
    expect(phone.get_by_label("手机号 *", exact=True)).to_have_value("1380013800")
    expect(phone.get_by_test_id("stMultiSelect")).to_contain_text(EMPLOYER)

    fill(phone, mobile="13800138000")
    consent(phone, False)
    send(phone)                                                     # refused: no consent
    refused(phone, "请阅读个人信息处理说明并勾选同意")
    expect(phone.get_by_label("手机号 *", exact=True)).to_have_value("13800138000")
    expect(phone.get_by_label("学校 *", exact=True)).to_have_value("浙江大学")

    consent(phone, True)
    send(phone)
    received(phone)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    hr = open_tab(base)
    hr.goto("/")
    expect(hr.get_by_label("用户名", exact=True)).to_be_visible()
    submit_login(hr, "hr", HR_PASSWORD)
    expect_overview(hr)
    wait_for(lambda: session_cookie(hr), "the login cookie")     # so that typed addresses resume the login
    open_screen(hr, f"/signup_review?drive={drive.id}", "扫码报名审核")
    hr.get_by_test_id("stButton").get_by_role("button", name="全部入库（1 条）").click()
    expect(hr.get_by_test_id("stAlertContentSuccess").filter(has_text="1 条报名已入库")).to_be_visible()
    expect(hr.get_by_test_id("stAlertContentSuccess")).to_contain_text("新增 1 人")

    again = open_form(open_tab, base, drive.token)                  # the same mobile, another session
    fill(again, name="林晓晓", mobile="138 0013 8000", school="浙江大学")
    consent(again, True)
    send(again)
    received(again)                                                 # the same answer as anyone gets
    open_screen(hr, f"/signup_review?drive={drive.id}", "扫码报名审核")
    expect(hr.get_by_test_id("stMain")).to_contain_text("没有待审核的报名。")


def test_a_small_burst_of_phones_is_answered_and_a_session_held_to_its_limit(  # type: ignore[no-untyped-def]
        drive: Drive, open_tab) -> None:
    with running_server(drive.path) as base:
        burst(open_tab, base, drive)
    conn = open_database(drive.path)
    try:
        assert conn.execute("select count(*), count(distinct mobile) from signup_entry where status = 'pending'"
                            ).fetchall() == [(5 + signups.PER_SESSION - 1, 5 + signups.PER_SESSION - 1)]
    finally:
        conn.close()


def burst(open_tab, base: str, drive: Drive) -> None:  # type: ignore[no-untyped-def]
    phones = [open_form(open_tab, base, drive.token) for _ in range(5)]
    for i, phone in enumerate(phones):
        fill(phone, name=f"同学{i}", mobile=f"1391111000{i}", school="浙江大学")
        consent(phone, True)
    for phone in phones:                                            # all five sent before any answer is read
        send(phone)
    for phone in phones:
        received(phone)
    one = phones[0]
    for i in range(1, signups.PER_SESSION + 1):
        one.get_by_role("button", name="再填一份报名").click()
        expect(one.get_by_label("姓名 *", exact=True)).to_have_value("")
        settle(one)
        fill(one, name=f"同学0-{i}", mobile=f"1392222000{i}", school="浙江大学")
        consent(one, True)
        send(one)
        if i < signups.PER_SESSION:
            received(one)
    expect(one.get_by_test_id("stAlertContentWarning").filter(has_text=f"已提交 {signups.PER_SESSION} 份")).to_be_visible()
    expect(one.get_by_label("姓名 *", exact=True)).to_have_value(f"同学0-{signups.PER_SESSION}")   # kept
    for phone in phones:
        expect(phone.get_by_test_id("stException")).to_have_count(0)
