"""人才活动: 产业人才班 and 产才对接活动 — the event register, its partner employers, its attendees, and
what attending led to (attendee → application → 签约意向 → 到岗).

Events are not campus drives (db/programmes/drives.py): a drive is one day of 校园招聘 at a university,
whose people come through applications there; an event runs for days or weeks and its people are
attendees — candidates added by hand, from a pasted list of whole mobiles or e-mails, or by an import
or sign-up. Attending is stored as the candidate's id only (nothing else about the person), so
deletion on request keeps it as a count, and a merge moves it to the survivor (db/duplicates.merge).
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import polars as pl

from db import audit, clock
from db.candidates import mask_frame
from db.connection import run_in_transaction
from db.contacts import normalise_email, normalise_mobile
from db.enums import INDUSTRIES, Labelled, Stage, TalentCategory
from db.errors import NotFound, ValidationError
from db.permissions import Action, User, require
from db.programmes.register import Field, Reference, Register
from db.sql import Cursor, frame, rows, scalar, year_bounds


class EventKind(Labelled):
    TALENT_CLASS = "talent_class", "产业人才班"
    MATCHING = "matching", "产才对接活动"
    OTHER = "other", "其他"


# How a person came onto the list: code → label (event_attendee.source).
SOURCES = {"manual": "逐个添加", "list": "按名单添加", "import": "导入", "signup": "扫码报名"}
LIST_LIMIT = 3000          # entries one pasted list may hold
PAGE = 500                 # attendees shown at once
_LIST_SEPARATORS = re.compile(r"[\n\r,，;；、|\t]+")


def _check(cur: Cursor, values: dict[str, Any], row_id: int | None) -> dict[str, Any]:
    values["ends_on"] = values["ends_on"] or values["starts_on"]
    if values["ends_on"] < values["starts_on"]:
        raise ValidationError("「结束日期」早于「开始日期」，请检查。", field="ends_on")
    taken = rows(cur, "select id from talent_event where name = $n and id is distinct from $id",
                 {"n": values["name"], "id": row_id})
    if taken:
        raise ValidationError(f"已有名称为「{values['name']}」的人才活动（编号 {taken[0][0]}），请换一个名称，"
                              "如加上期数或场次（第3场）。", field="name")
    return values


REGISTER = Register(
    table="talent_event", label="人才活动", sequence="seq_talent_event",
    fields=(
        Field("name", "名称", required=True, max_length=100, synonyms=("活动名称", "班级名称", "人才班名称"),
              help="如：星耀南湖·菁英荟 第3场、2025 汽车零部件产业人才班（第一期）"),
        Field("kind", "类型", kind="choice", choices=EventKind.labels(), required=True, synonyms=("活动类型",)),
        Field("starts_on", "开始日期", kind="date", required=True, synonyms=("日期", "举办日期", "开班日期")),
        Field("ends_on", "结束日期", kind="date", synonyms=("结业日期",), help="不填为当天结束（一天的活动）"),
        Field("place", "地点", max_length=100, synonyms=("举办地点", "培训地点")),
        Field("organiser", "主办单位", max_length=100, synonyms=("主办", "承办单位")),
        Field("industry", "产业", max_length=30, synonyms=("行业", "所属产业"), help="如：" + "、".join(INDUSTRIES[:6])),
        Field("university_id", "合作高校", kind="ref", ref="university", synonyms=("高校", "院校")),
        Field("capacity", "计划人数", kind="int", synonyms=("名额", "计划名额")),
        Field("notes", "备注", kind="long_text", listed=False),
    ),
    search=("name", "place", "organiser", "industry", "notes"),
    order="starts_on",
    descending=True,
    referenced_by=(Reference("event_attendee", "event_id", "名参加人员"), Reference("event_employer", "event_id", "家合作企业"),
                   Reference("signup_form", "event_id", "个扫码报名链接"), Reference("signup_entry", "event_id", "条扫码报名")),
    check=_check,
    natural_key=("name",),
)


def _require_event(cur: Cursor, event_id: int) -> str:
    """The event's name, or NotFound."""
    found = scalar(cur, "select name from talent_event where id = $e", {"e": event_id})
    if found is None:
        raise NotFound(f"该人才活动不存在（编号 {event_id}）。")
    return str(found)


