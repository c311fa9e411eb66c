"""Duplicate people: likely matches before a save, the pairs to review, and merging two records.

Exact duplicates (same mobile or e-mail) cannot exist: contact_key blocks them. Likely ones are
the same pinyin name + school + graduation year, or a close name with the same last 4 mobile
digits; they warn, and a user merges them (or dismisses the pair) on the duplicates screen.
"""
from __future__ import annotations

from typing import Any

import polars as pl
from rapidfuzz import fuzz

from db import audit, clock, stage_derived
from db.candidates import PROFILE_FIELDS, mask_frame, require_editable
from db.connection import run_in_transaction
from db.contact_keys import KINDS, key_sql, require_claim
from db.errors import ConcurrentEdit, DomainError, ValidationError
from db.permissions import Action, User, require, scope_enclave
from db.pinyin import readings
from db.sql import Cursor, frame, rows, scalar

NAME_SIMILARITY = 80   # rapidfuzz ratio for "a close name"
# Fields merge may take from either record (ids, history and bookkeeping are not offered).
MERGEABLE = tuple(f for f in PROFILE_FIELDS if f not in ("consent_at",))


class LikelyDuplicate(DomainError):
    """Raised before a save that looks like someone already on file; carries the lookalikes."""

    def __init__(self, found: pl.DataFrame) -> None:
        names = "、".join(f"{n}（编号 {i}）" for i, n in zip(found["id"].to_list()[:3], found["name"].to_list()[:3]))
        super().__init__(f"可能与已有候选人重复：{names}。请先核对；确认不是同一人时填写原因后继续保存。")
        self.found = found


def likely_for(cur: Cursor, *, name: str, pinyin: str | None, university_id: int | None, university_raw: str | None,
               graduation_year: int | None, mobile: str | None, exclude: int | None = None) -> pl.DataFrame:
    """Live candidates that look like this person: columns id, name, university, graduation_year,
    mobile_last4, why."""
    first_reading = (pinyin or "").split(" ")[0]
    same_school = frame(
        cur,
        """
        select c.id, c.name, coalesce(u.name, c.university_raw) as university, c.graduation_year,
               right(c.mobile, 4) as mobile_last4, '同名（拼音）同校同届' as why
        from candidate c left join university u on u.id = c.university_id
        where c.merged_into is null and c.deleted_at is null and ($exclude is null or c.id <> $exclude)
          and split_part(c.name_pinyin, ' ', 1) = $pinyin and c.graduation_year = $year
          and ((c.university_id = $uid) or ($uid is null and c.university_raw = $raw))
        limit 20
        """,
        {"exclude": exclude, "pinyin": first_reading, "year": graduation_year, "uid": university_id,
         "raw": university_raw},
    ) if first_reading and graduation_year and (university_id or university_raw) else None
    same_digits = None
    if mobile and len(mobile) >= 4:
        near = frame(
            cur,
            """
            select c.id, c.name, coalesce(u.name, c.university_raw) as university, c.graduation_year,
                   right(c.mobile, 4) as mobile_last4, '姓名相近且手机尾号相同' as why
            from candidate c left join university u on u.id = c.university_id
            where c.merged_into is null and c.deleted_at is null and ($exclude is null or c.id <> $exclude)
              and right(c.mobile, 4) = $last4 and c.mobile <> $mobile
            """,
            {"exclude": exclude, "last4": mobile[-4:], "mobile": mobile},
        )
        keep = [fuzz.ratio(name, other) >= NAME_SIMILARITY for other in near["name"].to_list()]
        same_digits = near.filter(pl.Series(keep, dtype=pl.Boolean))
    found = [f for f in (same_school, same_digits) if f is not None and f.height]
    if not found:
        return pl.DataFrame(schema={"id": pl.Int64, "name": pl.String, "university": pl.String,
                                    "graduation_year": pl.Int32, "mobile_last4": pl.String, "why": pl.String})
    return pl.concat(found, how="vertical_relaxed").unique("id", keep="first", maintain_order=True)


