-- why: candidates, their applications, append-only stage history, retention checks, activities and tags.

create sequence seq_candidate start 1;
create table candidate (
    id bigint primary key,
    name varchar not null,
    name_pinyin varchar,                    -- space-separated readings: 'zengle zengyue'
    name_initials varchar,                  -- 'zl zy'
    gender varchar check (gender in ('男', '女')),
    birth_year integer,
    mobile varchar,                         -- 11 digits, or +CC… for foreign numbers
    email varchar,
    university_id bigint references university (id),
    university_raw varchar,
    college varchar,
    major varchar,
    degree varchar check (degree in ('大专', '本科', '硕士', '博士', '博士后')),
    graduation_year integer,
    graduation_month integer check (graduation_month between 1 and 12),
    talent_category varchar not null default 'other' references talent_category (code),
    talent_category_manual boolean not null default false,
    channel varchar not null default 'other' references channel (code),
    source_enclave_id bigint references enclave (id),
    source_drive_id bigint references campus_drive (id),
    source_agreement_id bigint references agreement (id),
    enclave_id bigint references enclave (id),   -- owning enclave = access scope; null: 市本级
    owner_id bigint references app_user (id),
    consent_at timestamp,
    consent_method varchar,
    consent_purpose varchar,
    next_follow_up_on date,
    notes varchar,
    import_batch_id bigint references import_batch (id),
    merged_into bigint,                     -- no FK: candidate is referenced by no FK (see 001)
    created_by varchar,
    created_at timestamp not null,
    updated_by varchar,
    updated_at timestamp not null,
    deleted_at timestamp,
    version integer not null default 1
);

-- Mobile and e-mail are unique among live candidates. Kept in a key table rather than as UNIQUE
-- columns so that editing a candidate's mobile is an in-place update (see the FK policy in 001).
create table contact_key (
    contact varchar primary key,            -- 'm:13800138000' or 'e:someone@example.com'
    candidate_id bigint not null
);

create table candidate_tag (
    candidate_id bigint not null,
    tag varchar not null,
    primary key (candidate_id, tag)
);

create sequence seq_application start 1;
create table application (
    id bigint primary key,
    candidate_id bigint not null,           -- no FK: merge moves applications to the survivor
    employer_id bigint references employer (id),
    position_id bigint references position (id),
    drive_id bigint references campus_drive (id),
    -- a CHECK, not a FK to stage: application is referenced, so its FK columns must never change
    stage varchar not null check (stage in ('lead', 'contacted', 'applied', 'interviewing', 'intent', 'offer', 'signed', 'arrived', 'retained', 'rejected', 'withdrawn')),
    lost_reason varchar,
    import_batch_id bigint references import_batch (id),
    created_by varchar,
    created_at timestamp not null,
    updated_at timestamp not null,
    version integer not null default 1
);

create sequence seq_stage_event start 1;
create table stage_event (
    id bigint primary key,
    application_id bigint not null references application (id),
    candidate_id bigint not null,           -- denormalised for analytics; moved by merge
    from_stage varchar,                     -- null: the application was created
    to_stage varchar not null check (to_stage in ('lead', 'contacted', 'applied', 'interviewing', 'intent', 'offer', 'signed', 'arrived', 'retained', 'rejected', 'withdrawn')),
    occurred_at timestamp not null,
    actor varchar not null,
    note varchar
);

create sequence seq_retention_check start 1;
create table retention_check (
    id bigint primary key,
    application_id bigint not null references application (id),
    months integer not null check (months in (6, 12, 36)),
    checked_on date not null,
    still_employed boolean not null,
    still_in_pinghu boolean not null,
    note varchar,
    checked_by varchar not null
);

create sequence seq_activity start 1;
create table activity (
    id bigint primary key,
    candidate_id bigint not null,           -- no FK: merge moves activities
    kind varchar not null check (kind in ('note', 'call', 'visit', 'wechat', 'meeting')),
    occurred_on date not null,
    body varchar not null,
    follow_up_on date,
    created_by varchar not null,
    created_at timestamp not null
);
