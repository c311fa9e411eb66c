"""References and uniqueness the schema does not enforce (see migrations 001, 008, 009 and 010), and the
figures stored beside stage_event (migration 016), checked from the data."""
from __future__ import annotations

from db.contact_keys import key_sql
from db.lost_reasons import LostReason
from db.stage_derived import CROSSINGS_DIFFERING, STAYS_DIFFERING
from db.sql import Cursor, rows

# (label, the referencing rows whose target is missing) — every check a count of dangling rows.
CHECKS: dict[str, str] = {
    "candidate.university_id → university": "select count(*) from candidate c where c.university_id is not null"
        " and not exists (select 1 from university u where u.id = c.university_id)",
    "candidate.enclave_id → enclave": "select count(*) from candidate c where c.enclave_id is not null"
        " and not exists (select 1 from enclave e where e.id = c.enclave_id)",
    "candidate.source_enclave_id → enclave": "select count(*) from candidate c where c.source_enclave_id is not null"
        " and not exists (select 1 from enclave e where e.id = c.source_enclave_id)",
    "candidate.owner_id → app_user": "select count(*) from candidate c where c.owner_id is not null"
        " and not exists (select 1 from app_user u where u.id = c.owner_id)",
    "candidate.source_drive_id → campus_drive": "select count(*) from candidate c where c.source_drive_id is not null"
        " and not exists (select 1 from campus_drive d where d.id = c.source_drive_id)",
    "candidate.source_agreement_id → agreement": "select count(*) from candidate c where c.source_agreement_id is not null"
        " and not exists (select 1 from agreement a where a.id = c.source_agreement_id)",
    "candidate.import_batch_id → import_batch": "select count(*) from candidate c where c.import_batch_id is not null"
        " and not exists (select 1 from import_batch b where b.id = c.import_batch_id)",
    "candidate.merged_into → live candidate": "select count(*) from candidate c where c.merged_into is not null"
        " and not exists (select 1 from candidate s where s.id = c.merged_into and s.merged_into is null)",
    "application.candidate_id → candidate": "select count(*) from application a"
        " where not exists (select 1 from candidate c where c.id = a.candidate_id)",
    "application on a merged candidate": "select count(*) from application a join candidate c on c.id = a.candidate_id"
        " where c.merged_into is not null",
    "stage_event.application_id → application": "select count(*) from stage_event e"
        " where not exists (select 1 from application a where a.id = e.application_id)",
    "stage_event.candidate_id = its application's": "select count(*) from stage_event e join application a"
        " on a.id = e.application_id where e.candidate_id <> a.candidate_id",
    "application.stage = its last event": "select count(*) from application a join (select application_id,"
        " arg_max(to_stage, id) as last from stage_event group by 1) e on e.application_id = a.id where a.stage <> e.last",
    "event_attendee on a merged candidate": "select count(*) from event_attendee x join candidate c"
        " on c.id = x.candidate_id where c.merged_into is not null",
    "stage_event: an arrival without the talent category it keeps": "select count(*) from stage_event e"
        " where e.to_stage = 'arrived' and e.talent_category is null",
    "retention_check.application_id → application": "select count(*) from retention_check r"
        " where not exists (select 1 from application a where a.id = r.application_id)",
    "activity.candidate_id → candidate": "select count(*) from activity t"
        " where not exists (select 1 from candidate c where c.id = t.candidate_id)",
    "co_supervision.candidate_id → candidate": "select count(*) from co_supervision s"
        " where not exists (select 1 from candidate c where c.id = s.candidate_id)",
    "contact_key: a key held twice": "select count(*) from (select key from contact_key group by key"
        " having count(*) > 1)",
    "contact_key → a live candidate's mobile or e-mail": "select count(*) from contact_key k where not exists"
        " (select 1 from candidate c where c.id = k.candidate_id and c.merged_into is null and c.deleted_at is null"
        f" and k.key in ({key_sql('m', 'c.mobile')}, {key_sql('e', 'c.email')}))",
    "live candidate's mobile and e-mail → contact_key": "select count(*) from candidate c"
        " where c.merged_into is null and c.deleted_at is null and ("
        f" (c.mobile is not null and not exists (select 1 from contact_key k where k.key = {key_sql('m', 'c.mobile')}"
        " and k.candidate_id = c.id))"
        f" or (c.email is not null and not exists (select 1 from contact_key k where k.key = {key_sql('e', 'c.email')}"
        " and k.candidate_id = c.id)))",
}


