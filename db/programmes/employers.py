"""企业 and their 岗位: who recruits through the office, and what each has got out of it."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import polars as pl

from db.contacts import normalise_mobile
from db.enums import GOLDEN_EAGLE_TIERS, INDUSTRIES, Degree, PIPELINE, Stage
from db.errors import ValidationError
from db.permissions import Action, User, require
from db.programmes.register import Field, Reference, Register
from db.sql import Cursor, frame, rows
from db.validation import credit_code_problem, normalise_credit_code

_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")


def fold_name(name: str) -> str:
    """How two spellings of one company compare: NFKC, no spaces, brackets alike."""
    folded = "".join(unicodedata.normalize("NFKC", name).split())
    return folded.replace("(", "（").replace(")", "）")


def normalise_phone(raw: str | None) -> str | None:
    """A contact phone: a mobile normalised as candidates' are, or a landline as 0573-85123456."""
    if raw is None or not raw.strip():
        return None
    mobile = normalise_mobile(raw)
    if mobile.value:
        return mobile.value
    compact = re.sub(r"[\s()（）]", "", unicodedata.normalize("NFKC", raw)).replace("—", "-")
    if _LANDLINE.match(compact):
        return compact
    raise ValidationError("联系电话应为 11 位手机号或带区号的固定电话（如 0573-85123456）。", field="contact_phone")


def _check(cur: Cursor, values: dict[str, Any], row_id: int | None) -> dict[str, Any]:
    if values["credit_code"]:
        code = normalise_credit_code(values["credit_code"])
        problem = credit_code_problem(code)
        if problem:
            raise ValidationError(problem, field="credit_code")
        values["credit_code"] = code
        taken = rows(cur, "select id, name from employer where credit_code = $c and id is distinct from $id",
                     {"c": code, "id": row_id})
        if taken:
            raise ValidationError(f"统一社会信用代码 {code} 已属于企业「{taken[0][1]}」（编号 {taken[0][0]}）。",
                                  field="credit_code")
    folded = fold_name(values["name"])
    for other_id, other in rows(cur, "select id, name from employer where id is distinct from $id", {"id": row_id}):
        if fold_name(other) == folded:
            raise ValidationError(f"企业名称「{values['name']}」已存在（编号 {other_id}「{other}」）。", field="name")
    values["contact_phone"] = normalise_phone(values["contact_phone"])
    return values


REGISTER = Register(
    table="employer", label="企业", sequence="seq_employer",
    fields=(
        Field("name", "企业名称", required=True, max_length=100, synonyms=("名称", "企业", "单位名称", "公司名称")),
        Field("credit_code", "统一社会信用代码", max_length=18, code=True, synonyms=("信用代码", "社会信用代码"),
              help="18 位，按 GB 32100-2015 校验位核对；可不填"),
        Field("industry", "行业", max_length=30, synonyms=("所属行业", "产业"),
              help="如：" + "、".join(INDUSTRIES[:6])),
        Field("park", "园区", max_length=60, synonyms=("所在园区", "所属园区")),
        Field("golden_eagle_tier", "金鹰等级", kind="choice", choices={t: t for t in GOLDEN_EAGLE_TIERS},
              synonyms=("金鹰", "金鹰企业等级")),
        Field("is_high_tech", "高新技术企业", kind="bool", synonyms=("高新企业", "是否高新技术企业", "高新")),
        Field("contact_name", "联系人", max_length=30, listed=False, synonyms=("企业联系人",)),
        Field("contact_phone", "联系电话", max_length=30, listed=False, synonyms=("联系人电话", "电话")),
    ),
    search=("name", "credit_code", "industry", "park", "contact_name"),
    order="name",
    referenced_by=(
        Reference("position", "employer_id", "个岗位"), Reference("application", "employer_id", "条投递"),
        Reference("drive_employer", "employer_id", "场校园招聘"),
        Reference("co_supervision", "employer_id", "名联合培养学生"),
        Reference("co_supervision", "outcome_employer_id", "名联合培养学生（就业去向）"),
        Reference("appointment", "employer_id", "名科技副总/柔性引进人才"),
        Reference("declaration", "employer_id", "份人才项目申报"),
        Reference("event_employer", "employer_id", "场人才活动"),
    ),
    check=_check,
    natural_key=("credit_code", "name"),
)


