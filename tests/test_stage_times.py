"""时长: days in stage, contact → hire and stuck people, pinned on a hand-made history with known answers."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import duckdb
import pytest

from db import pipeline, stage_times
from db.errors import PermissionDenied, ValidationError
from db.stage_times import StuckFilter
from tests import factories as f
from tests.conftest import PipelineWorld

D = datetime
NOW = D(2025, 12, 1, 10, 0)


@pytest.fixture
def at(monkeypatch: pytest.MonkeyPatch) -> Callable[[datetime], None]:
    """Freeze the office clock: moves are stamped with it and "stuck" counts days to its today."""
    return f.freeze_clock(monkeypatch, NOW)


def person(cur: duckdb.DuckDBPyConnection, name: str, enclave: int, owner: int, **kw: object) -> int:
    cid = f.candidate(cur, name, enclave_id=enclave, **kw)  # type: ignore[arg-type]
    cur.execute("update candidate set owner_id = ?, mobile = ? where id = ?", [owner, f"1380000{cid:04d}", cid])
    return cid


@pytest.fixture
def history(cur: duckdb.DuckDBPyConnection, world: PipelineWorld, at) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Stays (days) by construction, all ending in 2025 unless said:
    alice (SH): lead 10, contacted 20, applied 10, interviewing 20, arrived 2025-04-30 (contact → hire 50)
    bob (CD):   lead 4, contacted 20, then rejected
    carol (SH): lead 15 through a move entered on 2025-12-01 but effective 2025-06-16 (backdated);
                still in contacted since then (168 days to today: stuck, over 30)
    dan (SH, deleted on request): lead 2 — still counts
    merged (SH, merged into alice): lead 100 — never counts
    erin (SH): created at applied 2025-08-01, arrived 2025-08-21 (contact → hire 20)
    fay (SH): in applied since 2025-11-20 (11 days: not stuck at 21)
    """
    sh, cd = world.users["recruiter_sh"].id, world.users["recruiter_cd"].id
    f.walk(cur, world.alice, ("lead", D(2025, 3, 1, 10)), ("contacted", D(2025, 3, 11, 10)),
           ("applied", D(2025, 3, 31, 10)), ("interviewing", D(2025, 4, 10, 10)), ("arrived", D(2025, 4, 30, 10)))
    f.walk(cur, world.bob, ("lead", D(2025, 2, 1, 10)), ("contacted", D(2025, 2, 5, 10)),
           ("rejected", D(2025, 2, 25, 10)))
    carol = person(cur, "陈红", world.sh, sh)
    hr = world.users["hr"]
    app = pipeline.open_application(cur, hr, carol, employer_id=world.employer, effective_on=date(2025, 6, 1))
    pipeline.move_stage(cur, hr, app, "contacted", effective_on=date(2025, 6, 16))
    dan = person(cur, "已删除", world.sh, sh, deleted=True)
    f.walk(cur, dan, ("lead", D(2025, 7, 1, 10)), ("contacted", D(2025, 7, 3, 10)), ("applied", D(2025, 7, 3, 11)))
    merged = person(cur, "李娜", world.sh, sh, merged_into=world.alice)
    f.walk(cur, merged, ("lead", D(2025, 1, 1, 10)), ("contacted", D(2025, 4, 11, 10)), ("rejected", D(2025, 5, 1, 10)))
    erin = person(cur, "赵敏", world.sh, sh)
    f.walk(cur, erin, ("applied", D(2025, 8, 1, 10)), ("arrived", D(2025, 8, 21, 10)))
    fay = person(cur, "孙丽", world.sh, sh)
    f.walk(cur, fay, ("applied", D(2025, 11, 20, 10)))
    return {"carol": carol, "dan": dan, "erin": erin, "fay": fay, "carol_app": app}


def stage_row(frame, stage: str, group: str = "全部") -> dict:  # type: ignore[no-untyped-def]
    return frame.filter((frame["stage"] == stage) & (frame["group"] == group)).row(0, named=True)


