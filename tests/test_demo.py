"""The demo world: Pinghu's 2025 figures exactly, counted by the app's own queries over rows."""
from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from db import analytics, integrity
from db.connection import open_database
from db.errors import ValidationError
from db.permissions import SYSTEM
from loaders import demo
from tests.conftest import ROOT

REPORTED_2025 = {
    "hires_young_phd": 39, "hires_young_graduate": 9645, "hires_high_skill": 1304, "drive_employers": 82,
    "drive_universities": 34, "drive_positions": 1500, "co_supervised": 53, "tech_vp": 12,
    "flexible_high_level": 46, "enclaves": 12,
    "declaration_applicants_national": 165, "declaration_batches_national": 2,   # "国家级申报两批次165人"
    "declaration_applicants_provincial": 218,   # not reported by the city: the demo's choice (demo_catalogue)
    "talent_classes": 12, "matching_events": 7,   # "12 industry talent classes, 7 matching events"
    "talent_class_trainees": 736,   # "700+ trainees": the demo's exact number (demo_catalogue.TALENT_CLASSES)
}
# Programme registers the demo fills through their create command, one audit entry per row.
CREATED_BY_COMMAND = ("enclave", "employer", "position", "agreement", "campus_drive", "co_supervision", "appointment",
                      "declaration", "talent_event")


@pytest.fixture(scope="module")
def demo_read(demo_master: Path):  # type: ignore[no-untyped-def]
    """A read-only connection on the session's demo database."""
    conn = open_database(demo_master)
    yield conn.cursor()
    conn.close()


def test_2025_headline_is_what_pinghu_reported(demo_read: duckdb.DuckDBPyConnection) -> None:
    figures = analytics.headline(demo_read, SYSTEM, 2025).as_dict()
    assert {k: figures[k] for k in REPORTED_2025} == REPORTED_2025
    assert 1300 <= figures["drive_intents"] <= 1399
    assert figures["agreement_universities"] >= 10


def test_report_cli_prints_exactly_the_pinned_keys(demo_db: Path) -> None:
    out = subprocess.run([sys.executable, "-m", "db", "report", "--year", "2025", "--db", str(demo_db), "--json"],
                         cwd=ROOT, capture_output=True, text=True, check=True).stdout
    lines = out.strip().splitlines()
    assert len(lines) == 1
    figures = json.loads(lines[0])
    assert list(figures) == ["hires_young_phd", "hires_young_graduate", "hires_high_skill", "drive_employers",
                             "drive_universities", "drive_positions", "drive_intents", "co_supervised", "tech_vp",
                             "flexible_high_level", "enclaves", "agreement_universities",
                             "declaration_applicants_national", "declaration_batches_national",
                             "declaration_applicants_provincial", "talent_classes", "talent_class_trainees",
                             "matching_events"]
    assert {k: figures[k] for k in REPORTED_2025} == REPORTED_2025


def test_demo_generation_leaves_nothing_dangling(demo_read: duckdb.DuckDBPyConnection) -> None:
    """What `python -m db check` verifies: the references migration 010 left to the commands."""
    assert {label: n for label, n in integrity.dangling(demo_read).items() if n} == {}


def test_programme_registers_were_written_by_their_commands(demo_read: duckdb.DuckDBPyConnection) -> None:
    def one(query: str) -> int:
        return demo_read.execute(query).fetchall()[0][0]

    for table in CREATED_BY_COMMAND:
        rows = one(f"select count(*) from {table}")
        audited = one(f"select count(distinct entity_id) from audit_log where action = 'create' and entity = '{table}'"
                      " and actor = 'system'")
        assert rows == audited > 0, table
    # drives.set_employers audits each drive's employers as one update of the drive.
    assert one("select count(distinct drive_id) from drive_employer") == one(
        "select count(*) from audit_log where entity = 'campus_drive' and action = 'update'")
    assert one("select count(*) from target") == one("select count(*) from audit_log where entity = 'target'")
    renewal = demo_read.execute("select a.starts_on, p.ends_on, a.university_id = p.university_id, a.kind = p.kind"
                                " from agreement a join agreement p on p.id = a.predecessor_id").fetchall()
    assert len(renewal) == 1 and renewal[0][0] > renewal[0][1] and renewal[0][2:] == (True, True)


