-- why: local accounts with roles and lockout, revocable login sessions, and the append-only audit log.

create sequence seq_app_user start 1;
create table app_user (
    id bigint primary key,
    username varchar not null unique,       -- never renamed: audit rows name users by it
    display_name varchar not null,
    role varchar not null check (role in ('recruiter', 'manager', 'hr', 'admin')),
    enclave_id bigint,                      -- recruiters' scope; no FK: it may be reassigned
    password_hash varchar not null,         -- argon2id
    failed_attempts integer not null default 0,
    locked_until timestamp,
    active boolean not null default true,
    created_at timestamp not null default current_timestamp,
    last_login_at timestamp,
    check (role <> 'recruiter' or enclave_id is not null)
);

-- A browser keeps only a signed token naming one row here; logging out or an admin
-- deactivating the account revokes it server-side.
create table auth_session (
    id varchar primary key,                 -- random, 32 url-safe bytes
    user_id bigint not null references app_user (id),
    created_at timestamp not null,
    last_seen_at timestamp not null,
    expires_at timestamp not null,
    revoked_at timestamp
);

create table app_setting (
    name varchar primary key,
    value varchar not null
);

create sequence seq_audit_log start 1;
create table audit_log (
    id bigint primary key,
    occurred_at timestamp not null default current_timestamp,
    actor varchar not null,                 -- username, or 'system' for CLI/bootstrap work
    actor_role varchar,
    action varchar not null,                -- login, login_failed, create, update, export …
    entity varchar,                         -- table name the action touched
    entity_id varchar,
    before_json varchar,
    after_json varchar,
    detail varchar
);
create index idx_audit_log_occurred on audit_log (occurred_at);
