"""A hire counts under the talent category the person had when they arrived (migration 015): later
edits, backdated arrivals, merges and deletions on request leave past years' figures as they were."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from db import analytics, candidates, duplicates, integrity, migrate, pipeline
from db import candidate_commands as cc
from db.candidate_commands import CandidateDraft
from db.permissions import SYSTEM
from tests import factories as f
from tests.conftest import PipelineWorld

NOW = datetime(2026, 3, 10, 9, 0)


@pytest.fixture(autouse=True)
def frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    """Moves are stamped with the office clock: fixed, so 'this year' is 2026 in every test."""
    f.freeze_clock(monkeypatch, NOW)


def hire(cur: duckdb.DuckDBPyConnection, world: PipelineWorld, person: int, arrived_on: date, *,
         employer: int | None = None) -> int:
    """Through the pipeline's own commands: an application opened and moved to 已到岗 on `arrived_on`."""
    hr = world.users["hr"]
    app = pipeline.open_application(cur, hr, person, employer_id=employer or world.employer, stage="signed",
                                    effective_on=arrived_on.replace(day=1))
    pipeline.move_stage(cur, hr, app, "arrived", effective_on=arrived_on)
    return app


def recategorise(cur: duckdb.DuckDBPyConnection, person: int, category: str) -> None:
    """The person's category edited on the form (the 人才类别 chosen by hand)."""
    current = candidates.get(cur, SYSTEM, person, reveal=True)
    draft = replace(CandidateDraft.from_candidate(current), talent_category=category)
    cc.update(cur, SYSTEM, person, draft, expected_version=current.version)


def counts(cur: duckdb.DuckDBPyConnection, year: int) -> dict[str, int]:
    return {k: v for k, v in analytics.hires_by_category(cur, SYSTEM, year).items() if v}


def monthly(cur: duckdb.DuckDBPyConnection, year: int) -> dict[tuple[int, str], int]:
    df = analytics.monthly_hires(cur, SYSTEM, year)
    return {(m, c): h for m, c, h in df.filter(df["hires"] > 0).select("month", "category", "hires").iter_rows()}


def test_a_category_edited_after_the_hire_leaves_last_years_figures_alone(cur, world: PipelineWorld) -> None:  # type: ignore[no-untyped-def]
    hire(cur, world, world.alice, date(2025, 6, 2))
    assert counts(cur, 2025) == {"young_graduate": 1}
    recategorise(cur, world.alice, "young_phd")
    assert candidates.get(cur, SYSTEM, world.alice).talent_category == "young_phd"
    assert counts(cur, 2025) == {"young_graduate": 1}
    assert monthly(cur, 2025) == {(6, "young_graduate"): 1}
    # A new hire after the edit counts under the new category, in its own year.
    hire(cur, world, world.alice, date(2026, 2, 2), employer=world.other_employer)
    assert counts(cur, 2026) == {"young_phd": 1}
    assert counts(cur, 2025) == {"young_graduate": 1}


def test_a_backdated_arrival_counts_in_the_year_it_happened(cur, world: PipelineWorld) -> None:  # type: ignore[no-untyped-def]
    hire(cur, world, world.bob, date(2025, 12, 20))        # typed in on 2026-03-10
    assert counts(cur, 2025) == {"young_graduate": 1}
    assert counts(cur, 2026) == {}
    assert monthly(cur, 2025) == {(12, "young_graduate"): 1}
    recorded = cur.execute("select talent_category, recorded_at from stage_event where to_stage = 'arrived'").fetchall()
    assert recorded == [("young_graduate", NOW)]


def test_a_merge_keeps_each_arrivals_category_and_counts_the_person_once_per_category(cur, world: PipelineWorld) -> None:  # type: ignore[no-untyped-def]
    twin = f.candidate(cur, "李娜", category="young_phd", enclave_id=world.sh)
    hire(cur, world, twin, date(2025, 4, 1), employer=world.other_employer)
    hire(cur, world, world.alice, date(2025, 5, 1))
    assert counts(cur, 2025) == {"young_phd": 1, "young_graduate": 1}
    versions = tuple(candidates.get(cur, SYSTEM, i).version for i in (world.alice, twin))
    duplicates.merge(cur, SYSTEM, world.alice, twin, take_from_merged=set(), versions=versions)
    # The twin's arrival moved to the survivor with the category it was made under.
    assert counts(cur, 2025) == {"young_phd": 1, "young_graduate": 1}
    assert analytics.by_enclave(cur, SYSTEM, 2025).filter(enclave_id=world.sh)["hires"].item() == 1


def test_a_deletion_on_request_keeps_the_count(cur, world: PipelineWorld) -> None:  # type: ignore[no-untyped-def]
    hire(cur, world, world.bob, date(2025, 9, 1))
    cc.delete_on_request(cur, SYSTEM, world.bob, reason="本人电话要求删除")
    assert counts(cur, 2025) == {"young_graduate": 1}
    assert monthly(cur, 2025) == {(9, "young_graduate"): 1}


def test_every_arrival_keeps_a_category_and_the_check_finds_one_that_does_not(cur, world: PipelineWorld) -> None:  # type: ignore[no-untyped-def]
    hire(cur, world, world.alice, date(2025, 6, 2))
    label = "stage_event: an arrival without the talent category it keeps"
    assert integrity.dangling(cur)[label] == 0
    cur.execute("update stage_event set talent_category = null where to_stage = 'arrived'")
    assert integrity.dangling(cur)[label] == 1
    other = cur.execute("select count(*) from stage_event where to_stage <> 'arrived' and talent_category is not null")
    assert other.fetchall() == [(0,)]


def test_the_migration_gives_existing_arrivals_the_persons_category(tmp_path: Path) -> None:
    old, snapshot = f.database_before(tmp_path / "old.duckdb", "015_snapshot_hire_category")
    old.execute("insert into candidate (id, name, talent_category, created_at, updated_at)"
                " values (7, '甲', 'high_skill', now(), now())")
    old.execute("insert into application (id, candidate_id, stage, created_at, updated_at)"
                " values (5, 7, 'arrived', now(), now())")
    old.execute("insert into stage_event (id, application_id, candidate_id, from_stage, to_stage, occurred_at, actor)"
                " values (1, 5, 7, null, 'signed', now(), 'hr'), (2, 5, 7, 'signed', 'arrived', now(), 'hr')")
    assert snapshot.version in migrate.migrate(old)
    assert old.execute("select id, talent_category from stage_event order by id").fetchall() == [
        (1, None), (2, "high_skill")]
    old.close()
