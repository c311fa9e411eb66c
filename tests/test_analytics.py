"""Counting rules managers report by, checked on small hand-built histories."""
from __future__ import annotations

from datetime import date, datetime

import duckdb
import pytest

from db import analytics, stage_derived
from db.permissions import SYSTEM, User
from tests import factories as f

D = datetime


def test_a_hire_counts_in_the_year_it_arrived(cur: duckdb.DuckDBPyConnection) -> None:
    late = f.candidate(cur, "甲")
    f.hire(cur, late, D(2026, 1, 3, 10))                 # started in 2025, arrived in 2026
    on_time = f.candidate(cur, "乙")
    f.hire(cur, on_time, D(2025, 7, 1, 10))
    assert analytics.hires_by_category(cur, SYSTEM, 2025)["young_graduate"] == 1
    assert analytics.hires_by_category(cur, SYSTEM, 2026)["young_graduate"] == 1


def test_a_person_counts_once_per_category_per_year(cur: duckdb.DuckDBPyConnection) -> None:
    twice = f.candidate(cur, "丙")
    f.hire(cur, twice, D(2025, 3, 1, 10))
    f.hire(cur, twice, D(2025, 9, 1, 10))                # a second job the same year
    assert analytics.hires_by_category(cur, SYSTEM, 2025)["young_graduate"] == 1
    assert analytics.monthly_hires(cur, SYSTEM, 2025)["hires"].sum() == 1


def test_merged_records_do_not_count_but_anonymised_people_do(cur: duckdb.DuckDBPyConnection) -> None:
    survivor = f.candidate(cur, "丁")
    f.hire(cur, survivor, D(2025, 5, 5, 10))
    merged = f.candidate(cur, "丁", merged_into=survivor)
    f.hire(cur, merged, D(2025, 5, 5, 10))               # history a merge failed to move: still not double
    gone = f.candidate(cur, "已删除", deleted=True)
    f.hire(cur, gone, D(2025, 6, 5, 10))
    assert analytics.hires_by_category(cur, SYSTEM, 2025)["young_graduate"] == 2


def test_leaving_later_does_not_undo_a_hire(cur: duckdb.DuckDBPyConnection) -> None:
    person = f.candidate(cur, "戊")
    app = f.hire(cur, person, D(2025, 4, 1, 10))
    cur.execute("insert into stage_event (id, application_id, candidate_id, from_stage, to_stage, occurred_at, actor, note)"
                " values (nextval('seq_stage_event'), ?, ?, 'arrived', 'withdrawn', ?, 'x', '离职')",
                [app, person, D(2025, 10, 1)])
    stage_derived.refresh(cur, candidate_ids=[person])
    assert analytics.hires_by_category(cur, SYSTEM, 2025)["young_graduate"] == 1


def test_funnel_counts_crossings_during_the_year(cur: duckdb.DuckDBPyConnection) -> None:
    a = f.candidate(cur, "甲")
    f.walk(cur, a, ("lead", D(2024, 12, 1)), ("contacted", D(2025, 1, 2)), ("applied", D(2025, 1, 9)))
    b = f.candidate(cur, "乙")
    f.walk(cur, b, ("applied", D(2025, 3, 1)), ("offer", D(2025, 4, 1)), ("rejected", D(2025, 4, 2)))
    funnel = dict(zip(*analytics.funnel(cur, SYSTEM, 2025).select("stage", "candidates").to_dict(as_series=False).values()))
    # a crossed contacted and applied in 2025 (its lead was 2024); b was created at applied (crossing
    # lead … applied at once) and jumped to offer (crossing interviewing, intent, offer).
    assert funnel == {"lead": 1, "contacted": 2, "applied": 2, "interviewing": 1, "intent": 1, "offer": 1,
                      "signed": 0, "arrived": 0, "retained": 0}


def test_a_step_back_and_forward_crosses_once(cur: duckdb.DuckDBPyConnection) -> None:
    a = f.candidate(cur, "甲")
    f.walk(cur, a, ("applied", D(2025, 3, 1)), ("interviewing", D(2025, 3, 5)), ("applied", D(2025, 3, 6)),
           ("interviewing", D(2025, 3, 9)))
    funnel = analytics.funnel(cur, SYSTEM, 2025).filter(stage="interviewing")["candidates"][0]
    assert funnel == 1


