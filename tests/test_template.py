"""Fresh databases copied from the cached empty one are the same as databases built from nothing."""
from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from db import migrate, reference, template
from db.connection import open_database
from tests.test_migrations import schema

COUNTS = "select (select count(*) from university), (select count(*) from university_alias)," \
         " (select count(*) from province), (select count(*) from city), (select count(*) from schema_migrations)"


def built_from_nothing(path: Path) -> duckdb.DuckDBPyConnection:
    conn = duckdb.connect(str(path))
    migrate.migrate(conn)
    reference.ensure_loaded(conn)
    return conn


def test_a_copied_database_equals_one_built_from_nothing(tmp_path: Path) -> None:
    copied = open_database(tmp_path / "copied.duckdb")
    built = built_from_nothing(tmp_path / "built.duckdb")
    assert schema(copied) == schema(built)
    assert copied.execute(COUNTS).fetchall() == built.execute(COUNTS).fetchall()
    assert copied.execute("select nextval('seq_candidate')").fetchall() == [(1,)]
    assert list((Path(template.cache_dir())).glob("empty-*.duckdb")) == [template.cache_dir() / f"empty-{template.key()}.duckdb"]


def test_copies_are_independent(tmp_path: Path) -> None:
    a = open_database(tmp_path / "a.duckdb")
    a.execute("insert into employer (id, name, created_at) values (1, '甲公司', now())")
    a.close()
    b = open_database(tmp_path / "b.duckdb")
    assert b.execute("select count(*) from employer").fetchall() == [(0,)]


def test_another_migration_makes_another_template(monkeypatch: pytest.MonkeyPatch) -> None:
    before = template.key()
    extra = migrate.Migration(99, "099_create_extra", "-- why: a test\ncreate table extra (x int);")
    real = migrate.discover()
    monkeypatch.setattr(migrate, "discover", lambda: [*real, extra])
    assert template.key() != before


def test_without_a_writable_cache_a_database_is_built_from_nothing(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder would be")
    monkeypatch.setenv("CRM_CACHE_DIR", str(blocked))
    conn = open_database(tmp_path / "plain.duckdb")
    assert conn.execute("select count(*) from university").fetchall() == [(2756,)]


def test_the_code_that_loads_reference_data_is_part_of_the_key(monkeypatch: pytest.MonkeyPatch,
                                                               tmp_path: Path) -> None:
    before = template.key()
    edited = tmp_path / "reference.py"
    edited.write_text(Path(reference.__file__).read_text(encoding="utf-8") + "\n# another alias\n", encoding="utf-8")
    monkeypatch.setattr(reference, "__file__", str(edited))
    assert template.key() != before
