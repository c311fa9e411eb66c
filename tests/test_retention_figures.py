"""留平 figures on a hand-made world whose answers are known by construction (db/retention_figures.py)."""
from __future__ import annotations

from datetime import date, datetime

import duckdb
import pytest

from db import retention_figures as rf
from db.permissions import SYSTEM
from tests import factories as f

TODAY = date(2026, 6, 30)
D = datetime


def check(cur: duckdb.DuckDBPyConnection, app: int, months: int, on: date, *, pinghu: bool, employed: bool | None = None) -> None:
    cur.execute("insert into retention_check (id, application_id, months, checked_on, still_employed, still_in_pinghu,"
                " checked_by) values (nextval('seq_retention_check'), ?, ?, ?, ?, ?, 'hr')",
                [app, months, on, pinghu if employed is None else employed, pinghu])


def hire(cur: duckdb.DuckDBPyConnection, name: str, category: str, enclave: int, employer: int, arrived: D) -> int:
    person = f.candidate(cur, name, category=category, enclave_id=enclave)
    app = f.hire(cur, person, arrived)
    cur.execute("update application set employer_id = ? where id = ?", [employer, app])
    return app


@pytest.fixture
def world(cur: duckdb.DuckDBPyConnection) -> dict:
    """Four 2025 hires in two enclaves at two employers, one 2026 hire, one merged-away record:

    甲 SH/A young_graduate, 2025-01-10: 6 months stayed, 12 months left  (then recategorised young_phd)
    乙 SH/B young_phd,      2025-03-01: no 6-month check; 12 months in Pinghu but changed employer
    丙 CD/A young_graduate, 2025-05-01: 6 months left (12 months: left, by the earlier check)
    丁 CD/B young_graduate, 2025-08-01: no check (6 months overdue; 12 months not due on 2026-06-30)
    """
    sh, cd = f.enclave(cur, "SH"), f.enclave(cur, "CD")
    a, b = f.employer(cur, "甲公司"), f.employer(cur, "乙公司")
    jia = hire(cur, "甲", "young_graduate", sh, a, D(2025, 1, 10, 9))
    check(cur, jia, 6, date(2025, 7, 12), pinghu=True)
    check(cur, jia, 12, date(2026, 1, 15), pinghu=False)
    cur.execute("update candidate set talent_category = 'young_phd' where name = '甲'")
    yi = hire(cur, "乙", "young_phd", sh, b, D(2025, 3, 1, 9))
    check(cur, yi, 12, date(2026, 3, 2), pinghu=True, employed=False)
    bing = hire(cur, "丙", "young_graduate", cd, a, D(2025, 5, 1, 9))
    check(cur, bing, 6, date(2025, 11, 2), pinghu=False)
    hire(cur, "丁", "young_graduate", cd, b, D(2025, 8, 1, 9))
    hire(cur, "戊", "young_graduate", sh, a, D(2026, 1, 5, 9))            # another year
    survivor = cur.execute("select id from candidate where name = '甲'").fetchall()[0][0]
    twin = f.candidate(cur, "甲", enclave_id=sh, merged_into=survivor)
    f.hire(cur, twin, D(2025, 2, 1, 9))                                     # merged away: never counts
    return {"sh": sh, "cd": cd, "a": a, "b": b,
            "recruiter_sh": f.user(cur, "recruiter_sh", "recruiter", sh), "manager": f.user(cur, "manager", "manager")}


def by_months(df, group: str = "all") -> dict[int, tuple]:  # type: ignore[no-untyped-def]
    rows = df.filter(group_key=group)
    return {m: (h, d, s, l, o, e) for m, h, d, s, l, o, e in
            rows.select("months", "hires", "due", "stayed", "left", "overdue", "employed").iter_rows()}


def test_the_city_figures(cur, world) -> None:  # type: ignore[no-untyped-def]
    df = rf.figures(cur, world["manager"], 2025, today=TODAY)
    #            hires due stayed left overdue employed
    assert by_months(df) == {6: (4, 4, 2, 1, 1, 1),     # 乙 stayed by the later check (not employed there)
                             12: (4, 3, 1, 2, 0, 0),    # 丙 left by the earlier check; 丁 not due
                             36: (4, 0, 0, 0, 0, 0)}
    rates = dict(zip(df["months"], df["rate"]))
    assert rates[6] == pytest.approx(2 / 3) and rates[12] == pytest.approx(1 / 3) and rates[36] is None


