"""Migration 008: candidate, stage_event and retention_check rebuilt without the foreign keys that cost the
import an index per row and kept undo from deleting an application with its history in one transaction."""
from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from db import migrate
from db.enums import Channel, TalentCategory
from tests import factories

REBUILT = ("candidate", "stage_event", "retention_check")


def definition(conn: duckdb.DuckDBPyConnection, table: str) -> list[tuple]:
    return conn.execute("select column_name, data_type, is_nullable, column_default from information_schema.columns"
                        " where table_name = ? order by ordinal_position", [table]).fetchall()


def test_an_upgraded_database_keeps_its_rows_and_loses_only_the_foreign_keys(tmp_path: Path) -> None:
    old, rebuild = factories.database_before(tmp_path / "old.duckdb", "drop_bulk_foreign_keys")
    old.execute("insert into candidate (id, name, mobile, talent_category, channel, created_at, updated_at, version)"
                " values (7, '张三', '13800138000', 'young_graduate', 'campus_drive', now(), now(), 3)")
    old.execute("insert into application (id, candidate_id, stage, created_at, updated_at)"
                " values (5, 7, 'arrived', now(), now())")
    old.execute("insert into stage_event values (9, 5, 7, null, 'arrived', now(), 'hr', '入职')")
    old.execute("insert into retention_check values (3, 5, 6, date '2026-06-01', true, true, null, 'hr')")
    columns = {t: definition(old, t) for t in REBUILT}
    data = {t: old.execute(f"select * from {t}").fetchall() for t in REBUILT}
    assert migrate.migrate(old)[0] == rebuild.version
    # Later migrations may add columns (011: stage_event.recorded_at); those that were there stay as they were.
    assert {t: definition(old, t)[: len(columns[t])] for t in REBUILT} == columns
    kept = {t: ", ".join(c[0] for c in columns[t]) for t in REBUILT}
    assert {t: old.execute(f"select {kept[t]} from {t}").fetchall() for t in REBUILT} == data
    referencing = {r[0] for r in old.execute(
        "select distinct table_name from duckdb_constraints() where constraint_type = 'FOREIGN KEY'").fetchall()}
    assert not referencing & set(REBUILT)
    old.close()


def test_lookup_codes_are_still_checked(cur: duckdb.DuckDBPyConnection) -> None:
    for i, (category, channel) in enumerate(zip(TalentCategory, list(Channel)[: len(TalentCategory)]), start=1):
        cur.execute("insert into candidate (id, name, talent_category, channel, created_at, updated_at)"
                    " values (?, '甲', ?, ?, now(), now())", [i, category.value, channel.value])
    for column in ("talent_category", "channel"):
        with pytest.raises(duckdb.ConstraintException):
            cur.execute(f"insert into candidate (id, name, {column}, created_at, updated_at)"
                        " values (99, '乙', 'nonsense', now(), now())")
    assert cur.execute("select count(*) from candidate").fetchall() == [(len(TalentCategory),)]


def test_every_channel_code_is_accepted(cur: duckdb.DuckDBPyConnection) -> None:
    for i, channel in enumerate(Channel, start=1):
        cur.execute("insert into candidate (id, name, channel, created_at, updated_at) values (?, '甲', ?, now(), now())",
                    [i, channel.value])
    assert cur.execute("select count(distinct channel) from candidate").fetchall() == [(len(Channel),)]


def test_an_application_and_its_history_are_deleted_in_one_transaction(cur: duckdb.DuckDBPyConnection) -> None:
    cur.execute("insert into application (id, candidate_id, stage, created_at, updated_at) values (1, 1, 'applied', now(), now())")
    cur.execute("insert into stage_event (id, application_id, candidate_id, from_stage, to_stage, occurred_at, actor,"
                " note) values (1, 1, 1, null, 'applied', now(), 'hr', null)")
    cur.execute("begin")
    cur.execute("delete from stage_event where application_id = 1")
    cur.execute("delete from application where id = 1")
    cur.execute("commit")
    assert cur.execute("select count(*) from application").fetchall() == [(0,)]