def test_days_in_stage_median_and_p90_over_stays_ended_in_the_year(cur, world, history) -> None:  # type: ignore[no-untyped-def]
    found = stage_times.stage_durations(cur, world.users["manager"], 2025)
    lead = stage_row(found, "lead")
    # alice 10, bob 4, carol 15 (backdated: by effective date, not the day it was typed), dan 2 — not merged's 100
    assert (lead["stays"], lead["median_days"], lead["p90_days"]) == (4, 7.0, 13.5)
    contacted = stage_row(found, "contacted")
    # alice 20, bob 20 (ended by the rejection); dan 0.0 (same day); carol's stay is still running
    assert (contacted["stays"], contacted["median_days"]) == (3, 20.0)
    assert (contacted["open_now"], contacted["open_median_days"]) == (1, 168.0)
    interviewing = stage_row(found, "interviewing")
    assert (interviewing["stays"], interviewing["median_days"], interviewing["p90_days"]) == (1, 20.0, 20.0)
    assert set(found["stage"]) <= {s.value for s in stage_times.OPEN_STAGES}     # no arrived, no exits


def test_stays_by_owner_and_by_enclave_and_a_recruiter_sees_their_enclave(cur, world, history) -> None:  # type: ignore[no-untyped-def]
    by_owner = stage_times.stage_durations(cur, world.users["manager"], 2025, by="owner")
    assert stage_row(by_owner, "lead", "recruiter_cd")["median_days"] == 4.0
    assert stage_row(by_owner, "lead", "recruiter_sh")["stays"] == 3
    by_enclave = stage_times.stage_durations(cur, world.users["manager"], 2025, by="enclave")
    assert stage_row(by_enclave, "lead", "SH 飞地")["median_days"] == 10.0
    mine = stage_times.stage_durations(cur, world.users["recruiter_cd"], 2025)
    assert stage_row(mine, "lead")["stays"] == 1 and stage_row(mine, "contacted")["stays"] == 1
    assert stage_times.stage_durations(cur, world.users["manager"], 2024).filter(
        stage_times.pl.col("stays") > 0).height == 0


def test_contact_to_hire_from_first_contact_to_arrival(cur, world, history) -> None:  # type: ignore[no-untyped-def]
    everyone = stage_times.contact_to_hire(cur, world.users["manager"], 2025).row(0, named=True)
    # alice: contacted 3-11 → arrived 4-30 = 50; erin created at applied 8-01 → 8-21 = 20
    assert (everyone["hires"], everyone["median_days"], everyone["p90_days"]) == (2, 35.0, 47.0)
    by_owner = stage_times.contact_to_hire(cur, world.users["manager"], 2025, by="owner")
    assert by_owner.select("group", "hires").rows() == [("recruiter_sh", 2)]
    assert stage_times.contact_to_hire(cur, world.users["recruiter_cd"], 2025).height == 0


def test_stuck_people_are_listed_for_their_owner(cur, world, history) -> None:  # type: ignore[no-untyped-def]
    sh = world.users["recruiter_sh"]
    mine = stage_times.stuck(cur, sh)
    assert mine.select("candidate_id", "stage", "since", "days", "threshold").rows() == [
        (history["carol"], "contacted", date(2025, 6, 16), 168, 30)]
    assert mine["detail"][0] == f"candidate?id={history['carol']}"
    assert mine["mobile"][0] == f"1380000{history['carol']:04d}"          # a recruiter's own people: in full
    assert stage_times.stuck(cur, world.users["recruiter_cd"]).height == 0
    manager = world.users["manager"]
    everyone = stage_times.stuck(cur, manager)
    assert everyone["candidate_id"].to_list() == [history["carol"]] and everyone["masked"][0]
    assert stage_times.stuck(cur, manager, StuckFilter(owner_id=world.users["recruiter_cd"].id)).height == 0
    assert stage_times.stuck(cur, manager, StuckFilter(enclave_id=world.sh)).height == 1
    counts = dict(stage_times.stuck_counts(cur, manager).select("stage", "stuck").rows())
    assert counts["contacted"] == 1 and counts["applied"] == 0 and len(counts) == 7