def test_by_category_at_arrival_enclave_and_employer(cur, world) -> None:  # type: ignore[no-untyped-def]
    by_category = rf.figures(cur, SYSTEM, 2025, by="category", today=TODAY)
    assert by_months(by_category, "young_graduate")[6] == (3, 3, 1, 1, 1, 1)    # 甲 counts as at arrival
    assert by_months(by_category, "young_phd")[6] == (1, 1, 1, 0, 0, 0)
    assert by_category.filter(group_key="young_phd")["group_label"][0] == "青年博士"
    by_enclave = rf.figures(cur, SYSTEM, 2025, by="enclave", today=TODAY)
    assert by_months(by_enclave, str(world["sh"]))[12] == (2, 2, 1, 1, 0, 0)
    assert by_months(by_enclave, str(world["cd"]))[12] == (2, 1, 0, 1, 0, 0)
    by_employer = rf.figures(cur, SYSTEM, 2025, by="employer", today=TODAY)
    assert by_months(by_employer, str(world["a"]))[6] == (2, 2, 1, 1, 0, 1)
    assert by_months(by_employer, str(world["b"]))[6] == (2, 2, 1, 0, 1, 0)
    assert set(by_employer["group_label"]) == {"甲公司", "乙公司"}


def test_checks_not_yet_due_are_not_counted(cur, world) -> None:  # type: ignore[no-untyped-def]
    early = rf.figures(cur, SYSTEM, 2025, today=date(2025, 7, 9))         # only 甲's 6 months is due
    assert by_months(early)[6] == (4, 0, 0, 0, 0, 0)
    assert by_months(rf.figures(cur, SYSTEM, 2025, today=date(2025, 7, 10)))[6] == (4, 1, 1, 0, 0, 1)
    assert by_months(rf.figures(cur, SYSTEM, 2026, today=TODAY))[6] == (1, 0, 0, 0, 0, 0)   # 戊: due 2026-07-05


def test_a_recruiter_sees_their_enclave_only(cur, world) -> None:  # type: ignore[no-untyped-def]
    df = rf.figures(cur, world["recruiter_sh"], 2025, by="enclave", today=TODAY)
    assert df["group_key"].unique().to_list() == [str(world["sh"])]
    page = rf.people(cur, world["recruiter_sh"], 2025, months=6, today=TODAY)
    assert page.total == 2 and page.rows["name"].to_list() == ["甲", "乙"]


def test_the_people_behind_a_figure(cur, world) -> None:  # type: ignore[no-untyped-def]
    overdue = rf.people(cur, world["manager"], 2025, months=6, outcome="overdue", today=TODAY)
    assert overdue.total == 1 and overdue.rows["name"].to_list() == ["丁"]
    assert overdue.rows["outcome"].to_list() == ["逾期未回访"] and overdue.rows["due_on"].to_list() == [date(2026, 2, 1)]
    left = rf.people(cur, world["manager"], 2025, months=12, by="enclave", group_key=str(world["cd"]), outcome="left",
                     today=TODAY)
    assert left.rows["name"].to_list() == ["丙"] and left.rows["checked_on"].to_list() == [date(2025, 11, 2)]
    paged = rf.people(cur, world["manager"], 2025, months=6, today=TODAY, offset=1, limit=2)
    assert paged.total == 4 and paged.rows["name"].to_list() == ["乙", "丙"]
    assert "masked" in paged.rows.columns


def test_unknown_groupings_are_refused(cur, world) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError):
        rf.figures(cur, SYSTEM, 2025, by="name; drop table candidate")


@pytest.mark.parametrize("by", ["category", "enclave", "employer"])
def test_any_groupings_totals_are_the_whole_scopes(cur, world, by: str) -> None:  # type: ignore[no-untyped-def]
    whole = rf.figures(cur, SYSTEM, 2025, today=TODAY)
    assert rf.totals(rf.figures(cur, SYSTEM, 2025, by=by, today=TODAY)).to_dicts() == whole.to_dicts()
    assert rf.totals(rf.figures(cur, SYSTEM, 2024, by=by, today=TODAY))["hires"].to_list() == [0, 0, 0]
