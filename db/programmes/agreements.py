"""院校协议: talent, credit, joint-training, internship and industry agreements with universities —
their status (derived from the dates, never stored), renewals, and what each has yielded."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import polars as pl

from db import clock
from db.enums import AgreementKind
from db.errors import ValidationError
from db.permissions import Action, User, require
from db.programmes import register
from db.programmes.register import Field, Reference, Register
from db.sql import Cursor, frame

EXPIRING_DAYS = 90
STATUS_LABELS = {"active": "有效", "expiring": f"{EXPIRING_DAYS} 天内到期", "expired": "已到期",
                 "not_started": "未生效", "void": "已作废"}


def _check(cur: Cursor, values: dict[str, Any], row_id: int | None) -> dict[str, Any]:
    if values["ends_on"] is not None and values["ends_on"] < values["starts_on"]:
        raise ValidationError(f"结束日期 {values['ends_on']} 早于开始日期 {values['starts_on']}。", field="ends_on")
    if values["predecessor_id"] is not None and values["predecessor_id"] == row_id:
        raise ValidationError("协议不能续签自己。", field="predecessor_id")
    return values


REGISTER = Register(
    table="agreement", label="院校协议", sequence="seq_agreement",
    fields=(
        Field("title", "名称", max_length=100, synonyms=("协议名称",), help="不填则按「高校 + 协议类型」显示"),
        Field("university_id", "高校", kind="ref", ref="university", required=True, synonyms=("学校", "院校", "合作高校")),
        Field("kind", "协议类型", kind="choice", choices=AgreementKind.labels(), required=True, synonyms=("类型",)),
        Field("enclave_id", "所属飞地", kind="ref", ref="enclave", synonyms=("飞地",)),
        Field("signed_on", "签订日期", kind="date", synonyms=("签约日期",)),
        Field("starts_on", "开始日期", kind="date", required=True, synonyms=("生效日期",)),
        Field("ends_on", "结束日期", kind="date", synonyms=("到期日期", "截止日期")),
        Field("quota", "名额", kind="int", synonyms=("人数名额",)),
        Field("owner_id", "负责人", kind="ref", ref="app_user", listed=False),
        Field("notes", "备注", kind="long_text", listed=False),
        Field("predecessor_id", "续签自", kind="ref", ref="agreement", listed=False),
    ),
    search=("title", "kind", "notes"),
    order="ends_on",
    referenced_by=(Reference("candidate", "source_agreement_id", "名候选人（来源协议）"),
                   Reference("agreement", "predecessor_id", "份续签协议")),
    check=_check,
    natural_key=("university_id", "kind", "starts_on"),
    unique_key=True,
)


def with_status(agreements: pl.DataFrame, today: date | None = None) -> pl.DataFrame:
    """Adds `status` and `status_label` (derived from the dates, never stored) and `days_left`."""
    today = today or clock.today()
    soon = today + timedelta(days=EXPIRING_DAYS)
    status = (pl.when(~pl.col("active")).then(pl.lit("void"))
              .when(pl.col("starts_on") > today).then(pl.lit("not_started"))
              .when(pl.col("ends_on").is_not_null() & (pl.col("ends_on") < today)).then(pl.lit("expired"))
              .when(pl.col("ends_on").is_not_null() & (pl.col("ends_on") <= soon)).then(pl.lit("expiring"))
              .otherwise(pl.lit("active")))
    return agreements.with_columns(status.alias("status")).with_columns(
        pl.col("status").replace_strict(STATUS_LABELS).alias("status_label"),
        (pl.col("ends_on") - pl.lit(today)).dt.total_days().alias("days_left"))


def expiring(cur: Cursor, actor: User, *, today: date | None = None, days: int = EXPIRING_DAYS) -> pl.DataFrame:
    """Live agreements ending within `days`, soonest first: id, title, university, kind, enclave, ends_on, days_left."""
    require(actor, Action.READ_PROGRAMMES)
    today = today or clock.today()
    return frame(cur, """
        select a.id, coalesce(a.title, u.name || a.kind) as title, u.name as university, a.kind, e.name as enclave,
               a.ends_on, cast(a.ends_on - $today as integer) as days_left
        from agreement a join university u on u.id = a.university_id left join enclave e on e.id = a.enclave_id
        where a.active and a.starts_on <= $today and a.ends_on between $today and $until
          and not exists (select 1 from agreement s where s.predecessor_id = a.id and s.active)
        order by a.ends_on, a.id""", {"today": today, "until": today + timedelta(days=days)})


def renew(cur: Cursor, actor: User, agreement_id: int, *, starts_on: date, ends_on: date | None,
          signed_on: date | None = None, quota: int | None = None, title: str | None = None) -> int:
    """The successor of an agreement: same university, kind, enclave and owner, new dates, linked
    to its predecessor (which stays, with its history)."""
    old = register.require_row(cur, actor, REGISTER, agreement_id)
    if old["ends_on"] is not None and starts_on <= old["starts_on"]:
        raise ValidationError(f"续签协议的开始日期应晚于原协议的开始日期 {old['starts_on']}。", field="starts_on")
    values = {c: old[c] for c in REGISTER.columns} | {
        "starts_on": starts_on, "ends_on": ends_on, "signed_on": signed_on, "predecessor_id": agreement_id,
        "quota": old["quota"] if quota is None else quota, "title": title or old["title"]}
    return register.create(cur, actor, REGISTER, values)


def history(cur: Cursor, actor: User, agreement_id: int) -> pl.DataFrame:
    """The renewal chain the agreement belongs to, oldest first: id, title, starts_on, ends_on, active."""
    require(actor, Action.READ_PROGRAMMES)
    return frame(cur, """
        with recursive back(id, predecessor_id) as (
            select id, predecessor_id from agreement where id = $id
            union all select a.id, a.predecessor_id from agreement a join back b on a.id = b.predecessor_id
        ), fwd(id) as (
            select $id::bigint union all select a.id from agreement a join fwd f on a.predecessor_id = f.id
        )
        select a.id, a.title, a.starts_on, a.ends_on, a.active, a.predecessor_id from agreement a
        where a.id in (select id from back union select id from fwd) order by a.starts_on, a.id""",
                 {"id": agreement_id})


def yields(cur: Cursor, actor: User, *, agreement_id: int | None = None) -> pl.DataFrame:
    """Per agreement, from its start to its end (or today): candidates from that university who came
    in, how many reached 签约意向 or later, hires (到岗), and co-supervised students started.
    Columns: id, candidates, intents, hires, co_supervised."""
    require(actor, Action.READ_PROGRAMMES)
    return frame(cur, """
        with a as (
            select id, university_id, starts_on, coalesce(ends_on, current_date) as ends_on
            from agreement where $id is null or id = $id
        ), people as (
            select a.id, c.id as candidate_id from a join candidate c on c.university_id = a.university_id
            where c.merged_into is null and cast(c.created_at as date) between a.starts_on and a.ends_on
        ), moved as (
            select p.id, e.candidate_id, e.to_stage from people p join stage_event e on e.candidate_id = p.candidate_id
            join a on a.id = p.id where cast(e.occurred_at as date) between a.starts_on and a.ends_on
        )
        select a.id,
               (select count(*) from people p where p.id = a.id) as candidates,
               (select count(distinct m.candidate_id) from moved m where m.id = a.id
                  and m.to_stage in ('intent', 'offer', 'signed', 'arrived', 'retained')) as intents,
               (select count(distinct m.candidate_id) from moved m where m.id = a.id and m.to_stage = 'arrived') as hires,
               (select count(*) from co_supervision s where s.university_id = a.university_id and s.active
                  and s.starts_on between a.starts_on and a.ends_on) as co_supervised
        from a order by a.id""", {"id": agreement_id})
