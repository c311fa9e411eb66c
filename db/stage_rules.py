"""The stage rules, pure: which pipeline moves are allowed and what each needs (a note, a reason).

Forward to any later open stage; back exactly one stage, with a note; `rejected` / `withdrawn`
from any open stage, with a coded lost reason (db/lost_reasons.LostReason; 其他 needs its text);
`retained` only from `arrived` after a 12- or 36-month
retention check found the person still in Pinghu; nothing leaves `rejected`, `withdrawn` or
`retained`.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from db import national_id
from db.lost_reasons import LostReason
from db.enums import PIPELINE, Stage
from db.errors import ValidationError

TERMINAL = (Stage.REJECTED, Stage.WITHDRAWN, Stage.RETAINED)
LOST_REASON_EXAMPLES = {Stage.REJECTED: "面试未通过", Stage.WITHDRAWN: "已接受其他单位录用"}
MAX_TEXT = 500


def moment(effective_on: date | None, previous: datetime | None, now: datetime) -> datetime:
    """When a move happened, for counting: `effective_on` (the date it really happened; default today),
    never in the future, never before the application's previous move. Today's move is stamped now;
    an earlier date at the time of day it was entered, moved just past the previous move if that fell
    on the same day — so the history keeps its order."""
    today = now.date()
    effective_on = effective_on or today
    if effective_on > today:
        raise ValidationError(f"生效日期 {effective_on} 晚于今天：阶段变更只能记录已经发生的事。", field="effective_on")
    if previous is not None and effective_on < previous.date():
        raise ValidationError(f"生效日期 {effective_on} 早于这条投递上一次阶段变更的日期 {previous.date()}。",
                              field="effective_on")
    at = now if effective_on == today else datetime.combine(effective_on, now.time())
    if previous is not None and at <= previous:
        at = previous + timedelta(seconds=1)
    return at


def check_move(from_stage: str, to_stage: str, *, note: str | None = None, lost_reason: str | None = None,
               retention_confirmed: bool = False, lost_code: str | None = None) -> None:
    """Raise ValidationError, with the rule in Chinese, unless moving from → to is allowed."""
    src, dst = as_stage(from_stage), as_stage(to_stage)
    if src in TERMINAL:
        raise ValidationError(f"「{src.label}」是结束状态，不能再变更阶段；如需重新跟进，请新建一条投递。")
    if dst == src:
        raise ValidationError(f"该投递已处于「{src.label}」阶段。")
    if dst.is_exit:
        check_lost_reason(dst, lost_code, lost_reason)
        return
    if dst == Stage.RETAINED:
        if src != Stage.ARRIVED:
            raise ValidationError(f"只有「{Stage.ARRIVED.label}」的人员才能标记为「{dst.label}」（当前：{src.label}）。")
        if not retention_confirmed:
            raise ValidationError(f"标记为「{dst.label}」前，请先登记到岗满 12 个月或 36 个月的留平回访，"
                                  "且回访结果为仍在平湖。")
        return
    if dst.rank > src.rank:
        return
    previous = PIPELINE[src.rank - 2]
    if dst != previous:
        raise ValidationError(f"只能退回上一阶段（{src.label} → {previous.label}），且必须填写原因。")
    if not filled(note):
        raise ValidationError(f"退回上一阶段（{src.label} → {dst.label}）必须填写原因。", field="note")


def check_lost_reason(dst: Stage, lost_code: str | None, lost_reason: str | None) -> None:
    """An exit needs a code from the office's list; 其他 needs its text too (the text is optional otherwise)."""
    if not filled(lost_code):
        raise ValidationError(f"标记为「{dst.label}」必须选择流失原因（{'、'.join(LostReason.labels().values())}），"
                              f"可另填说明（例如：{LOST_REASON_EXAMPLES[dst]}）。", field="lost_code")
    try:
        code = LostReason(lost_code)
    except ValueError:
        raise ValidationError(f"未知的流失原因：{lost_code}。请从列表中选择。", field="lost_code") from None
    if code == LostReason.OTHER and not filled(lost_reason):
        raise ValidationError("流失原因选「其他」时，请填写具体原因。", field="lost_reason")


def allowed_targets(from_stage: str, *, retention_confirmed: bool = False) -> list[Stage]:
    """The stages a move may go to (given the note or reason each needs), for hints on screen."""
    allowed = []
    for dst in Stage:
        try:
            check_move(from_stage, dst, note="-", lost_reason="-", lost_code=LostReason.OTHER,
                       retention_confirmed=retention_confirmed)
        except ValidationError:
            continue
        allowed.append(dst)
    return allowed


def as_stage(code: str) -> Stage:
    try:
        return Stage(code)
    except ValueError:
        raise ValidationError(f"未知的阶段：{code}。") from None


def filled(text: str | None) -> bool:
    return bool(text and text.strip())


def clean(text: str | None, what: str) -> str | None:
    text = (text or "").strip()
    if len(text) > MAX_TEXT:
        raise ValidationError(f"{what}最多 {MAX_TEXT} 个字（现为 {len(text)} 个字），请精简。")
    if national_id.contains(text):
        raise ValidationError(f"{what}中含有身份证号码：本系统不保存身份证号，请删除后再保存。")
    return text or None
