"""校园招聘 end to end (issue 10, item 1): a drive with three employers and their positions, an import
batch attached to it, its per-employer funnel, and the programme's year drive by drive."""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import duckdb
import polars as pl
import pytest

from db import pipeline, users
from db.connection import open_database, shared_connection
from db.permissions import SYSTEM, User
from db.programmes import drives, employers, register
from tests.helpers import login
from tests.import_support import imported
from tests.test_office_setup import ADMIN_PASSWORD, db_rows, submit

HR = User(id=0, username="hr_drive", role="hr")
SHEET = ("姓名,手机号码,毕业院校,学历,意向企业,签约意向\n"
         "甲一,13800000001,浙江大学,硕士,甲公司,是\n"
         "乙二,13800000002,浙江大学,本科,甲公司,否\n"
         "丙三,13800000003,浙江大学,本科,乙公司,是\n"
         "丁四,13800000004,浙江大学,本科,丙公司,\n")


@pytest.fixture
def office(tmp_path: Path) -> Path:
    path = tmp_path / "drive.duckdb"
    conn = open_database(path)
    cur = conn.cursor()
    users.ensure_admin(cur, ADMIN_PASSWORD)
    for name in ("甲公司", "乙公司", "丙公司"):
        register.create(cur, SYSTEM, employers.REGISTER, {"name": name})
    conn.close()
    return path


def test_a_drive_with_three_employers_an_import_and_its_funnel(app, office: Path) -> None:  # type: ignore[no-untyped-def]
    at = login(app(office, timeout=120), "admin", ADMIN_PASSWORD)
    at.switch_page("pages/programme_drives.py").run()
    at.text_input(key="drive_new_university_id_school_q").input("浙江大学").run()
    at.text_input(key="drive_new_title").input("2026 扬帆计划·浙大专场")
    at.date_input(key="drive_new_held_on").set_value(date(date.today().year, 1, 1))
    at.selectbox(key="drive_new_status").select("held")
    submit(at, "新建校园招聘")
    drive = db_rows(office, "select id from campus_drive")[0][0]
    ids = dict(db_rows(office, "select name, id from employer"))
    for name, positions in (("甲公司", 5), ("乙公司", 3), ("丙公司", 2)):
        at.selectbox(key=f"drive_emp_{drive}").select(ids[name])
        at.number_input(key=f"drive_pos_{drive}").set_value(positions)
        submit(at, "保存")
    assert db_rows(office, "select count(*), sum(positions_offered) from drive_employer") == [(3, 10)]

    cur = shared_connection().cursor()       # the app holds the file: write through its connection
    result = imported(cur, HR, SHEET.encode(), "浙大专场报名.csv", drive_id=drive)
    assert (result.inserted, result.applications) == (4, 4)
    first = cur.execute("select a.id from application a join candidate c on c.id = a.candidate_id"
                        " where c.name = '甲一'").fetchall()[0][0]
    for stage in ("offer", "signed", "arrived"):
        pipeline.move_stage(cur, HR, first, stage)

    at.query_params["id"] = str(drive)
    at.run()
    funnel = next(d.value for d in at.dataframe if "registered" in d.value.columns)
    by_employer = {r["employer"]: (r["registered"], r["intent"], r["arrived"]) for r in funnel.to_dict("records")}
    assert by_employer == {"甲公司": (2, 1, 1), "乙公司": (1, 1, 0), "丙公司": (1, 0, 0), "合计": (4, 2, 1)}
    batches = next(d.value for d in at.dataframe if "文件" in d.value.columns)
    assert batches["文件"].tolist() == ["浙大专场报名.csv"]

    at.radio(key="drives_view").set_value("rollup").run()
    figures = {m.label: m.value for m in at.metric}
    assert (figures["场次"], figures["企业"], figures["岗位"], figures["签约意向"], figures["到岗"]) == (
        "1 场", "3 家", "10 个", "2 人", "1 人")
    assert not at.exception


def test_funnel_counts_a_merged_person_once_and_an_exit_keeps_what_was_reached(cur: duckdb.DuckDBPyConnection) -> None:
    from tests import factories as f

    employer = f.employer(cur, "甲公司")
    drive = f.drive(cur, date(2025, 10, 1), employers={employer: 4})
    kept, merged = f.candidate(cur, "甲"), f.candidate(cur, "甲（重复）")
    for person in (kept, merged):
        app_id = f.walk(cur, person, ("lead", datetime(2025, 10, 1, 10)), ("interviewing", datetime(2025, 10, 5, 10)),
                        ("rejected", datetime(2025, 10, 9, 10)), drive_id=drive)
        cur.execute("update application set employer_id = ? where id = ?", [employer, app_id])
    cur.execute("update candidate set merged_into = ? where id = ?", [kept, merged])
    found = drives.funnel(cur, SYSTEM, drive).filter(pl.col("employer") == "甲公司").row(0, named=True)
    assert (found["registered"], found["interviewing"], found["intent"]) == (1, 1, 0)
