-- why: undo and review of an import need what each batch did: every row's outcome, the blank fields it filled on people who already existed, and its warnings.
--
-- These tables take one row per imported row (a million for a large file) in the import's single
-- bulk write, so they carry no keys or FKs: an index would cost more than the rest of the write.
-- db/imports.py is their only writer.

create table import_row (
    batch_id bigint not null,
    row_number integer not null,            -- as the user sees it in the sheet (1-based)
    outcome varchar not null check (outcome in ('inserted', 'matched', 'duplicate_in_file')),
    candidate_id bigint not null            -- the person the row was written to or merged into
);

-- A blank field of an existing candidate that a batch filled: undo sets it back to NULL when it
-- still holds this value (a later edit is left alone).
create table import_fill (
    batch_id bigint not null,
    candidate_id bigint not null,
    field varchar not null,                 -- a candidate column name from db/imports.FILLABLE
    value varchar not null                  -- the value written, as text
);

create table import_warning (
    batch_id bigint not null,
    row_number integer not null,
    field varchar not null,
    message varchar not null
);
