"""Enums live in one Python module; the lookup tables the migrations create must match them."""
from __future__ import annotations

import duckdb
import pytest

from db.enums import Channel, Stage, TalentCategory, derive_talent_category


def test_stage_table_matches_enum(cur: duckdb.DuckDBPyConnection) -> None:
    rows = cur.execute("select code, rank, label, is_exit from stage order by rank").fetchall()
    assert rows == [(s.value, s.rank, s.label, s.is_exit) for s in Stage]


@pytest.mark.parametrize("table, enum", [("talent_category", TalentCategory), ("channel", Channel)])
def test_lookup_tables_match_enums(cur: duckdb.DuckDBPyConnection, table: str, enum: type) -> None:
    rows = cur.execute(f"select code, label from {table} order by sort_order").fetchall()
    assert rows == [(m.value, m.label) for m in enum]


def test_check_constraints_list_every_stage(cur: duckdb.DuckDBPyConnection) -> None:
    cur.execute("insert into application (id, candidate_id, stage, created_at, updated_at)"
                " values (1, 1, 'retained', now(), now())")
    with pytest.raises(duckdb.ConstraintException):
        cur.execute("insert into application (id, candidate_id, stage, created_at, updated_at)"
                    " values (2, 1, 'hired', now(), now())")


@pytest.mark.parametrize("degree, birth_year, expected", [
    ("博士", 1995, TalentCategory.YOUNG_PHD),
    ("博士后", 1990, TalentCategory.YOUNG_PHD),       # 35 in 2025: still young
    ("博士", 1985, TalentCategory.OTHER),
    ("本科", 2002, TalentCategory.YOUNG_GRADUATE),
    ("大专", None, TalentCategory.YOUNG_GRADUATE),    # unknown age counts as young
    ("硕士", 1980, TalentCategory.OTHER),
    (None, 2000, TalentCategory.OTHER),              # skills are not derivable from a degree
])
def test_derive_talent_category(degree: str | None, birth_year: int | None, expected: TalentCategory) -> None:
    assert derive_talent_category(degree, birth_year, 2025) == expected


def test_labels_are_chinese() -> None:
    assert Stage.ARRIVED.label == "已到岗" and Stage.label_of("nonsense") == "nonsense"
    assert TalentCategory.labels()["young_phd"] == "青年博士"
