"""Timing probe for bench_overview, run as a fresh process: `python -m bench.overview_probe DB`.

Prints one JSON object (last line of stdout) with AppTest script-run times of the 总览 screen and
of a minimal one-line script, measured in this same process, and direct db/analytics timings
next to a raw DuckDB GROUP BY over the same events. Times in seconds; nothing is asserted.

The rerun after a write makes real writes (stage moves, a register edit, a note) through db/ on the
app's own connection: the probe works on a copy of DB, so the bench's demo database stays as generated.
"""
from __future__ import annotations

import json
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "crm_app.py")
PASSWORD = "pinghu2025"
YEAR = 2025
WARM_REPEATS = 3
# A script run that hangs (a rerun loop) should fail the bench, not stall it: 600 s covers scale 30.
TIMEOUT = float(os.environ.get("BENCH_APPTEST_TIMEOUT", "600"))


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def median_of(fn: Callable[[], object], repeats: int = WARM_REPEATS) -> float:
    return statistics.median(timed(fn) for _ in range(repeats))


def check(at, what: str) -> None:  # type: ignore[no-untyped-def]
    """A run that raised or did not reach 总览 would make its timing meaningless: fail loudly."""
    if at.exception:
        raise RuntimeError(f"{what}: the script raised {at.exception[0].message}")
    if not any(t.value == "总览" for t in at.title):
        raise RuntimeError(f"{what}: 总览 was not rendered (titles: {[t.value for t in at.title]})")