def test_drive_figures_exclude_cancelled_drives_and_other_years(cur: duckdb.DuckDBPyConnection) -> None:
    e1, e2, e3 = (f.employer(cur, n) for n in ("甲公司", "乙公司", "丙公司"))
    held = f.drive(cur, date(2025, 4, 1), employers={e1: 10, e2: 5}, university_id=1)
    f.drive(cur, date(2025, 10, 1), employers={e1: 7}, university_id=2)
    f.drive(cur, date(2025, 5, 1), status="cancelled", employers={e3: 9}, university_id=3)
    f.drive(cur, date(2024, 4, 1), employers={e3: 9}, university_id=4)
    person = f.candidate(cur, "甲")
    f.walk(cur, person, ("applied", D(2025, 4, 1)), ("intent", D(2025, 4, 20)), ("withdrawn", D(2025, 5, 1)),
           drive_id=held)
    other = f.candidate(cur, "乙")
    f.walk(cur, other, ("applied", D(2025, 4, 1)), ("interviewing", D(2025, 4, 20)), drive_id=held)
    figures = analytics.drive_figures(cur, SYSTEM, 2025)
    assert figures == {"drives": 2, "drive_universities": 2, "drive_employers": 2, "drive_positions": 22,
                       "drive_intents": 1}   # reaching intent counts even after withdrawing


def test_agreement_status_is_derived_from_dates(cur: duckdb.DuckDBPyConnection) -> None:
    rows = [(1, date(2020, 1, 1), None), (2, date(2020, 1, 1), date(2026, 5, 1)), (3, date(2020, 1, 1), date(2026, 2, 1)),
            (4, date(2026, 6, 1), date(2030, 1, 1)), (5, date(2020, 1, 1), date(2026, 2, 27))]
    for i, start, end in rows:
        cur.execute("insert into agreement (id, university_id, kind, starts_on, ends_on) values (?, 1, '引才协议', ?, ?)",
                    [i, start, end])
    status = analytics.agreement_status(cur, SYSTEM, today=date(2026, 2, 27))
    assert status == {"active": 1, "expiring": 2, "expired": 1, "not_started": 1}


def test_recruiters_see_their_enclave_only(cur: duckdb.DuckDBPyConnection) -> None:
    sh, gy = f.enclave(cur, "SH"), f.enclave(cur, "GY")
    for enclave_id, n in ((sh, 2), (gy, 3)):
        for i in range(n):
            f.hire(cur, f.candidate(cur, f"人{i}", enclave_id=enclave_id), D(2025, 6, 1 + i, 10))
    recruiter = User(id=5, username="r", role="recruiter", enclave_id=sh)
    assert analytics.hires_by_category(cur, recruiter, 2025)["young_graduate"] == 2
    assert analytics.hires_by_category(cur, SYSTEM, 2025)["young_graduate"] == 5
    assert analytics.by_enclave(cur, recruiter, 2025)["code"].to_list() == ["SH"]


def test_report_text_is_built_from_the_figures() -> None:
    h = analytics.Headline(39, 9645, 1304, 82, 34, 1500, 1342, 53, 12, 46, 12, 13)
    text = analytics.report_text(h, year=2025)
    assert text.startswith("2025年，全市已引进青年博士39人、青年大学生9645人、培育高能人才1304人")
    assert "组织82家企业赴34所高校" in text and "柔性引进高层次人才46名" in text
    assert "校园招聘" not in analytics.report_text(analytics.Headline(1, 2, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0), year=2025)


@pytest.mark.parametrize("role", ["recruiter", "manager", "hr", "admin"])
def test_every_role_may_read_dashboards(cur: duckdb.DuckDBPyConnection, role: str) -> None:
    user = User(id=1, username="u", role=role, enclave_id=1)
    assert analytics.headline(cur, user, 2025).hires_young_phd == 0
