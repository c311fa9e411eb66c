"""References the schema leaves to db/ (migrations 001, 008) stay whole through real work."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from db import candidate_commands as cc, candidates, duplicates, integrity
from db.candidate_commands import CandidateDraft
from db.errors import ValidationError
from db.permissions import SYSTEM
from tests import factories as f


def test_the_demo_database_is_whole(demo_cur: duckdb.DuckDBPyConnection) -> None:
    assert integrity.dangling(demo_cur) == {label: 0 for label in integrity.CHECKS}


def test_merges_and_deletions_keep_it_whole(demo_cur: duckdb.DuckDBPyConnection) -> None:
    pairs = duplicates.pairs(demo_cur, SYSTEM, limit=5)
    for left, right in zip(pairs["left_id"].to_list(), pairs["right_id"].to_list()):
        live = [candidates.get(demo_cur, SYSTEM, i) for i in (left, right)]
        if all(p.merged_into is None and p.deleted_at is None for p in live):
            duplicates.merge(demo_cur, SYSTEM, left, right, take_from_merged={"mobile"},
                             versions=(live[0].version, live[1].version))
    victim = demo_cur.execute("select id from candidate where merged_into is null and deleted_at is null"
                              " order by id limit 1").fetchall()[0][0]
    cc.delete_on_request(demo_cur, SYSTEM, victim, reason="本人要求")
    assert sum(integrity.dangling(demo_cur).values()) == 0


def test_the_check_finds_a_dangling_reference(cur: duckdb.DuckDBPyConnection) -> None:
    person = f.candidate(cur, "张三")
    f.hire(cur, person, datetime(2025, 7, 1, 10))
    cur.execute("update candidate set university_id = 999999 where id = ?", [person])
    cur.execute("delete from application")
    found = integrity.dangling(cur)
    assert found["candidate.university_id → university"] == 1
    assert found["stage_event.application_id → application"] == 8


def test_commands_refuse_ids_that_point_nowhere(cur: duckdb.DuckDBPyConnection) -> None:
    base = {"name": "张三", "mobile": "13800138000", "channel": "online", "consent_method": "表单",
            "consent_purpose": "招聘"}
    for field, message in (("enclave_id", "所属飞地"), ("owner_id", "负责人"), ("source_drive_id", "来源校园招聘"),
                           ("university_id", "学校")):
        with pytest.raises(ValidationError, match=message):
            cc.add(cur, SYSTEM, CandidateDraft(**base, **{field: 424242}))
    assert cur.execute("select count(*) from candidate").fetchall() == [(0,)]


def test_db_check_command(demo_db: Path) -> None:
    import subprocess
    import sys

    from tests.conftest import ROOT

    done = subprocess.run([sys.executable, "-m", "db", "check", "--db", str(demo_db)], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0 and "检查通过" in done.stdout


def test_imports_and_their_undo_keep_it_whole(demo_cur: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    from db import import_history
    from loaders.importer import import_file

    drive = demo_cur.execute("select id from campus_drive where status = 'held' order by id limit 1").fetchall()[0][0]
    known = demo_cur.execute("select mobile from candidate where mobile is not null order by id limit 1").fetchall()[0][0]
    sheet = tmp_path / "fair.csv"
    sheet.write_text("姓名,手机号,学校,学历,毕业时间,签约意向\n"
                     "新同学,13012345678,浙江大学,本科,2026届,是\n"
                     f"老朋友,{known},浙大,硕士,2025.6,否\n"
                     "没电话,,同济大学,本科,2026,否\n", encoding="utf-8")
    _, result = import_file(demo_cur, SYSTEM, sheet, drive_id=drive)
    assert (result.inserted, result.matched, result.rejected) == (1, 1, 1)
    assert sum(integrity.dangling(demo_cur).values()) == 0
    import_history.undo(demo_cur, SYSTEM, result.batch_id)
    assert sum(integrity.dangling(demo_cur).values()) == 0
