"""A new office sets itself up entirely on screen, from a database with nothing but its admin: an
enclave, a recruiter for it, an employer with a position, an agreement, a drive with that employer;
the recruiter logs a candidate and moves an application to 已到岗; 总览 and `db report` count it."""
from __future__ import annotations

import json
import subprocess
from datetime import date
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from db import users
from db.connection import clear_shared_connection, open_database
from db.permissions import SYSTEM
from tests.helpers import button, login, metrics

ROOT = Path(__file__).resolve().parent.parent
ADMIN_PASSWORD = "admin-setup-pw"
RECRUITER_PASSWORD = "recruiter-pw-1"


@pytest.fixture
def empty_office(tmp_path: Path) -> Path:
    """What `CRM_DEMO=0 make run` starts with: reference data and one admin account."""
    path = tmp_path / "office.duckdb"
    conn = open_database(path)
    users.ensure_admin(conn.cursor(), ADMIN_PASSWORD)
    conn.close()
    return path


def fill(at: AppTest, values: dict[str, object]) -> None:
    """Set form inputs by key: text by typing, numbers by value, check boxes by ticking."""
    for key, value in values.items():
        if isinstance(value, bool):
            box = at.checkbox(key=key)
            box.check() if value else box.uncheck()
        elif isinstance(value, int):
            at.number_input(key=key).set_value(value)
        else:
            at.text_input(key=key).input(value)


def submit(at: AppTest, label: str) -> AppTest:
    button(at, label).click()
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def pick_school(at: AppTest, key: str, text: str) -> None:
    """The live school search above a form: type, and its best match is preselected."""
    at.text_input(key=f"{key}_school_q").input(text).run()


def db_rows(path: Path, query: str) -> list[tuple]:
    clear_shared_connection()
    conn = open_database(path)
    try:
        return conn.execute(query).fetchall()
    finally:
        conn.close()


@pytest.mark.slow
def test_an_office_sets_itself_up_on_screen(app, empty_office: Path) -> None:  # type: ignore[no-untyped-def]
    at = login(app(empty_office, timeout=120), "admin", ADMIN_PASSWORD)

    at.switch_page("pages/programme_enclaves.py").run()
    fill(at, {"enclave_new_name": "平湖（上海张江）人才飞地", "enclave_new_code": "sh", "enclave_new_city": "上海市",
              "enclave_new_province": "上海市", "enclave_new_host_organisation": "张江科学城"})
    submit(at, "新建飞地")
    assert db_rows(empty_office, "select code, name from enclave") == [("SH", "平湖（上海张江）人才飞地")]
    # The next 新建 form is a blank copy under a new key: a browser keeps, and would send again, what a
    # form it already drew held (seen in Chromium: a second account took the first one's name and password).
    assert at.text_input(key="enclave_new~1_name").value == ""

    at.switch_page("pages/admin_users.py").run()
    enclave_id = db_rows(empty_office, "select id from enclave")[0][0]
    fill(at, {"new_user_name": "recruiter_sh", "new_user_display": "张江专员", "new_user_password": RECRUITER_PASSWORD})
    at.selectbox(key="new_user_role").select("recruiter")
    at.selectbox(key="new_user_enclave").select(enclave_id)
    submit(at, "创建账号")
    assert at.text_input(key="new_user~1_name").value == ""
    assert db_rows(empty_office, "select username, role, enclave_id from app_user where role = 'recruiter'") == [
        ("recruiter_sh", "recruiter", enclave_id)]

    at.switch_page("pages/programme_employers.py").run()
    fill(at, {"employer_new_name": "平湖光电科技有限公司", "employer_new_industry": "光电", "employer_new_is_high_tech": True})
    submit(at, "新建企业")
    employer_id = db_rows(empty_office, "select id from employer")[0][0]
    assert at.query_params["id"] == str(employer_id)           # the new employer is selected
    fill(at, {f"position_{employer_id}_new_title": "光学工程师", f"position_{employer_id}_new_headcount": 3})
    submit(at, "新建岗位")
    assert db_rows(empty_office, "select title, employer_id, headcount from position") == [("光学工程师", employer_id, 3)]

    at.switch_page("pages/programme_agreements.py").run()
    pick_school(at, "agreement_new_university_id", "浙大")
    at.selectbox(key="agreement_new_kind").select("引才协议")
    fill(at, {"agreement_new_title": "平湖市与浙江大学引才协议"})
    at.date_input(key="agreement_new_starts_on").set_value(date(2025, 1, 1))
    at.date_input(key="agreement_new_ends_on").set_value(date(2027, 12, 31))
    submit(at, "新建院校协议")
    assert db_rows(empty_office, "select u.name, a.kind from agreement a join university u on u.id = a.university_id"
                   ) == [("浙江大学", "引才协议")]

    at.switch_page("pages/programme_drives.py").run()
    pick_school(at, "drive_new_university_id", "浙江大学")
    fill(at, {"drive_new_title": "2025年扬帆计划·浙江大学专场"})
    at.date_input(key="drive_new_held_on").set_value(date(date.today().year, 1, 1))   # this year's drive
    at.selectbox(key="drive_new_status").select("held")
    submit(at, "新建校园招聘")
    drive_id = db_rows(empty_office, "select id from campus_drive")[0][0]
    at.selectbox(key=f"drive_emp_{drive_id}").select(employer_id)
    at.number_input(key=f"drive_pos_{drive_id}").set_value(5)
    submit(at, "保存")
    assert db_rows(empty_office, "select drive_id, employer_id, positions_offered from drive_employer") == [
        (drive_id, employer_id, 5)]

    # The recruiter logs a candidate and walks an application to 已到岗.
    rec = login(app(empty_office, timeout=120), "recruiter_sh", RECRUITER_PASSWORD)
    rec.switch_page("pages/candidate_new.py").run()
    rec.text_input(key="new_candidate_name").input("林晓")
    rec.text_input(key="new_candidate_mobile").input("13812340000")
    rec.text_input(key="new_candidate_cm").input("扬帆计划现场登记表签字")
    rec.selectbox(key="new_candidate_degree").select("硕士")
    submit(rec, "保存候选人")
    person = db_rows(empty_office, "select id from candidate")[0][0]
    rec.session_state["candidate_id"] = person
    rec.switch_page("pages/candidate.py").run()
    scope = f"cand{person}_apps"
    rec.selectbox(key=f"{scope}_employer").select(employer_id)
    rec.run()
    submit(rec, "新建投递")
    app_id = db_rows(empty_office, "select id from application")[0][0]
    for stage in ("applied", "interviewing", "intent", "offer", "signed", "arrived"):
        rec.selectbox(key=f"app{app_id}_target").select(stage)
        submit(rec, "确认变更")
    assert db_rows(empty_office, "select stage from application") == [("arrived",)]

    this_year = date.today().year
    rec.switch_page("pages/overview.py").run()
    assert not rec.exception
    boss = login(app(empty_office, timeout=120), "admin", ADMIN_PASSWORD)
    boss.switch_page("pages/overview.py").run()
    assert metrics(boss)["青年大学生"] == "1 人"
    clear_shared_connection()
    report = subprocess.run([sys.executable, "-m", "db", "report", "--year", str(this_year), "--db", str(empty_office),
                             "--json"], capture_output=True, text=True, cwd=ROOT, check=True)
    figures = json.loads(report.stdout)
    assert figures["hires_young_graduate"] == 1
    assert (figures["drive_employers"], figures["drive_universities"], figures["drive_positions"]) == (1, 1, 5)
    assert (figures["enclaves"], figures["agreement_universities"]) == (1, 1)