def test_thresholds_are_edited_by_managers_and_admins_only_and_audited(cur, world, history) -> None:  # type: ignore[no-untyped-def]
    defaults = dict(stage_times.thresholds(cur).select("stage", "days").rows())
    assert defaults == {"lead": 30, "contacted": 30, "applied": 21, "interviewing": 21, "intent": 45, "offer": 30,
                        "signed": 60}
    for role in ("recruiter_sh", "hr"):
        with pytest.raises(PermissionDenied):
            stage_times.set_threshold(cur, world.users[role], "contacted", 200)
    with pytest.raises(ValidationError, match="1 至 3650"):
        stage_times.set_threshold(cur, world.users["manager"], "contacted", 0)
    with pytest.raises(ValidationError, match="不是进行中的阶段"):
        stage_times.set_threshold(cur, world.users["manager"], "arrived", 10)
    stage_times.set_threshold(cur, world.users["manager"], "contacted", 200)
    assert stage_times.stuck(cur, world.users["recruiter_sh"]).height == 0       # 168 days is no longer stuck
    stage_times.set_threshold(cur, world.users["admin"], "applied", 10)
    assert stage_times.stuck(cur, world.users["recruiter_sh"])["candidate_id"].to_list() == [history["fay"]]
    entries = cur.execute("select actor, entity, entity_id, detail from audit_log where entity = 'stage_threshold'"
                          " order by id").fetchall()
    assert entries == [("manager", "stage_threshold", "contacted", "停滞阈值「已联系」：30 天 → 200 天"),
                       ("admin", "stage_threshold", "applied", "停滞阈值「已投递」：21 天 → 10 天")]


def test_a_merge_gives_the_survivor_the_history_and_counts_it_once(cur, world, at) -> None:  # type: ignore[no-untyped-def]
    """李娜 was entered twice: her first record was contacted on 3-11, the second applied on 4-01 and arrived
    on 5-01. Before the merge the hire is timed from the second record's own first contact (30 days);
    after it the survivor holds both histories, so from her first contact (51 days) — one hire, same stays."""
    from db import duplicates

    manager = world.users["manager"]
    twin = person(cur, "李娜", world.sh, world.users["recruiter_sh"].id)
    f.walk(cur, world.alice, ("lead", D(2025, 3, 1, 10)), ("contacted", D(2025, 3, 11, 10)))
    f.walk(cur, twin, ("applied", D(2025, 4, 1, 10)), ("arrived", D(2025, 5, 1, 10)))
    assert stage_times.contact_to_hire(cur, manager, 2025).select("hires", "median_days").row(0) == (1, 30.0)
    stays_before = stage_times.stage_durations(cur, manager, 2025).select("stage", "stays", "median_days")
    versions = dict(cur.execute("select id, version from candidate where id in (?, ?)", [world.alice, twin]).fetchall())
    duplicates.merge(cur, world.users["hr"], world.alice, twin, take_from_merged=set(),
                     versions=(versions[world.alice], versions[twin]))
    assert stage_times.contact_to_hire(cur, manager, 2025).select("hires", "median_days").row(0) == (1, 51.0)
    assert stage_times.stage_durations(cur, manager, 2025).select("stage", "stays", "median_days").equals(stays_before)
    assert stage_times.stuck(cur, manager)["candidate_id"].to_list() == [world.alice]     # contacted since 3-11


def test_a_past_year_reads_the_same_stays(cur, world, history, at) -> None:  # type: ignore[no-untyped-def]
    """Once 2025 is over the window reads only moves before its end (a later move cannot end a 2025 stay)."""
    at(D(2026, 3, 1, 10))
    pipeline.move_stage(cur, world.users["hr"], history["carol_app"], "applied")     # ends carol's stay in 2026
    found = stage_times.stage_durations(cur, world.users["manager"], 2025)
    lead, contacted = stage_row(found, "lead"), stage_row(found, "contacted")
    assert (lead["stays"], lead["median_days"], lead["p90_days"]) == (4, 7.0, 13.5)
    assert (contacted["stays"], contacted["median_days"], contacted["open_now"]) == (3, 20.0, 0)
    assert stage_row(stage_times.stage_durations(cur, world.users["manager"], 2026), "contacted")["stays"] == 1
