-- why: the programme registers become editable on screen: renaming an employer or recoding an enclave must work, rows carry a version and an active flag, agreements link to the one they renew, co-supervision milestones get dates, appointments may name a candidate, and talent-programme declarations get a table.
--
-- Foreign-key policy, continued from 001 and 008. An employer renamed or an enclave recoded changes a
-- UNIQUE column, which DuckDB rewrites as delete+insert and refuses while any row refers to it. So
-- the tables that pointed at employer, enclave and position lose those foreign keys (application,
-- position, drive_employer, co_supervision, appointment, target): db/ commands check the ids on
-- write (db/programmes/), refuse to delete a row that others refer to, naming them, and
-- `python -m db check` verifies the references from the data. A table others refer to cannot even
-- gain a column, so import_batch (→ campus_drive) and import_reject (→ import_batch) lose theirs too:
-- db/imports.py writes both in one transaction and undo keeps them. Only references to university
-- (reference data, never updated) stay. Rebuilt tables keep their columns in order; new columns come last.

create table application_before_010 as select * from application;
drop table application;
create table application (
    id bigint primary key,
    candidate_id bigint not null,           -- candidate.id (no FK: see 001)
    employer_id bigint,                     -- employer.id (no FK: see above)
    position_id bigint,                     -- position.id
    drive_id bigint,                        -- campus_drive.id
    stage varchar not null check (stage in ('lead', 'contacted', 'applied', 'interviewing', 'intent', 'offer', 'signed', 'arrived', 'retained', 'rejected', 'withdrawn')),
    lost_reason varchar,
    import_batch_id bigint,                 -- import_batch.id
    created_by varchar,
    created_at timestamp not null,
    updated_at timestamp not null,
    version integer not null default 1
);
insert into application select * from application_before_010;
drop table application_before_010;

create table position_before_010 as select * from position;
drop table position;
create table position (
    id bigint primary key,
    employer_id bigint not null,            -- employer.id
    title varchar not null,
    degree_required varchar,
    headcount integer check (headcount is null or headcount >= 0),
    created_at timestamp not null default current_timestamp,
    is_open boolean not null default true,
    version integer not null default 1
);
insert into position (id, employer_id, title, degree_required, headcount, created_at)
select id, employer_id, title, degree_required, headcount, created_at from position_before_010;
drop table position_before_010;

create table drive_employer_before_010 as select * from drive_employer;
drop table drive_employer;
create table drive_employer (
    drive_id bigint not null,               -- campus_drive.id
    employer_id bigint not null,            -- employer.id
    positions_offered integer not null check (positions_offered >= 0),
    primary key (drive_id, employer_id)
);
insert into drive_employer select * from drive_employer_before_010;
drop table drive_employer_before_010;

create table co_supervision_before_010 as select * from co_supervision;
drop table co_supervision;
create table co_supervision (
    id bigint primary key,
    candidate_id bigint not null,           -- candidate.id
    university_id bigint not null references university (id),
    employer_id bigint not null,            -- employer.id
    enterprise_mentor varchar not null,
    university_mentor varchar not null,
    kind varchar not null check (kind in ('联培', '委培')),
    topic varchar,
    starts_on date not null,
    expected_graduation date,
    milestones varchar,                     -- free text kept from before; the dates below are the milestones
    outcome varchar not null default 'pending' check (outcome in ('pending', 'stayed', 'left')),
    outcome_employer_id bigint,             -- employer.id: where a student who stayed works
    created_at timestamp not null default current_timestamp,
    proposal_on date,                       -- 开题
    midterm_on date,                        -- 中期
    defence_on date,                        -- 答辩
    active boolean not null default true,
    version integer not null default 1
);
insert into co_supervision (id, candidate_id, university_id, employer_id, enterprise_mentor, university_mentor, kind,
                            topic, starts_on, expected_graduation, milestones, outcome, outcome_employer_id, created_at)