def years(cur: Cursor) -> list[int]:
    """Years in which events start, newest first, for the filter."""
    return [r[0] for r in rows(cur, "select distinct cast(year(starts_on) as integer) from talent_event order by 1 desc")]


# --- partner employers ----------------------------------------------------------------------------------

def employers(cur: Cursor, actor: User, event_id: int) -> pl.DataFrame:
    """The event's partner employers: employer_id, name, industry."""
    require(actor, Action.READ_PROGRAMMES)
    return frame(cur, "select x.employer_id, e.name, e.industry from event_employer x join employer e on e.id = x.employer_id"
                      " where x.event_id = $e order by e.name", {"e": event_id})


def set_employers(cur: Cursor, actor: User, event_id: int, employer_ids: Iterable[int]) -> int:
    """Make the event's partner employers exactly `employer_ids`, in one transaction with one audit entry
    naming who was added and who removed; returns how many changed."""
    require(actor, Action.EDIT_PROGRAMMES)
    wanted = list(dict.fromkeys(int(e) for e in employer_ids))
    _require_event(cur, event_id)
    names = dict(rows(cur, "select id, name from employer where id in (select unnest($ids))", {"ids": wanted}))
    if missing := [e for e in wanted if e not in names]:
        raise ValidationError(f"所选企业不存在（编号 {', '.join(map(str, missing[:5]))}），请重新选择。", field="employer_id")

    def work(cur: Cursor) -> int:
        before = dict(rows(cur, "select x.employer_id, e.name from event_employer x left join employer e"
                                " on e.id = x.employer_id where x.event_id = $e", {"e": event_id}))
        added, removed = [e for e in wanted if e not in before], [e for e in before if e not in wanted]
        if not added and not removed:
            return 0
        cur.execute("delete from event_employer where event_id = $e and employer_id in (select unnest($gone))",
                    {"e": event_id, "gone": removed})
        cur.execute("insert into event_employer select $e, unnest($new)", {"e": event_id, "new": added})
        audit.record(cur, actor, "update", entity="talent_event", entity_id=event_id,
                     before={"合作企业": sorted(str(n) for n in before.values())},
                     after={"合作企业": sorted(names[e] for e in wanted)},
                     detail="合作企业：" + "；".join(part for part in (
                         "添加" + "、".join(names[e] for e in added[:20]) if added else "",
                         "移除" + "、".join(str(before[e]) for e in removed[:20]) if removed else "") if part))
        return len(added) + len(removed)

    return run_in_transaction(cur, work)


# --- attendees -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Added:
    """What adding people to an event did. `unknown`: whole mobiles / e-mails of nobody on file;
    `unreadable`: entries of a pasted list that are no whole mobile or e-mail. Neither creates anyone."""

    added: int
    already: int
    unknown: tuple[str, ...] = ()
    unreadable: tuple[str, ...] = ()

    @property
    def summary(self) -> str:
        parts = [f"已添加 {self.added} 人"]
        if self.already:
            parts.append(f"{self.already} 人已在名单中，未重复添加")
        if self.unknown:
            parts.append(f"{len(self.unknown)} 个号码/邮箱查无此人，未添加")
        if self.unreadable:
            parts.append(f"{len(self.unreadable)} 条不是完整的手机号或邮箱，未添加")
        return "，".join(parts) + "。"


