-- why: the programmes the office runs — enclaves, employers, university agreements, campus drives,
-- co-supervised students, appointments (科技副总, 柔性引进) and yearly targets.

create sequence seq_enclave start 1;
create table enclave (
    id bigint primary key,
    code varchar not null unique,           -- short stable code, used in recruiter usernames
    name varchar not null,
    city varchar not null,
    province varchar not null,
    host_organisation varchar,
    address varchar,
    opened_on date,
    active boolean not null default true
);

create sequence seq_employer start 1;
create table employer (
    id bigint primary key,
    name varchar not null unique,
    credit_code varchar,                    -- 统一社会信用代码, checksum-validated in db/
    industry varchar,
    park varchar,
    golden_eagle_tier varchar check (golden_eagle_tier in ('种子级', '孵化级', '成长级')),
    is_high_tech boolean not null default false,
    contact_name varchar,
    contact_phone varchar,
    created_at timestamp not null default current_timestamp
);

create sequence seq_position start 1;
create table position (
    id bigint primary key,
    employer_id bigint not null references employer (id),
    title varchar not null,
    degree_required varchar,
    headcount integer check (headcount is null or headcount >= 0),
    created_at timestamp not null default current_timestamp
);

create sequence seq_agreement start 1;
create table agreement (
    id bigint primary key,
    university_id bigint not null references university (id),
    enclave_id bigint,                      -- no FK: may be reassigned (agreement is referenced)
    kind varchar not null check (kind in ('引才协议', '学分互认', '联合培养', '实习实践基地', '产教融合')),
    title varchar,
    signed_on date,
    starts_on date not null,
    ends_on date,
    quota integer check (quota is null or quota >= 0),
    owner_id bigint,
    notes varchar,
    created_at timestamp not null default current_timestamp,
    check (ends_on is null or ends_on >= starts_on)
);

create sequence seq_campus_drive start 1;
create table campus_drive (
    id bigint primary key,
    programme varchar not null,             -- 扬帆计划 …
    title varchar not null,
    university_id bigint not null references university (id),
    enclave_id bigint,                      -- no FK: may be reassigned (drive is referenced)
    held_on date not null,
    city varchar,
    status varchar not null check (status in ('planned', 'held', 'cancelled')),
    notes varchar,
    created_at timestamp not null default current_timestamp
);

create table drive_employer (
    drive_id bigint not null references campus_drive (id),
    employer_id bigint not null references employer (id),
    positions_offered integer not null check (positions_offered >= 0),
    primary key (drive_id, employer_id)
);

create sequence seq_co_supervision start 1;
create table co_supervision (
    id bigint primary key,
    candidate_id bigint not null,           -- no FK: candidates are merged (see 001)
    university_id bigint not null references university (id),
    employer_id bigint not null references employer (id),
    enterprise_mentor varchar not null,
    university_mentor varchar not null,
    kind varchar not null check (kind in ('联培', '委培')),
    topic varchar,
    starts_on date not null,
    expected_graduation date,
    milestones varchar,
    outcome varchar not null default 'pending' check (outcome in ('pending', 'stayed', 'left')),
    outcome_employer_id bigint references employer (id),
    created_at timestamp not null default current_timestamp
);

create sequence seq_appointment start 1;
create table appointment (
    id bigint primary key,
    kind varchar not null check (kind in ('tech_vp', 'flexible')),   -- 科技副总 / 柔性引进
    person_name varchar not null,
    title varchar,
    level varchar check (level in ('国家级', '省级', '市级')),
    home_institution varchar,
    employer_id bigint references employer (id),
    enclave_id bigint references enclave (id),
    starts_on date not null,
    ends_on date,
    notes varchar,
    created_at timestamp not null default current_timestamp,
    check (ends_on is null or ends_on >= starts_on)
);

create sequence seq_target start 1;
create table target (
    id bigint primary key,
    year integer not null,
    enclave_id bigint references enclave (id),   -- null: the whole city
    metric varchar not null,                     -- a talent category, 'tech_vp', 'flexible', 'drive_intents' …
    value integer not null check (value >= 0)
);
