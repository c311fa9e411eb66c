"""The funnel explorer's counting (db/funnels.py), source yield (db/sources.py) and `python -m db funnel`,
on one small hand-made world whose every figure is known by construction.

The world (2025 unless said; E1/E2 employers, D1 a 扬帆计划 drive at E1):
  A  SH 本科  enclave channel   E1 via D1: applied 04-01 → intent 04-20 → arrived 07-01
  B  SH 硕士  online            E1: lead 02-01 → contacted 02-10 (→ arrived 2026-03-01); E2: applied 03-01 → intent 05-01
  C  GY 博士  campus_drive      E2: created at signed 12-01 → arrived 12-20, entered on 2026-01-05 (backdated)
  D  GY       other             own application lead 06-01; D' (SH) merged into D brought E1: lead 03-01 → applied 03-05
  G  GY 硕士  referral          E2: applied 05-01 → arrived 06-01, then deleted on request (degree cleared)
  K  SH 本科  enclave channel   E1: created at intent 01-10 → arrived 2026-02-01 (13 months later: not converted)
  H  SH       enclave channel   hired 2024-06-01, nothing in 2025
"""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from db import analytics, duplicates, erasure, funnels, sources, stage_derived
from db.connection import open_database
from db.errors import ValidationError
from db.permissions import SYSTEM, User
from tests import factories as f
from tests.conftest import ROOT

D = datetime
YEAR = funnels.Slice.year(2025)
TOTAL_2025 = {"lead": 6, "contacted": 6, "applied": 6, "interviewing": 5, "intent": 5, "offer": 3, "signed": 3,
              "arrived": 3, "retained": 0}


def _at(cur: duckdb.DuckDBPyConnection, app_id: int, employer_id: int) -> int:
    cur.execute("update application set employer_id = ? where id = ?", [employer_id, app_id])
    return app_id


def _move(cur: duckdb.DuckDBPyConnection, app_id: int, person: int, src: str, dst: str, at: datetime) -> None:
    cur.execute("insert into stage_event (id, application_id, candidate_id, from_stage, to_stage, occurred_at, actor)"
                " values (nextval('seq_stage_event'), ?, ?, ?, ?, ?, 'test')", [app_id, person, src, dst, at])
    cur.execute("update application set stage = ? where id = ?", [dst, app_id])
    stage_derived.refresh(cur, candidate_ids=[person])      # as db/pipeline.py's moves do


def _person(cur: duckdb.DuckDBPyConnection, name: str, enclave_id: int, *, degree: str | None = None,
            channel: str = "other", category: str = "young_graduate", mobile: str | None = None) -> int:
    pid = f.candidate(cur, name, enclave_id=enclave_id, category=category)
    cur.execute("update candidate set degree = ?, channel = ?, mobile = ? where id = ?", [degree, channel, mobile, pid])
    return pid