def test_declarations_count_people_once_per_level(demo_read: duckdb.DuckDBPyConnection) -> None:
    by_level = {level: (rows, people, linked, named, selected) for level, rows, people, linked, named, selected in
                demo_read.execute("""
        select level, count(*), count(distinct coalesce(cast(candidate_id as varchar), applicant_name)),
               count(distinct candidate_id), count(distinct applicant_name) filter (where candidate_id is null),
               count(*) filter (where status = 'selected')
        from declaration where year = 2025 group by 1""").fetchall()}
    rows, people, linked, named, selected = by_level["国家级"]
    assert people == 165 and rows > people   # those not selected in the first batch who tried again count once
    assert linked > 0 and named > 0 and linked + named == people and selected > 0
    assert by_level["省级"][1] == 218 and by_level["市级"][1] > 0
    statuses = {r[0] for r in demo_read.execute("select distinct status from declaration").fetchall()}
    assert statuses == {"preparing", "submitted", "reviewing", "selected", "not_selected"}
    # A linked applicant is a hired young PhD or high-level talent, declared by the company that hired them.
    strays = demo_read.execute("""
        select count(*) from declaration d join candidate c on c.id = d.candidate_id
        where c.talent_category not in ('young_phd', 'high_level') or d.applicant_name <> c.name
           or not exists (select 1 from application a join stage_event e on e.application_id = a.id
                          where a.candidate_id = c.id and a.employer_id = d.employer_id and e.to_stage = 'arrived')
    """).fetchall()[0][0]
    assert strays == 0


def test_talent_events_are_made_by_their_commands_from_the_demos_people(demo_read: duckdb.DuckDBPyConnection) -> None:
    def one(query: str) -> tuple:
        return demo_read.execute(query).fetchall()[0]

    # One add_attendees and one set_employers per event: each one audit entry about the event.
    assert one("select count(*), count(distinct event_id) from event_attendee x join talent_event e on e.id = x.event_id"
               " where e.kind = 'talent_class'") == (745, 12)       # 9 trainees came back for a second class
    assert one("select count(*) from audit_log where entity = 'talent_event' and detail like '添加参加人员%'") == (19,)
    assert one("select count(*) from audit_log where entity = 'talent_event' and detail like '合作企业%'") == (19,)
    assert one("select count(distinct event_id) from event_employer") == (19,)
    # Trainees are young graduates (大专, 本科) and skilled workers who applied to a company of the class's
    # industry first; matching events bring graduates (本科, 硕士) and PhDs.
    strays = one("""
        with first_employer as (
            select a.candidate_id, arg_min(m.industry, a.created_at) as industry
            from application a join employer m on m.id = a.employer_id group by 1)
        select count(*) filter (where e.kind = 'talent_class' and (c.talent_category not in ('young_graduate', 'high_skill')
                                 or c.degree not in ('大专', '本科') or f.industry <> e.industry)),
               count(*) filter (where e.kind = 'matching' and c.degree not in ('本科', '硕士', '博士', '博士后'))
        from event_attendee x join talent_event e on e.id = x.event_id join candidate c on c.id = x.candidate_id
        join first_employer f on f.candidate_id = c.id""")
    assert strays == (0, 0)
    # What attending led to differs from event to event, and an application from before an event is
    # there to be left out.
    from db.programmes import events

    ids = [r[0] for r in demo_read.execute("select id from talent_event order by id").fetchall()]
    found = [events.conversion(demo_read, SYSTEM, i) for i in ids]
    assert all(c.attendees > c.applied > c.intents >= c.arrived for c in found)
    assert sum(c.arrived for c in found) > 50 and len({round(c.rate("applied"), 2) for c in found}) > 10
    assert one("""select count(*) from event_attendee x join talent_event e on e.id = x.event_id
                  join application a on a.candidate_id = x.candidate_id where a.created_at < e.starts_on""")[0] > 100


