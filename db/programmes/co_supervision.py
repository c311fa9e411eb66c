"""联合培养: graduate students co-supervised by a company mentor and a university mentor (双导师制),
their milestones, and whether they stayed in Pinghu."""
from __future__ import annotations

from typing import Any

import polars as pl

from db.enums import CoSupervisionKind, CoSupervisionOutcome
from db.errors import ValidationError
from db.permissions import Action, User, require
from db.programmes.register import Field, Register
from db.sql import Cursor, frame, rows


def _check(cur: Cursor, values: dict[str, Any], row_id: int | None) -> dict[str, Any]:
    if values["outcome"] == CoSupervisionOutcome.STAYED and values["outcome_employer_id"] is None:
        raise ValidationError("去向为「留平就业」时，请选择就业的平湖企业。", field="outcome_employer_id")
    if values["outcome"] != CoSupervisionOutcome.STAYED:
        values["outcome_employer_id"] = None
    dated = [(values[k], label) for k, label in (("starts_on", "开始"), ("proposal_on", "开题"), ("midterm_on", "中期"),
                                                 ("defence_on", "答辩")) if values[k] is not None]
    for (earlier, a), (later, b) in zip(dated, dated[1:]):
        if later < earlier:
            raise ValidationError(f"{b}日期 {later} 早于{a}日期 {earlier}，请检查。")
    if values["expected_graduation"] is not None and values["expected_graduation"] < values["starts_on"]:
        raise ValidationError("预计毕业日期早于开始日期，请检查。", field="expected_graduation")
    live = rows(cur, "select 1 from candidate where id = $c and merged_into is null and deleted_at is null",
                {"c": values["candidate_id"]})
    if not live:
        raise ValidationError("所选学生已被合并或删除，请重新选择。", field="candidate_id")
    taken = rows(cur, "select id from co_supervision where candidate_id = $c and employer_id = $e and active"
                      " and id is distinct from $id", {"c": values["candidate_id"], "e": values["employer_id"],
                                                       "id": row_id})
    if taken:
        raise ValidationError(f"该学生在这家企业已有联合培养记录（编号 {taken[0][0]}）。", field="candidate_id")
    return values


REGISTER = Register(
    table="co_supervision", label="联合培养", sequence="seq_co_supervision",
    fields=(
        Field("candidate_id", "学生", kind="ref", ref="candidate", required=True, synonyms=("学生姓名",)),
        Field("university_id", "高校", kind="ref", ref="university", required=True, synonyms=("学校", "培养高校")),
        Field("employer_id", "企业", kind="ref", ref="employer", required=True, synonyms=("企业名称", "培养企业")),
        Field("enterprise_mentor", "企业导师", required=True, max_length=30),
        Field("university_mentor", "高校导师", required=True, max_length=30, synonyms=("校内导师",)),
        Field("kind", "类型", kind="choice", choices=CoSupervisionKind.labels(), required=True, synonyms=("培养类型",)),
        Field("topic", "课题", max_length=200, synonyms=("研究课题", "课题名称")),
        Field("starts_on", "开始日期", kind="date", required=True, synonyms=("入企日期",)),
        Field("expected_graduation", "预计毕业", kind="date", synonyms=("预计毕业日期", "毕业时间")),
        Field("proposal_on", "开题", kind="date", listed=False, synonyms=("开题日期",)),
        Field("midterm_on", "中期", kind="date", listed=False, synonyms=("中期考核", "中期日期")),
        Field("defence_on", "答辩", kind="date", listed=False, synonyms=("答辩日期",)),
        Field("outcome", "去向", kind="choice", choices=CoSupervisionOutcome.labels(), required=True,
              synonyms=("毕业去向",)),
        Field("outcome_employer_id", "留平就业企业", kind="ref", ref="employer", listed=False,
              synonyms=("就业企业",)),
    ),
    search=("enterprise_mentor", "university_mentor", "topic"),
    order="starts_on",
    descending=True,
    check=_check,
    natural_key=("candidate_id", "employer_id"),
)


def stay_rate(cur: Cursor, actor: User) -> dict[str, int]:
    """finished (outcome known), stayed, left, pending — live records only."""
    require(actor, Action.READ_PROGRAMMES)
    found = dict(rows(cur, "select outcome, count(*) from co_supervision where active group by 1"))
    stayed, left, pending = (int(found.get(k, 0)) for k in ("stayed", "left", "pending"))
    return {"finished": stayed + left, "stayed": stayed, "left": left, "pending": pending}


def for_candidate(cur: Cursor, actor: User, candidate_id: int) -> pl.DataFrame:
    """The person's co-supervision records, for their detail screen."""
    require(actor, Action.READ_PROGRAMMES)
    return frame(cur, """
        select s.id, u.name as university, e.name as employer, s.kind, s.enterprise_mentor, s.university_mentor,
               s.topic, s.starts_on, s.expected_graduation, s.proposal_on, s.midterm_on, s.defence_on, s.outcome,
               o.name as outcome_employer, s.active
        from co_supervision s join university u on u.id = s.university_id join employer e on e.id = s.employer_id
        left join employer o on o.id = s.outcome_employer_id
        where s.candidate_id = $c order by s.starts_on desc""", {"c": candidate_id})
