-- why: talent events — 产业人才班 (industry talent classes, days or weeks long) and 产才对接活动 (matching events such as 星耀南湖·菁英荟) — with their partner employers and their attendees, so the office can count classes and trainees and follow attendees into applications and hires.
--
-- Events are not campus drives. A drive (校园招聘) is one day at one university with employers and the
-- positions each offered, and its people come through applications at the drive; an event runs from
-- starts_on to ends_on anywhere, and its people are attendees, whose applications may follow.
--
-- No foreign keys, as the policy of 001, 008 and 010 has it: event_attendee names a candidate
-- (merged and anonymised in place, referenced by no FK), event_employer an employer (renamed on
-- screen), talent_event a university; and a table others refer to could not gain a column later.
-- db/programmes/events.py checks the ids on write, db/duplicates.merge moves attendances to the
-- survivor, and `python -m db check` verifies the references from the data (db/integrity.py).
-- An attendance stores the candidate's id and nothing else about the person: deletion on request
-- (db/erasure.py) keeps it, as a count.

create sequence seq_talent_event start 1;
create table talent_event (
    id bigint primary key,
    name varchar not null,                  -- 星耀南湖·菁英荟 第3场; unique, checked in db/
    kind varchar not null check (kind in ('talent_class', 'matching', 'other')),  -- 产业人才班 / 产才对接活动 / 其他
    starts_on date not null,
    ends_on date not null,                  -- a one-day event ends on its start day
    place varchar,
    organiser varchar,
    industry varchar,
    university_id bigint,                   -- university.id: the partner university, if any
    capacity integer check (capacity is null or capacity >= 0),
    notes varchar,
    created_at timestamp not null default current_timestamp,
    active boolean not null default true,
    version integer not null default 1,
    check (ends_on >= starts_on)
);

create table event_employer (
    event_id bigint not null,               -- talent_event.id
    employer_id bigint not null,            -- employer.id
    primary key (event_id, employer_id)
);

create table event_attendee (
    event_id bigint not null,               -- talent_event.id
    candidate_id bigint not null,           -- candidate.id; merge moves it to the survivor
    added_at timestamp not null,
    added_by varchar not null,              -- the user who added the person (app_user.username)
    source varchar not null check (source in ('manual', 'list', 'import', 'signup')),
    import_batch_id bigint,                 -- import_batch.id: the sign-up commit that added the person (undo removes it)
    primary key (event_id, candidate_id)
);
