"""留平 figures on a hand-made world whose answers are known by construction (db/retention_figures.py)."""
from __future__ import annotations

from datetime import date

import duckdb
import pytest

from db import retention_figures as rf
from db.permissions import SYSTEM
from tests import factories as f

TODAY = date(2026, 6, 30)


@pytest.fixture
def world(cur: duckdb.DuckDBPyConnection) -> dict:
    """The hand-made 留平 world of tests/factories.py (the annual report's tests count on it too)."""
    return f.retention_world(cur)


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