def test_the_targets_grid_on_screen(app, demo_db: Path) -> None:  # type: ignore[no-untyped-def]
    """Editing a cell saves it (audited); a negative value is refused in Chinese and nothing is written."""
    at = login(app(demo_db, timeout=120), "manager")
    at.switch_page("pages/programme_targets.py").run()
    year = at.selectbox(key="targets_year").value
    at.session_state[f"targets_grid_{year}"] = {"edited_rows": {0: {"high_level": 31}}, "added_rows": [],
                                               "deleted_rows": []}
    at.run()
    submit(at, "保存目标")
    assert any("已保存" in s.value for s in at.success)
    assert db_rows(demo_db, f"select value from target where year = {year} and enclave_id is null"
                            " and metric = 'high_level'") == [(31,)]
    at = login(app(demo_db, timeout=120), "manager")
    at.switch_page("pages/programme_targets.py").run()
    at.session_state[f"targets_grid_{year}"] = {"edited_rows": {0: {"high_level": -4}}, "added_rows": [],
                                               "deleted_rows": []}
    at.run()
    button(at, "保存目标").click()
    at.run()
    assert any("不小于 0 的整数" in e.value for e in at.error)
    assert db_rows(demo_db, f"select value from target where year = {year} and enclave_id is null"
                            " and metric = 'high_level'") == [(31,)]


OFFICE_WORKBOOK = {
    "飞地": [["编码", "名称", "城市", "省份", "依托单位"], ["SH", "平湖（上海张江）人才飞地", "上海市", "上海市", "张江科学城"]],
    "企业": [["企业名称", "行业", "高新技术企业"], ["平湖光电科技有限公司", "光电", "是"]],
    "岗位": [["企业名称", "岗位名称", "招聘人数"], ["平湖光电科技有限公司", "光学工程师", 3]],
    "院校协议": [["高校", "协议类型", "开始日期", "结束日期", "名称"], ["浙大", "引才协议", "2025-01-01", "2027-12-31",
                                                           "平湖市与浙江大学引才协议"]],
    "校园招聘": [["名称", "高校", "日期", "状态"], ["扬帆计划·浙江大学专场", "浙江大学", "{year}-01-01", "已举办"]],
    "参会企业": [["校园招聘名称", "企业名称", "岗位数"], ["扬帆计划·浙江大学专场", "平湖光电科技有限公司", 5]],
}


