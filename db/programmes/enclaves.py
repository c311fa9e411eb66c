"""人才飞地: the recruiting offices Pinghu runs in other cities, and what each has done this year."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import polars as pl

from db.enums import PIPELINE, Stage
from db.errors import ValidationError
from db.permissions import Action, User, require
from db.programmes.register import Field, Reference, Register
from db.sql import Cursor, frame, rows, year_bounds

_CODE = re.compile(r"^[A-Z][A-Z0-9\-]{0,19}$")


def _check(cur: Cursor, values: dict[str, Any], row_id: int | None) -> dict[str, Any]:
    code = (values["code"] or "").upper()
    if not _CODE.match(code):
        raise ValidationError("飞地编码只能用大写英文字母开头，由字母、数字和短横线组成，最多 20 位，如 SH、CD2。",
                              field="code")
    values["code"] = code
    if not rows(cur, "select 1 from province where name = $p", {"p": values["province"]}):
        raise ValidationError(f"省份「{values['province']}」不在省份名录中，请写全称，如 上海市、四川省。", field="province")
    for column, label in (("code", "编码"), ("name", "名称")):
        taken = rows(cur, f"select id from enclave where lower({column}) = lower(${column}) and id is distinct from $id",
                     {column: values[column], "id": row_id})
        if taken:
            raise ValidationError(f"飞地{label}「{values[column]}」已被编号 {taken[0][0]} 的飞地使用。", field=column)
    return values


REGISTER = Register(
    table="enclave", label="飞地", sequence="seq_enclave",
    fields=(
        Field("name", "名称", required=True, max_length=60, synonyms=("飞地名称", "飞地")),
        Field("code", "编码", required=True, max_length=20, synonyms=("飞地编码", "代码"),
              help="短而稳定的英文编码，如 SH、CD；招才专员的账号常以它命名"),
        Field("city", "城市", required=True, max_length=30, synonyms=("所在城市",)),
        Field("province", "省份", required=True, max_length=30, synonyms=("所在省份", "省")),
        Field("host_organisation", "依托单位", max_length=100, synonyms=("依托机构", "承办单位")),
        Field("address", "地址", max_length=200, listed=False, synonyms=("办公地址",)),
        Field("opened_on", "设立日期", kind="date", synonyms=("成立日期", "设立时间")),
    ),
    search=("code", "name", "city", "province", "host_organisation"),
    order="code",
    referenced_by=(
        Reference("candidate", "enclave_id", "名候选人"), Reference("candidate", "source_enclave_id", "名候选人（来源）"),
        Reference("app_user", "enclave_id", "个账号"), Reference("agreement", "enclave_id", "份校地协议"),
        Reference("campus_drive", "enclave_id", "场校园招聘"), Reference("appointment", "enclave_id", "名科技副总/柔性引进人才"),
        Reference("target", "enclave_id", "项目标"),
    ),
    check=_check,
    natural_key=("code",),
)


@dataclass(frozen=True)
class EnclaveDetail:
    """What one enclave has: its people and what they did in `year`."""

    recruiters: pl.DataFrame        # username, display_name, active, last_login_at
    by_stage: pl.DataFrame          # stage, label, candidates (current stage of each live person)
    hires: pl.DataFrame             # category, label, hires, target
    monthly: pl.DataFrame           # month, new_candidates, hires
    drives: pl.DataFrame            # id, title, held_on, status, university
    agreements: pl.DataFrame        # id, title, kind, university, starts_on, ends_on


def detail(cur: Cursor, actor: User, enclave_id: int, year: int) -> EnclaveDetail:
    require(actor, Action.READ_PROGRAMMES)
    params = {"e": enclave_id, "year": year, **year_bounds(year)}
    recruiters = frame(cur, "select username, display_name, active, last_login_at from app_user"
                            " where enclave_id = $e order by active desc, username", params)
    current = frame(cur, """
        with live as (select id from candidate where enclave_id = $e and merged_into is null and deleted_at is null),
        best as (
            select a.candidate_id, arg_max(a.stage, s.rank) as stage
            from application a join stage s on s.code = a.stage
            where a.candidate_id in (select id from live) and not s.is_exit
            group by a.candidate_id
        )
        select coalesce(b.stage, 'none') as stage, count(*) as candidates
        from live l left join best b on b.candidate_id = l.id group by 1""", params)
    order = [s.value for s in PIPELINE] + ["none"]
    by_stage = pl.DataFrame({"stage": order}).join(current, on="stage", how="left").with_columns(
        pl.col("candidates").fill_null(0),
        pl.col("stage").replace_strict({**Stage.labels(), "none": "无进行中的投递"}, default=None).alias("label"))
    hires = frame(cur, """
        with arrivals as (
            select e.talent_category as category, count(distinct c.id) as hires   -- category at arrival
            from stage_event e join candidate c on c.id = e.candidate_id
            where e.to_stage = 'arrived' and e.occurred_at >= $start and e.occurred_at < $end
              and c.enclave_id = $e and c.merged_into is null
            group by 1
        ), goals as (select metric, sum(value) as target from target where year = $year and enclave_id = $e group by 1)
        select k.code as category, k.label, coalesce(a.hires, 0) as hires, g.target
        from talent_category k left join arrivals a on a.category = k.code left join goals g on g.metric = k.code
        order by k.sort_order""", params)
    monthly = frame(cur, """
        with months as (select unnest(range(1, 13)) as month),
        created as (
            select month(created_at) as month, count(*) as n from candidate
            where enclave_id = $e and created_at >= $start and created_at < $end and merged_into is null group by 1
        ), arrived as (
            select month(e.occurred_at) as month, count(distinct e.candidate_id) as n
            from stage_event e join candidate c on c.id = e.candidate_id
            where e.to_stage = 'arrived' and e.occurred_at >= $start and e.occurred_at < $end and c.enclave_id = $e
              and c.merged_into is null group by 1
        )
        select m.month, coalesce(c.n, 0) as new_candidates, coalesce(a.n, 0) as hires
        from months m left join created c on c.month = m.month left join arrived a on a.month = m.month
        order by m.month""", params)
    drives = frame(cur, "select d.id, d.title, d.held_on, d.status, u.name as university from campus_drive d"
                        " join university u on u.id = d.university_id where d.enclave_id = $e"
                        " order by d.held_on desc", params)
    agreements = frame(cur, "select a.id, a.title, a.kind, u.name as university, a.starts_on, a.ends_on"
                            " from agreement a join university u on u.id = a.university_id where a.enclave_id = $e"
                            " and a.active order by a.starts_on desc", params)
    return EnclaveDetail(recruiters, by_stage, hires, monthly, drives, agreements)
