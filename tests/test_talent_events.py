"""人才活动 (issue 10, item 2): the event register, who may change it, its attendees (one by one, a pasted
list of whole mobiles / e-mails, removal), attendee → application → hire conversion, merges and
deletions, masking, the report keys, and the 人才活动 screen."""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from db import analytics, duplicates, erasure, integrity, users
from db.connection import open_database
from db.errors import ConcurrentEdit, NotFound, PermissionDenied, ValidationError
from db.permissions import SYSTEM, User
from db.programmes import events, register
from tests import factories as f
from tests.conftest import ROOT, PipelineWorld
from tests.helpers import HOSTILE, button, login, metrics, shown
from tests.test_office_setup import ADMIN_PASSWORD, db_rows, submit

REG = events.REGISTER
START = date(2025, 5, 10)


def event(cur: duckdb.DuckDBPyConnection, name: str = "星耀南湖·菁英荟 第3场", *, kind: str = "matching",
          starts_on: date = START, actor: User = SYSTEM, **more: object) -> int:
    return register.create(cur, actor, REG, {"name": name, "kind": kind, "starts_on": starts_on, **more})


def attendee_ids(cur: duckdb.DuckDBPyConnection, event_id: int) -> list[int]:
    return [r[0] for r in cur.execute("select candidate_id from event_attendee where event_id = ? order by 1",
                                      [event_id]).fetchall()]


# --- who may do what ------------------------------------------------------------------------------------

def test_a_recruiter_reads_events_but_changes_nothing(cur: duckdb.DuckDBPyConnection, world: PipelineWorld) -> None:
    recruiter = world.users["recruiter_sh"]
    e = event(cur)
    events.add_attendees(cur, SYSTEM, e, [world.alice])
    refused = [
        lambda: event(cur, "另一场", actor=recruiter),
        lambda: register.update(cur, recruiter, REG, e, {"place": "平湖"}, expected_version=1),
        lambda: register.set_active(cur, recruiter, REG, e, False, expected_version=1),
        lambda: register.delete(cur, recruiter, REG, e),
        lambda: events.add_attendees(cur, recruiter, e, [world.bob]),
        lambda: events.add_from_list(cur, recruiter, e, "13900139000"),
        lambda: events.remove_attendee(cur, recruiter, e, world.alice),
        lambda: events.set_employers(cur, recruiter, e, [world.employer]),
    ]
    for command in refused:
        with pytest.raises(PermissionDenied, match="招才专员只能查看项目信息，不能修改。"):
            command()
    assert attendee_ids(cur, e) == [world.alice]
    assert register.get(cur, recruiter, REG, e)["version"] == 1
    assert register.search(cur, recruiter, REG).height == 1
    assert events.attendees(cur, recruiter, e).height == 1
    assert events.conversion(cur, recruiter, e).attendees == 1
    assert events.summary(cur, recruiter, 2025).filter(kind="matching")["events"].item() == 1
    assert events.employers(cur, recruiter, e).height == 0


@pytest.mark.parametrize("username", ["manager", "hr", "admin"])
def test_managers_hr_and_admins_keep_the_register(cur: duckdb.DuckDBPyConnection, world: PipelineWorld,
                                                 username: str) -> None:
    actor = world.users[username]
    e = event(cur, actor=actor, kind="talent_class", ends_on=date(2025, 5, 23), industry="光电", capacity=60,
              university_id=1)
    assert register.update(cur, actor, REG, e, {"place": "平湖市技师学院"}, expected_version=1)
    with pytest.raises(ConcurrentEdit, match="该记录刚被他人修改"):
        register.update(cur, actor, REG, e, {"place": "独山港"}, expected_version=1)
    assert events.add_attendees(cur, actor, e, [world.alice, world.bob]) == events.Added(2, 0)
    assert events.set_employers(cur, actor, e, [world.employer, world.other_employer]) == 2
    with pytest.raises(ValidationError, match="不能删除人才活动.*2 名参加人员、2 家合作企业"):
        register.delete(cur, actor, REG, e)
    register.set_active(cur, actor, REG, e, False, expected_version=2)
    events.remove_attendee(cur, actor, e, world.alice)
    events.remove_attendee(cur, actor, e, world.bob)
    with pytest.raises(ValidationError, match="不在本活动的参加名单中"):
        events.remove_attendee(cur, actor, e, world.bob)
    events.set_employers(cur, actor, e, [])
    register.delete(cur, actor, REG, e)
    assert cur.execute("select count(*) from talent_event").fetchall() == [(0,)]
    trail = cur.execute("select action, detail from audit_log where entity = 'talent_event' and actor = ?"
                        " order by id", [username]).fetchall()
    assert [a for a, _ in trail] == ["create", "update", "update", "update", "update", "update", "update", "update",
                                     "delete"]
    assert "添加参加人员 2 人（逐个添加）" in trail[2][1]