def pairs(cur: Cursor, actor: User, *, limit: int = 100, offset: int = 0) -> pl.DataFrame:
    """Likely duplicate pairs not yet dismissed, within the actor's scope (recruiters: both people
    in their enclave). Columns: left_id, right_id, left_name, right_name, university, graduation_year,
    why, left_created, right_created."""
    require(actor, Action.EDIT_CANDIDATES)
    return frame(cur, f"select * from ({_PAIRS_SQL}) order by right_created desc, left_id, right_id"
                      " limit $limit offset $offset",
                 {"enclave": scope_enclave(actor), "limit": limit, "offset": offset})


def count_pairs(cur: Cursor, actor: User) -> int:
    require(actor, Action.EDIT_CANDIDATES)
    return int(scalar(cur, f"select count(*) from ({_PAIRS_SQL})", {"enclave": scope_enclave(actor)}))


_PAIRS_SQL = """
    with live as (
        select id, name, split_part(name_pinyin, ' ', 1) as py, university_id, university_raw, graduation_year,
               right(mobile, 4) as last4, left(name, 1) as surname, enclave_id, created_at
        from candidate
        where merged_into is null and deleted_at is null and ($enclave is null or enclave_id = $enclave)
    ), candidates as (
        select a.id as left_id, b.id as right_id, '同名（拼音）同校同届' as why
        from live a join live b on a.py = b.py and a.graduation_year = b.graduation_year
             and coalesce(cast(a.university_id as varchar), a.university_raw) = coalesce(cast(b.university_id as varchar), b.university_raw)
             and a.id < b.id
        union
        select a.id, b.id, '姓名相近且手机尾号相同'
        from live a join live b on a.last4 = b.last4 and a.surname = b.surname and a.id < b.id
        where jaro_winkler_similarity(a.name, b.name) >= 0.9
    )
    select p.left_id, p.right_id, l.name as left_name, r.name as right_name,
           coalesce(u.name, l.university_raw) as university, l.graduation_year, string_agg(p.why, '；') as why,
           l.created_at as left_created, r.created_at as right_created
    from candidates p
    join live l on l.id = p.left_id
    join live r on r.id = p.right_id
    left join university u on u.id = l.university_id
    where not exists (select 1 from duplicate_dismissal d where d.candidate_low = p.left_id and d.candidate_high = p.right_id)
    group by all
"""


def dismiss(cur: Cursor, actor: User, a: int, b: int, *, reason: str) -> None:
    """Record that two people are not the same, so the pair is not listed again."""
    for candidate_id in (a, b):
        require_editable(cur, actor, candidate_id)
    if not (reason or "").strip():
        raise ValidationError("请填写判断依据（例如：出生年份不同、本人确认）。", field="reason")
    low, high = sorted((a, b))

    def work(cur: Cursor) -> None:
        cur.execute("insert into duplicate_dismissal values ($l, $h, $r, $u, $now) on conflict do nothing",
                    {"l": low, "h": high, "r": reason.strip(), "u": actor.username, "now": clock.now()})
        audit.record(cur, actor, "update", entity="candidate", entity_id=low, detail=f"标记与编号 {high} 不是同一人：{reason}")

    run_in_transaction(cur, work)


def side_by_side(cur: Cursor, actor: User, a: int, b: int) -> pl.DataFrame:
    """Both records' profile values for the merge screen, contacts masked as the actor must see them."""
    require(actor, Action.EDIT_CANDIDATES)
    found = frame(cur, f"select id, version, {', '.join(MERGEABLE)} from candidate where id in ($a, $b)"
                       " and merged_into is null and deleted_at is null", {"a": a, "b": b})
    if found.height != 2:
        raise ValidationError("两位候选人都必须存在且未被合并或删除。")
    return mask_frame(found, actor)


