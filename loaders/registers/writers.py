"""Writing one parsed row: references by name, the row's natural key, then the register's own command.

Each row is validated (register.clean) before its command runs, so a command that fails has written
nothing: the register commands, drives.set_employer, targets.save and candidate_commands.add all check
everything before their first write. (add checks the contacts once more after inserting the person; that
DuplicateCandidate cannot happen here, the student having been looked up first, and would end the
workbook if it did.) A 联合培养 row for a student not yet on file takes two commands (the person, then
the record); if the second failed after the first had written, the whole workbook is rolled back
(WorkbookAborted) rather than keep half a row.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import polars as pl

from db import candidate_commands, candidates, clock, imports, universities
from db.contacts import normalise_email, normalise_mobile
from db.duplicates import LikelyDuplicate
from db.enums import Channel, CoSupervisionOutcome, DeclarationStatus, DriveStatus
from db.errors import DomainError, NotFound, PermissionDenied, ValidationError
from db.permissions import Action, User, can
from db.programmes import CITY, co_supervision, drives, employers, list_enclaves, register, targets
from db.programmes.register import Register
from db.sql import Cursor
from db.validation import normalise_credit_code
from loaders.registers.cells import RowRejected
from loaders.registers.reading import Row
from loaders.registers.sheets import REFERENCES, Column, SheetSpec

INSERTED, UPDATED, UNCHANGED = "inserted", "updated", "unchanged"
# What a command may refuse a row with, having written nothing. (ConcurrentEdit, DuplicateCandidate and
# the database's own errors are not among them: they end the whole workbook.)
ROW_ERRORS = (ValidationError, NotFound, PermissionDenied, LikelyDuplicate)
CONSENT_METHOD = "联合培养台账导入"
CONSENT_PURPOSE = "平湖市联合培养与人才招引"
# A blank cell (or no column) where the register requires a value: a new row gets the default, an
# existing row keeps what it has.
DEFAULTS: dict[tuple[str, str], Callable[[dict[str, Any]], Any]] = {
    ("校园招聘", "status"): lambda raw: DriveStatus.HELD.value if raw.get("held_on") and raw["held_on"] <= clock.today()
    else DriveStatus.PLANNED.value,
    ("联合培养", "outcome"): lambda raw: CoSupervisionOutcome.PENDING.value,
    ("人才项目申报", "status"): lambda raw: DeclarationStatus.SUBMITTED.value if raw.get("submitted_on")
    else DeclarationStatus.PREPARING.value,
}


class WorkbookAborted(DomainError):
    """A row could only have been half written: nothing of the workbook is kept."""


@dataclass
class Context:
    """What the rows of one import share: who imports, the schools already looked up, and which
    records each sheet has already written (a record appears once per sheet)."""

    cur: Cursor
    actor: User
    schools: dict[str, int | None] = field(default_factory=dict)
    seen: dict[tuple[Any, ...], int] = field(default_factory=dict)
    students_created: int = 0

    def resolve(self, column: Column, text: str) -> int:
        found = {"enclave": self._enclave, "employer": employers.find, "drive": drives.find,
                 "university": self._university}[column.kind](self.cur, text)
        if found is None:
            raise RowRejected(f"{column.header}「{text}」{MISSING[column.kind]}")
        return int(found)

    def _enclave(self, cur: Cursor, text: str) -> int | None:
        known = list_enclaves(cur, active_only=False)
        by_code = known.filter(pl.col("code").str.to_uppercase() == unicodedata.normalize("NFKC", text).upper())
        by_name = known.filter(pl.col("name") == text)
        found = by_code if by_code.height else by_name
        return found["id"][0] if found.height else None

    def _university(self, cur: Cursor, text: str) -> int | None:
        if text not in self.schools:
            self.schools[text] = universities.resolve(cur, text)
        return self.schools[text]

    def once(self, spec: SheetSpec, row: Row, key: tuple[Any, ...]) -> None:
        """Refuse a second row of the sheet that means a record an earlier row already wrote."""
        first = self.seen.get((spec.name, *key))
        if first is not None and first != row.number:
            said = " · ".join(f"{spec.column(k).header} {row.texts[k]}" for k in spec.key if row.texts.get(k))
            raise RowRejected(f"与第 {first} 行是同一条记录（{said}）：一条记录在一个工作表中只能出现一次，本行未导入。")

    def wrote(self, spec: SheetSpec, row: Row, key: tuple[Any, ...]) -> None:
        self.seen.setdefault((spec.name, *key), row.number)


MISSING = {
    "enclave": "不存在：请填写已登记飞地的编码或名称（如 SH），或先在「飞地」表中登记。",
    "employer": "不存在：请先在「企业」表中登记该企业（名称须与系统中一致）。",
    "drive": "不存在：请先在「校园招聘」表中登记该场次（名称须一致）。",
    "university": "无法识别为高校：请写教育部名录中的全称（如 浙江大学），或常用的曾用名、简称。",
}


# --- the registers ---------------------------------------------------------------------------------

def register_row(ctx: Context, spec: SheetSpec, row: Row) -> str:
    raw = fields_of(ctx, spec, row)
    return save(ctx, spec, row, raw, FINDERS[spec.name](ctx, spec.register, raw))  # type: ignore[arg-type]


def fields_of(ctx: Context, spec: SheetSpec, row: Row) -> dict[str, Any]:
    """The row's register fields: only those the sheet has a column for (the others stay as they are),
    references resolved to ids."""
    assert spec.register is not None
    raw = {}
    for column in spec.columns:
        if column.key in row.values and column.key in spec.register.columns:
            value = row.values[column.key]
            raw[column.key] = ctx.resolve(column, value) if value is not None and column.kind in REFERENCES else value
    return raw


def save(ctx: Context, spec: SheetSpec, row: Row, raw: dict[str, Any], existing: int | None) -> str:
    """Create or update through the register's commands, after register.clean has passed."""
    reg = spec.register
    assert reg is not None
    _defaults(spec, raw, existing)
    if existing is None:
        register.clean(ctx.cur, reg, raw)
        ctx.wrote(spec, row, ("id", register.create(ctx.cur, ctx.actor, reg, raw)))
        return INSERTED
    ctx.once(spec, row, ("id", existing))
    before = register.require_row(ctx.cur, ctx.actor, reg, existing)
    register.clean(ctx.cur, reg, {**{c: before[c] for c in reg.columns}, **raw}, row_id=existing)
    changed = register.update(ctx.cur, ctx.actor, reg, existing, raw, expected_version=before["version"])
    ctx.wrote(spec, row, ("id", existing))
    return UPDATED if changed else UNCHANGED


