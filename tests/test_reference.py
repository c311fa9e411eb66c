"""Reference data copied from shared/data/reference with its provenance."""
from __future__ import annotations

from pathlib import Path

import duckdb

from db import reference


def test_every_moe_university_with_its_tags(cur: duckdb.DuckDBPyConnection) -> None:
    total, c985, c211, dfc, levels = cur.execute(
        "select count(*), count(*) filter (where is_985), count(*) filter (where is_211),"
        " count(*) filter (where is_double_first_class), count(distinct level) from university"
    ).fetchall()[0]
    assert (total, c985, c211, dfc, levels) == (2756, 38, 112, 144, 2)
    assert cur.execute("select count(distinct school_code) from university").fetchall()[0][0] == 2756


def test_provinces_and_cities(cur: duckdb.DuckDBPyConnection) -> None:
    assert cur.execute("select count(*) from province").fetchall()[0][0] == 31
    assert cur.execute("select count(*) from city").fetchall()[0][0] == 342
    jiaxing = cur.execute("select c.name, p.name from city c join province p on p.code = c.province_code"
                          " where c.code = '3304'").fetchall()
    assert jiaxing == [("嘉兴市", "浙江省")]


def test_renamed_universities_carry_the_new_name_and_keep_the_old_as_alias(cur: duckdb.DuckDBPyConnection) -> None:
    found = cur.execute(
        "select u.name, u.school_code from university_alias a join university u on u.id = a.university_id"
        " where a.alias = '上海体育学院'"
    ).fetchall()
    assert found == [("上海体育大学", "4131010277")]
    assert cur.execute("select count(*) from university where name = '上海体育学院'").fetchall()[0][0] == 0
    jiaxing = cur.execute("select u.name from university_alias a join university u on u.id = a.university_id"
                          " where a.alias = '嘉兴学院'").fetchall()
    assert jiaxing == [("嘉兴大学",)]


def test_every_alias_resolves_and_none_shadows_a_real_name(cur: duckdb.DuckDBPyConnection) -> None:
    expected = len(reference.RENAMES) + len(reference.FORMER_NAMES) + len(reference.SHORT_NAMES)
    assert cur.execute("select count(*) from university_alias").fetchall()[0][0] == expected
    shadowing = cur.execute("select a.alias from university_alias a join university u on u.name = a.alias").fetchall()
    assert shadowing == []


def test_provenance_travels_with_the_copy() -> None:
    folder = Path(reference.REFERENCE_DIR)
    text = (folder / "PROVENANCE.md").read_text(encoding="utf-8")
    for name in ("universities_moe_2021.csv", "university_tags.csv", "provinces.csv", "cities.csv"):
        assert (folder / name).exists() and name in text


def test_reference_data_is_loaded_once(db_path: Path) -> None:
    from db.connection import open_database

    conn = open_database(db_path)
    assert reference.ensure_loaded(conn) is False
    assert conn.execute("select count(*) from university").fetchall()[0][0] == 2756
    conn.close()