def steady_state_pages_mode() -> None:
    """AppTest re-arms Streamlit's legacy pages/-folder mode before every run; a real server leaves
    it after its first run (pages/__init__.py). Time what a real server does."""
    from streamlit.runtime.pages_manager import PagesManager

    original = PagesManager.__init__

    def init(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    PagesManager.__init__ = init  # type: ignore[method-assign]


def minimal_runs() -> dict[str, float]:
    """A one-line script's first run and warm rerun: AppTest's own floor on this machine, now."""
    from streamlit.testing.v1 import AppTest

    with tempfile.TemporaryDirectory() as tmp:
        minimal = Path(tmp) / "minimal.py"
        minimal.write_text('import streamlit as st\nst.write("x")\n')
        AppTest.from_file(str(minimal), default_timeout=TIMEOUT).run()        # pays process-wide imports once
        at = AppTest.from_file(str(minimal), default_timeout=TIMEOUT)
        return {"minimal_first_s": timed(at.run), "minimal_rerun_s": median_of(at.run)}


def login_form(username: str):  # type: ignore[no-untyped-def]
    """The app through AppTest with `username`'s login form filled in and sent: its next run logs in."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()                                                             # the login form (imports the app)
    inputs = {t.label: t for t in at.text_input}
    inputs["用户名"].input(username)
    inputs["密码"].input(PASSWORD)
    next(b for b in at.button if b.label == "登录").click()
    return at


def app_runs(db: Path) -> dict[str, float]:
    from streamlit.testing.v1 import AppTest

    from db.connection import clear_shared_connection

    steady_state_pages_mode()

    out: dict[str, float] = minimal_runs()
    out["rss_after_minimal_mb"] = peak_rss_mb()

    def logged_in(username: str) -> tuple[AppTest, float]:
        at = login_form(username)
        seconds = timed(at.run)                                          # login, then 总览 with empty caches
        check(at, f"{username} login run")
        return at, seconds

    clear_shared_connection()
    at, out["manager_cold_s"] = logged_in("manager")
    out["manager_warm_s"] = median_of(at.run)
    check(at, "manager warm rerun")

    import streamlit as st

    def recompute() -> None:
        st.cache_data.clear()
        at.run()

    out["manager_cache_cleared_s"] = median_of(recompute)
    check(at, "manager rerun after clearing caches")
    out |= after_writes(at)
    out["rss_after_manager_mb"] = peak_rss_mb()

    recruiter, out["recruiter_cold_s"] = logged_in("recruiter_sh")
    out["recruiter_warm_s"] = median_of(recruiter.run)
    check(recruiter, "recruiter warm rerun")
    clear_shared_connection()
    return out


def after_writes(at) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """The manager's rerun right after a write made by someone else in the same server process, per
    kind of write: each a median of three, a new write (untimed) before every timed rerun. The moves
    are to 已到岗 on the last day of the year shown (entered late: 总览 still shows that year)."""
    from datetime import date

    from db import activities, clock, pipeline
    from db.connection import shared_connection
    from db.permissions import SYSTEM
    from db.programmes import appointments, register, targets

    cur = shared_connection().cursor()
    signed = iter(r[0] for r in cur.execute("""
        select a.id from application a where a.stage = 'signed' and a.id in (
            select application_id from stage_event where to_stage = 'signed' and occurred_at < $last)
        order by a.id limit 10""", {"last": date(YEAR, 12, 31)}).fetchall())
    appointment = cur.execute("select id from appointment order by id limit 1").fetchall()[0][0]
    person = cur.execute("select min(id) from candidate where merged_into is null").fetchall()[0][0]
    city_goal = iter(range(9001, 9100))

    def note_on_appointment() -> None:
        row = register.require_row(cur, SYSTEM, appointments.REGISTER, appointment)
        register.update(cur, SYSTEM, appointments.REGISTER, appointment, {"notes": f"bench {row['version']}"},
                        expected_version=row["version"])

    def rerun(write: Callable[[], object]) -> float:
        seconds = []
        for _ in range(WARM_REPEATS):
            write()
            seconds.append(timed(at.run))
        check(at, "manager rerun after a write")
        return statistics.median(seconds)

    def move() -> None:
        pipeline.move_stage(cur, SYSTEM, next(signed), "arrived", effective_on=date(YEAR, 12, 31))

    return {
        "after_move_s": rerun(move),
        "after_move_less_heavy_s": less_heavy(cur, lambda: rerun(move)),
        "after_register_write_s": rerun(note_on_appointment),
        "after_target_write_s": rerun(lambda: targets.save(
            cur, SYSTEM, YEAR, [targets.Cell(None, "young_graduate", next(city_goal))])),
        "after_unrelated_write_s": rerun(lambda: activities.log(
            cur, SYSTEM, person, kind="call", occurred_on=clock.today(), body="bench 电话沟通")),
    }


def less_heavy(cur, measure: Callable[[], float]) -> float:  # type: ignore[no-untyped-def]
    """`measure` with the funnel and by_enclave parts answered from memory (their figures as they are
    now), so the row shows what the rest of a recompute costs: those two are the stage-event-heavy
    parts whose speed is another change's work. The parts table is patched in place and restored."""
    from db import analytics
    from db.permissions import SYSTEM

    original = dict(analytics.OVERVIEW_PARTS)
    kept = {name: original[name].compute(cur, SYSTEM, YEAR) for name in ("funnel", "enclaves")}
    analytics.OVERVIEW_PARTS.update({name: analytics.Part(lambda c, a, y, v=value: v, original[name].topics)
                                     for name, value in kept.items()})
    try:
        return measure()
    finally:
        analytics.OVERVIEW_PARTS.update(original)


def parts(db: Path) -> dict[str, float]:
    """Each 总览 part, the year picker and the cache key computed directly (warm, median of 3)."""
    from db import analytics, data_versions
    from db.connection import connect
    from db.permissions import SYSTEM
    from db.programmes import agreements

    conn = connect(db)
    cur = conn.cursor()

    def warm(fn: Callable[[], object]) -> float:
        fn()
        return median_of(fn)

    out = {f"part_{name}_s": warm(lambda part=part: part.compute(cur, SYSTEM, YEAR))
           for name, part in analytics.OVERVIEW_PARTS.items()}
    out["part_years_s"] = warm(lambda: analytics.year_choices(cur, SYSTEM))   # what the picker calls
    out["part_versions_s"] = warm(lambda: data_versions.current(cur))
    out["part_expiring_s"] = warm(lambda: agreements.expiring(cur, SYSTEM))
    conn.close()
    return out


def direct(db: Path) -> dict[str, float]:
    """db/analytics straight on a connection, against a raw GROUP BY over the same year's events.
    Each measurement: one untimed run, then the median of three (all warm)."""
    from db import analytics
    from db.connection import connect
    from db.permissions import SYSTEM
    from db.sql import year_bounds

    conn = connect(db)
    cur = conn.cursor()
    raw_sql = ("select to_stage, count(distinct candidate_id) from stage_event"
               " where occurred_at >= $start and occurred_at < $end group by 1")
    raw_all_sql = "select to_stage, count(distinct candidate_id) from stage_event group by 1"
    bounds = year_bounds(YEAR)

    def warm(fn: Callable[[], object]) -> float:
        fn()
        return median_of(fn)

    out = {
        "raw_group_by_year_s": warm(lambda: cur.execute(raw_sql, bounds).fetchall()),
        "raw_group_by_all_s": warm(lambda: cur.execute(raw_all_sql).fetchall()),
        "funnel_s": warm(lambda: analytics.funnel(cur, SYSTEM, YEAR)),
        "overview_s": warm(lambda: analytics.overview(cur, SYSTEM, YEAR)),
        "events_in_year": cur.execute("select count(*) from stage_event where occurred_at >= $start"
                                      " and occurred_at < $end", bounds).fetchall()[0][0],
        "events_total": cur.execute("select count(*) from stage_event").fetchall()[0][0],
    }
    conn.close()
    return out


def password_check() -> float:
    """One argon2id verification, part of every cold run's login: subtract it to see the screen alone."""
    from argon2 import PasswordHasher

    from db.users import hash_password

    hashed = hash_password(PASSWORD)
    return median_of(lambda: PasswordHasher().verify(hashed, PASSWORD))


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "overview.duckdb"
        shutil.copy(Path(argv[1]).resolve(), db)       # the probe writes: never to the bench's demo
        os.environ["CRM_DB"] = str(db)
        result = app_runs(db) | direct(db) | parts(db) | {"password_check_s": password_check()}
    result["peak_rss_mb"] = peak_rss_mb()
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
