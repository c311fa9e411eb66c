"""分析 → 漏斗 and 来源 through AppTest on the demo database, for a manager and a recruiter: the screens
show the figures db/funnels and db/sources count, and the drill-down masks contacts per role."""
from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from db import funnels, sources
from db.connection import open_database
from db.permissions import SYSTEM, User
from tests.helpers import login

YEAR = 2025


def recruiter_sh(path: Path) -> User:
    conn = duckdb.connect(str(path), read_only=True)
    uid, enclave = conn.execute("select id, enclave_id from app_user where username = 'recruiter_sh'").fetchall()[0]
    conn.close()
    return User(uid, "recruiter_sh", "recruiter", enclave)


def expected(path: Path, actor: User, by: str | None) -> dict[str, dict[str, int]]:
    conn = open_database(path)
    wide = funnels.table(funnels.crossings(conn.cursor(), actor, funnels.Slice.year(YEAR), by=by))
    conn.close()
    return {r["group"]: {s: r[s] for s in funnels.STAGES} for r in wide.iter_rows(named=True)}


def shown(at) -> dict[str, dict[str, int]]:  # type: ignore[no-untyped-def]
    grid = at.dataframe[0].value
    return {r["group"]: {s: int(r[s]) for s in funnels.STAGES} for r in grid.to_dict("records")}


def open_screen(app, path: Path, username: str, screen: str):  # type: ignore[no-untyped-def]
    at = login(app(path, timeout=180), username)
    at.switch_page(f"pages/{screen}.py").run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("username", ["manager", "recruiter_sh"])
def test_the_funnel_screen_shows_the_counted_figures_grouped(app, demo_db: Path, username: str) -> None:  # type: ignore[no-untyped-def]
    actor = SYSTEM if username == "manager" else recruiter_sh(demo_db)
    at = open_screen(app, demo_db, username, "analysis_funnel")
    assert "漏斗" in [t.value for t in at.title]
    assert shown(at) == expected(demo_db, actor, None)
    at.selectbox(key="funnel_by").select("enclave").run()
    assert not at.exception
    figures = shown(at)
    assert figures == expected(demo_db, actor, "enclave")
    if username == "recruiter_sh":
        assert len(figures) == 1                        # their own enclave only
    assert any("口径" in c.value for c in at.caption)


def test_the_drill_down_masks_contacts_per_role(app, demo_db: Path) -> None:  # type: ignore[no-untyped-def]
    at = open_screen(app, demo_db, "manager", "analysis_funnel")
    assert len(at.dataframe) == 1 and not at.multiselect          # the people and the filters wait to be asked for
    assert at.selectbox(key="funnel_people_stage").value is None
    at.selectbox(key="funnel_people_stage").select("arrived").run()
    people = at.dataframe[1].value
    assert len(people) == funnels.PAGE_SIZE
    mobiles = [m for m in people["mobile"] if m]
    assert mobiles and all("****" in m for m in mobiles)        # managers: masked until revealed
    at.number_input(key="funnel_people_page").set_value(2).run()
    assert not at.exception and at.dataframe[1].value["id"].iloc[0] != people["id"].iloc[0]

    mine = open_screen(app, demo_db, "recruiter_sh", "analysis_funnel")
    mine.selectbox(key="funnel_people_stage").select("arrived").run()
    own = [m for m in mine.dataframe[1].value["mobile"] if m]
    assert own and not any("****" in m for m in own)            # own enclave: in full


@pytest.mark.parametrize("username", ["manager", "recruiter_sh"])
def test_compare_and_cohort_modes(app, demo_db: Path, username: str) -> None:  # type: ignore[no-untyped-def]
    actor = SYSTEM if username == "manager" else recruiter_sh(demo_db)
    at = open_screen(app, demo_db, username, "analysis_funnel")
    at.radio(key="funnel_mode").set_value("compare").run()
    assert not at.exception
    grid = at.dataframe[0].value
    total = expected(demo_db, actor, None)[funnels.ALL]
    assert [int(v) for v in grid["切片 A"]] == [total[s] for s in funnels.STAGES]
    at.radio(key="funnel_mode").set_value("cohort").run()
    assert not at.exception
    cohorts = at.dataframe[0].value
    assert len(cohorts) >= 1 and any("首次接触" in c.value for c in at.caption)


@pytest.mark.parametrize("username", ["manager", "recruiter_sh"])
def test_the_sources_screen_ranks_sources_with_intent_conversion(app, demo_db: Path, username: str) -> None:  # type: ignore[no-untyped-def]
    actor = SYSTEM if username == "manager" else recruiter_sh(demo_db)
    at = open_screen(app, demo_db, username, "analysis_sources")
    assert "来源" in [t.value for t in at.title]
    conn = open_database(demo_db)
    want = sources.yield_by(conn.cursor(), actor, YEAR, by="channel")
    conn.close()
    grid = at.dataframe[0].value
    assert list(grid["group"]) == want["group"].to_list()
    assert [int(v) for v in grid["hires"]] == want["hires"].to_list()
    assert list(grid["hires"]) == sorted(grid["hires"], reverse=True)
    assert any("意向兑现" in c.value for c in at.caption)
    at.selectbox(key="sources_by").select("employer").run()
    assert not at.exception and len(at.dataframe[0].value) > 1


def test_a_date_range_and_a_slice_change_the_figures_as_counted(app, demo_db: Path) -> None:  # type: ignore[no-untyped-def]
    from datetime import date

    at = open_screen(app, demo_db, "manager", "analysis_funnel")
    at.radio(key="funnel_period").set_value("range").run()
    at.date_input(key="funnel_range").set_value((date(2025, 3, 1), date(2025, 6, 30))).run()
    at.toggle(key="funnel_slicing").set_value(True).run()           # the filters show once slicing is on
    at.multiselect(key="funnel_f_degree").select("博士").run()
    at.selectbox(key="funnel_by").select("category").run()
    assert not at.exception
    conn = open_database(demo_db)
    where = funnels.Slice.between(date(2025, 3, 1), date(2025, 7, 1), degree=["博士"])
    wide = funnels.table(funnels.crossings(conn.cursor(), SYSTEM, where, by="category"))
    conn.close()
    want = {r["group"]: {s: r[s] for s in funnels.STAGES} for r in wide.iter_rows(named=True)}
    assert want and shown(at) == want
    assert sum(v["lead"] for v in want.values()) < expected(demo_db, SYSTEM, None)[funnels.ALL]["lead"]


def test_a_picked_bar_lists_its_people_and_the_slice_switch_shows_the_filters(app, demo_db: Path) -> None:  # type: ignore[no-untyped-def]
    at = open_screen(app, demo_db, "manager", "analysis_funnel")
    at.session_state["funnel_people_stage"] = "arrived"         # what a click on a bar sets before the pickers
    at.run()
    assert not at.exception and at.selectbox(key="funnel_people_stage").value == "arrived"
    assert len(at.dataframe) == 2                               # the groups, then the people behind the bar
    at.toggle(key="funnel_slicing").set_value(True).run()
    assert not at.exception and len(at.multiselect) == len(funnels.DIMENSIONS)
    at.toggle(key="funnel_slicing").set_value(False).run()      # off again: 不限, and no filter read
    assert not at.exception and not at.multiselect