def test_validation_speaks_chinese_and_names_the_field(cur: duckdb.DuckDBPyConnection) -> None:
    cases = [
        ({"kind": "matching", "starts_on": START}, "请填写「名称」。", "name"),
        ({"name": "甲", "kind": "party", "starts_on": START}, "「类型」只能是 产业人才班、产才对接活动、其他。", "kind"),
        ({"name": "甲", "kind": "matching"}, "请填写「开始日期」。", "starts_on"),
        ({"name": "甲", "kind": "matching", "starts_on": START, "ends_on": date(2025, 5, 1)},
         "「结束日期」早于「开始日期」，请检查。", "ends_on"),
        ({"name": "甲", "kind": "matching", "starts_on": START, "capacity": -3}, "「计划人数」应为不小于 0 的整数。",
         "capacity"),
        ({"name": "甲", "kind": "matching", "starts_on": START, "university_id": 10**9}, "所选合作高校不存在，请重新选择。",
         "university_id"),
        ({"name": "甲", "kind": "matching", "starts_on": START, "notes": "联系人 11010519491231002X"},
         "「备注」中含有身份证号码", "notes"),
    ]
    for raw, message, field in cases:
        with pytest.raises(ValidationError, match=message) as refused:
            register.create(cur, SYSTEM, REG, raw)
        assert refused.value.field == field
    one_day = event(cur, "  星耀南湖·菁英荟   第1场 ")
    row = register.get(cur, SYSTEM, REG, one_day)
    assert (row["name"], row["ends_on"]) == ("星耀南湖·菁英荟 第1场", START)      # one day unless told
    with pytest.raises(ValidationError, match="已有名称为「星耀南湖·菁英荟 第1场」的人才活动（编号 \\d+）"):
        event(cur, "星耀南湖·菁英荟 第1场", starts_on=date(2026, 1, 1))


# --- attendees ----------------------------------------------------------------------------------------

def test_adding_someone_twice_changes_nothing(cur: duckdb.DuckDBPyConnection, world: PipelineWorld) -> None:
    e = event(cur)
    assert events.add_attendees(cur, SYSTEM, e, [world.alice, world.alice]) == events.Added(1, 0)
    before = cur.execute("select * from event_attendee").fetchall()
    entries = cur.execute("select count(*) from audit_log where entity = 'talent_event'").fetchall()
    assert events.add_attendees(cur, SYSTEM, e, [world.alice], source="import") == events.Added(0, 1)
    assert cur.execute("select * from event_attendee").fetchall() == before          # not even the source
    assert cur.execute("select count(*) from audit_log where entity = 'talent_event'").fetchall() == entries
    assert events.add_attendees(cur, SYSTEM, e, [world.alice, world.bob]).summary == "已添加 1 人，1 人已在名单中，未重复添加。"
    with pytest.raises(ValidationError, match="请选择要添加的人员"):
        events.add_attendees(cur, SYSTEM, e, [])
    with pytest.raises(ValidationError, match="未知的添加方式"):
        events.add_attendees(cur, SYSTEM, e, [world.alice], source="walk_in")
    with pytest.raises(NotFound, match="该人才活动不存在"):
        events.add_attendees(cur, SYSTEM, 999, [world.alice])


def test_merged_deleted_and_unknown_people_are_refused_by_name(cur: duckdb.DuckDBPyConnection,
                                                              world: PipelineWorld) -> None:
    e = event(cur)
    merged = f.candidate(cur, "李娜（重复）", merged_into=world.alice)
    deleted = f.candidate(cur, "已删除", deleted=True)
    with pytest.raises(ValidationError) as refused:
        events.add_attendees(cur, SYSTEM, e, [world.bob, merged, deleted, 424242])
    assert str(refused.value) == (f"未添加任何人：编号 {merged} 已合并到编号 {world.alice}，请添加编号 {world.alice}；"
                                  f"编号 {deleted} 已按本人要求删除，不能再添加；编号 424242 的候选人不存在。")
    assert attendee_ids(cur, e) == []          # bob neither: one refusal, nothing half-done


