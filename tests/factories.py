"""Minimal rows written straight into a test database, for tests about counting over rows."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from itertools import count
from pathlib import Path

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


# --- 留平 and 目标: small worlds whose figures are known by construction ----------------------------

def retention_check(cur: duckdb.DuckDBPyConnection, app: int, months: int, on: date, *, pinghu: bool,
                    employed: bool | None = None) -> None:
    cur.execute("insert into retention_check (id, application_id, months, checked_on, still_employed, still_in_pinghu,"
                " checked_by) values (nextval('seq_retention_check'), ?, ?, ?, ?, ?, 'hr')",
                [app, months, on, pinghu if employed is None else employed, pinghu])


def hire_at(cur: duckdb.DuckDBPyConnection, name: str, category: str, enclave_id: int, employer_id: int,
            arrived: datetime) -> int:
    """A new person hired at `employer_id` on `arrived`; returns the application."""
    person = candidate(cur, name, category=category, enclave_id=enclave_id)
    app = hire(cur, person, arrived)
    cur.execute("update application set employer_id = ? where id = ?", [employer_id, app])
    return app


def retention_world(cur: duckdb.DuckDBPyConnection) -> dict:
    """Four 2025 hires in two enclaves at two employers, one 2026 hire, one merged-away record:

    甲 SH/A young_graduate, 2025-01-10: 6 months stayed, 12 months left  (then recategorised young_phd)
    乙 SH/B young_phd,      2025-03-01: no 6-month check; 12 months in Pinghu but changed employer
    丙 CD/A young_graduate, 2025-05-01: 6 months left (12 months: left, by the earlier check)
    丁 CD/B young_graduate, 2025-08-01: no check (6 months overdue from 2026-02-01)
    """
    sh, cd = enclave(cur, "SH"), enclave(cur, "CD")
    a, b = employer(cur, "甲公司"), employer(cur, "乙公司")
    jia = hire_at(cur, "甲", "young_graduate", sh, a, datetime(2025, 1, 10, 9))
    retention_check(cur, jia, 6, date(2025, 7, 12), pinghu=True)
    retention_check(cur, jia, 12, date(2026, 1, 15), pinghu=False)
    cur.execute("update candidate set talent_category = 'young_phd' where name = '甲'")
    yi = hire_at(cur, "乙", "young_phd", sh, b, datetime(2025, 3, 1, 9))
    retention_check(cur, yi, 12, date(2026, 3, 2), pinghu=True, employed=False)
    bing = hire_at(cur, "丙", "young_graduate", cd, a, datetime(2025, 5, 1, 9))
    retention_check(cur, bing, 6, date(2025, 11, 2), pinghu=False)
    hire_at(cur, "丁", "young_graduate", cd, b, datetime(2025, 8, 1, 9))
    hire_at(cur, "戊", "young_graduate", sh, a, datetime(2026, 1, 5, 9))            # another year
    survivor = cur.execute("select id from candidate where name = '甲'").fetchall()[0][0]
    twin = candidate(cur, "甲", enclave_id=sh, merged_into=survivor)
    hire(cur, twin, datetime(2025, 2, 1, 9))                                        # merged away: never counts
    return {"sh": sh, "cd": cd, "a": a, "b": b,
            "recruiter_sh": user(cur, "recruiter_sh", "recruiter", sh), "manager": user(cur, "manager", "manager")}


_ids = count(1)


def target(cur: duckdb.DuckDBPyConnection, year: int, enclave_id: int | None, metric: str, value: int) -> None:
    cur.execute("insert into target values (nextval('seq_target'), ?, ?, ?, ?)", [year, enclave_id, metric, value])


def appointment(cur: duckdb.DuckDBPyConnection, kind: str, starts_on: date, enclave_id: int | None = None) -> None:
    cur.execute("insert into appointment (id, kind, person_name, enclave_id, starts_on) values (?, ?, '某', ?, ?)",
                [next(_ids), kind, enclave_id, starts_on])


def declaration(cur: duckdb.DuckDBPyConnection, year: int, name: str, submitted_on: date | None,
                programme: str = "甲计划") -> None:
    cur.execute("insert into declaration (id, programme, level, batch, year, applicant_name, submitted_on)"
                " values (?, ?, '省级', '第一批', ?, ?, ?)", [next(_ids), programme, year, name, submitted_on])


def target_world(cur: duckdb.DuckDBPyConnection) -> dict:
    """2025: young graduates hired in January (1, SH) and June (3, SH), two 科技副总 in March.
    2026 up to 30 April: 2 young graduates in SH (one hired twice), 1 in CD; one more in SH on 10 May;
    a person recategorised after their 2026 hire; one 科技副总 in April; declarations by 2 people.
    Targets of 2026 for the city and both enclaves, and one of 2025."""
    sh, cd = enclave(cur, "SH"), enclave(cur, "CD")
    for month in (1, 6, 6, 6):
        hire(cur, candidate(cur, f"去年{month}", enclave_id=sh), datetime(2025, month, 15, 9))
    twice = candidate(cur, "两次", enclave_id=sh)
    hire(cur, twice, datetime(2026, 2, 10, 9))
    hire(cur, twice, datetime(2026, 4, 20, 9))
    changed = candidate(cur, "改类", enclave_id=sh)
    hire(cur, changed, datetime(2026, 3, 3, 9))
    cur.execute("update candidate set talent_category = 'young_phd' where id = ?", [changed])
    hire(cur, candidate(cur, "成都", enclave_id=cd), datetime(2026, 4, 1, 9))
    hire(cur, candidate(cur, "五月", enclave_id=sh), datetime(2026, 5, 10, 9))     # after 30 April
    appointment(cur, "tech_vp", date(2025, 3, 1))
    appointment(cur, "tech_vp", date(2025, 3, 20))
    appointment(cur, "tech_vp", date(2026, 4, 2), sh)
    declaration(cur, 2026, "张", date(2026, 3, 1))
    declaration(cur, 2026, "张", date(2026, 3, 5), programme="乙计划")      # the same applicant
    declaration(cur, 2026, "李", None)                                     # no date: counts from 1 January
    for enclave_id, metric, value in [(None, "young_graduate", 100), (sh, "young_graduate", 60),
                                      (cd, "young_graduate", 2), (None, "young_phd", 4), (None, "tech_vp", 10),
                                      (None, "declarations", 20), (sh, "declarations", 5)]:
        target(cur, 2026, enclave_id, metric, value)
    target(cur, 2025, None, "young_graduate", 50)
    return {"sh": sh, "cd": cd, "recruiter_sh": user(cur, "recruiter_sh", "recruiter", sh)}


def freeze_clock(monkeypatch, moment: datetime) -> Callable[[datetime], None]:  # type: ignore[no-untyped-def]
    """Stop the office clock at `moment` (moves, audits and "today" read it); returns a setter to move it on."""
    from db import clock

    def set_clock(to: datetime) -> None:
        monkeypatch.setattr(clock, "now", lambda: to)
        monkeypatch.setattr(clock, "today", lambda: to.date())

    set_clock(moment)
    return set_clock


def database_before(path: Path, migration: str) -> tuple[duckdb.DuckDBPyConnection, "migrate.Migration"]:
    """A database as an older release left it: every migration before the one whose name contains
    `migration` applied and recorded. Returns the connection and that migration (not yet applied)."""
    from db import migrate
    from db.connection import connect

    every = migrate.discover()
    upgrade = next(m for m in every if migration in m.name)
    old = connect(path)
    migrate._ensure_table(old)
    for m in every[: every.index(upgrade)]:
        old.execute(m.sql)
        old.execute("insert into schema_migrations values (?, ?, ?, now())", [m.version, m.name, m.checksum])
    return old, upgrade