def add_attendees(cur: Cursor, actor: User, event_id: int, candidate_ids: Iterable[int], *,
                  source: str = "manual") -> Added:
    """Put people on the event's attendee list in one statement. Idempotent: someone already on it is
    left as they are. People merged into another record, deleted on request or unknown are refused,
    naming them — nothing is added then."""
    require(actor, Action.EDIT_PROGRAMMES)
    if source not in SOURCES:
        raise ValidationError(f"未知的添加方式：{source}。")
    ids = list(dict.fromkeys(int(i) for i in candidate_ids))
    if not ids:
        raise ValidationError("请选择要添加的人员。", field="candidate_id")
    name = _require_event(cur, event_id)
    _refuse_people(cur, ids)

    def work(cur: Cursor) -> Added:
        present = {r[0] for r in rows(cur, "select candidate_id from event_attendee where event_id = $e"
                                           " and candidate_id in (select unnest($ids))", {"e": event_id, "ids": ids})}
        new = [i for i in ids if i not in present]
        if new:
            cur.execute("insert into event_attendee (event_id, candidate_id, added_at, added_by, source)"
                        " select $e, unnest($ids), $now, $by, $source on conflict do nothing",
                        {"e": event_id, "ids": new, "now": clock.now(), "by": actor.username, "source": source})
            # Ids only: an audit entry about an event names no person (deletion on request need not find it).
            audit.record(cur, actor, "update", entity="talent_event", entity_id=event_id,
                         after={"ids": new, "添加方式": SOURCES[source]},
                         detail=f"添加参加人员 {len(new)} 人（{SOURCES[source]}）：{name}")
        return Added(len(new), len(present))

    return run_in_transaction(cur, work)


def _refuse_people(cur: Cursor, ids: list[int]) -> None:
    found = {r[0]: r[1:] for r in rows(cur, "select id, merged_into, deleted_at from candidate"
                                            " where id in (select unnest($ids))", {"ids": ids})}
    problems = []
    for i in ids:
        if i not in found:
            problems.append(f"编号 {i} 的候选人不存在")
        elif found[i][0] is not None:
            problems.append(f"编号 {i} 已合并到编号 {found[i][0]}，请添加编号 {found[i][0]}")
        elif found[i][1] is not None:
            problems.append(f"编号 {i} 已按本人要求删除，不能再添加")
    if problems:
        more = f"等 {len(problems)} 人" if len(problems) > 5 else ""
        raise ValidationError("未添加任何人：" + "；".join(problems[:5]) + more + "。", field="candidate_id")


@dataclass(frozen=True)
class ListMatch:
    candidate_ids: tuple[int, ...]      # the people found, in list order, each once
    unknown: tuple[str, ...]            # whole mobiles / e-mails nobody on file has
    unreadable: tuple[str, ...]         # entries that are neither


def match_list(cur: Cursor, actor: User, text: str) -> ListMatch:
    """People named by a pasted list of whole mobile numbers or e-mail addresses (one or several a line,
    separated by commas, semicolons, 、 or spaces), matched exactly after normalisation — never by part
    of a number. A record merged into another stands for the survivor; people deleted on request have
    no contacts left and are not found."""
    require(actor, Action.EDIT_PROGRAMMES)
    entries = _entries(text)
    if len(entries) > LIST_LIMIT:
        raise ValidationError(f"一次最多粘贴 {LIST_LIMIT:,} 条（现有 {len(entries):,} 条），请分批添加。", field="list")
    contacts: list[tuple[str, str, str]] = []          # (as typed, kind, normalised)
    unreadable: list[str] = []
    for entry in entries:
        # The entry whole first ('+86 138 0013 8000' is one number), else each of its words.
        for typed in [entry] if _contact(entry) else entry.split():
            contact = _contact(typed)
            if contact is None:
                unreadable.append(typed)
            else:
                contacts.append((typed, *contact))
    mobiles = [v for _, k, v in contacts if k == "m"]
    emails = [v for _, k, v in contacts if k == "e"]
    found = rows(cur, """
        select mobile, email, coalesce(merged_into, id) from candidate
        where deleted_at is null and (mobile in (select unnest($m)) or email in (select unnest($e)))
        order by merged_into nulls first, id""", {"m": mobiles, "e": emails})
    person: dict[tuple[str, str], int] = {}
    for mobile, email, who in found:
        for key in (("m", mobile), ("e", email)):
            if key[1] is not None:
                person.setdefault(key, who)
    ids = [person.get((k, v)) for _, k, v in contacts]
    unknown = [typed for (typed, _, _), who in zip(contacts, ids) if who is None]
    return ListMatch(tuple(dict.fromkeys(i for i in ids if i is not None)), tuple(dict.fromkeys(unknown)),
                     tuple(dict.fromkeys(unreadable)))


