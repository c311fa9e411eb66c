-- why: universities, provinces, cities and the domain lookup tables every later table points at.
--
-- Foreign-key policy (read before adding one). DuckDB indexes every FK column and rewrites a row
-- whose indexed column changes as DELETE+INSERT, which fails while another table still references
-- that row. So a FOREIGN KEY is declared only where
--   * the referenced table never updates its key, UNIQUE or FK columns, and
--   * the referencing column is never updated when its own table is referenced by someone else.
-- `candidate` is the most-edited row (owner, school, merge) and is therefore referenced by no FK:
-- application/activity/stage_event/co_supervision point at it by id, kept right by db/ commands.
-- tests/test_migrations.py pins the set of FK-referenced tables.

create table province (
    code varchar primary key,           -- National Bureau of Statistics code, 2 digits
    name varchar not null
);

create table city (
    code varchar primary key,           -- 4 digits
    name varchar not null,
    province_code varchar not null references province (code)
);

create sequence seq_university start 1;
create table university (
    id bigint primary key,
    school_code varchar not null unique,   -- MoE 学校标识码, 10 digits, never changes
    name varchar not null,
    name_en varchar,
    authority varchar,                      -- 主管部门
    province varchar not null,
    city varchar,
    level varchar not null check (level in ('本科', '专科')),
    note varchar,                           -- 民办 / 中外合作办学 …
    is_985 boolean not null default false,
    is_211 boolean not null default false,
    is_double_first_class boolean not null default false
);

create sequence seq_university_alias start 1;
create table university_alias (
    id bigint primary key,
    alias varchar not null unique,          -- old or short name as people write it
    university_id bigint not null references university (id),
    kind varchar not null check (kind in ('renamed', 'short', 'typo')),
    note varchar
);

-- Lookup tables mirror db/enums.py; tests/test_enums.py fails when the two drift apart.
create table stage (
    code varchar primary key,
    rank integer not null unique,           -- pipeline order; exits rank after the open stages
    label varchar not null,
    is_exit boolean not null
);
insert into stage values
    ('lead', 1, '线索', false),
    ('contacted', 2, '已联系', false),
    ('applied', 3, '已投递', false),
    ('interviewing', 4, '面试中', false),
    ('intent', 5, '签约意向', false),
    ('offer', 6, '已录用', false),
    ('signed', 7, '已签约', false),
    ('arrived', 8, '已到岗', false),
    ('retained', 9, '留平1年+', false),
    ('rejected', 10, '未通过', true),
    ('withdrawn', 11, '放弃', true);

create table talent_category (
    code varchar primary key,
    label varchar not null,
    sort_order integer not null
);
insert into talent_category values
    ('young_phd', '青年博士', 1),
    ('young_graduate', '青年大学生', 2),
    ('high_skill', '高能人才', 3),
    ('high_level', '高层次人才', 4),
    ('tech_vp', '科技副总', 5),
    ('other', '其他', 6);

create table channel (
    code varchar primary key,
    label varchar not null,
    sort_order integer not null
);
insert into channel values
    ('enclave', '人才飞地', 1),
    ('campus_drive', '校园招聘', 2),
    ('agreement', '校地协议', 3),
    ('joint_training', '联合培养', 4),
    ('referral', '内部推荐', 5),
    ('online', '网络招聘', 6),
    ('walk_in', '现场来访', 7),
    ('other', '其他', 8);