def test_a_pasted_list_matches_whole_mobiles_and_emails_only(cur: duckdb.DuckDBPyConnection,
                                                            world: PipelineWorld) -> None:
    e = event(cur)
    old_record = f.candidate(cur, "王强（旧）", merged_into=world.bob)      # merged: stands for bob
    gone = f.candidate(cur, "已删除", deleted=True)
    cur.execute("update candidate set mobile = '13600136000' where id = ?", [old_record])
    cur.execute("update candidate set mobile = '13500135000' where id = ?", [gone])
    pasted = ("138-0013-8000\n+86 139 0013 9000；LINA@Example.com, 13600136000\n"
              "8000、1380013 张三\n13700137000\tnobody@example.com\n13500135000")
    result = events.add_from_list(cur, world.users["hr"], e, pasted)
    assert (result.added, result.already) == (2, 0)
    assert attendee_ids(cur, e) == sorted([world.alice, world.bob])
    assert result.unknown == ("13700137000", "nobody@example.com", "13500135000")   # never created
    assert result.unreadable == ("8000", "1380013", "张三")                          # parts of a number find nobody
    assert result.summary == "已添加 2 人，3 个号码/邮箱查无此人，未添加，3 条不是完整的手机号或邮箱，未添加。"
    assert cur.execute("select count(*) from candidate").fetchall() == [(4,)]
    assert cur.execute("select distinct source from event_attendee").fetchall() == [("list",)]
    again = events.add_from_list(cur, world.users["hr"], e, "13800138000")
    assert (again.added, again.already) == (0, 1)
    with pytest.raises(ValidationError, match="请粘贴手机号或邮箱"):
        events.add_from_list(cur, world.users["hr"], e, " \n ，")
    with pytest.raises(ValidationError, match="一次最多粘贴 3,000 条"):
        events.add_from_list(cur, world.users["hr"], e, "\n".join(f"1380000{i:04d}" for i in range(3001)))


def test_attendee_contacts_are_masked_as_the_search_masks_them(cur: duckdb.DuckDBPyConnection,
                                                              world: PipelineWorld) -> None:
    e = event(cur)
    events.add_attendees(cur, SYSTEM, e, [world.alice, world.bob])

    def seen(username: str) -> dict[str, tuple[str, str]]:
        found = events.attendees(cur, world.users[username], e)
        return {r["name"]: (r["mobile"], r["email"]) for r in found.iter_rows(named=True)}

    assert seen("recruiter_cd") == {"李娜": ("138****8000", "l***@example.com"), "王强": ("13900139000", "wq@163.com")}
    assert seen("recruiter_sh") == {"李娜": ("13800138000", "lina@example.com"), "王强": ("139****9000", "w***@163.com")}
    assert seen("manager")["李娜"] == ("138****8000", "l***@example.com")     # masked by default, as everywhere


# --- what attending led to --------------------------------------------------------------------------------

def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour)


