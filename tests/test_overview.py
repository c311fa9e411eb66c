"""总览 on the demo database: the city's 2025 figures, a recruiter's own enclave, other years."""
from __future__ import annotations

from pathlib import Path

from tests.helpers import login, metrics


def test_manager_sees_the_reported_2025_figures(app, demo_db: Path) -> None:  # type: ignore[no-untyped-def]
    at = login(app(demo_db), "manager")
    shown = metrics(at)
    assert shown["青年博士"] == "39 人" and shown["青年大学生"] == "9,645 人" and shown["高能人才"] == "1,304 人"
    assert (shown["企业"], shown["高校"], shown["岗位"]) == ("82 家", "34 所", "1,500 个")
    assert shown["联合培养研究生"] == "53 名" and shown["科技副总"] == "12 名" and shown["柔性引进"] == "46 名"
    sentence = at.info[0].value
    assert sentence.startswith("2025年，全市已引进青年博士39人、青年大学生9645人、培育高能人才1304人")
    assert at.selectbox[0].value == 2025
    assert len(at.get("vega_lite_chart")) == 2
    table = enclave_table(at)
    assert len(table) == 12 and int(table["hires"].sum()) > 0


def test_progress_against_targets(app, demo_db: Path) -> None:  # type: ignore[no-untyped-def]
    at = login(app(demo_db), "manager")
    bars = [p for p in at.get("progress")]
    texts = [getattr(p, "proto").text for p in bars]
    assert "目标 9,000 人 · 完成 107%" in texts        # 9,645 of 9,000 young graduates


def test_recruiter_sees_only_their_enclave(app, demo_db: Path) -> None:  # type: ignore[no-untyped-def]
    at = login(app(demo_db), "recruiter_sh")
    assert "平湖（上海张江）人才飞地" in at.caption[0].value
    assert at.info[0].value.startswith("2025年，平湖（上海张江）人才飞地已引进")
    young_graduates = int(metrics(at)["青年大学生"].split()[0].replace(",", ""))
    assert 0 < young_graduates < 9645
    assert enclave_table(at)["name"].to_list() == ["平湖（上海张江）人才飞地"]


def test_another_year_changes_every_figure(app, demo_db: Path) -> None:  # type: ignore[no-untyped-def]
    at = login(app(demo_db), "manager")
    at.selectbox[0].select(2024).run()
    shown = metrics(at)
    assert shown["青年大学生"] == "0 人" and shown["科技副总"] == "10 名" and shown["柔性引进"] == "35 名"
    assert any("2024 年尚无到岗记录" in c.value for c in at.caption)


def test_a_recruiters_home_lists_their_due_follow_ups(app, demo_db: Path) -> None:  # type: ignore[no-untyped-def]
    import duckdb

    from db.connection import clear_shared_connection

    from db import clock

    conn = duckdb.connect(str(demo_db))
    due = conn.execute("select count(*) from candidate c join app_user o on o.id = c.owner_id"
                       " where o.username = 'recruiter_sh' and c.next_follow_up_on <= ?", [clock.today()]).fetchall()[0][0]
    conn.close()
    clear_shared_connection()
    assert due > 0   # the demo gives recruiters follow-ups around the day it is generated
    at = login(app(demo_db), "recruiter_sh")
    assert any(m.value.startswith(f"**待跟进：{due} 人**") for m in at.markdown)
    manager = login(app(demo_db), "manager")
    assert not any("待跟进" in m.value for m in manager.markdown)   # managers do not follow people up


def enclave_table(at):  # type: ignore[no-untyped-def]
    """The per-enclave table (the expiring agreements' table may come first)."""
    return next(d.value for d in at.dataframe if "hires" in d.value.columns)