def _defaults(spec: SheetSpec, raw: dict[str, Any], existing: int | None) -> None:
    for (sheet, name), default in DEFAULTS.items():
        if sheet == spec.name and raw.get(name) is None:
            if existing is None:
                raw[name] = default(raw)
            else:
                raw.pop(name, None)


def _matching(ctx: Context, reg: Register, **key: Any) -> int | None:
    """The existing row with this natural key (the oldest, should there be several)."""
    found = register.search(ctx.cur, ctx.actor, reg, filters=key, sort="id", descending=False, limit=1)
    return int(found["id"][0]) if found.height else None


def _employer(ctx: Context, reg: Register, raw: dict[str, Any]) -> int | None:
    if raw.get("credit_code"):
        by_code = _matching(ctx, reg, credit_code=normalise_credit_code(raw["credit_code"]))
        if by_code is not None:
            return by_code
    return employers.find(ctx.cur, raw["name"])


FINDERS: dict[str, Callable[[Context, Register, dict[str, Any]], int | None]] = {
    "飞地": lambda ctx, reg, raw: _matching(ctx, reg, code=raw["code"].upper()),
    "企业": _employer,
    "岗位": lambda ctx, reg, raw: _matching(ctx, reg, employer_id=raw["employer_id"], title=raw["title"]),
    "院校协议": lambda ctx, reg, raw: _matching(ctx, reg, university_id=raw["university_id"], kind=raw["kind"],
                                             starts_on=raw["starts_on"]),
    "校园招聘": lambda ctx, reg, raw: drives.find(ctx.cur, raw["title"]),
    "科技副总与柔性引进": lambda ctx, reg, raw: _matching(ctx, reg, kind=raw["kind"], person_name=raw["person_name"],
                                                 starts_on=raw["starts_on"]),
    "人才项目申报": lambda ctx, reg, raw: _matching(ctx, reg, programme=raw["programme"], batch=raw["batch"],
                                               applicant_name=raw["applicant_name"]),
}


