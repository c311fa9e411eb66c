"""Deletion on request (PIPL art. 47): afterwards no table holds anything that identifies the person,
and the year's counts are what they were."""
from __future__ import annotations

from datetime import date

import duckdb

from db import activities, analytics, candidate_commands as cc, duplicates, pipeline
from db.candidate_commands import CandidateDraft
from db.permissions import SYSTEM, User
from tests import factories as f
from tests.import_support import imported

HR = User(id=0, username="hr_erasure", role="hr")
# Values no other row of the test database can hold by chance.
NAME, MERGED_NAME = "欧阳测甲", "欧阳测乙"
MOBILE, OTHER_MOBILE, EMAIL = "13812345679", "13987654321", "ouyang.ceshi@example.cn"
SCHOOL, MAJOR, COLLEGE = "不存在的测试学院甲", "量子考古学", "时间旅行学院"
IDENTIFYING = (NAME, MERGED_NAME, MOBILE, OTHER_MOBILE, EMAIL, SCHOOL, MAJOR, COLLEGE, "ouyangce", "oyc")


def every_text(cur: duckdb.DuckDBPyConnection) -> str:
    """Every VARCHAR cell of every table, as one string."""
    columns = cur.execute("select table_name, column_name from information_schema.columns"
                          " where data_type = 'VARCHAR' and table_schema = 'main'").fetchall()
    cells = []
    for table, column in columns:
        cells += [str(v) for v, in cur.execute(f'select "{column}" from "{table}" where "{column}" is not null').fetchall()]
    return "\n".join(cells)


def csv(*rows: str) -> bytes:
    return ("姓名,手机号码,邮箱,毕业院校,学院,专业,学历,毕业时间\n" + "\n".join(rows) + "\n").encode()


def test_nothing_identifying_survives_and_counts_stay(cur: duckdb.DuckDBPyConnection) -> None:
    # An import creates the person with warnings on their row (unknown school, unreadable degree),
    # and rejects a nameless row that carries their mobile.
    imported(cur, HR, csv(f"{NAME},{MOBILE},,{SCHOOL},{COLLEGE},{MAJOR},某学历,2025年6月", f",{MOBILE},,,,,,"), "a.csv")
    person = cur.execute("select id from candidate where name = ?", [NAME]).fetchall()[0][0]
    # A second file fills their blank e-mail (an import_fill) and warns about a differing name.
    imported(cur, HR, csv(f"{NAME}X,{MOBILE},{EMAIL},,,,,"), "b.csv")
    # A second record of theirs is merged into them; an edit, an activity, a move with a note,
    # a dismissed duplicate pair, a co-supervision topic.
    other = cc.add(cur, HR, CandidateDraft(name=MERGED_NAME, mobile=OTHER_MOBILE, channel="online",
                                           consent_method=f"{MERGED_NAME}签字", consent_purpose="招聘"))
    versions = tuple(cur.execute("select version from candidate where id = ?", [i]).fetchall()[0][0]
                     for i in (person, other))
    duplicates.merge(cur, HR, person, other, take_from_merged=set(), versions=versions)  # type: ignore[arg-type]
    third = cc.add(cur, HR, CandidateDraft(name="路人丙", mobile="13700000009", channel="online",
                                           consent_method="表单", consent_purpose="招聘"))
    duplicates.dismiss(cur, HR, person, third, reason=f"{NAME}与路人丙出生年份不同")
    activities.log(cur, HR, person, kind="call", occurred_on=date(2025, 7, 1), body=f"电话 {MOBILE}，{NAME}本人接听")
    employer = f.employer(cur, "测试企业")
    app = pipeline.open_application(cur, HR, person, employer_id=employer, stage="intent", note=f"{NAME}有意向")
    pipeline.move_stage(cur, HR, app, "offer", note=f"给{NAME}发 offer")
    cur.execute("insert into co_supervision (id, candidate_id, university_id, employer_id, enterprise_mentor,"
                " university_mentor, kind, topic, starts_on) values (1, ?, 1, ?, '王导师', '李导师', '联培', ?,"
                " date '2025-09-01')", [person, employer, f"{NAME}的课题"])
    assert all(value in every_text(cur) for value in (NAME, MOBILE, EMAIL, SCHOOL, MAJOR, MERGED_NAME))
    before = (analytics.hires_by_category(cur, SYSTEM, 2026), cur.execute(
        "select count(*) from stage_event").fetchall(), cur.execute("select count(*) from application").fetchall())

    cc.delete_on_request(cur, HR, person, reason=f"{NAME}本人电话要求删除")

    left = every_text(cur)
    assert [value for value in IDENTIFYING if value in left] == []
    assert before == (analytics.hires_by_category(cur, SYSTEM, 2026), cur.execute(
        "select count(*) from stage_event").fetchall(), cur.execute("select count(*) from application").fetchall())
    names = dict(cur.execute("select id, name from candidate where id in (?, ?)", [person, other]).fetchall())
    assert names == {person: f"已删除#{person}", other: f"已删除#{other}"}
    assert cur.execute("select action from audit_log order by id desc limit 1").fetchall() == [("delete",)]
    # The number is free again; the person's history (their applications) still counts.
    cc.add(cur, HR, CandidateDraft(name="新人", mobile=MOBILE, channel="online", consent_method="表单",
                                   consent_purpose="招聘"))