def merge(cur: Cursor, actor: User, survivor_id: int, merged_id: int, *, take_from_merged: set[str],
          versions: tuple[int, int]) -> None:
    """Merge `merged_id` into `survivor_id`: the survivor takes the listed fields from the other
    record, gets its applications, stage history, activities, co-supervision, tags and event
    attendances; the other record points at the survivor and stops counting. Both must be unchanged
    since `versions`."""
    if survivor_id == merged_id:
        raise ValidationError("不能把候选人与自己合并。")
    for candidate_id in (survivor_id, merged_id):
        require_editable(cur, actor, candidate_id)
    unknown = set(take_from_merged) - set(MERGEABLE)
    if unknown:
        raise ValidationError(f"这些字段不能合并：{sorted(unknown)}")

    def work(cur: Cursor) -> None:
        both = {r["id"]: r for r in frame(cur, f"select id, version, {', '.join(MERGEABLE)} from candidate"
                                               " where id in ($a, $b) and merged_into is null and deleted_at is null",
                                          {"a": survivor_id, "b": merged_id}).iter_rows(named=True)}
        if len(both) != 2 or (both[survivor_id]["version"], both[merged_id]["version"]) != tuple(versions):
            raise ConcurrentEdit("候选人刚被他人修改或合并，请刷新后重试。")
        keep, gone = both[survivor_id], both[merged_id]
        chosen = {f: (gone[f] if f in take_from_merged else keep[f]) for f in MERGEABLE}
        now = clock.now()
        cur.execute("delete from contact_key where candidate_id in ($a, $b)", {"a": survivor_id, "b": merged_id})
        _update_survivor(cur, actor, survivor_id, chosen, gone, now)
        require_claim()
        for key, kind in KINDS.items():
            if chosen[key]:
                cur.execute(f"insert into contact_key values ({key_sql(kind, '$v')}, $id)",
                            {"v": chosen[key], "id": survivor_id})
        for table in ("application", "stage_event", "activity", "co_supervision"):
            cur.execute(f"update {table} set candidate_id = $s where candidate_id = $m", {"s": survivor_id, "m": merged_id})
        stage_derived.refresh(cur, candidate_ids=[survivor_id, merged_id])    # the history moved to the survivor
        cur.execute("insert into candidate_tag select $s, tag from candidate_tag where candidate_id = $m"
                    " on conflict do nothing", {"s": survivor_id, "m": merged_id})
        cur.execute("delete from candidate_tag where candidate_id = $m", {"m": merged_id})
        # Attendances are keyed by (event, person): move those the survivor lacks, drop the rest.
        # (Not an UPDATE of the key column, which DuckDB runs as delete+insert against the key.)
        cur.execute("insert into event_attendee (event_id, candidate_id, added_at, added_by, source, import_batch_id)"
                    " select event_id, $s, added_at, added_by, source, import_batch_id from event_attendee"
                    " where candidate_id = $m"
                    " on conflict do nothing", {"s": survivor_id, "m": merged_id})
        cur.execute("delete from event_attendee where candidate_id = $m", {"m": merged_id})
        cur.execute("update candidate set merged_into = $s, updated_at = $now, updated_by = $u, version = version + 1"
                    " where id = $m", {"s": survivor_id, "now": now, "u": actor.username, "m": merged_id})
        audit.record(cur, actor, "merge", entity="candidate", entity_id=survivor_id,
                     before={"survivor": _jsonable(keep), "merged": _jsonable(gone)}, after=_jsonable(chosen),
                     detail=f"编号 {merged_id} 合并到编号 {survivor_id}；取自被合并记录的字段：{sorted(take_from_merged) or '无'}")

    run_in_transaction(cur, work, claims=True)


def _update_survivor(cur: Cursor, actor: User, survivor_id: int, chosen: dict[str, Any], gone: dict[str, Any],
                     now: Any) -> None:
    pinyin, initials = readings(chosen["name"])
    params = {**chosen, "name_pinyin": pinyin, "name_initials": initials, "now": now, "u": actor.username,
              "id": survivor_id}
    assignments = ", ".join(f"{k} = ${k}" for k in (*MERGEABLE, "name_pinyin", "name_initials"))
    cur.execute(f"update candidate set {assignments}, updated_at = $now, updated_by = $u, version = version + 1"
                " where id = $id", params)


def _jsonable(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k != "version"}


def merged_ids(cur: Cursor, survivor_id: int) -> list[int]:
    return [r[0] for r in rows(cur, "select id from candidate where merged_into = $id order by id", {"id": survivor_id})]