def office_by_commands(cur) -> None:  # type: ignore[no-untyped-def]
    """The office test_an_office_sets_itself_up_on_screen builds, through the commands its screens call."""
    from db.programmes import agreements, drives, employers, enclaves, register

    admin = SYSTEM
    register.create(cur, admin, enclaves.REGISTER, {"name": "平湖（上海张江）人才飞地", "code": "SH", "city": "上海市",
                                                    "province": "上海市", "host_organisation": "张江科学城"})
    employer = register.create(cur, admin, employers.REGISTER, {"name": "平湖光电科技有限公司", "industry": "光电",
                                                                "is_high_tech": True})
    register.create(cur, admin, employers.POSITIONS, {"title": "光学工程师", "employer_id": employer, "headcount": 3})
    zju = cur.execute("select id from university where name = '浙江大学'").fetchall()[0][0]
    register.create(cur, admin, agreements.REGISTER, {"title": "平湖市与浙江大学引才协议", "university_id": zju,
                                                      "kind": "引才协议", "starts_on": date(2025, 1, 1),
                                                      "ends_on": date(2027, 12, 31)})
    drive = register.create(cur, admin, drives.REGISTER, {"title": "扬帆计划·浙江大学专场", "university_id": zju,
                                                          "held_on": date(date.today().year, 1, 1), "status": "held"})
    drives.set_employer(cur, admin, drive, employer, 5)


def recruiter_hire(cur) -> None:  # type: ignore[no-untyped-def]
    """The recruiter's part: an account, a candidate, an application walked to 已到岗."""
    from db import candidate_commands, pipeline
    from db.candidate_commands import CandidateDraft

    enclave = cur.execute("select id from enclave").fetchall()[0][0]
    recruiter = users.create_user(cur, SYSTEM, username="recruiter_sh", display_name="张江专员", role="recruiter",
                                  password=RECRUITER_PASSWORD, enclave_id=enclave)
    person = candidate_commands.add(cur, recruiter, CandidateDraft(name="林晓", mobile="13812340000", degree="硕士",
                                                                   consent_method="扬帆计划现场登记表签字",
                                                                   consent_purpose="平湖人才招引与就业服务"))
    employer = cur.execute("select id from employer").fetchall()[0][0]
    app_id = pipeline.open_application(cur, recruiter, person, employer_id=employer)
    for stage in ("applied", "interviewing", "intent", "offer", "signed", "arrived"):
        pipeline.move_stage(cur, recruiter, app_id, stage)


def report(cur) -> dict:  # type: ignore[no-untyped-def]
    from db import analytics

    return analytics.headline(cur, SYSTEM, date.today().year).__dict__


def test_the_same_office_from_a_workbook_gives_the_same_figures(tmp_path: Path) -> None:
    from loaders.registers import import_workbook
    from tests.test_registers_import import workbook

    by_hand, by_book = (open_database(tmp_path / name) for name in ("hand.duckdb", "book.duckdb"))
    office_by_commands(by_hand.cursor())
    sheets = {name: [[str(c).replace("{year}", str(date.today().year)) if isinstance(c, str) else c for c in row]
                     for row in rows] for name, rows in OFFICE_WORKBOOK.items()}
    first = import_workbook(by_book.cursor(), SYSTEM, workbook(sheets), "台账.xlsx")
    assert {name: (s.inserted, s.rejected) for name, s in first.sheets.items()} == {
        name: (1, 0) for name in OFFICE_WORKBOOK}
    for conn in (by_hand, by_book):
        recruiter_hire(conn.cursor())
    assert report(by_book.cursor()) == report(by_hand.cursor())
    figures = report(by_book.cursor())
    assert (figures["hires_young_graduate"], figures["drive_employers"], figures["drive_positions"],
            figures["enclaves"], figures["agreement_universities"]) == (1, 1, 5, 1, 1)
    # Importing the same workbook again changes nothing.
    tables = ("enclave", "employer", "position", "agreement", "campus_drive", "drive_employer")
    before = {t: by_book.execute(f"select * from {t} order by all").fetchall() for t in tables}
    again = import_workbook(by_book.cursor(), SYSTEM, workbook(sheets), "台账.xlsx")
    assert {s.unchanged for s in again.sheets.values()} == {1} and not any(s.updated for s in again.sheets.values())
    assert {t: by_book.execute(f"select * from {t} order by all").fetchall() for t in tables} == before
    by_hand.close()
    by_book.close()