def test_conversion_counts_what_came_after_the_start_per_person(cur: duckdb.DuckDBPyConnection) -> None:
    e = event(cur, kind="talent_class", ends_on=date(2025, 5, 20))
    hired, early, interviewed, let_go, idle, elsewhere = (f.candidate(cur, n) for n in "甲乙丙丁戊己")
    twin, survivor = f.candidate(cur, "庚（重复）"), f.candidate(cur, "庚")
    f.walk(cur, hired, ("lead", at(date(2025, 5, 20))), ("intent", at(date(2025, 6, 1))),
           ("arrived", at(date(2025, 7, 1))))
    # Applied before the class: whatever it reached afterwards, the class did not bring it about.
    f.walk(cur, early, ("lead", at(date(2025, 4, 1))), ("intent", at(date(2025, 5, 15))),
           ("arrived", at(date(2025, 6, 1))))
    f.walk(cur, interviewed, ("applied", at(START, 9)), ("interviewing", at(date(2025, 5, 30))))   # the first day counts
    f.walk(cur, let_go, ("lead", at(date(2025, 6, 1))), ("intent", at(date(2025, 6, 9))),
           ("rejected", at(date(2025, 6, 20))))                                                  # reached 签约意向
    f.walk(cur, elsewhere, ("lead", at(date(2025, 6, 1))), ("arrived", at(date(2025, 8, 1))))   # not an attendee
    f.walk(cur, survivor, ("lead", at(date(2025, 6, 3))), ("signed", at(date(2025, 7, 3))))
    events.add_attendees(cur, SYSTEM, e, [hired, early, interviewed, let_go, idle, twin, survivor])
    other = event(cur, "另一场")
    events.add_attendees(cur, SYSTEM, other, [twin])
    assert events.conversion(cur, SYSTEM, e) == events.Conversion(attendees=7, applied=4, intents=3, arrived=1)

    duplicates.merge(cur, SYSTEM, survivor, twin, take_from_merged=set(), versions=(1, 1))
    assert attendee_ids(cur, e) == sorted([hired, early, interviewed, let_go, idle, survivor])   # one row, the survivor's
    assert attendee_ids(cur, other) == [survivor]                                               # moved
    found = events.conversion(cur, SYSTEM, e)
    assert found == events.Conversion(attendees=6, applied=4, intents=3, arrived=1)
    assert (found.rate("applied"), found.rate("arrived", of="applied")) == (4 / 6, 1 / 4)
    assert found.table()["people"].to_list() == [6, 4, 3, 1]
    reached = {r["name"]: r["reached"] for r in events.attendees(cur, SYSTEM, e).iter_rows(named=True)}
    assert reached == {"甲": "已到岗", "乙": None, "丙": "面试中", "丁": "签约意向", "戊": None, "庚": "已签约"}
    assert {k: v for k, v in integrity.dangling(cur).items() if v} == {}


def test_merge_moves_attendances_the_survivor_lacks_and_keeps_its_own(cur: duckdb.DuckDBPyConnection) -> None:
    both, only_merged = event(cur, "甲场"), event(cur, "乙场")
    keep, gone = f.candidate(cur, "辛"), f.candidate(cur, "辛（重复）")
    events.add_attendees(cur, SYSTEM, both, [keep], source="manual")
    events.add_attendees(cur, SYSTEM, both, [gone], source="list")
    events.add_attendees(cur, SYSTEM, only_merged, [gone], source="import")
    duplicates.merge(cur, SYSTEM, keep, gone, take_from_merged=set(), versions=(1, 1))
    assert cur.execute("select event_id, candidate_id, source from event_attendee order by event_id").fetchall() == [
        (both, keep, "manual"), (only_merged, keep, "import")]
    assert integrity.dangling(cur)["event_attendee on a merged candidate"] == 0


def test_deletion_on_request_keeps_the_attendance_and_nothing_that_identifies(cur: duckdb.DuckDBPyConnection,
                                                                            world: PipelineWorld) -> None:
    e = event(cur, kind="talent_class")
    events.add_from_list(cur, world.users["hr"], e, "13800138000")
    erasure.delete_on_request(cur, world.users["hr"], world.alice, reason="本人电话要求删除")
    assert attendee_ids(cur, e) == [world.alice]
    assert events.summary(cur, SYSTEM, 2025).filter(kind="talent_class")["attendees"].item() == 1
    assert events.attendees(cur, SYSTEM, e)["name"].to_list() == [f"已删除#{world.alice}"]
    kept = " ".join(str(v) for table in ("talent_event", "event_attendee", "event_employer")
                    for row in cur.execute(f"select * from {table}").fetchall() for v in row)
    kept += " ".join(str(v) for row in cur.execute("select detail, before_json, after_json from audit_log"
                                                   " where entity = 'talent_event'").fetchall() for v in row)
    for personal in ("李娜", "13800138000", "lina@example.com"):
        assert personal not in kept


# --- the year's figures ---------------------------------------------------------------------------------