@pytest.fixture
def world(db_path: Path) -> dict[str, int]:
    conn = open_database(db_path)
    cur = conn.cursor()
    ids: dict[str, int] = {}
    ids["SH"], ids["GY"] = f.enclave(cur, "SH"), f.enclave(cur, "GY")
    e1, e2 = f.employer(cur, "甲公司"), f.employer(cur, "乙公司")
    cur.execute("update employer set industry = '新材料', golden_eagle_tier = '种子级' where id = ?", [e1])
    ids["E1"], ids["E2"] = e1, e2
    ids["D1"] = d1 = f.drive(cur, date(2025, 4, 1), employers={e1: 5})
    sh, gy = ids["SH"], ids["GY"]

    ids["A"] = a = _person(cur, "甲", sh, degree="本科", channel="enclave", mobile="13800000001")
    _at(cur, f.walk(cur, a, ("applied", D(2025, 4, 1)), ("intent", D(2025, 4, 20)), ("arrived", D(2025, 7, 1)),
                    drive_id=d1), e1)
    ids["B"] = b = _person(cur, "乙", sh, degree="硕士", channel="online")
    b1 = _at(cur, f.walk(cur, b, ("lead", D(2025, 2, 1)), ("contacted", D(2025, 2, 10))), e1)
    _move(cur, b1, b, "contacted", "arrived", D(2026, 3, 1))
    _at(cur, f.walk(cur, b, ("applied", D(2025, 3, 1)), ("intent", D(2025, 5, 1))), e2)
    ids["C"] = c = _person(cur, "丙", gy, degree="博士", channel="campus_drive", category="young_phd",
                           mobile="13800000003")
    _at(cur, f.walk(cur, c, ("signed", D(2025, 12, 1)), ("arrived", D(2025, 12, 20))), e2)
    cur.execute("update stage_event set recorded_at = ? where candidate_id = ? and to_stage = 'arrived'",
                [D(2026, 1, 5, 9), c])
    ids["D"] = d = _person(cur, "丁", gy)
    f.walk(cur, d, ("lead", D(2025, 6, 1)))
    twin = _person(cur, "丁", sh)
    _at(cur, f.walk(cur, twin, ("lead", D(2025, 3, 1)), ("applied", D(2025, 3, 5))), e1)
    ids["G"] = g = _person(cur, "戊", gy, degree="硕士", channel="referral", mobile="13800000005")
    _at(cur, f.walk(cur, g, ("applied", D(2025, 5, 1)), ("arrived", D(2025, 6, 1))), e2)
    ids["K"] = k = _person(cur, "己", sh, degree="本科", channel="enclave")
    _at(cur, f.walk(cur, k, ("intent", D(2025, 1, 10)), ("arrived", D(2026, 2, 1))), e1)
    ids["H"] = h = _person(cur, "庚", sh, channel="enclave")
    _at(cur, f.hire(cur, h, D(2024, 6, 1, 10)), e1)

    duplicates.merge(cur, SYSTEM, d, twin, take_from_merged=set(), versions=(1, 1))
    erasure.delete_on_request(cur, SYSTEM, g, reason="本人书面要求删除")
    conn.close()
    return ids


@pytest.fixture
def wcur(world: dict[str, int], db_path: Path):  # type: ignore[no-untyped-def]
    conn = open_database(db_path)
    yield conn.cursor()
    conn.close()


def by_stage(counts, key: str = "*") -> dict[str, int]:  # type: ignore[no-untyped-def]
    rows = counts.filter(key=key)
    return dict(zip(rows["stage"].to_list(), rows["people"].to_list()))


def test_the_total_funnel_counts_each_person_once_per_stage(wcur) -> None:  # type: ignore[no-untyped-def]
    # C's backdated arrival is 2025's; D and the record merged into D are one person; G, deleted on
    # request, still counts; H (2024) and the 2026 arrivals of B and K do not.
    assert by_stage(funnels.crossings(wcur, SYSTEM, YEAR)) == TOTAL_2025


def test_the_overview_funnel_is_the_same_function(wcur, world) -> None:  # type: ignore[no-untyped-def]
    overview = analytics.funnel(wcur, SYSTEM, 2025)
    assert dict(zip(overview["stage"].to_list(), overview["candidates"].to_list())) == TOTAL_2025
    assert overview.columns == ["stage", "label", "rank", "candidates"]
    # 总览 sums its funnel from the crossings by enclave (one count for its funnel and enclave table).
    assert analytics.overview(wcur, SYSTEM, 2025).funnel.equals(overview)
    recruiter = User(id=9, username="r", role="recruiter", enclave_id=world["SH"])
    assert analytics.overview(wcur, recruiter, 2025).funnel.equals(analytics.funnel(wcur, recruiter, 2025))
    assert analytics.overview(wcur, SYSTEM, 2031).funnel.equals(analytics.funnel(wcur, SYSTEM, 2031))   # nobody


def test_a_backdated_arrival_counts_in_the_year_it_happened(wcur, world) -> None:  # type: ignore[no-untyped-def]
    assert "博士" not in funnels.crossings(wcur, SYSTEM, funnels.Slice.year(2026), by="degree")["key"].to_list()
    december = funnels.crossings(wcur, SYSTEM, funnels.Slice.between(date(2025, 12, 1), date(2026, 1, 1)))
    assert by_stage(december)["arrived"] == 1          # C only