def _check_position(cur: Cursor, values: dict[str, Any], row_id: int | None) -> dict[str, Any]:
    taken = rows(cur, "select id from position where employer_id = $e and title = $t and id is distinct from $id",
                 {"e": values["employer_id"], "t": values["title"], "id": row_id})
    if taken:
        raise ValidationError(f"该企业已有岗位「{values['title']}」（编号 {taken[0][0]}）。", field="title")
    return values


POSITIONS = Register(
    table="position", label="岗位", sequence="seq_position",
    fields=(
        Field("title", "岗位名称", required=True, max_length=60, synonyms=("岗位", "职位", "职位名称")),
        Field("employer_id", "企业", kind="ref", ref="employer", required=True, synonyms=("企业名称",)),
        Field("degree_required", "学历要求", kind="choice", choices={d.value: d.label for d in Degree},
              synonyms=("学历", "最低学历")),
        Field("headcount", "招聘人数", kind="int", synonyms=("人数", "需求人数")),
    ),
    search=("title",),
    order="title",
    referenced_by=(Reference("application", "position_id", "条投递"),),
    check=_check_position,
    natural_key=("employer_id", "title"),
    active_column="is_open",
)


@dataclass(frozen=True)
class EmployerDetail:
    positions: pl.DataFrame         # id, title, degree_required, headcount, is_open, applications
    open_by_stage: pl.DataFrame     # stage, label, applications (open applications)
    intents: int                    # people at 签约意向 or later with this employer, ever
    hires: pl.DataFrame             # year, category, label, hires
    students: pl.DataFrame          # co-supervised: id, name, university, kind, starts_on, outcome
    drives: pl.DataFrame            # drive id, title, held_on, positions_offered


def detail(cur: Cursor, actor: User, employer_id: int) -> EmployerDetail:
    require(actor, Action.READ_PROGRAMMES)
    p = {"e": employer_id}
    positions = frame(cur, """
        select p.id, p.title, p.degree_required, p.headcount, p.is_open, count(a.id) as applications
        from position p left join application a on a.position_id = p.id
        where p.employer_id = $e group by all order by p.is_open desc, p.title""", p)
    open_now = frame(cur, """
        select a.stage, count(*) as applications from application a join candidate c on c.id = a.candidate_id
        where a.employer_id = $e and c.merged_into is null and a.stage not in ('rejected', 'withdrawn', 'retained')
        group by 1""", p)
    order = [s.value for s in PIPELINE if s != Stage.RETAINED]
    open_by_stage = pl.DataFrame({"stage": order}).join(open_now, on="stage", how="left").with_columns(
        pl.col("applications").fill_null(0), pl.col("stage").replace_strict(Stage.labels()).alias("label"))
    intents = rows(cur, """
        select count(distinct e.candidate_id) from stage_event e join application a on a.id = e.application_id
        join candidate c on c.id = e.candidate_id
        where a.employer_id = $e and c.merged_into is null
          and e.to_stage in ('intent', 'offer', 'signed', 'arrived', 'retained')""", p)[0][0]
    hires = frame(cur, """
        select year(e.occurred_at) as year, e.talent_category as category, k.label, count(distinct c.id) as hires
        from stage_event e join application a on a.id = e.application_id join candidate c on c.id = e.candidate_id
        join talent_category k on k.code = e.talent_category
        where a.employer_id = $e and e.to_stage = 'arrived' and c.merged_into is null
        group by year(e.occurred_at), e.talent_category, k.label, k.sort_order
        order by year desc, k.sort_order""", p)
    students = frame(cur, """
        select s.id, c.name, u.name as university, s.kind, s.starts_on, s.outcome
        from co_supervision s join candidate c on c.id = s.candidate_id join university u on u.id = s.university_id
        where s.employer_id = $e and s.active order by s.starts_on desc""", p)
    drives = frame(cur, """
        select d.id, d.title, d.held_on, d.status, de.positions_offered
        from drive_employer de join campus_drive d on d.id = de.drive_id
        where de.employer_id = $e order by d.held_on desc""", p)
    return EmployerDetail(positions, open_by_stage, int(intents), hires, students, drives)


def find(cur: Cursor, name: str) -> int | None:
    """The employer a typed name means (spacing and bracket width ignored), or None."""
    folded = fold_name(name)
    for employer_id, other in rows(cur, "select id, name from employer"):
        if fold_name(other) == folded:
            return employer_id
    return None


def industries(cur: Cursor) -> list[str]:
    """Industries in use, for the filter."""
    return [r[0] for r in rows(cur, "select distinct industry from employer where industry is not null order by 1")]