def _entries(text: str) -> list[str]:
    return [e.strip() for e in _LIST_SEPARATORS.split(text or "") if e.strip()]


def _contact(text: str) -> tuple[str, str] | None:
    """('m', mobile) or ('e', e-mail) when `text` is one whole mobile or e-mail, else None."""
    if "@" in text:
        email = normalise_email(text).value
        return ("e", email) if email else None
    mobile = normalise_mobile(text).value
    return ("m", mobile) if mobile else None


def add_from_list(cur: Cursor, actor: User, event_id: int, text: str) -> Added:
    """Add the people a pasted list names (`match_list`); whoever it names that is not on file is listed
    back, never created."""
    _require_event(cur, event_id)
    found = match_list(cur, actor, text)
    if not found.candidate_ids and not found.unknown and not found.unreadable:
        raise ValidationError("请粘贴手机号或邮箱，每行一个（也可用逗号、分号或空格分隔）。", field="list")
    done = add_attendees(cur, actor, event_id, found.candidate_ids, source="list") if found.candidate_ids else Added(0, 0)
    return Added(done.added, done.already, found.unknown, found.unreadable)


def remove_attendee(cur: Cursor, actor: User, event_id: int, candidate_id: int) -> None:
    """Take a person off the event's attendee list."""
    require(actor, Action.EDIT_PROGRAMMES)
    name = _require_event(cur, event_id)

    def work(cur: Cursor) -> None:
        done = rows(cur, "delete from event_attendee where event_id = $e and candidate_id = $c",
                    {"e": event_id, "c": candidate_id})
        if not done or done[0][0] != 1:
            raise ValidationError("该人员不在本活动的参加名单中（可能刚被他人移除），请刷新后查看。", field="candidate_id")
        audit.record(cur, actor, "update", entity="talent_event", entity_id=event_id, before={"ids": [candidate_id]},
                     detail=f"移除参加人员：编号 {candidate_id}（{name}）")

    run_in_transaction(cur, work)


def attendees(cur: Cursor, actor: User, event_id: int, *, offset: int = 0, limit: int = PAGE) -> pl.DataFrame:
    """The event's attendees, a page at a time: id, name, mobile, email (masked as db/candidates.mask_frame
    has it for the actor), enclave_id, university, degree, category, source, added_at, and `reached` —
    the furthest stage an application created since the event's start has reached (none: no such
    application). A record merged into another shows as the survivor."""
    require(actor, Action.READ_PROGRAMMES)
    found = frame(cur, """
        with ev as (select cast(starts_on as timestamp) as start from talent_event where id = $e),
        people as (
            select coalesce(c.merged_into, c.id) as person, min(x.added_at) as added_at, min(x.source) as source
            from event_attendee x join candidate c on c.id = x.candidate_id where x.event_id = $e group by 1
        ), reached as (
            select a.candidate_id as person, max(s.rank) filter (where not s.is_exit) as top
            from application a join stage_event se on se.application_id = a.id join stage s on s.code = se.to_stage
            where a.candidate_id in (select person from people) and a.created_at >= (select start from ev)
              and se.occurred_at >= (select start from ev)
            group by 1
        )
        select c.id, c.name, c.mobile, c.email, c.enclave_id, coalesce(u.name, c.university_raw) as university,
               c.degree, c.talent_category as category, p.source, p.added_at, st.label as reached
        from people p join candidate c on c.id = p.person left join university u on u.id = c.university_id
        left join reached r on r.person = p.person left join stage st on st.rank = r.top
        order by p.added_at, c.id limit $limit offset $offset""",
                  {"e": event_id, "limit": limit, "offset": offset})
    found = found.with_columns(
        pl.col("category").replace_strict(TalentCategory.labels(), default=pl.col("category")),
        pl.col("source").replace_strict(SOURCES, default=pl.col("source")))
    return mask_frame(found, actor)


