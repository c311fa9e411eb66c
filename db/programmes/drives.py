"""校园招聘: campus drives (扬帆计划 …) and the employers that went, with the positions each offered."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import polars as pl

from db import audit
from db.connection import run_in_transaction
from db.enums import DriveStatus
from db.errors import ValidationError
from db.permissions import Action, User, require
from db.programmes import register
from db.programmes.register import Field, Reference, Register
from db.sql import Cursor, frame, rows

DEFAULT_PROGRAMME = "扬帆计划"


def _check(cur: Cursor, values: dict[str, Any], row_id: int | None) -> dict[str, Any]:
    values["programme"] = values["programme"] or DEFAULT_PROGRAMME
    taken = rows(cur, "select id from campus_drive where title = $t and id is distinct from $id",
                 {"t": values["title"], "id": row_id})
    if taken:
        raise ValidationError(f"已有名称为「{values['title']}」的校园招聘（编号 {taken[0][0]}），请换一个名称。",
                              field="title")
    return values


REGISTER = Register(
    table="campus_drive", label="校园招聘", sequence="seq_campus_drive",
    fields=(
        Field("title", "名称", required=True, max_length=100, synonyms=("场次名称", "招聘会名称", "专场名称")),
        Field("programme", "计划", max_length=30, synonyms=("项目", "所属计划"), help=f"不填为「{DEFAULT_PROGRAMME}」"),
        Field("university_id", "高校", kind="ref", ref="university", required=True, synonyms=("学校", "院校")),
        Field("held_on", "日期", kind="date", required=True, synonyms=("举办日期", "招聘日期")),
        Field("enclave_id", "所属飞地", kind="ref", ref="enclave", synonyms=("飞地",)),
        Field("city", "城市", max_length=30, synonyms=("举办城市",)),
        Field("status", "状态", kind="choice", choices=DriveStatus.labels(), required=True),
        Field("notes", "备注", kind="long_text", listed=False),
    ),
    search=("title", "programme", "city", "notes"),
    order="held_on",
    descending=True,
    referenced_by=(Reference("application", "drive_id", "条投递"), Reference("import_batch", "drive_id", "个导入批次"),
                   Reference("candidate", "source_drive_id", "名候选人（来源）"),
                   Reference("drive_employer", "drive_id", "家参会企业"),
                   Reference("signup_form", "drive_id", "个扫码报名链接"), Reference("signup_entry", "drive_id", "条扫码报名")),
    check=_check,
    natural_key=("title",),
    active_column=None,
)


def employers(cur: Cursor, actor: User, drive_id: int) -> pl.DataFrame:
    """The drive's employers: employer_id, name, positions_offered, applications (at this drive)."""
    require(actor, Action.READ_PROGRAMMES)
    return frame(cur, """
        select de.employer_id, e.name, de.positions_offered,
               (select count(*) from application a where a.drive_id = de.drive_id and a.employer_id = de.employer_id)
                   as applications
        from drive_employer de join employer e on e.id = de.employer_id
        where de.drive_id = $d order by e.name""", {"d": drive_id})


def set_employer(cur: Cursor, actor: User, drive_id: int, employer_id: int, positions_offered: int) -> None:
    """Add an employer to the drive, or change the positions it offered there."""
    set_employers(cur, actor, drive_id, {employer_id: positions_offered})


def set_employers(cur: Cursor, actor: User, drive_id: int, offered: Mapping[int, int]) -> int:
    """Add employers to the drive or change the positions they offered there (employer id → positions),
    in one transaction with one audit entry listing what changed; returns how many changed."""
    require(actor, Action.EDIT_PROGRAMMES)
    if not rows(cur, "select 1 from campus_drive where id = $d", {"d": drive_id}):
        raise ValidationError(f"该校园招聘不存在（编号 {drive_id}）。", field="drive_id")
    for positions in offered.values():
        if positions is None or int(positions) != positions or int(positions) < 0:
            raise ValidationError(f"岗位数应为不小于 0 的整数（现为 {positions}）。", field="positions_offered")
    names = dict(rows(cur, "select id, name from employer where id in (select unnest($ids))", {"ids": list(offered)}))
    if missing := [e for e in offered if e not in names]:
        raise ValidationError(f"所选企业不存在（编号 {', '.join(map(str, missing[:5]))}），请重新选择。", field="employer_id")

    def work(cur: Cursor) -> int:
        before = dict(rows(cur, "select employer_id, positions_offered from drive_employer where drive_id = $d",
                           {"d": drive_id}))
        changed = {e: int(n) for e, n in offered.items() if before.get(e) != int(n)}
        if not changed:
            return 0        # nothing changes, nothing to audit
        cur.execute("insert into drive_employer select $d, unnest($e), unnest($n) on conflict (drive_id, employer_id)"
                    " do update set positions_offered = excluded.positions_offered",
                    {"d": drive_id, "e": list(changed), "n": list(changed.values())})
        audit.record(cur, actor, "update", entity="campus_drive", entity_id=drive_id,
                     before={names[e]: before[e] for e in changed if e in before} or None,
                     after={names[e]: n for e, n in changed.items()},
                     detail="参会企业及岗位数：" + "、".join(
                         f"{'修改' if e in before else '添加'}{names[e]}（{n} 个岗位）" for e, n in list(changed.items())[:20])
                     + ("……" if len(changed) > 20 else ""))
        return len(changed)

    return run_in_transaction(cur, work)