# --- 联合培养: the student is a candidate -------------------------------------------------------------

# The record's own checks without the student, for a row whose student does not exist yet.
_WITHOUT_STUDENT = replace(co_supervision.REGISTER, check=None,
                           fields=tuple(f for f in co_supervision.REGISTER.fields if f.name != "candidate_id"))


def co_supervision_row(ctx: Context, spec: SheetSpec, row: Row) -> str:
    name = row.values["student"]
    mobile, email = _contacts(row)
    raw = fields_of(ctx, spec, row)
    student = _student(ctx, name, mobile, email)
    if student is not None:
        raw["candidate_id"] = student
        existing = _record(ctx, student, raw["employer_id"])
        before = register.get(ctx.cur, ctx.actor, co_supervision.REGISTER, existing) if existing else None
        _outcome_employer(raw, row, before)
        return save(ctx, spec, row, raw, existing)
    if not can(ctx.actor, Action.EDIT_CANDIDATES):
        raise RowRejected(f"学生「{name}」尚未建档，而您的角色不能新建候选人：请由人事/数据岗或管理员导入这一行"
                          "（已建档的学生，按手机号码或电子邮箱找到后即可导入）。")
    prepared = dict(raw)
    _defaults(spec, prepared, existing=None)
    _outcome_employer(prepared, row, None)
    register.clean(ctx.cur, _WITHOUT_STUDENT, prepared)
    _dates_in_order(prepared)
    graduation = prepared.get("expected_graduation")
    student = candidate_commands.add(ctx.cur, ctx.actor, candidate_commands.CandidateDraft(
        name=name, mobile=mobile, email=email, university_id=prepared["university_id"],
        graduation_year=graduation and graduation.year, graduation_month=graduation and graduation.month,
        channel=Channel.JOINT_TRAINING.value, consent_method=CONSENT_METHOD, consent_purpose=CONSENT_PURPOSE))
    ctx.students_created += 1
    try:
        return save(ctx, spec, row, prepared | {"candidate_id": student}, None)
    except (DomainError, RowRejected) as error:
        raise WorkbookAborted(
            f"「联合培养」第 {row.number} 行：已为学生「{name}」新建档案，但联合培养记录未能保存（{error}）。"
            "为避免只留下半条记录，整个工作簿都没有导入，数据库未作任何改动；请修改这一行后重新导入。") from error


def _record(ctx: Context, student: int, employer_id: int) -> int | None:
    """The student's record with this employer: the live one, else the oldest deactivated one."""
    found = register.search(ctx.cur, ctx.actor, co_supervision.REGISTER, sort="id", descending=False,
                            filters={"candidate_id": student, "employer_id": employer_id})
    if found.height == 0:
        return None
    live = found.filter(pl.col("active"))
    return int((live if live.height else found)["id"][0])


def _contacts(row: Row) -> tuple[str | None, str | None]:
    mobile, email = normalise_mobile(row.values.get("mobile")), normalise_email(row.values.get("email"))
    for found, label in ((mobile, "手机号码"), (email, "电子邮箱")):
        if found.problem:
            raise RowRejected(f"「{label}」：{found.problem}。")
    return mobile.value, email.value


