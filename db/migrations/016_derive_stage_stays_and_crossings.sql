-- why: 时长 paired every move with its application's next one, and a year's funnel folded every event of the year, on each read (1.8 s and 0.5 s at 9M events); both are now stored beside stage_event and kept by the commands that write it (issue 11).
--
-- stage_event.left_at: when the stay that this move began ended — the effective date (occurred_at) of
-- the same application's next move, ordered by (occurred_at, id); null while the stay runs.
-- stage_crossing: per person and calendar year of the effective date, the bitmask of pipeline ranks
-- (bit r = rank r) their forward moves of that year crossed — a move from a to b crosses the open
-- stages in (a, b], a creation everything up to its first stage, exits and steps back nothing (the
-- rules of db/funnels.py). One row per person and year with any forward move; a refresh deletes a
-- person's rows and inserts them anew. No primary key: building its index for every person costs the
-- demo load a second at scale 30, and `db check` counts a (person, year) held twice.
--
-- db/stage_derived.refresh recomputes both for the people a command touched; `db check` recounts
-- them from stage_event. stage_event is referenced by no foreign key, so it can gain a column.
alter table stage_event add column left_at timestamp;
update stage_event e set left_at = n.left_at
from (select id, lead(occurred_at) over (partition by application_id order by occurred_at, id) as left_at
      from stage_event) n
where e.id = n.id and n.left_at is not null;

create table stage_crossing (
    candidate_id bigint not null,           -- stage_event.candidate_id (moved by merge)
    year integer not null,                  -- of the moves' effective date
    crossed bigint not null                 -- bit r set: some forward move that year crossed rank r
);
insert into stage_crossing
select e.candidate_id, cast(extract(year from e.occurred_at) as integer),
       bit_or((cast(1 as bigint) << (t.rank + 1)) - (cast(1 as bigint) << (coalesce(f.rank, 0) + 1)))
from stage_event e
join stage t on t.code = e.to_stage and not t.is_exit
left join stage f on f.code = e.from_stage
where f.rank is null or f.rank < t.rank
group by 1, 2;