@pytest.mark.parametrize("by", ["enclave", "channel", "degree", "category", "university", "tier", "agreement"])
def test_groups_of_a_one_value_dimension_add_up_to_the_total(wcur, by: str) -> None:  # type: ignore[no-untyped-def]
    grouped = funnels.crossings(wcur, SYSTEM, YEAR, by=by)
    sums = {s: grouped.filter(stage=s)["people"].sum() for s in funnels.STAGES}
    assert sums == TOTAL_2025


PER_PERSON = [code for code, d in funnels.DIMENSIONS.items() if not d.per_application]


@pytest.mark.parametrize("by", [None, *PER_PERSON])
def test_whole_years_from_the_stored_crossings_equal_the_count_from_the_events(wcur, world, by) -> None:  # type: ignore[no-untyped-def]
    """Slice.year reads stage_crossing (db/stage_derived.py); the same period counted from the events must
    give the same table: one year, the next (B's and K's 2026 arrivals), two years, a filter, a recruiter."""
    recruiter = User(id=9, username="r", role="recruiter", enclave_id=world["SH"])
    cases = [
        (SYSTEM, YEAR, {}), (SYSTEM, funnels.Slice.year(2026), {}), (recruiter, YEAR, {}),
        (SYSTEM, funnels.Slice.between(date(2024, 1, 1), date(2026, 1, 1)), {}),
        (SYSTEM, funnels.Slice.year(2025, degree=["本科", "硕士"]), {"degree": ["本科", "硕士"]}),
    ]
    for actor, where, filters in cases:
        assert funnels.whole_years(where) is not None
        events = funnels.Slice.between(where.start, where.end, **filters)
        fast = funnels.crossings(wcur, actor, where, by=by)
        assert fast.equals(funnels.crossings(wcur, actor, events, by=by, derived=False)), (actor.role, where)


def test_only_whole_years_of_per_person_slices_read_the_stored_crossings(wcur, world) -> None:  # type: ignore[no-untyped-def]
    # With the stored masks gone, the fast path finds nobody; the events path is untouched.
    employers = funnels.crossings(wcur, SYSTEM, YEAR, by="employer")
    by_drive = funnels.crossings(wcur, SYSTEM, funnels.Slice.year(2025, drive=[str(world["D1"])]))
    wcur.execute("delete from stage_crossing")
    assert by_stage(funnels.crossings(wcur, SYSTEM, YEAR)) == dict.fromkeys(TOTAL_2025, 0)
    assert funnels.crossings(wcur, SYSTEM, YEAR, by="employer").equals(employers)       # per application
    assert funnels.crossings(wcur, SYSTEM, funnels.Slice.year(2025, drive=[str(world["D1"])])).equals(by_drive)
    assert by_stage(funnels.crossings(wcur, SYSTEM, funnels.Slice.between(date(2025, 1, 1), date(2025, 12, 31)))) \
        == TOTAL_2025                                                                      # a date range
    assert funnels.whole_years(funnels.Slice.between(date(2025, 1, 1), date(2025, 12, 31))) is None


def test_a_category_change_after_hire_does_not_move_past_hires(wcur, world) -> None:  # type: ignore[no-untyped-def]
    before = funnels.crossings(wcur, SYSTEM, YEAR, by="category")
    # A arrived in 2025 as a young graduate; B (never hired in 2025) and A are then made high-skill.
    wcur.execute("update candidate set talent_category = 'high_skill' where id in (?, ?)", [world["A"], world["B"]])
    after = funnels.crossings(wcur, SYSTEM, YEAR, by="category")
    assert by_stage(after, "young_graduate")["arrived"] == by_stage(before, "young_graduate")["arrived"] == 2  # A, G
    assert by_stage(after, "high_skill")["lead"] == 1                    # B: not hired by then, current category
    assert by_stage(after, "young_graduate")["lead"] == by_stage(before, "young_graduate")["lead"] - 1
    rows, n = funnels.people(wcur, SYSTEM, YEAR, stage="arrived", by="category", key="young_graduate")
    assert n == 2 and world["A"] in rows["id"].to_list()
    assert "high_skill" in funnels.options(wcur, SYSTEM, "category")["key"].to_list()


