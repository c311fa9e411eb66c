"""分析 → 留平 and 目标进度 on the demo database, for a manager and a recruiter: the screens show what
db/retention_figures.py and db/target_progress.py count, and a recruiter sees only their enclave."""
from __future__ import annotations

from pathlib import Path

import pytest

from db import retention_figures as rf
from db import target_progress as tp
from db.connection import clear_shared_connection, open_database
from db import clock, users
from tests.helpers import login, metrics

SH = "平湖（上海张江）人才飞地"


def counted(demo_db: Path, username: str, work):  # type: ignore[no-untyped-def]
    """What the db/ function answers for that user, read before the app opens the file."""
    conn = open_database(demo_db)
    try:
        cur = conn.cursor()
        user_id = cur.execute("select id from app_user where username = ?", [username]).fetchall()[0][0]
        return work(cur, users.get(cur, user_id))
    finally:
        conn.close()
        clear_shared_connection()


def screen(app, demo_db: Path, username: str, page: str):  # type: ignore[no-untyped-def]
    at = login(app(demo_db, timeout=120), username)
    at.switch_page(f"pages/{page}").run()
    assert not at.exception
    return at


@pytest.mark.parametrize("username", ["manager", "recruiter_sh"])
def test_retention_screen_shows_the_counted_figures(app, demo_db: Path, username: str) -> None:  # type: ignore[no-untyped-def]
    expected = counted(demo_db, username, lambda cur, user: rf.figures(cur, user, 2025))
    at = screen(app, demo_db, username, "analysis_retention.py")
    assert [t.value for t in at.title] == ["留平"] and at.selectbox(key="retention_year").value == 2025
    shown = metrics(at)
    for row in expected.iter_rows(named=True):
        rate = "—" if row["rate"] is None else f"{row['rate']:.1%}"
        assert shown[f"到岗 {row['months']} 个月留平率"] == rate
    assert expected.filter(months=6)["due"].item() > 0
    assert any(c.value.startswith("口径：") for c in at.caption)
    people = at.dataframe[-1].value
    assert len(people) == 50 and set(people.columns) >= {"name", "mobile", "outcome"}
    if username == "recruiter_sh":
        assert set(people["enclave"]) == {SH}
        assert not people["mobile"].dropna().str.contains("*", regex=False).any()    # their own enclave: in full
        assert expected.filter(months=6)["hires"].item() < 9645
    else:
        assert expected.filter(months=6)["hires"].item() > 11000
        assert people["mobile"].dropna().str.contains("*", regex=False).all()        # masked unless revealed


def test_retention_drill_down_by_group_and_outcome(app, demo_db: Path) -> None:  # type: ignore[no-untyped-def]
    at = screen(app, demo_db, "manager", "analysis_retention.py")
    at.selectbox(key="retention_by").select("enclave").run()
    at.selectbox(key="retention_group_enclave").select_index(1).run()
    at.selectbox(key="retention_outcome").select("overdue").run()
    at.radio(key="retention_months").set_value(12).run()
    assert not at.exception
    people = at.dataframe[-1].value
    assert len(people) == 50 and set(people["outcome"]) == {"逾期未回访"} and people["enclave"].nunique() == 1


@pytest.mark.parametrize("username", ["manager", "recruiter_sh"])
def test_targets_screen_shows_progress_per_scope(app, demo_db: Path, username: str) -> None:  # type: ignore[no-untyped-def]
    expected = counted(demo_db, username, lambda cur, user: tp.progress(cur, user, 2025))
    at = screen(app, demo_db, username, "analysis_targets.py")
    assert [t.value for t in at.title] == ["目标进度"] and at.selectbox(key="target_progress_year").value == 2025
    shown = metrics(at)
    assert shown["目标项"] == f"{expected.height} 项"
    assert shown["落后于应完成"] == f"{int(expected['behind'].sum())} 项"
    grid = at.dataframe[0].value
    assert len(grid) == expected.height and grid["actual"].tolist() == expected["actual"].to_list()
    assert any(c.value.startswith("口径：") for c in at.caption)
    if username == "recruiter_sh":
        assert set(grid["scope"]) == {SH} and len(grid) == 4
    else:
        city = grid[grid["scope"] == "全市"]
        assert dict(zip(city["label"], city["actual"]))["青年大学生"] == 9645


def test_targets_screen_of_a_year_without_targets_says_so(app, demo_db: Path) -> None:  # type: ignore[no-untyped-def]
    at = screen(app, demo_db, "manager", "analysis_targets.py")
    at.selectbox(key="target_progress_year").select(clock.today().year).run()    # the demo sets 2025's only
    assert not at.exception
    assert at.info and "还没有设置目标" in at.info[0].value and not at.dataframe
