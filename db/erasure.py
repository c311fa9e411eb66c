"""Deletion on request (PIPL art. 47): afterwards nothing in the database identifies the person, and
every count stays as it was.

What goes: the name (replaced by 已删除#id), contacts and every personal detail on the candidate row
(school, major, degree, graduation, gender, birth year, consent texts, notes), tags, activity texts,
notes and reasons on their applications' moves and retention checks, the co-supervision topic, the
warnings and blank-fills their imported rows left, rejected import rows holding their mobile or
e-mail, what they typed into sign-up forms (db/signups.forget), and the personal values earlier
audit entries recorded about them (who did what, when, stays).
Records merged into the person are anonymised the same way. What stays: the row itself with its
talent category, channel, enclave and dates, applications and stage history — what the counts read.
"""
from __future__ import annotations

from typing import Any

from db import audit, clock, signups
from db.candidates import get, require_editable, require_live
from db.connection import run_in_transaction
from db.errors import ValidationError
from db.permissions import User
from db.sql import Cursor, rows

ERASED = ("name_pinyin", "name_initials", "gender", "birth_year", "mobile", "email", "university_id", "university_raw",
          "college", "major", "degree", "graduation_year", "graduation_month", "consent_method", "consent_purpose",
          "notes", "next_follow_up_on")
REMOVED = "（已按本人要求删除）"
REDACTED_JSON = '{"redacted": "按本人要求删除"}'
MARK = "［已删除］"


def delete_on_request(cur: Cursor, actor: User, candidate_id: int, *, reason: str) -> None:
    """Anonymise a person who asked to be deleted (see the module's docstring for what goes)."""
    require_editable(cur, actor, candidate_id)
    require_live(get(cur, actor, candidate_id))
    if not (reason or "").strip():
        raise ValidationError("请填写删除依据（例如：本人于某日电话/书面要求删除）。", field="reason")

    def work(cur: Cursor) -> None:
        ids = _with_merged(cur, candidate_id)
        identifying = _identifying_values(cur, ids)
        _scrub_trail(cur, ids, identifying)
        _anonymise_rows(cur, ids)
        audit.record(cur, actor, "delete", entity="candidate", entity_id=candidate_id,
                     detail=f"按本人要求删除（匿名化）：{_scrubbed(reason.strip(), identifying)}",
                     after={"cleared": ["name", *ERASED], "records": ids})

    run_in_transaction(cur, work)


def _with_merged(cur: Cursor, candidate_id: int) -> list[int]:
    """The person's id and every record merged into it, directly or along a chain of merges."""
    found = rows(cur, """
        with recursive merged(id) as (
            select $id::bigint
            union
            select c.id from candidate c join merged m on c.merged_into = m.id
        )
        select id from merged order by id""", {"id": candidate_id})
    return [r[0] for r in found]


def _identifying_values(cur: Cursor, ids: list[int]) -> list[str]:
    """Texts that identify the person, longest first: names, contacts, school and major as written."""
    found = rows(cur, "select name, mobile, email, university_raw, major, college from candidate"
                      " where id in (select unnest($ids))", {"ids": ids})
    values = {str(v).strip() for row in found for v in row if v is not None and len(str(v).strip()) >= 2}
    return sorted(values, key=len, reverse=True)


def _scrubbed(text: str, identifying: list[str]) -> str:
    for value in identifying:
        text = text.replace(value, MARK)
    return text


def _anonymise_rows(cur: Cursor, ids: list[int]) -> None:
    assignments = ", ".join(f"{column} = null" for column in ERASED)
    now = clock.now()
    cur.execute(f"update candidate set name = '已删除#' || id, {assignments}, deleted_at = coalesce(deleted_at, $now),"
                " updated_at = $now, version = version + 1 where id in (select unnest($ids))", {"now": now, "ids": ids})
    for table in ("contact_key", "candidate_tag"):
        cur.execute(f"delete from {table} where candidate_id in (select unnest($ids))", {"ids": ids})
    cur.execute("update activity set body = $removed where candidate_id in (select unnest($ids))",
                {"removed": REMOVED, "ids": ids})
    cur.execute("update co_supervision set topic = null where candidate_id in (select unnest($ids))", {"ids": ids})


def _scrub_trail(cur: Cursor, ids: list[int], identifying: list[str]) -> None:
    """What other tables recorded about the person: free texts on their applications, their imported
    rows' warnings and fills, rejected rows holding their contacts, and audit entries."""
    params: dict[str, Any] = {"ids": ids, "removed": REMOVED, "redacted": REDACTED_JSON}
    apps = "(select id from application where candidate_id in (select unnest($ids)))"
    rows(cur, f"update stage_event set note = $removed where note is not null and application_id in {apps}", params)
    rows(cur, f"update application set lost_reason = $removed where lost_reason is not null and id in {apps}", params)
    rows(cur, f"update retention_check set note = $removed where note is not null and application_id in {apps}",
                params)
    rows(cur, """
        update import_warning w set message = $removed
        from import_row r
        where r.batch_id = w.batch_id and r.row_number = w.row_number and r.candidate_id in (select unnest($ids))
        """, params)
    rows(cur, "delete from import_fill where candidate_id in (select unnest($ids))", params)
    signups.forget(cur, ids, [v for v in identifying if "@" in v or v.isdigit() or v.startswith("+")])
    rows(cur, "update duplicate_dismissal set reason = $removed"
                " where candidate_low in (select unnest($ids)) or candidate_high in (select unnest($ids))", params)
    # Entries about the person or their applications lose the values they recorded.
    rows(cur, f"""
        update audit_log set before_json = case when before_json is null then null else $redacted end,
                             after_json = case when after_json is null then null else $redacted end
        where (entity = 'candidate' and entity_id in (select unnest($ids)::varchar))
           or (entity = 'application' and entity_id in (select id::varchar from {apps}))
        """, params)
    contacts = [v for v in identifying if "@" in v or v.isdigit() or v.startswith("+")]
    for value in identifying:
        # Their contacts are theirs alone, wherever they appear; a name is replaced only in entries
        # that are about them (someone else may share it).
        about_them = "true" if value in contacts else "entity = 'candidate' and entity_id in (select unnest($ids)::varchar)"
        rows(cur, f"update audit_log set detail = replace(detail, $v, $mark)"
                    f" where contains(detail, $v) and ({about_them})", params | {"v": value, "mark": MARK})
    for value in contacts:
        rows(cur, "update audit_log set before_json = $redacted, after_json = $redacted"
                    " where contains(before_json, $v) or contains(after_json, $v)", params | {"v": value})
        rows(cur, "update import_reject set row_json = $redacted, reasons = $removed"
                    " where contains(row_json, $v) or contains(reasons, $v)", params | {"v": value})
        rows(cur, "update import_warning set message = $removed where contains(message, $v)", params | {"v": value})