def test_groups_by_enclave_and_degree(wcur, world) -> None:  # type: ignore[no-untyped-def]
    grouped = funnels.crossings(wcur, SYSTEM, YEAR, by="enclave")
    assert by_stage(grouped, str(world["SH"])) == {"lead": 3, "contacted": 3, "applied": 3, "interviewing": 3,
                                                   "intent": 3, "offer": 1, "signed": 1, "arrived": 1, "retained": 0}
    assert by_stage(grouped, str(world["GY"]))["arrived"] == 2
    degree = funnels.crossings(wcur, SYSTEM, YEAR, by="degree")
    # D has no degree; G's was cleared by the deletion: both in（未填）, G still counted.
    assert by_stage(degree, "")["lead"] == 2 and by_stage(degree, "")["arrived"] == 1
    assert set(degree.filter(key="")["group"]) == {funnels.NO_VALUE}


def test_a_person_counts_under_each_employer_they_crossed_a_stage_with(wcur, world) -> None:  # type: ignore[no-untyped-def]
    grouped = funnels.crossings(wcur, SYSTEM, YEAR, by="employer")
    e1, e2 = by_stage(grouped, str(world["E1"])), by_stage(grouped, str(world["E2"]))
    assert (e1["lead"], e1["applied"], e1["intent"], e1["arrived"]) == (4, 3, 2, 1)    # A, B, D (merged in), K
    assert (e2["lead"], e2["applied"], e2["intent"], e2["arrived"]) == (3, 3, 3, 2)    # B, C, G
    assert by_stage(grouped, "")["lead"] == 1                                          # D's own application
    assert grouped.filter(stage="lead")["people"].sum() == 8 > TOTAL_2025["lead"]     # B and D in two groups
    drive = funnels.crossings(wcur, SYSTEM, YEAR, by="programme")
    assert by_stage(drive, "扬帆计划")["arrived"] == 1


def test_a_slice_keeps_only_its_values(wcur, world) -> None:  # type: ignore[no-untyped-def]
    sliced = funnels.crossings(wcur, SYSTEM, funnels.Slice.year(2025, employer=[str(world["E2"])]), by="enclave")
    assert by_stage(sliced, str(world["SH"]))["intent"] == 1                           # B at E2
    assert by_stage(sliced, str(world["GY"]))["arrived"] == 2                          # C, G
    industry = funnels.crossings(wcur, SYSTEM, funnels.Slice.year(2025, industry=["新材料"]))
    assert by_stage(industry)["lead"] == 4


def test_an_unknown_dimension_is_refused_in_chinese(wcur) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError, match="未知的分组维度：colour"):
        funnels.crossings(wcur, SYSTEM, YEAR, by="colour")
    with pytest.raises(ValidationError, match="须晚于开始日期"):
        funnels.Slice.between(date(2025, 2, 1), date(2025, 1, 1))


def test_recruiters_count_their_own_enclave_only(wcur, world) -> None:  # type: ignore[no-untyped-def]
    recruiter = User(id=9, username="r", role="recruiter", enclave_id=world["SH"])
    assert by_stage(funnels.crossings(wcur, recruiter, YEAR))["lead"] == 3
    assert set(funnels.crossings(wcur, recruiter, YEAR, by="enclave")["key"]) == {str(world["SH"])}


def test_the_people_behind_a_figure_are_masked_per_role(wcur, world) -> None:  # type: ignore[no-untyped-def]
    rows, total = funnels.people(wcur, SYSTEM, YEAR, stage="arrived", by="enclave", key=str(world["GY"]))
    assert total == 2 and rows["id"].to_list() == [world["C"], world["G"]]
    assert rows["mobile"].to_list()[0] == "138****0003"           # masked until revealed
    recruiter = User(id=9, username="r", role="recruiter", enclave_id=world["SH"])
    mine, n = funnels.people(wcur, recruiter, YEAR, stage="arrived")
    assert n == 1 and mine["mobile"].to_list() == ["13800000001"]  # own enclave: in full
    page, n = funnels.people(wcur, SYSTEM, YEAR, stage="lead", offset=5, limit=50)
    assert n == 6 and page.height == 1