@pytest.fixture
def year_of_events(cur: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """2025: two classes sharing a trainee, a deactivated class, a class from 2024, two matching events and
    an 'other'; one trainee merged into another person who attended too."""
    people = [f.candidate(cur, f"学员{i}") for i in range(6)]
    first = event(cur, "2025 光电产业人才班（第一期）", kind="talent_class", starts_on=date(2025, 3, 10))
    second = event(cur, "2025 光电产业人才班（第二期）", kind="talent_class", starts_on=date(2025, 12, 28),
                   ends_on=date(2026, 1, 9))                                     # counts in the year it starts
    dropped = event(cur, "2025 新材料产业人才班", kind="talent_class", starts_on=date(2025, 6, 1))
    older = event(cur, "2024 光电产业人才班", kind="talent_class", starts_on=date(2024, 11, 1))
    events.add_attendees(cur, SYSTEM, first, people[:3])
    events.add_attendees(cur, SYSTEM, second, people[2:5])                      # people[2] again: once
    events.add_attendees(cur, SYSTEM, dropped, people[5:])
    events.add_attendees(cur, SYSTEM, older, people[:1])
    register.set_active(cur, SYSTEM, REG, dropped, False, expected_version=1)
    duplicates.merge(cur, SYSTEM, people[0], people[4], take_from_merged=set(), versions=(1, 1))
    for n in (1, 2):
        event(cur, f"星耀南湖·菁英荟 第{n}场", starts_on=date(2025, 4 * n, 20))
    event(cur, "人才政策宣讲会", kind="other", starts_on=date(2025, 8, 8))
    return cur


def test_the_report_keys_count_the_years_classes_trainees_and_matching_events(year_of_events: duckdb.DuckDBPyConnection,
                                                                            world: PipelineWorld) -> None:
    cur = year_of_events
    expected = {"talent_classes": 2, "talent_class_trainees": 4, "matching_events": 2}
    assert analytics.event_figures(cur, SYSTEM, 2025) == expected
    assert {k: v for k, v in analytics.headline(cur, SYSTEM, 2025).as_dict().items() if k in expected} == expected
    # The screen's own function, and the city's figures whoever asks (events name no enclave).
    by_kind = {r["kind"]: (r["events"], r["attendees"]) for r in events.summary(cur, SYSTEM, 2025).iter_rows(named=True)}
    assert by_kind == {"talent_class": (2, 4), "matching": (2, 0), "other": (1, 0)}
    assert analytics.event_figures(cur, world.users["recruiter_cd"], 2025) == expected
    assert analytics.event_figures(cur, SYSTEM, 2024) == {"talent_classes": 1, "talent_class_trainees": 1,
                                                          "matching_events": 0}


def test_the_report_command_prints_the_event_keys_after_the_declaration_keys(db_path: Path) -> None:
    conn = open_database(db_path)
    cur = conn.cursor()
    first = event(cur, "2025 光电产业人才班（第一期）", kind="talent_class")
    events.add_attendees(cur, SYSTEM, first, [f.candidate(cur, "甲"), f.candidate(cur, "乙")])
    event(cur)
    conn.close()
    done = subprocess.run([sys.executable, "-m", "db", "report", "--year", "2025", "--db", str(db_path), "--json"],
                          cwd=ROOT, capture_output=True, text=True, check=True)
    figures = json.loads(done.stdout)
    keys = list(figures)
    assert keys[keys.index("declaration_applicants_provincial") + 1:][:3] == [
        "talent_classes", "talent_class_trainees", "matching_events"]
    assert (figures["talent_classes"], figures["talent_class_trainees"], figures["matching_events"]) == (1, 2, 1)
    text = subprocess.run([sys.executable, "-m", "db", "report", "--year", "2025", "--db", str(db_path)],
                          cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert "产业人才班（期）" in text and "产业人才班学员（人）" in text and "产才对接活动（场）" in text


def test_partner_employers_are_set_as_a_whole(cur: duckdb.DuckDBPyConnection, world: PipelineWorld) -> None:
    e = event(cur)
    assert events.set_employers(cur, SYSTEM, e, [world.employer, world.other_employer, world.employer]) == 2
    assert events.set_employers(cur, SYSTEM, e, [world.other_employer, world.employer]) == 0      # nothing changes
    assert events.set_employers(cur, SYSTEM, e, [world.other_employer]) == 1
    assert events.employers(cur, SYSTEM, e)["name"].to_list() == ["嘉兴新材料有限公司"]
    details = [r[0] for r in cur.execute("select detail from audit_log where entity = 'talent_event' and action = 'update'"
                                         " order by id").fetchall()]
    assert details == ["合作企业：添加平湖光电科技有限公司、嘉兴新材料有限公司", "合作企业：移除平湖光电科技有限公司"]
    with pytest.raises(ValidationError, match="所选企业不存在（编号 777）"):
        events.set_employers(cur, SYSTEM, e, [777])


# --- the screen ---------------------------------------------------------------------------------------------

@pytest.fixture
def office(tmp_path: Path) -> Path:
    """An admin, two people on file, one of whom applies and is hired after the event's start."""
    path = tmp_path / "events.duckdb"
    conn = open_database(path)
    cur = conn.cursor()
    users.ensure_admin(cur, ADMIN_PASSWORD)
    lina, wang = f.candidate(cur, "李娜"), f.candidate(cur, "王强")
    cur.execute("update candidate set mobile = '13800138000' where id = ?", [lina])
    cur.execute("update candidate set mobile = '13900139000' where id = ?", [wang])
    f.hire(cur, lina, datetime(2025, 8, 1, 10))
    conn.close()
    return path


def test_create_an_event_add_attendees_and_see_the_conversion(app, office: Path) -> None:  # type: ignore[no-untyped-def]
    at = login(app(office, timeout=120), "admin", ADMIN_PASSWORD)
    at.switch_page("pages/programme_events.py").run()
    at.text_input(key="event_new_name").input("星耀南湖·菁英荟 第3场")
    at.selectbox(key="event_new_kind").select("matching")
    at.date_input(key="event_new_starts_on").set_value(date(2025, 5, 1))
    at.number_input(key="event_new_capacity").set_value(150)
    submit(at, "新建人才活动")
    e = db_rows(office, "select id from talent_event")[0][0]          # the new event is the one shown

    at.text_input(key=f"event_person_{e}_q").input("李娜").run()
    at.button(key=f"event_person_add_{e}").click().run()
    assert not at.exception and not at.error
    assert "已添加 1 人。" in [s.value for s in at.success]
    at.selectbox(key="events_year").select(2025).run()      # the year filter was drawn before 2025 had events
    assert metrics(at) == {"2025 年产业人才班": "0 期", "2025 年产才对接活动": "1 场", "2025 年其他": "0 场",
                           "参加人员": "1 人", "活动后投递": "1 人", "签约意向": "1 人", "到岗": "1 人",
                           # the 扫码报名 tab's counts (no link yet)
                           "报名": "0 条", "待审核": "0 条", "已入库": "0 条", "已拒绝": "0 条"}
    rates = next(d.value for d in at.dataframe if "step" in d.value.columns)
    assert rates["people"].tolist() == [1, 1, 1, 1]

    next(t for t in at.text_area if t.label == "名单").input("13800138000\n13900139000\n13700137000")
    button(at, "按名单添加").click()
    at.run()
    assert not at.exception and not at.error
    assert "已添加 1 人，1 人已在名单中，未重复添加，1 个号码/邮箱查无此人，未添加。" in [shown(s.value) for s in at.success]
    assert [c.value for c in at.code] == ["13700137000"]            # listed back, to fix
    assert next(t for t in at.text_area if t.label == "名单").value == ""    # the form is drawn blank
    assert metrics(at)["参加人员"] == "2 人"
    assert db_rows(office, "select count(*) from candidate") == [(2,)]        # nobody created


def test_a_recruiter_sees_the_event_but_no_editing(app, office: Path) -> None:  # type: ignore[no-untyped-def]
    conn = open_database(office)
    cur = conn.cursor()
    enclave = f.enclave(cur, "SH")
    users.create_user(cur, SYSTEM, username="recruiter_sh", display_name="上海招才专员", role="recruiter",
                      password="recruiter-pw-1", enclave_id=enclave)
    e = event(cur)
    cur.execute("update talent_event set name = $p, place = $p, organiser = $p", {"p": HOSTILE})
    people = [r[0] for r in cur.execute("select id from candidate order by id").fetchall()]
    events.add_attendees(cur, SYSTEM, e, people)
    cur.execute("update candidate set name = ? where id = ?", [HOSTILE, people[1]])
    conn.close()
    at = login(app(office, timeout=120), "recruiter_sh", "recruiter-pw-1")
    at.query_params["id"] = str(e)
    at.switch_page("pages/programme_events.py").run()
    assert not at.exception and not at.error
    assert "新建人才活动" not in [x.label for x in at.expander]
    assert not [b for b in at.button if b.label in ("添加", "移除", "按名单添加")]
    assert "您的角色只能查看人才活动，不能修改。" in [c.value for c in at.caption]
    shown_people = next(d.value for d in at.dataframe if "mobile" in d.value.columns)
    assert sorted(shown_people["mobile"].tolist()) == ["138****8000", "139****9000"]      # not their enclave
    from tests.test_hostile_text import live_markup, markdown_sources

    assert any("evil" in text for text in markdown_sources(at)) and live_markup(at) == []