def test_co_supervision_milestones_are_dates_in_order(demo_read: duckdb.DuckDBPyConnection) -> None:
    found = demo_read.execute("""
        select count(*), count(proposal_on), count(defence_on),
               count(*) filter (where proposal_on < starts_on or midterm_on < proposal_on or defence_on < midterm_on
                                or defence_on > expected_graduation or greatest(proposal_on, midterm_on, defence_on)
                                   > date '2026-06-30')
        from co_supervision""").fetchall()[0]
    total, proposed, defended, out_of_order = found
    assert total == 53 and proposed == 53 and 0 < defended < 53 and out_of_order == 0


def test_enclaves_are_in_distinct_cities_including_shanghai_chengdu_guiyang(demo_read: duckdb.DuckDBPyConnection) -> None:
    cities = [r[0] for r in demo_read.execute("select city from enclave").fetchall()]
    assert len(cities) == 12 == len(set(cities))
    assert {"上海市", "成都市", "贵阳市"} <= set(cities)


def test_drives_are_yangfan_and_cancelled_ones_do_not_count(demo_read: duckdb.DuckDBPyConnection) -> None:
    programmes = demo_read.execute("select distinct programme from campus_drive").fetchall()
    assert programmes == [("扬帆计划",)]
    cancelled = demo_read.execute(
        "select count(distinct de.employer_id) from drive_employer de join campus_drive d on d.id = de.drive_id"
        " where d.status = 'cancelled'").fetchall()[0][0]
    assert cancelled > 0   # the fixture has something to exclude …
    assert analytics.headline(demo_read, SYSTEM, 2025).drive_positions == 1500   # … and it is excluded


def test_every_co_supervised_student_has_two_mentors(demo_read: duckdb.DuckDBPyConnection) -> None:
    missing = demo_read.execute(
        "select count(*) from co_supervision where enterprise_mentor = '' or university_mentor = ''").fetchall()
    assert missing == [(0,)]


def test_funnel_narrows_stage_by_stage(demo_read: duckdb.DuckDBPyConnection) -> None:
    counts = analytics.funnel(demo_read, SYSTEM, 2025)["candidates"].to_list()
    open_stages = counts[:8]   # lead … arrived ('retained' is a year later)
    assert all(a > b for a, b in zip(open_stages, open_stages[1:]))


def test_conversion_differs_by_channel_and_degree(demo_read: duckdb.DuckDBPyConnection) -> None:
    def hire_rate(column: str) -> dict[str, float]:
        return dict(demo_read.execute(
            f"""select {column}, avg((exists (select 1 from stage_event e where e.candidate_id = c.id
                                              and e.to_stage = 'arrived'))::int)
                from candidate c where {column} is not null and c.channel <> 'joint_training'
                group by 1 having count(*) > 500"""
        ).fetchall())

    for column in ("channel", "degree"):
        rates = hire_rate(column)
        assert max(rates.values()) - min(rates.values()) > 0.05, rates


def test_people_look_real(demo_read: duckdb.DuckDBPyConnection) -> None:
    name, mobile, pinyin, university = demo_read.execute(
        "select c.name, c.mobile, c.name_pinyin, u.name from candidate c join university u on u.id = c.university_id"
        " order by c.id limit 1").fetchall()[0]
    assert 2 <= len(name) <= 4 and all("\u4e00" <= ch <= "\u9fff" for ch in name)
    assert len(mobile) == 11 and mobile.startswith("1")
    assert pinyin and pinyin.isascii()
    dupes = demo_read.execute("select count(*) - count(distinct mobile) from candidate").fetchall()[0][0]
    assert dupes == 0


def test_demo_accounts_exist(demo_read: duckdb.DuckDBPyConnection) -> None:
    names = {r[0] for r in demo_read.execute("select username from app_user").fetchall()}
    assert {"admin", "manager", "hr"} <= names
    codes = {r[0].lower() for r in demo_read.execute("select code from enclave").fetchall()}
    assert {f"recruiter_{c}" for c in codes} <= names