def test_cohorts_by_month_of_first_contact(wcur, world) -> None:  # type: ignore[no-untyped-def]
    cohorts = funnels.cohorts(wcur, SYSTEM, YEAR)
    people = dict(cohorts.filter(stage="lead").select("month", "people").iter_rows())
    assert people == {date(2025, 1, 1): 1, date(2025, 2, 1): 1, date(2025, 3, 1): 1, date(2025, 4, 1): 1,
                      date(2025, 5, 1): 1, date(2025, 12, 1): 1}          # K, B, D (its merged record's 03-01), A, G, C
    march = dict(cohorts.filter(month=date(2025, 3, 1)).select("stage", "reached").iter_rows())
    assert march["applied"] == 1 and march["interviewing"] == 0
    assert cohorts.filter(month=date(2025, 2, 1), stage="arrived")["reached"][0] == 1   # B arrived in 2026


def test_intents_convert_within_12_months_at_the_same_or_any_employer(wcur, world) -> None:  # type: ignore[no-untyped-def]
    matched = {r["key"]: r for r in sources.intent_conversion(wcur, SYSTEM, YEAR, by="enclave").iter_rows(named=True)}
    # SH: A (same employer), B (arrived at another employer 10 months later), K (arrived 13 months later).
    assert (matched[str(world["SH"])]["intents"], matched[str(world["SH"])]["converted_same"],
            matched[str(world["SH"])]["converted_any"]) == (3, 1, 2)
    assert (matched[str(world["GY"])]["intents"], matched[str(world["GY"])]["converted_same"],
            matched[str(world["GY"])]["converted_any"]) == (2, 2, 2)


def test_source_yield_with_drives_and_the_year_before(wcur, world) -> None:  # type: ignore[no-untyped-def]
    table = {r["key"]: r for r in sources.yield_by(wcur, SYSTEM, 2025, by="enclave").iter_rows(named=True)}
    sh, gy = table[str(world["SH"])], table[str(world["GY"])]
    assert (sh["leads"], sh["applied"], sh["intents"], sh["hires"]) == (3, 3, 3, 1)
    assert (sh["drives"], sh["drive_hires"], sh["hires_per_drive"]) == (1, 1, 1.0)
    assert (sh["hires_last_year"], sh["hires_change"]) == (1, 0)                 # H in 2024
    assert (sh["leads_last_year"], sh["leads_change"]) == (1, 2)                 # H's 2024 walk began with a lead
    assert (gy["hires"], gy["hires_last_year"], gy["hires_change"], gy["drives"]) == (2, 0, 2, 0)
    assert sh["same_rate"] == pytest.approx(1 / 3) and sh["any_rate"] == pytest.approx(2 / 3)
    assert list(table) == [str(world["GY"]), str(world["SH"])]                    # ranked by hires


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "db", "funnel", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)


def test_the_command_line_prints_one_json_array_of_the_same_counts(world, db_path: Path) -> None:  # type: ignore[no-untyped-def]
    done = run_cli("--year", "2025", "--by", "enclave", "--db", str(db_path), "--json")
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert isinstance(found, list) and set(found[0]) == {"group", "stage", "people"}
    got = {(r["group"], r["stage"]): r["people"] for r in found}
    assert got[("SH 飞地", "lead")] == 3 and got[("GY 飞地", "arrived")] == 2
    assert {s: sum(n for (g, st), n in got.items() if st == s) for s in funnels.STAGES} == TOTAL_2025
    degree = json.loads(run_cli("--year", "2025", "--by", "degree", "--db", str(db_path), "--json").stdout)
    assert {"group": funnels.NO_VALUE, "stage": "arrived", "people": 1} in degree
    text = run_cli("--year", "2025", "--by", "employer", "--db", str(db_path))
    assert text.returncode == 0 and "甲公司" in text.stdout and "已到岗" in text.stdout


def test_the_command_line_refuses_an_unknown_dimension_in_chinese(world, db_path: Path) -> None:  # type: ignore[no-untyped-def]
    done = run_cli("--year", "2025", "--by", "colour", "--db", str(db_path))
    assert done.returncode == 2
    assert "未知的分组维度：colour" in done.stderr and "Traceback" not in done.stderr