# Plain id references (column may be null) that db/ commands keep right since migration 010 dropped
# the foreign keys of the programme registers: (table, column, the table it names).
REFERENCES = (
    ("application", "employer_id", "employer"), ("application", "position_id", "position"),
    ("application", "drive_id", "campus_drive"), ("application", "import_batch_id", "import_batch"),
    ("position", "employer_id", "employer"), ("drive_employer", "drive_id", "campus_drive"),
    ("drive_employer", "employer_id", "employer"), ("co_supervision", "employer_id", "employer"),
    ("co_supervision", "outcome_employer_id", "employer"), ("appointment", "employer_id", "employer"),
    ("appointment", "enclave_id", "enclave"), ("appointment", "candidate_id", "candidate"),
    ("target", "enclave_id", "enclave"), ("import_batch", "drive_id", "campus_drive"),
    ("import_reject", "batch_id", "import_batch"), ("agreement", "enclave_id", "enclave"),
    ("agreement", "predecessor_id", "agreement"), ("agreement", "owner_id", "app_user"),
    ("campus_drive", "enclave_id", "enclave"), ("declaration", "candidate_id", "candidate"),
    ("declaration", "employer_id", "employer"), ("app_user", "enclave_id", "enclave"),
    ("talent_event", "university_id", "university"), ("event_employer", "event_id", "talent_event"),
    ("event_employer", "employer_id", "employer"), ("event_attendee", "event_id", "talent_event"),
    ("event_attendee", "candidate_id", "candidate"),
    ("event_attendee", "import_batch_id", "import_batch"),
    ("signup_form", "drive_id", "campus_drive"), ("signup_entry", "drive_id", "campus_drive"),
    ("signup_form", "event_id", "talent_event"), ("signup_entry", "event_id", "talent_event"),
    ("signup_entry", "batch_id", "import_batch"), ("signup_choice", "entry_id", "signup_entry"),
    ("signup_choice", "employer_id", "employer"),
)
CHECKS |= {
    f"{table}.{column} → {target}": f"select count(*) from {table} x where x.{column} is not null"
                                     f" and not exists (select 1 from {target} t where t.id = x.{column})"
    for table, column, target in REFERENCES
}

# Migration 014 could not give application.lost_code a CHECK (DuckDB adds no column with one): an exit
# carries a code of db/lost_reasons.LostReason, nothing else does.
_LOST_CODES = ", ".join(f"'{code}'" for code in LostReason.labels())
CHECKS["application.lost_code: a listed code on exits only"] = (
    "select count(*) from application where case when stage in ('rejected', 'withdrawn')"
    f" then lost_code is null or lost_code not in ({_LOST_CODES}) else lost_code is not null end")

# Kept by db/stage_derived.refresh in every command that writes stage_event; a difference means some
# writer did not refresh (python -m db check names it in the office's words).
CHECKS["阶段记录的停留结束时间（stage_event.left_at）与按阶段记录重算的不一致"] = STAYS_DIFFERING
CHECKS["每人每年跨过的阶段（stage_crossing）与按阶段记录重算的不一致"] = CROSSINGS_DIFFERING


def dangling(cur: Cursor) -> dict[str, int]:
    """Each check with the number of rows that break it (all zero in a healthy database)."""
    return {label: int(rows(cur, query)[0][0]) for label, query in CHECKS.items()}
