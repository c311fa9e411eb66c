"""Figures derived from stage_event and stored beside it (migration 016), kept by every command that
writes stage_event, inside its transaction:

- `stage_event.left_at`: when the stay a move began ended — the effective date of the same
  application's next move, ordered by (occurred_at, id) as 时长 orders them; null while it runs.
- `stage_crossing(candidate_id, year, crossed)`: per person and calendar year, the bitmask of pipeline
  ranks their forward moves of that year crossed (db/funnels.py's counting rules).

Reading them instead of re-deriving them from every event is what keeps 时长 and a year's funnel at
9M events near a plain GROUP BY. The price is this module: every writer calls `refresh` for the people
whose events it inserted, moved, re-dated or deleted (tests/test_architecture.py finds writers that do
not), and `python -m db check` recounts both from stage_event (`differences`).
"""
from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from db.bulk import frame, registered
from db.sql import Cursor, rows

# The funnel's rule for what a move crosses, shared with db/funnels.py's events path: forward moves only
# (exits and steps back cross nothing), each with the bitmask of the ranks it crosses — bits
# (from rank, to rank], from rank 0 for a creation. FORWARD_MOVES ends in a where clause to extend.
FORWARD_MOVES = """
    from stage_event e
    join stage t on t.code = e.to_stage and not t.is_exit
    left join stage f on f.code = e.from_stage
    where (f.rank is null or f.rank < t.rank)"""
MOVE_MASK = "(cast(1 as bigint) << (t.rank + 1)) - (cast(1 as bigint) << (coalesce(f.rank, 0) + 1))"
CROSSING_MOVES = (f"select e.candidate_id, cast(extract(year from e.occurred_at) as integer) as year,"
                  f" {MOVE_MASK} as mask {FORWARD_MOVES} and {{scope}}")
RECOUNTED_CROSSINGS = f"select candidate_id, year, bit_or(mask) as crossed from ({CROSSING_MOVES}) group by 1, 2"
# Each event with the end of the stay it began.
RECOUNTED_STAYS = """
    select id, lead(occurred_at) over (partition by application_id order by occurred_at, id) as left_at
    from stage_event e where {scope}
"""
_PEOPLE = "stage_derived_people"
_IN_PEOPLE = f"e.candidate_id in (select candidate_id from {_PEOPLE})"


def refresh(cur: Cursor, *, candidate_ids: Iterable[int] | pl.Series | None = None) -> None:
    """Recompute left_at and stage_crossing for these people — everyone when None (bulk loads) —
    from their events as they are now. An application's events all carry its person's id (a merge
    moves both), so a person's events are whole applications. One statement per table and step;
    rows whose left_at is already right are not rewritten."""
    if candidate_ids is None:
        _recompute(cur, "true", "true")
        return
    people = pl.DataFrame({"candidate_id": candidate_ids}, schema={"candidate_id": pl.Int64}).unique()
    if people.height == 0:
        return
    with registered(cur, _PEOPLE, people):
        _recompute(cur, _IN_PEOPLE, f"candidate_id in (select candidate_id from {_PEOPLE})")


def _recompute(cur: Cursor, events_scope: str, crossing_scope: str) -> None:
    rows(cur, f"""
        update stage_event s set left_at = n.left_at
        from ({RECOUNTED_STAYS.format(scope=events_scope)}) n
        where s.id = n.id and s.left_at is distinct from n.left_at""")
    rows(cur, f"delete from stage_crossing where {crossing_scope}")
    rows(cur, f"insert into stage_crossing (candidate_id, year, crossed)"
              f" {RECOUNTED_CROSSINGS.format(scope=events_scope)}")


# What `db check` counts (db/integrity.py): stored figures that differ from a recount over all of
# stage_event — events whose left_at is not their application's next move; (person, year) pairs
# missing, extra, held twice or with other bits.
STAYS_DIFFERING = f"""
    select count(*) from stage_event s join ({RECOUNTED_STAYS.format(scope='true')}) n on n.id = s.id
    where s.left_at is distinct from n.left_at"""
CROSSINGS_DIFFERING = f"""
    select count(*)
    from (select candidate_id, year, bit_or(crossed) as crossed, count(*) as copies from stage_crossing group by 1, 2) s
    full join ({RECOUNTED_CROSSINGS.format(scope='true')}) n on n.candidate_id = s.candidate_id and n.year = s.year
    where s.crossed is distinct from n.crossed or s.copies > 1"""


def batch_people(cur: Cursor, batch_id: int) -> pl.Series:
    """The people with applications of import batch `batch_id` (whose events the batch wrote)."""
    return frame(cur, "select distinct candidate_id from application where import_batch_id = $b",
                 {"b": batch_id})["candidate_id"]
