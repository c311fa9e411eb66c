"""The figures stored beside stage_event (db/stage_derived.py, migration 016) equal a recount from the
events after every kind of write, and `db check` finds them when a write forgot to refresh them."""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from db import duplicates, integrity, migrate, pipeline, stage_derived
from db.permissions import SYSTEM
from tests import factories as f
from tests.conftest import PipelineWorld

NOW = datetime(2025, 9, 10, 9, 0)
STAYS = "阶段记录的停留结束时间（stage_event.left_at）与按阶段记录重算的不一致"
CROSSINGS = "每人每年跨过的阶段（stage_crossing）与按阶段记录重算的不一致"


@pytest.fixture(autouse=True)
def frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    """Moves are stamped with the office clock: fixed, so backdating is relative to a known day."""
    f.freeze_clock(monkeypatch, NOW)


def whole(cur: duckdb.DuckDBPyConnection) -> dict[str, int]:
    found = integrity.dangling(cur)
    return {STAYS: found[STAYS], CROSSINGS: found[CROSSINGS]}


def stored(cur: duckdb.DuckDBPyConnection, person: int) -> tuple[list[tuple], list[tuple]]:
    stays = cur.execute("select to_stage, occurred_at, left_at from stage_event where candidate_id = ?"
                        " order by occurred_at, id", [person]).fetchall()
    crossed = cur.execute("select year, crossed from stage_crossing where candidate_id = ? order by year",
                          [person]).fetchall()
    return stays, crossed


def bits(*ranks: int) -> int:
    return sum(1 << r for r in ranks)


def test_moves_including_backdated_ones_keep_stays_and_crossings(cur, world: PipelineWorld) -> None:  # type: ignore[no-untyped-def]
    hr = world.users["hr"]
    app = pipeline.open_application(cur, hr, world.alice, employer_id=world.employer, stage="applied",
                                    effective_on=date(2024, 12, 20))
    pipeline.move_stage(cur, hr, app, "intent", effective_on=date(2025, 3, 1))
    pipeline.move_stage(cur, hr, app, "arrived", effective_on=date(2025, 3, 1))    # same day: ordered by id
    pipeline.move_stage(cur, hr, app, "withdrawn", lost_code="salary")             # today, 2025-09-10
    stays, crossed = stored(cur, world.alice)
    assert [s for s, _, _ in stays] == ["applied", "intent", "arrived", "withdrawn"]
    assert [left for *_, left in stays] == [at for _, at, _ in stays][1:] + [None]   # each stay ends at the next move
    assert stays[1][2].date() == date(2025, 3, 1) and stays[2][2] == NOW
    # 2024: the creation at 已投递 crossed 线索 … 已投递; 2025: 面试中 … 已到岗; the exit crossed nothing.
    assert crossed == [(2024, bits(1, 2, 3)), (2025, bits(4, 5, 6, 7, 8))]
    assert whole(cur) == {STAYS: 0, CROSSINGS: 0}


def test_a_bulk_move_refreshes_everyone_it_moved(cur, world: PipelineWorld) -> None:  # type: ignore[no-untyped-def]
    hr = world.users["hr"]
    for person in (world.alice, world.bob):
        pipeline.open_application(cur, hr, person, employer_id=world.employer, stage="lead",
                                  effective_on=date(2025, 1, 2))
    result = pipeline.bulk_move(cur, hr, [world.alice, world.bob], "interviewing", effective_on=date(2025, 2, 1))
    assert set(result.moved) == {world.alice, world.bob}
    for person in (world.alice, world.bob):
        assert stored(cur, person)[1] == [(2025, bits(1, 2, 3, 4))]
    assert whole(cur) == {STAYS: 0, CROSSINGS: 0}


def test_a_merge_moves_the_crossings_to_the_survivor(cur, world: PipelineWorld) -> None:  # type: ignore[no-untyped-def]
    twin = f.candidate(cur, "李娜", enclave_id=world.sh)
    f.walk(cur, world.alice, ("lead", datetime(2025, 1, 5)))
    f.walk(cur, twin, ("applied", datetime(2024, 5, 1)), ("offer", datetime(2025, 4, 1)))
    duplicates.merge(cur, SYSTEM, world.alice, twin, take_from_merged=set(), versions=(1, 1))
    assert stored(cur, twin)[1] == []
    assert stored(cur, world.alice)[1] == [(2024, bits(1, 2, 3)), (2025, bits(1, 4, 5, 6))]
    assert whole(cur) == {STAYS: 0, CROSSINGS: 0}


def test_the_check_finds_a_write_that_forgot_to_refresh(cur, world: PipelineWorld) -> None:  # type: ignore[no-untyped-def]
    app = f.walk(cur, world.alice, ("lead", datetime(2025, 1, 5)))
    cur.execute("insert into stage_event (id, application_id, candidate_id, from_stage, to_stage, occurred_at, actor)"
                " values (nextval('seq_stage_event'), ?, ?, 'lead', 'offer', ?, 'test')", [app, world.alice, NOW])
    # The lead's stay now ends at the offer, and 2025 gained 已联系 … 已录用: one row of each is off.
    assert whole(cur) == {STAYS: 1, CROSSINGS: 1}
    stage_derived.refresh(cur, candidate_ids=[world.alice])
    assert whole(cur) == {STAYS: 0, CROSSINGS: 0}
    cur.execute("delete from stage_event where application_id = ?", [app])
    assert whole(cur) == {STAYS: 0, CROSSINGS: 1}            # a person's year that no longer has moves
    stage_derived.refresh(cur)                               # everyone at once, as bulk loads do
    assert whole(cur) == {STAYS: 0, CROSSINGS: 0} and stored(cur, world.alice) == ([], [])


def test_the_migration_derives_both_from_existing_events(tmp_path: Path) -> None:
    old, derived = f.database_before(tmp_path / "old.duckdb", "016_derive_stage_stays_and_crossings")
    old.execute("insert into candidate (id, name, created_at, updated_at) values (7, '甲', now(), now())")
    old.execute("insert into application (id, candidate_id, stage, created_at, updated_at)"
                " values (5, 7, 'rejected', now(), now())")
    old.execute("insert into stage_event (id, application_id, candidate_id, from_stage, to_stage, occurred_at, actor)"
                " values (1, 5, 7, null, 'contacted', '2024-11-01', 'hr'), (2, 5, 7, 'contacted', 'intent', '2025-02-01', 'hr'),"
                " (3, 5, 7, 'intent', 'rejected', '2025-02-01', 'hr')")     # the same day: by id
    assert derived.version in migrate.migrate(old)
    assert old.execute("select id, left_at from stage_event order by id").fetchall() == [
        (1, datetime(2025, 2, 1)), (2, datetime(2025, 2, 1)), (3, None)]
    assert old.execute("select candidate_id, year, crossed from stage_crossing order by year").fetchall() == [
        (7, 2024, bits(1, 2)), (7, 2025, bits(3, 4, 5))]
    assert whole(old.cursor()) == {STAYS: 0, CROSSINGS: 0}
    old.close()


def test_the_check_counts_a_person_year_held_twice(cur, world: PipelineWorld) -> None:  # type: ignore[no-untyped-def]
    f.walk(cur, world.alice, ("lead", datetime(2025, 1, 5)))
    cur.execute("insert into stage_crossing select * from stage_crossing where candidate_id = ?", [world.alice])
    assert whole(cur) == {STAYS: 0, CROSSINGS: 1}
