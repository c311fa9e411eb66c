"""科技副总 · 柔性引进: people placed in companies or brought in flexibly, not employed by them."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import polars as pl

from db import clock
from db.enums import AppointmentKind, Level
from db.errors import ValidationError
from db.permissions import Action, User, require
from db.programmes.register import Field, Register
from db.sql import Cursor, frame

ENDING_DAYS = 90


def _check(cur: Cursor, values: dict[str, Any], row_id: int | None) -> dict[str, Any]:
    if values["ends_on"] is not None and values["ends_on"] < values["starts_on"]:
        raise ValidationError(f"合同结束日期 {values['ends_on']} 早于开始日期 {values['starts_on']}。", field="ends_on")
    return values


REGISTER = Register(
    table="appointment", label="科技副总/柔性引进", sequence="seq_appointment",
    fields=(
        Field("person_name", "姓名", required=True, max_length=50, synonyms=("人员姓名",)),
        Field("kind", "类型", kind="choice", choices=AppointmentKind.labels(), required=True),
        Field("title", "职务", max_length=60, synonyms=("职称", "职务/职称")),
        Field("level", "级别", kind="choice", choices=Level.labels(), synonyms=("人才级别",)),
        Field("home_institution", "派出单位", max_length=100, synonyms=("所在单位", "原单位", "工作单位")),
        Field("employer_id", "企业", kind="ref", ref="employer", synonyms=("企业名称", "服务企业", "受聘企业")),
        Field("enclave_id", "所属飞地", kind="ref", ref="enclave", synonyms=("飞地",)),
        Field("starts_on", "开始日期", kind="date", required=True, synonyms=("合同开始", "聘期开始")),
        Field("ends_on", "结束日期", kind="date", synonyms=("合同结束", "聘期结束")),
        Field("candidate_id", "关联候选人", kind="ref", ref="candidate", listed=False),
        Field("notes", "备注", kind="long_text", listed=False),
    ),
    search=("person_name", "title", "home_institution", "notes"),
    order="starts_on",
    descending=True,
    check=_check,
    natural_key=("kind", "person_name", "starts_on"),
    unique_key=True,
)


def ending(cur: Cursor, actor: User, *, today: date | None = None, days: int = ENDING_DAYS) -> pl.DataFrame:
    """Live contracts ending within `days`: id, kind, person_name, employer, ends_on, days_left."""
    require(actor, Action.READ_PROGRAMMES)
    today = today or clock.today()
    return frame(cur, """
        select p.id, p.kind, p.person_name, e.name as employer, p.ends_on, cast(p.ends_on - $today as integer) as days_left
        from appointment p left join employer e on e.id = p.employer_id
        where p.active and p.ends_on between $today and $until order by p.ends_on, p.id""",
                 {"today": today, "until": today + timedelta(days=days)})