def remove_employer(cur: Cursor, actor: User, drive_id: int, employer_id: int) -> None:
    """Take an employer off the drive; refused while applications at the drive name it."""
    require(actor, Action.EDIT_PROGRAMMES)

    def work(cur: Cursor) -> None:
        used = rows(cur, "select count(*) from application where drive_id = $d and employer_id = $e",
                    {"d": drive_id, "e": employer_id})[0][0]
        if used:
            raise ValidationError(f"不能移除：该企业在本场有 {used} 条投递。")
        name = rows(cur, "select name from employer where id = $e", {"e": employer_id})
        cur.execute("delete from drive_employer where drive_id = $d and employer_id = $e",
                    {"d": drive_id, "e": employer_id})
        audit.record(cur, actor, "update", entity="campus_drive", entity_id=drive_id,
                     detail=f"移除参会企业：{name[0][0] if name else employer_id}")

    run_in_transaction(cur, work)


def programmes(cur: Cursor) -> list[str]:
    """Programme names in use, for the filter."""
    return [r[0] for r in rows(cur, "select distinct programme from campus_drive order by 1")]


def find(cur: Cursor, title: str) -> int | None:
    found = rows(cur, "select id from campus_drive where title = $t", {"t": " ".join(title.split())})
    return found[0][0] if found else None


def summary(cur: Cursor, actor: User, drive_ids: list[int]) -> Mapping[int, dict[str, Any]]:
    """Per drive: employers, positions offered, applications, intents (签约意向 or later)."""
    require(actor, Action.READ_PROGRAMMES)
    found = frame(cur, """
        select d.id,
               (select count(*) from drive_employer de where de.drive_id = d.id) as employers,
               (select coalesce(sum(positions_offered), 0) from drive_employer de where de.drive_id = d.id) as positions,
               (select count(*) from application a where a.drive_id = d.id) as applications,
               (select count(distinct a.candidate_id) from application a where a.drive_id = d.id
                  and a.stage in ('intent', 'offer', 'signed', 'arrived', 'retained')) as intents
        from campus_drive d where d.id in (select unnest($ids))""", {"ids": drive_ids})
    return {r["id"]: r for r in found.iter_rows(named=True)}


# --- what a drive yielded ------------------------------------------------------------------------------

# A drive's funnel: stage code → its label. "registered" is everyone with an application at the drive;
# each later step counts the people whose application there reached that stage (an exit after it —
# 未通过, 放弃 — does not undo having reached it).
FUNNEL = {"registered": "报名", "applied": "投递", "interviewing": "面试", "intent": "签约意向", "signed": "签约",
          "arrived": "到岗"}
_RANKS = {"registered": 0, "applied": 3, "interviewing": 4, "intent": 5, "signed": 7, "arrived": 8}


def funnel(cur: Cursor, actor: User, drive_id: int) -> pl.DataFrame:
    """Per employer at the drive (and a 合计 row, employer_id null): people at each FUNNEL step, and
    the conversion from each step to the next (share, 0–1). Merged records count as their survivor."""
    require(actor, Action.READ_PROGRAMMES)
    steps = ", ".join(f"count(distinct r.person) filter (where r.top >= {rank}) as {code}"
                      for code, rank in _RANKS.items())
    found = frame(cur, f"""
        with apps as (
            select a.id, a.employer_id, coalesce(c.merged_into, c.id) as person
            from application a join candidate c on c.id = a.candidate_id
            where a.drive_id = $d
        ), reached as (
            select p.employer_id, p.person, coalesce(max(s.rank) filter (where not s.is_exit), 0) as top
            from apps p left join stage_event e on e.application_id = p.id left join stage s on s.code = e.to_stage
            group by 1, 2
        )
        select r.employer_id, {steps} from reached r group by grouping sets ((r.employer_id), ())""",
                  {"d": drive_id})
    names = frame(cur, "select id as employer_id, name as employer from employer where id in"
                       " (select employer_id from drive_employer where drive_id = $d union"
                       "  select employer_id from application where drive_id = $d)", {"d": drive_id})
    table = (names.join(found, on="employer_id", how="full", coalesce=True)
             .with_columns(pl.when(pl.col("employer_id").is_null()).then(pl.lit("合计"))
                           .otherwise(pl.col("employer")).alias("employer"))
             .with_columns(pl.col(code).fill_null(0).cast(pl.Int64) for code in FUNNEL)
             .sort(pl.col("employer_id").is_null(), pl.col("registered"), descending=[False, True]))
    codes = list(FUNNEL)
    return table.with_columns(
        (pl.col(b) / pl.col(a)).fill_nan(None).alias(f"{a}_to_{b}") for a, b in zip(codes, codes[1:]))


