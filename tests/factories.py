"""Minimal rows written straight into a test database, for tests about counting over rows."""
from __future__ import annotations

from datetime import date, datetime

import duckdb

from db import stage_derived
from db.enums import PIPELINE, Stage


def enclave(cur: duckdb.DuckDBPyConnection, code: str = "SH", *, id: int | None = None) -> int:
    new_id = id or cur.execute("select nextval('seq_enclave')").fetchall()[0][0]
    cur.execute("insert into enclave (id, code, name, city, province) values (?, ?, ?, ?, ?)",
                [new_id, code, f"{code} 飞地", f"{code} 市", "某省"])
    return new_id


def candidate(cur: duckdb.DuckDBPyConnection, name: str = "张三", *, category: str = "young_graduate",
              enclave_id: int | None = None, merged_into: int | None = None, deleted: bool = False,
              created_at: datetime = datetime(2025, 1, 5, 10)) -> int:
    new_id = cur.execute("select nextval('seq_candidate')").fetchall()[0][0]
    cur.execute(
        "insert into candidate (id, name, talent_category, enclave_id, merged_into, deleted_at, created_at, updated_at)"
        " values (?, ?, ?, ?, ?, ?, ?, ?)",
        [new_id, name, category, enclave_id, merged_into, created_at if deleted else None, created_at, created_at],
    )
    return new_id


def walk(cur: duckdb.DuckDBPyConnection, candidate_id: int, *moves: tuple[str, datetime],
         drive_id: int | None = None) -> int:
    """An application whose history is `moves` ((to_stage, at) …), the first being its creation."""
    app_id = cur.execute("select nextval('seq_application')").fetchall()[0][0]
    last = moves[-1][0]
    exited = last in ("rejected", "withdrawn")          # an exit carries a coded reason (migration 014)
    cur.execute("insert into application (id, candidate_id, drive_id, stage, created_at, updated_at, lost_code)"
                " values (?, ?, ?, ?, ?, ?, ?)",
                [app_id, candidate_id, drive_id, last, moves[0][1], moves[-1][1], "other" if exited else None])
    previous = None
    for to_stage, at in moves:
        # An arrival keeps the person's category as it is now, as db/pipeline.py's moves do.
        cur.execute("insert into stage_event (id, application_id, candidate_id, from_stage, to_stage, occurred_at, actor,"
                    " talent_category) values (nextval('seq_stage_event'), ?, ?, ?, ?, ?, 'test',"
                    " case when ? = 'arrived' then (select talent_category from candidate where id = ?) end)",
                    [app_id, candidate_id, previous, to_stage, at, to_stage, candidate_id])
        previous = to_stage
    stage_derived.refresh(cur, candidate_ids=[candidate_id])    # as every writer of stage_event does
    return app_id


def hire(cur: duckdb.DuckDBPyConnection, candidate_id: int, arrived: datetime, **kw: object) -> int:
    """A full walk lead → arrived, one stage a week, ending on `arrived`."""
    stages = [s.value for s in PIPELINE if s.rank <= Stage.ARRIVED.rank]
    start = arrived.toordinal() - 7 * (len(stages) - 1)
    moves = [(s, datetime.fromordinal(start + 7 * i).replace(hour=10)) for i, s in enumerate(stages)]
    return walk(cur, candidate_id, *moves, **kw)  # type: ignore[arg-type]


def drive(cur: duckdb.DuckDBPyConnection, held_on: date, *, status: str = "held", employers: dict[int, int] | None = None,
          university_id: int = 1, enclave_id: int | None = None) -> int:
    new_id = cur.execute("select nextval('seq_campus_drive')").fetchall()[0][0]
    cur.execute("insert into campus_drive (id, programme, title, university_id, enclave_id, held_on, status)"
                " values (?, '扬帆计划', '专场', ?, ?, ?, ?)", [new_id, university_id, enclave_id, held_on, status])
    for employer_id, positions in (employers or {}).items():
        cur.execute("insert into drive_employer values (?, ?, ?)", [new_id, employer_id, positions])
    return new_id


def employer(cur: duckdb.DuckDBPyConnection, name: str) -> int:
    new_id = cur.execute("select nextval('seq_employer')").fetchall()[0][0]
    cur.execute("insert into employer (id, name) values (?, ?)", [new_id, name])
    return new_id


def user(cur: duckdb.DuckDBPyConnection, username: str, role: str, enclave_id: int | None = None):  # type: ignore[no-untyped-def]
    """An account row without paying for argon2 (these tests never log in with it)."""
    from db.permissions import User

    new_id = cur.execute("select nextval('seq_app_user')").fetchall()[0][0]
    cur.execute("insert into app_user (id, username, display_name, role, enclave_id, password_hash)"
                " values (?, ?, ?, ?, ?, 'not-a-hash')", [new_id, username, username, role, enclave_id])
    return User(new_id, username, role, enclave_id, username)
