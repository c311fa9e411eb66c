-- why: every file import is recorded with its hash, mapping and counts, and each rejected row with its reasons.

create sequence seq_import_batch start 1;
create table import_batch (
    id bigint primary key,
    file_name varchar not null,
    sha256 varchar not null,
    imported_by varchar not null,           -- username
    imported_at timestamp not null default current_timestamp,
    drive_id bigint references campus_drive (id),
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
create index idx_import_batch_sha on import_batch (sha256);

create sequence seq_import_reject start 1;
create table import_reject (
    id bigint primary key,
    batch_id bigint not null references import_batch (id),
    row_number integer not null,            -- as the user sees it in the sheet (1-based)
    reasons varchar not null,
    row_json varchar not null               -- the row without dropped columns (national ID)
);