select id, candidate_id, university_id, employer_id, enterprise_mentor, university_mentor, kind, topic, starts_on,
       expected_graduation, milestones, outcome, outcome_employer_id, created_at
from co_supervision_before_010;
drop table co_supervision_before_010;

create table appointment_before_010 as select * from appointment;
drop table appointment;
create table appointment (
    id bigint primary key,
    kind varchar not null check (kind in ('tech_vp', 'flexible')),   -- 科技副总 / 柔性引进
    person_name varchar not null,
    title varchar,
    level varchar check (level in ('国家级', '省级', '市级')),
    home_institution varchar,
    employer_id bigint,                     -- employer.id
    enclave_id bigint,                      -- enclave.id
    starts_on date not null,
    ends_on date,
    notes varchar,
    created_at timestamp not null default current_timestamp,
    candidate_id bigint,                    -- candidate.id, when the person is one
    active boolean not null default true,
    version integer not null default 1,
    check (ends_on is null or ends_on >= starts_on)
);
insert into appointment (id, kind, person_name, title, level, home_institution, employer_id, enclave_id, starts_on,
                         ends_on, notes, created_at)
select id, kind, person_name, title, level, home_institution, employer_id, enclave_id, starts_on, ends_on, notes,
       created_at
from appointment_before_010;
drop table appointment_before_010;

create table target_before_010 as select * from target;
drop table target;
create table target (
    id bigint primary key,
    year integer not null,
    enclave_id bigint,                      -- enclave.id; null: the whole city
    metric varchar not null,                -- db/programmes/targets.METRICS
    value integer not null check (value >= 0)
);
insert into target select * from target_before_010;
drop table target_before_010;

create table import_reject_before_010 as select * from import_reject;
drop table import_reject;
create table import_reject (
    id bigint primary key,
    batch_id bigint not null,               -- import_batch.id
    row_number integer not null,            -- as the user sees it in the sheet (1-based)
    reasons varchar not null,
    row_json varchar not null               -- the row without national ID numbers
);
insert into import_reject select * from import_reject_before_010;
drop table import_reject_before_010;

create table import_batch_before_010 as select * from import_batch;
drop table import_batch;
create table import_batch (
    id bigint primary key,
    file_name varchar not null,
    sha256 varchar not null,
    imported_by varchar not null,           -- username
    imported_at timestamp not null default current_timestamp,
    drive_id bigint,                        -- campus_drive.id
    encoding varchar,
    header_row integer,
    mapping_json varchar,
    read_rows integer not null default 0,
    inserted integer not null default 0,
    matched integer not null default 0,
    duplicate_in_file integer not null default 0,
    rejected integer not null default 0,
    warnings integer not null default 0,
    report_json varchar,
    undone_at timestamp,
    undone_by varchar
);
insert into import_batch select * from import_batch_before_010;
drop table import_batch_before_010;
create index idx_import_batch_sha on import_batch (sha256);

alter table enclave add column version integer not null default 1;
alter table employer add column active boolean not null default true;
alter table employer add column version integer not null default 1;
alter table agreement add column predecessor_id bigint;     -- agreement.id this one renews
alter table agreement add column active boolean not null default true;
alter table agreement add column version integer not null default 1;
alter table campus_drive add column version integer not null default 1;

create sequence seq_declaration start 1;
create table declaration (
    id bigint primary key,
    programme varchar not null,             -- 国家级某人才计划 …
    level varchar not null check (level in ('国家级', '省级', '市级')),
    batch varchar not null,                 -- 批次: 2025 第一批
    year integer not null,                  -- the year the batch belongs to
    candidate_id bigint,                    -- candidate.id, when the applicant is one
    applicant_name varchar not null,
    employer_id bigint,                     -- employer.id
    submitted_on date,
    status varchar not null default 'preparing'
        check (status in ('preparing', 'submitted', 'reviewing', 'selected', 'not_selected')),
    result_on date,
    notes varchar,
    created_at timestamp not null default current_timestamp,
    active boolean not null default true,
    version integer not null default 1
);