def _fingerprint(path: Path) -> str:
    conn = open_database(path)   # same configuration as the module's open reader of the master copy
    parts = [conn.execute(
        f"select count(*), sum(hash(columns(* exclude (created_at{', next_follow_up_on' if t == 'candidate' else ''})))) from {t}").fetchall() for t in ("candidate", "application",
                                                                                 "co_supervision", "position",
                                                                                 "declaration")]
    events = conn.execute("select count(*), sum(hash(application_id, to_stage, occurred_at)) from stage_event").fetchall()
    conn.close()
    return hashlib.sha256(repr((parts, events)).encode()).hexdigest()


@pytest.mark.slow
def test_same_seed_same_data_other_seed_other_data(tmp_path: Path, demo_master: Path) -> None:
    again, other = tmp_path / "again.duckdb", tmp_path / "other.duckdb"
    for path, seed in ((again, 2025), (other, 7)):
        conn = open_database(path)
        demo.generate(conn.cursor(), scale=1, seed=seed)
        conn.close()
    assert _fingerprint(again) == _fingerprint(demo_master)
    assert _fingerprint(other) != _fingerprint(demo_master)


@pytest.mark.slow
def test_scale_multiplies_pipeline_and_keeps_programmes(tmp_path: Path) -> None:
    conn = open_database(tmp_path / "x2.duckdb")
    cur = conn.cursor()
    demo.generate(cur, scale=2, seed=11)
    figures = analytics.headline(cur, SYSTEM, 2025).as_dict()
    conn.close()
    assert figures["hires_young_phd"] == 78 and figures["hires_young_graduate"] == 19290
    assert figures["hires_high_skill"] == 2608 and 2600 <= figures["drive_intents"] <= 2798
    assert (figures["drive_employers"], figures["drive_universities"], figures["drive_positions"]) == (82, 34, 1500)
    assert (figures["co_supervised"], figures["tech_vp"], figures["flexible_high_level"]) == (53, 12, 46)


def test_demo_refuses_a_database_with_data(demo_db: Path) -> None:
    conn = open_database(demo_db)
    with pytest.raises(ValidationError, match="空数据库"):
        demo.generate(conn.cursor(), scale=1)
    conn.close()


def test_demo_cli_refusal_is_a_chinese_message_not_a_traceback(demo_db: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "loaders", "demo", "--db", str(demo_db)], cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 2
    assert "空数据库" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.slow
def test_more_events_are_failed_side_applications_and_change_no_reported_figure(tmp_path: Path,
                                                                                demo_master: Path) -> None:
    """`--events N` (the bench's ≥ 10M events at scale 30): only more applications of the same people,
    none past 面试, all ending 未通过 / 放弃 — the people and every figure the city reports are as without."""
    copy = tmp_path / "base.duckdb"              # attached below: the master may be open in this process already
    shutil.copy(demo_master, copy)
    base = open_database(copy)
    had = base.execute("select count(*) from stage_event").fetchall()[0][0]
    headline = analytics.headline(base.cursor(), SYSTEM, 2025).as_dict()
    base.close()
    path = tmp_path / "more.duckdb"
    conn = open_database(path)
    summary = demo.generate(conn.cursor(), scale=1, seed=2025, events_at_least=had + 50_000)
    cur = conn.cursor()
    assert analytics.headline(cur, SYSTEM, 2025).as_dict() == headline
    total = cur.execute("select count(*) from stage_event").fetchall()[0][0]
    assert summary.stage_events == total and had + 50_000 <= total < had + 50_500   # + co-supervision events
    cur.execute("attach ? as base (read_only)", [str(copy)])
    for table, columns in (("candidate", "id, name, mobile, enclave_id, talent_category, channel"),
                           ("retention_check", "application_id, months, still_employed")):
        for a, b in ((table, f"base.{table}"), (f"base.{table}", table)):
            assert cur.execute(f"select {columns} from {a} except all select {columns} from {b}").fetchall() == []
    added = cur.execute("""
        select a.stage, max(s.rank) from application a join stage_event e on e.application_id = a.id
        join stage s on s.code = e.to_stage and not s.is_exit
        anti join base.application b
             on b.candidate_id = a.candidate_id and b.employer_id = a.employer_id and b.created_at = a.created_at
        group by a.id, a.stage""").fetchall()
    assert len(added) > 10_000
    assert {stage for stage, _ in added} == {"rejected", "withdrawn"} and max(r for _, r in added) <= 4
    conn.close()
