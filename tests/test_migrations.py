"""Migrations: numbered without gaps, idempotent, and a fresh DB equals an upgraded one."""
from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from db import migrate
from db.connection import connect, open_database
from db.errors import SchemaTooNew

REQUIRED_TABLES = {
    "enclave", "university", "university_alias", "agreement", "employer", "campus_drive", "drive_employer",
    "position", "candidate", "application", "stage_event", "retention_check", "co_supervision", "appointment",
    "target", "activity", "import_batch", "import_reject", "app_user", "audit_log", "schema_migrations",
}
REQUIRED_COLUMNS = {
    "candidate": {"id", "name", "gender", "mobile", "email", "university_id", "university_raw", "major", "degree",
                  "graduation_year", "graduation_month", "talent_category", "channel", "enclave_id", "owner_id",
                  "created_at", "updated_at", "deleted_at", "version"},
    "university": {"id", "school_code", "name", "province", "city", "level"},
    "app_user": {"username", "role", "enclave_id"},
    "application": {"version"},
}
# Tables some FOREIGN KEY points at. DuckDB cannot update indexed columns of a referenced row,
# so every table here must never change its key, UNIQUE or FK columns (see migration 001).
# Only tables that are never updated in place (reference data) or whose referenced columns never
# change: since 010 the programme registers (renamed, recoded, deactivated on screen) are referenced by none.
FK_REFERENCED = {"province", "university", "app_user"}


def schema(conn: duckdb.DuckDBPyConnection) -> list[tuple]:
    return conn.execute(
        "select table_name, column_name, data_type, is_nullable, column_default from information_schema.columns"
        " where table_schema = 'main' order by table_name, column_name"
    ).fetchall()


def test_numbering_has_no_gaps_and_names_follow_the_pattern() -> None:
    found = migrate.discover()
    assert [m.version for m in found] == list(range(1, len(found) + 1))
    for m in found:
        assert m.sql.startswith("-- why:"), f"{m.name} must open with a '-- why' comment"


def test_a_gap_in_numbering_is_refused(tmp_path: Path) -> None:
    (tmp_path / "001_create_a.sql").write_text("-- why: a\ncreate table a(x int);")
    (tmp_path / "003_create_c.sql").write_text("-- why: c\ncreate table c(x int);")
    with pytest.raises(migrate.MigrationError, match="连续"):
        migrate.discover(tmp_path)


def test_migrating_twice_is_a_no_op(db_path: Path) -> None:
    conn = connect(db_path)
    before = schema(conn)
    assert migrate.migrate(conn) == []
    assert schema(conn) == before
    conn.close()


def test_fresh_database_has_every_entity_and_pinned_column(cur: duckdb.DuckDBPyConnection) -> None:
    tables = {r[0] for r in cur.execute("select table_name from information_schema.tables").fetchall()}
    assert REQUIRED_TABLES <= tables
    for table, columns in REQUIRED_COLUMNS.items():
        found = {r[0] for r in cur.execute(
            "select column_name from information_schema.columns where table_name = ?", [table]).fetchall()}
        assert columns <= found, f"{table} lacks {columns - found}"
    assert [m.version for m in migrate.pending(cur)] == []


def test_upgraded_database_ends_identical_to_a_fresh_one(tmp_path: Path) -> None:
    """Apply the first migrations only (an older release), then upgrade: same schema as fresh."""
    every = migrate.discover()
    old = connect(tmp_path / "old.duckdb")
    migrate._ensure_table(old)
    for m in every[:2]:
        old.execute(m.sql)
        old.execute("insert into schema_migrations values (?, ?, ?, now())", [m.version, m.name, m.checksum])
    applied_now = migrate.migrate(old)
    assert applied_now == [m.version for m in every[2:]]
    fresh = open_database(tmp_path / "fresh.duckdb")
    assert schema(old) == schema(fresh)
    old.close()
    fresh.close()


def test_an_edited_migration_is_refused(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    conn = connect(db_path)
    conn.execute("update schema_migrations set checksum = 'edited' where version = 1")
    with pytest.raises(migrate.MigrationError, match="修改"):
        migrate.migrate(conn)
    conn.close()


def test_a_database_from_newer_code_is_refused(db_path: Path) -> None:
    conn = connect(db_path)
    conn.execute("insert into schema_migrations values (999, '999_future', 'x', now())")
    with pytest.raises(SchemaTooNew, match="升级程序"):
        migrate.migrate(conn)
    conn.close()


def test_foreign_key_targets_are_the_documented_set(cur: duckdb.DuckDBPyConnection) -> None:
    referenced = {r[0] for r in cur.execute(
        "select distinct referenced_table from duckdb_constraints() where constraint_type = 'FOREIGN KEY'"
    ).fetchall()}
    assert referenced == FK_REFERENCED
    assert "candidate" not in referenced   # merges and edits must stay in-place updates


def test_a_referenced_employer_can_be_renamed_and_an_enclave_recoded(cur: duckdb.DuckDBPyConnection) -> None:
    """What 010 is for: before it, DuckDB refused both while any row referred to them."""
    cur.execute("insert into enclave (id, code, name, city, province) values (1, 'SH', '上海飞地', '上海市', '上海市')")
    cur.execute("insert into employer (id, name) values (1, '甲公司')")
    cur.execute("insert into position (id, employer_id, title) values (1, 1, '工程师')")
    cur.execute("insert into appointment (id, kind, person_name, employer_id, enclave_id, starts_on)"
                " values (1, 'tech_vp', '王', 1, 1, date '2025-01-01')")
    cur.execute("insert into target values (1, 2025, 1, 'young_phd', 3)")
    cur.execute("insert into application (id, candidate_id, employer_id, position_id, stage, created_at, updated_at)"
                " values (1, 1, 1, 1, 'lead', now(), now())")
    cur.execute("update employer set name = '甲公司（更名）' where id = 1")
    cur.execute("update enclave set code = 'SH1' where id = 1")
    assert cur.execute("select name from employer").fetchall() == [("甲公司（更名）",)]


def test_editing_a_referenced_candidates_contacts_and_owner_is_possible(cur: duckdb.DuckDBPyConnection) -> None:
    """The FK policy's point: a candidate with applications and history can still be edited."""
    cur.execute("insert into candidate (id, name, mobile, created_at, updated_at) values (1, '张三', '13800138000', now(), now())")
    cur.execute("insert into application (id, candidate_id, stage, created_at, updated_at) values (1, 1, 'lead', now(), now())")
    cur.execute("insert into stage_event (id, application_id, candidate_id, to_stage, occurred_at, actor)"
                " values (1, 1, 1, 'lead', now(), 'test')")
    cur.execute("update candidate set mobile = '13900139000', university_id = 1, owner_id = null where id = 1")
    cur.execute("update application set candidate_id = 1, stage = 'contacted' where id = 1")
    assert cur.execute("select mobile from candidate").fetchall() == [("13900139000",)]