def _student(ctx: Context, name: str, mobile: str | None, email: str | None) -> int | None:
    """The live candidate holding the row's mobile or e-mail, whose name must be the row's."""
    wanted = pl.DataFrame({"mobile": [mobile], "email": [email]}, schema={"mobile": pl.String, "email": pl.String})
    ids = sorted({int(i) for i in imports.held_by(ctx.cur, wanted)["candidate_id"].to_list()})
    if not ids:
        return None
    if len(ids) > 1:
        raise RowRejected(f"手机号码和电子邮箱分别属于两位候选人（编号 {ids[0]}、{ids[1]}）：请核对，只填学生本人的联系方式。")
    person = candidates.get(ctx.cur, ctx.actor, ids[0])
    assert person is not None
    if _folded(person.name) != _folded(name):
        raise RowRejected(f"该手机号码/电子邮箱属于候选人「{person.name}」（编号 {person.id}），与学生姓名「{name}」不一致："
                          "请核对联系方式或姓名。")
    return ids[0]


def _folded(name: str) -> str:
    return "".join(unicodedata.normalize("NFKC", name).split())


def _outcome_employer(raw: dict[str, Any], row: Row, before: dict[str, Any] | None) -> None:
    """留平就业 with no employer named: the employer that trained the student (a stored one stays
    while the sheet has no 留平就业企业 column)."""
    outcome = raw.get("outcome") or (before or {}).get("outcome")
    if outcome != CoSupervisionOutcome.STAYED or raw.get("outcome_employer_id") is not None:
        return
    if "outcome_employer_id" in row.values or before is None or before["outcome_employer_id"] is None:
        raw["outcome_employer_id"] = raw["employer_id"]


def _dates_in_order(values: dict[str, Any]) -> None:
    """co_supervision's own date rules (its check also needs the student on file, so it runs only at the
    create; mirrored here so a new student's row is refused before the person is added)."""
    dated = [(values.get(k), label) for k, label in (("starts_on", "开始"), ("proposal_on", "开题"),
                                                    ("midterm_on", "中期"), ("defence_on", "答辩"))
             if values.get(k) is not None]
    for (earlier, a), (later, b) in zip(dated, dated[1:]):
        if later < earlier:
            raise ValidationError(f"{b}日期 {later} 早于{a}日期 {earlier}，请检查。")
    if values.get("expected_graduation") is not None and values["expected_graduation"] < values["starts_on"]:
        raise ValidationError("预计毕业日期早于开始日期，请检查。", field="expected_graduation")


# --- 参会企业 and 目标: not registers -----------------------------------------------------------------

def drive_employer_row(ctx: Context, spec: SheetSpec, row: Row) -> str:
    drive_id = ctx.resolve(spec.column("drive"), row.values["drive"])
    employer_id = ctx.resolve(spec.column("employer"), row.values["employer"])
    positions = row.values["positions"]
    key = ("drive_employer", drive_id, employer_id)
    ctx.once(spec, row, key)
    went = drives.employers(ctx.cur, ctx.actor, drive_id).filter(pl.col("employer_id") == employer_id)
    before = went["positions_offered"][0] if went.height else None
    if before != positions:
        drives.set_employer(ctx.cur, ctx.actor, drive_id, employer_id, positions)
    ctx.wrote(spec, row, key)
    return UNCHANGED if before == positions else INSERTED if before is None else UPDATED


def target_row(ctx: Context, spec: SheetSpec, row: Row) -> str:
    year, metric, value = row.values["year"], row.values["metric"], row.values["value"]
    scope = row.values.get("enclave")
    enclave_id = None if scope is None or scope == CITY else ctx.resolve(spec.column("enclave"), scope)
    key = ("target", year, enclave_id, metric)
    ctx.once(spec, row, key)
    current = targets.grid(ctx.cur, ctx.actor, year).filter(pl.col("enclave_id").eq_missing(enclave_id))
    before = current[metric][0] if current.height else None
    if before != value:
        targets.save(ctx.cur, ctx.actor, year, [targets.Cell(enclave_id, metric, value)])
    ctx.wrote(spec, row, key)
    return UNCHANGED if before == value else INSERTED if before is None else UPDATED


WRITERS: dict[str, Callable[[Context, SheetSpec, Row], str]] = {
    **dict.fromkeys(FINDERS, register_row), "联合培养": co_supervision_row, "参会企业": drive_employer_row,
    "目标": target_row,
}