def rollup(cur: Cursor, actor: User, year: int, *, programme: str | None = None) -> pl.DataFrame:
    """Per drive held in `year` (of `programme`, all when None; cancelled ones left out): university,
    employers, positions offered, people registered, intents (签约意向 or later), signed, arrived —
    the figures the city reports, drive by drive (their distinct totals are `rollup_totals`)."""
    require(actor, Action.READ_PROGRAMMES)
    return frame(cur, """
        with d as (
            select d.id, d.title, d.held_on, d.programme, u.name as university, d.university_id
            from campus_drive d join university u on u.id = d.university_id
            where d.status <> 'cancelled' and year(d.held_on) = $year and ($programme is null or d.programme = $programme)
        ), people as (
            select a.drive_id, coalesce(c.merged_into, c.id) as person,
                   coalesce(max(s.rank) filter (where not s.is_exit), 0) as top
            from application a join candidate c on c.id = a.candidate_id
            left join stage_event e on e.application_id = a.id left join stage s on s.code = e.to_stage
            where a.drive_id in (select id from d) group by 1, 2
        )
        select d.id, d.title, d.held_on, d.university,
               (select count(*) from drive_employer de where de.drive_id = d.id) as employers,
               (select coalesce(sum(positions_offered), 0) from drive_employer de where de.drive_id = d.id) as positions,
               count(p.person) as registered, count(p.person) filter (where p.top >= 5) as intents,
               count(p.person) filter (where p.top >= 7) as signed, count(p.person) filter (where p.top >= 8) as arrived
        from d left join people p on p.drive_id = d.id
        group by d.id, d.title, d.held_on, d.university order by d.held_on, d.id""",
                 {"year": year, "programme": programme})


def rollup_totals(cur: Cursor, actor: User, year: int, *, programme: str | None = None) -> dict[str, int]:
    """The programme's year as the city reports it: drives, distinct employers and universities,
    positions offered, and distinct people at 签约意向 or later, signed, arrived."""
    require(actor, Action.READ_PROGRAMMES)
    found = frame(cur, """
        with d as (
            select id, university_id from campus_drive
            where status <> 'cancelled' and year(held_on) = $year and ($programme is null or programme = $programme)
        ), people as (
            select coalesce(c.merged_into, c.id) as person, coalesce(max(s.rank) filter (where not s.is_exit), 0) as top
            from application a join candidate c on c.id = a.candidate_id
            left join stage_event e on e.application_id = a.id left join stage s on s.code = e.to_stage
            where a.drive_id in (select id from d) group by 1
        )
        select (select count(*) from d) as drives,
               (select count(distinct employer_id) from drive_employer where drive_id in (select id from d)) as employers,
               (select count(distinct university_id) from d) as universities,
               (select coalesce(sum(positions_offered), 0) from drive_employer where drive_id in (select id from d)) as positions,
               (select count(*) from people where top >= 5) as intents,
               (select count(*) from people where top >= 7) as signed,
               (select count(*) from people where top >= 8) as arrived""", {"year": year, "programme": programme})
    return {k: int(v) for k, v in found.row(0, named=True).items()}


def people(cur: Cursor, actor: User, drive_ids: list[int], *, reached: str = "registered", offset: int = 0,
           limit: int = 50) -> pl.DataFrame:
    """The people behind a figure: those whose application at one of the drives reached `reached` (a
    FUNNEL code), 50 a page, contacts masked as the actor must see them (db/candidates.mask_frame)."""
    from db.candidates import mask_frame

    require(actor, Action.READ_PROGRAMMES)
    if reached not in _RANKS:
        raise ValidationError(f"未知的阶段：{reached}。")
    found = frame(cur, """
        with people as (
            select coalesce(c.merged_into, c.id) as person, max(s.rank) filter (where not s.is_exit) as top
            from application a join candidate c on c.id = a.candidate_id
            left join stage_event e on e.application_id = a.id left join stage s on s.code = e.to_stage
            where a.drive_id in (select unnest($ids)) group by 1
        )
        select c.id, c.name, c.mobile, c.email, c.enclave_id, coalesce(u.name, c.university_raw) as university,
               c.degree, st.label as reached
        from people p join candidate c on c.id = p.person left join university u on u.id = c.university_id
        left join stage st on st.rank = p.top
        where coalesce(p.top, 0) >= $rank
        order by p.top desc nulls last, c.id limit $limit offset $offset""",
                  {"ids": drive_ids, "rank": _RANKS[reached], "limit": limit, "offset": offset})
    return mask_frame(found, actor)
