-- why: a stage move carries the date it happened (occurred_at, which every count reads) and, separately, when it was entered — an arrival in December recorded on 5 January is December's hire.
--
-- recorded_at is null for moves written in bulk (imports, the demo) and before this migration: those
-- were entered when they happened. stage_event is referenced by no foreign key, so it can gain a column.
alter table stage_event add column recorded_at timestamp;