def attendee_counts(cur: Cursor, actor: User, event_ids: list[int]) -> dict[int, int]:
    """Event id → attendees (people: a merged record counts as its survivor)."""
    require(actor, Action.READ_PROGRAMMES)
    found = rows(cur, "select x.event_id, count(distinct coalesce(c.merged_into, c.id)) from event_attendee x"
                      " join candidate c on c.id = x.candidate_id where x.event_id in (select unnest($ids)) group by 1",
                 {"ids": event_ids})
    return {e: 0 for e in event_ids} | {e: int(n) for e, n in found}


# --- what attending led to -------------------------------------------------------------------------------

# The conversion steps: code → label.
STEPS = {"attendees": "参加", "applied": "投递", "intents": "签约意向", "arrived": "到岗"}


@dataclass(frozen=True)
class Conversion:
    """Of an event's attendees (people): how many have an application created on or after the event's
    start (`applied`), and how many of those applications reached 签约意向 or later (`intents`) and
    已到岗 or later (`arrived`) by moves dated on or after the start. An application from before the
    event counts at no step, whatever it did later: the event did not bring it about."""

    attendees: int
    applied: int
    intents: int
    arrived: int

    def rate(self, step: str, *, of: str = "attendees") -> float | None:
        """`step` as a share of `of` (None when `of` is zero)."""
        base = getattr(self, of)
        return getattr(self, step) / base if base else None

    def table(self) -> pl.DataFrame:
        """One row per step: label, people, share of the attendees, share of the step before."""
        codes = list(STEPS)
        return pl.DataFrame({
            "step": [STEPS[c] for c in codes],
            "people": [getattr(self, c) for c in codes],
            "of_attendees": [self.rate(c) for c in codes],
            "of_previous": [None] + [self.rate(b, of=a) for a, b in zip(codes, codes[1:])],
        }, schema={"step": pl.String, "people": pl.Int64, "of_attendees": pl.Float64, "of_previous": pl.Float64})


def conversion(cur: Cursor, actor: User, event_id: int) -> Conversion:
    """What the event's attendees went on to do (see Conversion). Merged records count as their survivor."""
    require(actor, Action.READ_PROGRAMMES)
    _require_event(cur, event_id)
    found = rows(cur, f"""
        with ev as (select cast(starts_on as timestamp) as start from talent_event where id = $e),
        people as (
            select distinct coalesce(c.merged_into, c.id) as person
            from event_attendee x join candidate c on c.id = x.candidate_id where x.event_id = $e
        ), apps as (        -- merge moves applications to the survivor: none stays on a merged record
            select a.candidate_id as person, a.id from application a
            where a.candidate_id in (select person from people) and a.created_at >= (select start from ev)
        ), reached as (
            select p.person, coalesce(max(s.rank) filter (where not s.is_exit and se.occurred_at >= (select start from ev)), 0) as top
            from apps p left join stage_event se on se.application_id = p.id left join stage s on s.code = se.to_stage
            group by 1
        )
        select (select count(*) from people), count(*), count(*) filter (where top >= {Stage.INTENT.rank}),
               count(*) filter (where top >= {Stage.ARRIVED.rank})
        from reached""", {"e": event_id})
    return Conversion(*(int(v) for v in found[0]))


def summary(cur: Cursor, actor: User, year: int) -> pl.DataFrame:
    """Per kind, the events starting in `year` (deactivated ones left out) and their attendees, distinct
    people (someone at two classes counts once; a merged record as its survivor; people deleted on
    request still count): columns kind, label, events, attendees — every kind, zero when none."""
    require(actor, Action.READ_PROGRAMMES)
    found = frame(cur, """
        select ev.kind, count(distinct ev.id) as events, count(distinct coalesce(c.merged_into, c.id)) as attendees
        from talent_event ev left join event_attendee x on x.event_id = ev.id left join candidate c on c.id = x.candidate_id
        where ev.active and ev.starts_on >= $start and ev.starts_on < $end
        group by 1""", year_bounds(year))
    kinds = pl.DataFrame({"kind": [k.value for k in EventKind], "label": [k.label for k in EventKind]})
    return kinds.join(found, on="kind", how="left").with_columns(
        pl.col("events").fill_null(0).cast(pl.Int64), pl.col("attendees").fill_null(0).cast(pl.Int64))
