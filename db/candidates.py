"""Candidates: who may see and edit whom, masked search, one record with everything about a person.

Commands that change a candidate live in db/candidate_commands.py; merging and duplicate
detection in db/duplicates.py. This module is the read side and the scope rules they share.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import polars as pl

from db import audit
from db.contacts import mask_email, mask_mobile, normalise_email, normalise_mobile
from db.errors import NotFound, PermissionDenied
from db.permissions import Action, User, can, require
from db.sql import Cursor, contains, frame, rows, scalar

PAGE_SIZE = 50
SORTS = {
    "updated_at": "c.updated_at", "created_at": "c.created_at", "name": "c.name_pinyin",
    "graduation_year": "c.graduation_year", "id": "c.id",
}
# Each filter a fixed clause over `candidate c` with its value bound as $<name>.
FILTER_CLAUSES: dict[str, str] = {
    "enclave_id": "c.enclave_id = $enclave_id",
    "channel": "c.channel = $channel",
    "talent_category": "c.talent_category = $talent_category",
    "degree": "c.degree = $degree",
    "graduation_year": "c.graduation_year = $graduation_year",
    "owner_id": "c.owner_id = $owner_id",
    "stage": "c.id in (select candidate_id from application where stage = $stage)",
    "tag": "c.id in (select candidate_id from candidate_tag where tag = $tag)",
    "drive_id": "(c.source_drive_id = $drive_id or c.id in (select candidate_id from application where drive_id = $drive_id))",
    "created_from": "c.created_at >= $created_from",
    "created_to": "c.created_at < $created_to + interval 1 day",
}
FILTERS = tuple(FILTER_CLAUSES)
# Profile fields a user edits; the order is the form's and the merge screen's.
PROFILE_FIELDS = (
    "name", "gender", "birth_year", "mobile", "email", "university_id", "university_raw", "college", "major",
    "degree", "graduation_year", "graduation_month", "talent_category", "channel", "source_enclave_id",
    "source_drive_id", "source_agreement_id", "enclave_id", "owner_id", "consent_at", "consent_method",
    "consent_purpose", "next_follow_up_on", "notes",
)


@dataclass(frozen=True)
class Candidate:
    """One person as the actor may see them; `contacts_masked` says whether mobile/e-mail are masked."""

    id: int
    name: str
    name_pinyin: str | None
    gender: str | None
    birth_year: int | None
    mobile: str | None
    email: str | None
    university_id: int | None
    university: str | None
    university_raw: str | None
    college: str | None
    major: str | None
    degree: str | None
    graduation_year: int | None
    graduation_month: int | None
    talent_category: str
    talent_category_manual: bool
    channel: str
    source_enclave_id: int | None
    source_enclave: str | None
    source_drive_id: int | None
    source_drive: str | None
    source_agreement_id: int | None
    source_agreement: str | None
    enclave_id: int | None
    enclave: str | None
    owner_id: int | None
    owner: str | None
    consent_at: datetime | None
    consent_method: str | None
    consent_purpose: str | None
    next_follow_up_on: date | None
    notes: str | None
    import_batch_id: int | None
    created_by: str | None
    created_at: datetime
    updated_by: str | None
    updated_at: datetime
    deleted_at: datetime | None
    merged_into: int | None
    version: int
    tags: tuple[str, ...]
    contacts_masked: bool

    def profile(self) -> dict[str, Any]:
        return {f: getattr(self, f) for f in PROFILE_FIELDS}


# --- scope rules ---------------------------------------------------------------------------------

def enclave_of(cur: Cursor, candidate_id: int) -> int | None:
    found = rows(cur, "select enclave_id from candidate where id = $id and merged_into is null", {"id": candidate_id})
    if not found:
        raise NotFound("该候选人不存在，或已被合并。")
    return found[0][0]


def require_editable(cur: Cursor, actor: User, candidate_id: int) -> int | None:
    """Check the actor may change this person (recruiters: own enclave); returns its enclave."""
    enclave_id = enclave_of(cur, candidate_id)
    require(actor, Action.EDIT_CANDIDATES, enclave_id=enclave_id, scoped=True)
    return enclave_id


def may_edit(actor: User, enclave_id: int | None) -> bool:
    return can(actor, Action.EDIT_CANDIDATES, enclave_id=enclave_id, scoped=True)


def contacts_visible(actor: User, enclave_id: int | None, *, reveal: bool = False) -> bool:
    """Recruiters see their own enclave's contacts and never another's; the other roles see all
    contacts, masked by default until they ask (and that is audited)."""
    if actor.is_recruiter:
        return enclave_id is not None and enclave_id == actor.enclave_id
    return reveal and can(actor, Action.VIEW_ALL_CONTACTS)


def mask_frame(df: pl.DataFrame, actor: User, *, reveal: bool = False) -> pl.DataFrame:
    """Mask mobile/e-mail in each row the actor may not see in full; adds a `masked` column."""
    if df.height == 0:
        return df.with_columns(pl.lit(False).alias("masked"))
    visible = [contacts_visible(actor, e, reveal=reveal) for e in df["enclave_id"].to_list()]
    return df.with_columns(
        pl.Series("mobile", [m if v else mask_mobile(m) for m, v in zip(df["mobile"].to_list(), visible)], dtype=pl.String),
        pl.Series("email", [m if v else mask_email(m) for m, v in zip(df["email"].to_list(), visible)], dtype=pl.String),
        pl.Series("masked", [not v and (m is not None or e is not None)
                             for v, m, e in zip(visible, df["mobile"].to_list(), df["email"].to_list())]),
    )


# --- search ----------------------------------------------------------------------------------------

def _text_clause(actor: User, text: str) -> tuple[str, dict[str, Any]]:
    """Which columns a search string is matched against, by what it looks like.

    Text is matched literally (`contains`, never LIKE patterns: '%' and '_' are characters). Contacts
    are matched by any part — substring, prefix, last 4 digits — only among people whose contacts the
    actor may see (recruiters: their own enclave; managers, HR, admins: everyone, since they may reveal
    anyone's). Everyone else is found by contact only on the exact whole, normalised mobile or e-mail,
    which is what finding a duplicate needs; a partial match there would tell, one query at a time,
    the digits a masked number hides.
    """
    q = "".join(text.split()).lower()
    if not q:
        return "true", {}
    visible, params = _contacts_visible_clause(actor)
    mobile, email = normalise_mobile(text).value, normalise_email(text).value
    exact = []
    if mobile:
        exact.append("c.mobile = $exact_mobile")
        params["exact_mobile"] = mobile
    if email:
        exact.append("c.email = $exact_email")
        params["exact_email"] = email
    if q.isdigit():
        partial = "right(c.mobile, 4) = $q" if len(q) == 4 else contains("c.mobile", "$q")
        return _any_of(*exact, f"({partial} and {visible})"), params | {"q": q}
    if "@" in q:
        return _any_of(*exact, f"({contains('c.email', '$q')} and {visible})"), params | {"q": q}
    if q.isascii() and q.isalpha():
        return _any_of(
            contains("c.name_pinyin", "$q"), contains("(' ' || c.name_initials || ' ')", "$initials"),
            f"({contains('c.email', '$q')} and {visible})",
        ), params | {"q": q, "initials": f" {q} "}
    # Schools are matched through the small university/alias tables, so no join over candidates.
    stripped = text.strip()
    return _any_of(
        *exact, contains("c.name", "$text"), contains("c.university_raw", "$text"),
        f"c.university_id in (select id from university where {contains('name', '$text')})",
        "c.university_id in (select university_id from university_alias where alias = $text)",
    ), params | {"text": stripped}


def _contacts_visible_clause(actor: User) -> tuple[str, dict[str, Any]]:
    """SQL true exactly for the people whose contacts `actor` may see (or reveal)."""
    if not actor.is_recruiter:
        return ("true", {}) if can(actor, Action.VIEW_ALL_CONTACTS) else ("false", {})
    if actor.enclave_id is None:
        return "false", {}
    return "c.enclave_id = $own_enclave", {"own_enclave": actor.enclave_id}


def _any_of(*clauses: str) -> str:
    return "(" + " or ".join(clauses) + ")"


def _where(actor: User, text: str, filters: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    unknown = set(filters) - set(FILTERS)
    if unknown:
        raise TypeError(f"unknown candidate filters: {sorted(unknown)}")
    clause, params = _text_clause(actor, text)
    clauses = ["c.merged_into is null", "c.deleted_at is null", clause]
    for key, clause in FILTER_CLAUSES.items():
        if filters.get(key) is not None and filters.get(key) != "":
            clauses.append(clause)
            params[key] = filters[key]
    return " and ".join(clauses), params


def search(
    cur: Cursor, actor: User, text: str = "", *, offset: int = 0, limit: int = PAGE_SIZE, sort: str = "updated_at",
    descending: bool = True, reveal: bool = False, **filters: Any,
) -> pl.DataFrame:
    """One page of live candidates matching `text` (name, pinyin, initials, mobile or its last 4,
    e-mail, school) and the filters; contacts masked for the actor. `reveal=True` (managers, HR,
    admins) shows this page's contacts in full and is audited."""
    require(actor, Action.READ_PROGRAMMES)
    where, params = _where(actor, text, filters)
    # Page over narrow rows (id + sort key) first: sorting wide rows costs DuckDB 4x more at a
    # million candidates. Then fetch the page's 50 rows; names, stage and tags for those only.
    sort_column = SORTS.get(sort, SORTS["updated_at"])
    direction = "desc" if descending else "asc"
    page = frame(
        cur,
        f"""
        with ids as (
            select c.id, {sort_column} as sort_key
            from candidate c
            where {where}
            order by sort_key {direction} nulls last, c.id desc
            limit $limit offset $offset
        ), page as (
            select c.id, c.name, c.mobile, c.email, c.enclave_id, c.gender, c.degree, c.graduation_year,
                   c.talent_category, c.channel, c.owner_id, c.created_at, c.updated_at, c.next_follow_up_on,
                   c.university_id, c.university_raw, c.name_pinyin, c.version, ids.sort_key
            from ids join candidate c on c.id = ids.id
        ), stages as (
            -- the most advanced open application, else the latest exit
            select a.candidate_id, arg_min(a.stage, case when s.is_exit then 100 - s.rank else -s.rank end) as stage
            from page p join application a on a.candidate_id = p.id join stage s on s.code = a.stage
            group by a.candidate_id
        ), tag_lists as (
            select t.candidate_id, string_agg(t.tag, '、' order by t.tag) as tags
            from page p join candidate_tag t on t.candidate_id = p.id
            group by t.candidate_id
        )
        select p.* exclude (university_id, university_raw, sort_key), coalesce(u.name, p.university_raw) as university,
               e.name as enclave, o.display_name as owner, st.stage, tl.tags
        from page p
        left join university u on u.id = p.university_id
        left join enclave e on e.id = p.enclave_id
        left join app_user o on o.id = p.owner_id
        left join stages st on st.candidate_id = p.id
        left join tag_lists tl on tl.candidate_id = p.id
        order by p.sort_key {direction} nulls last, p.id desc
        """,
        {**params, "limit": limit, "offset": offset},
    )
    if reveal and page.height and not actor.is_recruiter:
        require(actor, Action.VIEW_ALL_CONTACTS)
        audit.record_view(cur, actor, entity="candidate",
                          detail=f"列表显示完整联系方式：{page.height} 人（编号 {', '.join(map(str, page['id'].to_list()[:50]))}）")
    return mask_frame(page, actor, reveal=reveal)


def count(cur: Cursor, actor: User, text: str = "", **filters: Any) -> int:
    require(actor, Action.READ_PROGRAMMES)
    where, params = _where(actor, text, filters)
    return int(scalar(cur, f"select count(*) from candidate c where {where}", params))


# --- one person ------------------------------------------------------------------------------------

def get(cur: Cursor, actor: User, candidate_id: int, *, reveal: bool = False,
        purpose: str = "查看完整联系方式") -> Candidate | None:
    """The person with this id (also when deleted on request), contacts masked as the actor must see them.
    `reveal=True` (managers, HR, admins) shows them in full and is audited once per look, with `purpose`."""
    require(actor, Action.READ_PROGRAMMES)
    found = frame(
        cur,
        """
        select c.*, u.name as university, se.name as source_enclave, d.title as source_drive,
               ag.title as source_agreement, e.name as enclave, o.display_name as owner
        from candidate c
        left join university u on u.id = c.university_id
        left join enclave se on se.id = c.source_enclave_id
        left join campus_drive d on d.id = c.source_drive_id
        left join agreement ag on ag.id = c.source_agreement_id
        left join enclave e on e.id = c.enclave_id
        left join app_user o on o.id = c.owner_id
        where c.id = $id
        """,
        {"id": candidate_id},
    )
    if found.height == 0:
        return None
    row = found.row(0, named=True)
    visible = contacts_visible(actor, row["enclave_id"], reveal=reveal)
    if reveal and visible and not actor.is_recruiter and (row["mobile"] or row["email"]):
        audit.record_view(cur, actor, entity="candidate", entity_id=candidate_id, detail=purpose)
    if not visible:
        row["mobile"], row["email"] = mask_mobile(row["mobile"]), mask_email(row["email"])
    tags = tuple(r[0] for r in rows(cur, "select tag from candidate_tag where candidate_id = $id order by tag",
                                    {"id": candidate_id}))
    fields = {k: row.get(k) for k in Candidate.__dataclass_fields__ if k not in ("tags", "contacts_masked")}
    return Candidate(**fields, tags=tags, contacts_masked=not visible and bool(row["mobile"] or row["email"]))


def require_live(candidate: Candidate | None) -> Candidate:
    if candidate is None:
        raise NotFound("该候选人不存在。")
    if candidate.merged_into is not None:
        raise NotFound(f"该候选人已合并到编号 {candidate.merged_into}。")
    if candidate.deleted_at is not None:
        raise PermissionDenied("该候选人已按本人要求删除（已匿名化），不能再修改。")
    return candidate


def tags(cur: Cursor) -> list[str]:
    return [r[0] for r in rows(cur, "select distinct tag from candidate_tag order by tag")]


def owners(cur: Cursor) -> pl.DataFrame:
    return frame(cur, "select id, username, display_name, role, enclave_id from app_user where active"
                      " and role in ('recruiter', 'hr', 'admin') order by role, username")
