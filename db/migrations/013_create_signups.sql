-- why: sign-up from a phone (扫码报名) — each campus drive and each talent event gets a public form behind an unguessable link that closes at a set time, and what people submit waits in a staging table until HR (or the drive's recruiter) commits it through the importer's rules as one import batch with undo: nothing a stranger types goes straight into candidate.
--
-- A form and its entries belong to one campus drive or one talent event (exactly one of drive_id,
-- event_id). No foreign keys, as the policy of 001, 008 and 010 has it: signup_form and signup_entry
-- name a campus drive or a talent event, signup_choice an employer (renamed on screen) and its entry; db/signups.py checks the
-- ids on write, the drive register refuses to delete a drive they name, and `python -m db check`
-- verifies the references from the data (db/integrity.py).
--
-- An entry keeps the fields as the person typed them (the mobile normalised, which the per-mobile
-- limit needs), the consent text they agreed to and when, and a hash of their browser session — never
-- a national ID number (refused at the form). Its status is pending until a reviewer commits it
-- (committed, or rejected with the importer's reasons; batch_id names the import batch, in which the
-- entry's row number is its own id) or rejects it; honeypot hits and repeated mobiles are stored as
-- rejected at once. An entry whose batch was undone is pending again (db/signups.py reads it so).

create table signup_form (
    drive_id bigint unique,                 -- campus_drive.id: one sign-up form per drive …
    event_id bigint unique,                 -- … or talent_event.id: one per event
    token varchar not null unique,          -- secrets.token_urlsafe(24): 192 random bits, the link's only secret
    opens_at timestamp,                     -- null: open as soon as it is set up
    closes_at timestamp not null,           -- every link closes
    created_by varchar not null,
    created_at timestamp not null,
    updated_by varchar,
    updated_at timestamp,
    version integer not null default 1,
    check ((drive_id is null) <> (event_id is null))
);

create sequence seq_signup_entry start 1;
create table signup_entry (
    id bigint primary key,
    drive_id bigint,                        -- campus_drive.id …
    event_id bigint,                        -- … or talent_event.id (exactly one of them)
    submitted_at timestamp not null,
    name varchar not null,
    mobile varchar not null,                -- normalised: 11 digits, or +CC… for a foreign number
    email varchar,
    school varchar,                         -- as typed; resolved again by the importer on commit
    university_id bigint,                   -- what the school resolver made of it at submission (a hint)
    major varchar,
    degree varchar,
    graduation_year integer,
    graduation_month integer,
    consent_text varchar not null,          -- the notice and the checkbox the person agreed to
    consent_at timestamp not null,
    session_hash varchar not null,          -- sha256 of the browser session's random key
    status varchar not null default 'pending' check (status in ('pending', 'committed', 'rejected')),
    reasons varchar,                        -- why rejected (importer reasons, honeypot, repeat, reviewer)
    batch_id bigint,                        -- import_batch.id once committed
    reviewed_by varchar,
    reviewed_at timestamp,
    check ((drive_id is null) <> (event_id is null))
);

create table signup_choice (
    entry_id bigint not null,               -- signup_entry.id
    employer_id bigint not null,            -- employer.id: one of the drive's employers
    primary key (entry_id, employer_id)
);
