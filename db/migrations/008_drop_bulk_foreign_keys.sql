-- why: bulk-loaded and undoable tables lose foreign keys that cost an index per row and block undo in one transaction.
--
-- Foreign-key policy, continued from 001. Two more rules:
--   * `candidate` declares no foreign keys. An import writes up to a million candidates at once and
--     DuckDB maintains one index per FK column on every insert (nine columns: a third of its time),
--     and every FK index turns an update of that column into delete+insert. Its references are
--     resolved by db/ commands: university and drive ids come from lookups, enclave/owner from the
--     acting user, import_batch_id from the importer. talent_category and channel become CHECKs on
--     the codes of db/enums.py, as application.stage is (tests/test_import_schema.py checks them).
--   * `stage_event` and `retention_check` point at their application by id, without an FK: DuckDB
--     refuses to delete a row whose referencing rows were deleted in the same transaction, so with
--     the FK undoing an import could not delete an application and its history atomically.
--     db/ commands write them next to their application (db/pipeline.py, db/retention.py), and
--     db/imports.py deletes them together.
-- So talent_category, channel, agreement and application are no longer FK targets (see
-- FK_REFERENCED in tests/test_migrations.py). The tables are rebuilt with the same columns,
-- defaults and CHECKs; `insert … select *` fails loudly if a column was added in between.

create table candidate_before_008 as select * from candidate;
drop table candidate;
create table candidate (
    id bigint primary key,
    name varchar not null,
    name_pinyin varchar,                    -- space-separated readings: 'zengle zengyue'
    name_initials varchar,                  -- 'zl zy'
    gender varchar check (gender in ('男', '女')),
    birth_year integer,
    mobile varchar,                         -- 11 digits, or +CC… for foreign numbers
    email varchar,
    university_id bigint,                   -- university.id (no FK: see above)
    university_raw varchar,
    college varchar,
    major varchar,
    degree varchar check (degree in ('大专', '本科', '硕士', '博士', '博士后')),
    graduation_year integer,
    graduation_month integer check (graduation_month between 1 and 12),
    talent_category varchar not null default 'other'
        check (talent_category in ('young_phd', 'young_graduate', 'high_skill', 'high_level', 'tech_vp', 'other')),
    talent_category_manual boolean not null default false,
    channel varchar not null default 'other'
        check (channel in ('enclave', 'campus_drive', 'agreement', 'joint_training', 'referral', 'online', 'walk_in', 'other')),
    source_enclave_id bigint,               -- enclave.id
    source_drive_id bigint,                 -- campus_drive.id
    source_agreement_id bigint,             -- agreement.id
    enclave_id bigint,                      -- owning enclave = access scope; null: 市本级
    owner_id bigint,                        -- app_user.id
    consent_at timestamp,
    consent_method varchar,
    consent_purpose varchar,
    next_follow_up_on date,
    notes varchar,
    import_batch_id bigint,                 -- import_batch.id
    merged_into bigint,                     -- candidate.id
    created_by varchar,
    created_at timestamp not null,
    updated_by varchar,
    updated_at timestamp not null,
    deleted_at timestamp,
    version integer not null default 1
);
insert into candidate select * from candidate_before_008;
drop table candidate_before_008;

create table stage_event_before_008 as select * from stage_event;
drop table stage_event;
create table stage_event (
    id bigint primary key,
    application_id bigint not null,         -- application.id (no FK: see above)
    candidate_id bigint not null,           -- denormalised for analytics; moved by merge
    from_stage varchar,                     -- null: the application was created
    to_stage varchar not null check (to_stage in ('lead', 'contacted', 'applied', 'interviewing', 'intent', 'offer', 'signed', 'arrived', 'retained', 'rejected', 'withdrawn')),
    occurred_at timestamp not null,
    actor varchar not null,
    note varchar
);
insert into stage_event select * from stage_event_before_008;
drop table stage_event_before_008;

create table retention_check_before_008 as select * from retention_check;
drop table retention_check;
create table retention_check (
    id bigint primary key,
    application_id bigint not null,         -- application.id (no FK: see above)
    months integer not null check (months in (6, 12, 36)),
    checked_on date not null,
    still_employed boolean not null,
    still_in_pinghu boolean not null,
    note varchar,
    checked_by varchar not null
);
insert into retention_check select * from retention_check_before_008;
drop table retention_check_before_008;
