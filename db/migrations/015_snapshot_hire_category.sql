-- why: a hire counts under the talent category the person had when they arrived (issue 11), so an arrival keeps that category; editing the person later must not rewrite past years' figures.
--
-- stage_event.talent_category is filled for moves to `arrived` by every path that writes one
-- (db/pipeline.py's moves, bulk writes of the demo) and null for every other move; `db check`
-- counts arrivals that lack it. Arrivals written before this migration take the person's category
-- as it is now: the best record there is of what it was. stage_event is referenced by no foreign
-- key, so it can gain a column.
alter table stage_event add column talent_category varchar;
update stage_event e set talent_category = c.talent_category
from candidate c
where c.id = e.candidate_id and e.to_stage = 'arrived';
