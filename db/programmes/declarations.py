"""人才项目申报: applications to national, provincial and city talent programmes, by batch (批次)."""
from __future__ import annotations

import re
from typing import Any

import polars as pl

from db import clock
from db.enums import DeclarationStatus, Level
from db.errors import ValidationError
from db.permissions import Action, User, require
from db.programmes.register import Field, Register
from db.sql import Cursor, frame, rows

_YEAR = re.compile(r"(20\d\d|19\d\d)")


def _check(cur: Cursor, values: dict[str, Any], row_id: int | None) -> dict[str, Any]:
    if values["year"] is None:
        found = _YEAR.search(values["batch"])
        values["year"] = int(found.group(1)) if found else (
            values["submitted_on"].year if values["submitted_on"] else clock.today().year)
    if values["result_on"] is not None and values["submitted_on"] is not None and values["result_on"] < values["submitted_on"]:
        raise ValidationError("结果日期早于申报日期，请检查。", field="result_on")
    if values["candidate_id"] is not None and not values["applicant_name"]:
        values["applicant_name"] = rows(cur, "select name from candidate where id = $c", {"c": values["candidate_id"]})[0][0]
    if not values["applicant_name"]:
        raise ValidationError("请填写「申报人」，或选择关联的候选人。", field="applicant_name")
    return values


REGISTER = Register(
    table="declaration", label="人才项目申报", sequence="seq_declaration",
    fields=(
        Field("applicant_name", "申报人", max_length=50, synonyms=("姓名", "申报人姓名"),
              help="不是候选人时直接填写姓名"),
        Field("programme", "项目名称", required=True, max_length=100, synonyms=("人才计划", "项目")),
        Field("level", "级别", kind="choice", choices=Level.labels(), required=True, synonyms=("项目级别",)),
        Field("batch", "批次", required=True, max_length=30, help="如：2025 第一批"),
        Field("year", "年度", kind="int", listed=False, help="不填则取批次中的年份"),
        Field("candidate_id", "关联候选人", kind="ref", ref="candidate", listed=False),
        Field("employer_id", "企业", kind="ref", ref="employer", synonyms=("企业名称", "申报单位")),
        Field("submitted_on", "申报日期", kind="date", synonyms=("提交日期",)),
        Field("status", "状态", kind="choice", choices=DeclarationStatus.labels(), required=True, synonyms=("申报状态",)),
        Field("result_on", "结果日期", kind="date", listed=False, synonyms=("公布日期",)),
        Field("notes", "备注", kind="long_text", listed=False),
    ),
    search=("applicant_name", "programme", "batch", "notes"),
    order="submitted_on",
    descending=True,
    check=_check,
    natural_key=("programme", "batch", "applicant_name"),
    unique_key=True,
)


def figures(cur: Cursor, actor: User, year: int | None = None) -> pl.DataFrame:
    """Per year and level: applicants (distinct people), batches, selected. The city reports e.g.
    "国家级申报两批次165人"."""
    require(actor, Action.READ_PROGRAMMES)
    return frame(cur, """
        select year, level, count(distinct coalesce(cast(candidate_id as varchar), applicant_name)) as applicants,
               count(distinct batch) as batches, count(*) filter (where status = 'selected') as selected
        from declaration where active and ($year is null or year = $year)
        group by 1, 2 order by year desc, case level when '国家级' then 1 when '省级' then 2 else 3 end""",
                 {"year": year})
