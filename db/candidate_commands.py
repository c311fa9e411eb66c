"""Changing candidates: create and edit with validation, tags, owners, deletion on request, export.

Each command: check permission → validate and normalise → write in one transaction → audit.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import polars as pl

from db import audit, clock, duplicates, erasure, exports, limits, national_id, universities
from db.candidates import (
    PROFILE_FIELDS,
    Candidate,
    contacts_visible,
    get,
    require_editable,
    require_live,
    search,
)
from db.connection import run_in_transaction
from db.contact_keys import KINDS, key_sql, require_claim
from db.contacts import mask_email, mask_mobile, normalise_email, normalise_mobile
from db.enums import (
    Channel,
    Degree,
    Role,
    Stage,
    TalentCategory,
    derive_talent_category,
)
from db.errors import (
    ConcurrentEdit,
    DuplicateCandidate,
    PermissionDenied,
    ValidationError,
)
from db.permissions import Action, User, can, require
from db.pinyin import readings
from db.sql import Cursor, frame, next_id, rows

EXPORT_LIMIT = 200_000
MAX_TAG_LENGTH = limits.TAG


@dataclass(frozen=True)
class CandidateDraft:
    """What a form submits. `talent_category=None` means: derive it from degree and age."""

    name: str
    mobile: str | None = None
    email: str | None = None
    gender: str | None = None
    birth_year: int | None = None
    university_id: int | None = None
    university_raw: str | None = None
    college: str | None = None
    major: str | None = None
    degree: str | None = None
    graduation_year: int | None = None
    graduation_month: int | None = None
    talent_category: str | None = None
    channel: str = Channel.OTHER
    source_enclave_id: int | None = None
    source_drive_id: int | None = None
    source_agreement_id: int | None = None
    enclave_id: int | None = None
    owner_id: int | None = None
    consent_method: str | None = None
    consent_purpose: str | None = None
    next_follow_up_on: date | None = None
    notes: str | None = None
    tags: tuple[str, ...] = field(default_factory=tuple)

    @classmethod
    def from_candidate(cls, c: Candidate) -> "CandidateDraft":
        values = {k: getattr(c, k) for k in cls.__dataclass_fields__ if k not in ("tags",) and hasattr(c, k)}
        if not c.talent_category_manual:
            values["talent_category"] = None
        return cls(**values, tags=c.tags)


def _clean(text: str | None) -> str | None:
    if text is None:
        return None
    cleaned = " ".join(unicodedata.normalize("NFKC", str(text)).split())
    return cleaned or None


def normalise(cur: Cursor, draft: CandidateDraft) -> dict[str, Any]:
    """Validated, stored values for a draft; raises ValidationError naming the field."""
    year = clock.today().year
    _refuse_long_or_identifying(draft)
    name = _clean(draft.name)
    if not name:
        raise ValidationError("请填写姓名。", field="name")
    mobile, email = normalise_mobile(draft.mobile), normalise_email(draft.email)
    if mobile.problem:
        raise ValidationError(mobile.problem + "。", field="mobile")
    if email.problem:
        raise ValidationError(email.problem + "。", field="email")
    if not mobile.value and not email.value:
        raise ValidationError("手机号和邮箱至少填写一项，以便联系和查重。", field="mobile")
    if draft.gender not in (None, "男", "女"):
        raise ValidationError("性别只能是男或女。", field="gender")
    if draft.degree not in (None, *Degree.labels()):
        raise ValidationError(f"学历只能是 {'、'.join(Degree.labels())}。", field="degree")
    if draft.birth_year is not None and not (year - 80 <= draft.birth_year <= year - 14):
        raise ValidationError(f"出生年份 {draft.birth_year} 不合理。", field="birth_year")
    if draft.graduation_year is not None and not (year - 60 <= draft.graduation_year <= year + 6):
        raise ValidationError(f"毕业年份 {draft.graduation_year} 不合理。", field="graduation_year")
    if draft.graduation_month is not None and not 1 <= draft.graduation_month <= 12:
        raise ValidationError("毕业月份应为 1–12。", field="graduation_month")
    if draft.channel not in Channel.labels():
        raise ValidationError("请选择来源渠道。", field="channel")
    if draft.talent_category not in (None, *TalentCategory.labels()):
        raise ValidationError("未知的人才类别。", field="talent_category")
    university_raw = _clean(draft.university_raw)
    university_id = draft.university_id
    if university_id is None and university_raw:
        university_id = universities.resolve(cur, university_raw)
    if university_id is not None and university_raw is None:
        university_raw = universities.name_of(cur, university_id)
    _check_references(cur, draft, university_id)
    category = draft.talent_category or derive_talent_category(draft.degree, draft.birth_year, year).value
    pinyin, initials = readings(name)
    tags = tuple(sorted({t for t in (_clean(x) for x in draft.tags) if t}))
    if any(len(t) > MAX_TAG_LENGTH for t in tags):
        raise ValidationError(f"标签最长 {MAX_TAG_LENGTH} 个字符。", field="tags")
    return {
        "name": name, "name_pinyin": pinyin, "name_initials": initials, "gender": draft.gender,
        "birth_year": draft.birth_year, "mobile": mobile.value, "email": email.value,
        "university_id": university_id, "university_raw": university_raw, "college": _clean(draft.college),
        "major": _clean(draft.major), "degree": draft.degree, "graduation_year": draft.graduation_year,
        "graduation_month": draft.graduation_month, "talent_category": category,
        "talent_category_manual": draft.talent_category is not None, "channel": draft.channel,
        "source_enclave_id": draft.source_enclave_id, "source_drive_id": draft.source_drive_id,
        "source_agreement_id": draft.source_agreement_id, "enclave_id": draft.enclave_id,
        "owner_id": draft.owner_id, "consent_method": _clean(draft.consent_method),
        "consent_purpose": _clean(draft.consent_purpose), "next_follow_up_on": draft.next_follow_up_on,
        "notes": (draft.notes or "").strip() or None, "tags": tags,
    }


# Free-text fields of the form, with the labels its messages use; lengths come from db/limits.py.
_TEXT_LABELS = {"name": "姓名", "mobile": "手机", "email": "邮箱", "university_raw": "学校名称", "college": "学院",
                "major": "专业", "consent_method": "授权取得方式", "consent_purpose": "使用目的", "notes": "备注"}


def _refuse_long_or_identifying(draft: CandidateDraft) -> None:
    """No text longer than its field allows (the importer applies the same limits), and no national
    ID number anywhere: the CRM stores none, so the form says so instead of keeping one in a note.
    Neither message repeats what was typed."""
    for field_name, label in _TEXT_LABELS.items():
        value = getattr(draft, field_name)
        if value is None:
            continue
        limit = limits.CANDIDATE_TEXT.get(field_name)
        if limit is not None and len(str(value).strip()) > limit:
            raise ValidationError(limits.too_long(label, str(value).strip(), limit), field=field_name)
        if national_id.contains(value):
            raise ValidationError(f"「{label}」中含有身份证号码：本系统不保存身份证号，请删除后再保存。", field=field_name)
    for tag in draft.tags:
        if national_id.contains(tag):
            raise ValidationError("标签中含有身份证号码：本系统不保存身份证号，请删除后再保存。", field="tags")


# The ids a candidate points at, each with the table that must hold it (candidate declares no
# foreign keys, migration 008) and the field named in the message.
_REFERENCES = (("university_id", "university", "学校"), ("enclave_id", "enclave", "所属飞地"),
               ("source_enclave_id", "enclave", "来源飞地"), ("source_drive_id", "campus_drive", "来源校园招聘"),
               ("source_agreement_id", "agreement", "来源协议"), ("owner_id", "app_user", "负责人"))


def _check_references(cur: Cursor, draft: CandidateDraft, university_id: int | None) -> None:
    for field_name, table, label in _REFERENCES:
        value = university_id if field_name == "university_id" else getattr(draft, field_name)
        if value is not None and not rows(cur, f"select 1 from {table} where id = $id", {"id": value}):
            raise ValidationError(f"所选{label}不存在，请重新选择。", field=field_name)


def _refuse_exact_duplicate(cur: Cursor, values: dict[str, Any], actor: User, *, exclude: int | None) -> None:
    """Same mobile or e-mail as another live person: the save is blocked, naming that person."""
    for key, label in (("mobile", "手机号"), ("email", "邮箱")):
        if not values[key]:
            continue
        taken = rows(cur, "select k.candidate_id, c.name, c.enclave_id from contact_key k join candidate c"
                          f" on c.id = k.candidate_id where k.key = {key_sql(KINDS[key], '$v')}"
                          " and ($ex is null or k.candidate_id <> $ex)", {"v": values[key], "ex": exclude})
        if taken:
            other, name, enclave_id = taken[0]
            shown = values[key] if contacts_visible(actor, enclave_id, reveal=True) else (
                mask_mobile(values[key]) if key == "mobile" else mask_email(values[key]))
            raise DuplicateCandidate(f"{label} {shown} 已属于候选人「{name}」（编号 {other}），不能重复建档：请打开该候选人。",
                                     existing_id=other)


def _claim_contacts(cur: Cursor, candidate_id: int, values: dict[str, Any], actor: User) -> None:
    """Make this person the owner of their mobile/e-mail keys, inside the write's claiming transaction:
    of two people saving the same number at once, the second waits for the first to commit and then
    finds the number taken (db/contact_keys.py)."""
    require_claim()
    cur.execute("delete from contact_key where candidate_id = $id", {"id": candidate_id})
    _refuse_exact_duplicate(cur, values, actor, exclude=candidate_id)
    for key, kind in KINDS.items():
        if values[key]:
            cur.execute(f"insert into contact_key values ({key_sql(kind, '$v')}, $id)",
                        {"v": values[key], "id": candidate_id})


def add(cur: Cursor, actor: User, draft: CandidateDraft, *, duplicate_reason: str | None = None) -> int:
    """Create a person. Consent (how and for what) is required. An exact mobile/e-mail match raises
    DuplicateCandidate; likely duplicates raise LikelyDuplicate unless a reason to go on is given."""
    require(actor, Action.EDIT_CANDIDATES)
    if actor.is_recruiter:
        draft = replace(draft, enclave_id=actor.enclave_id, owner_id=draft.owner_id or actor.id)
    require(actor, Action.EDIT_CANDIDATES, enclave_id=draft.enclave_id, scoped=True)
    values = normalise(cur, draft)
    if not values["consent_method"] or not values["consent_purpose"]:
        raise ValidationError("请记录个人信息授权：取得方式和使用目的都必须填写（《个人信息保护法》）。", field="consent")
    _refuse_exact_duplicate(cur, values, actor, exclude=None)
    _check_likely(cur, values, duplicate_reason, exclude=None)
    now = clock.now()

    def work(cur: Cursor) -> int:
        candidate_id = next_id(cur, "seq_candidate")
        row = {k: v for k, v in values.items() if k != "tags"} | {
            "id": candidate_id, "consent_at": now, "created_by": actor.username, "created_at": now,
            "updated_by": actor.username, "updated_at": now}
        _insert(cur, row)
        _claim_contacts(cur, candidate_id, values, actor)
        _write_tags(cur, candidate_id, values["tags"])
        audit.record(cur, actor, "create", entity="candidate", entity_id=candidate_id, after=_auditable(values),
                     detail=f"疑似重复仍建档，原因：{duplicate_reason}" if duplicate_reason else None)
        return candidate_id

    return run_in_transaction(cur, work, claims=True)


def update(cur: Cursor, actor: User, candidate_id: int, draft: CandidateDraft, *, expected_version: int,
           duplicate_reason: str | None = None) -> None:
    """Save an edit made on `expected_version`; someone else's newer save raises ConcurrentEdit."""
    require_editable(cur, actor, candidate_id)
    current = require_live(get(cur, actor, candidate_id))     # only its name, school and year are compared
    if actor.is_recruiter and draft.enclave_id != actor.enclave_id:
        raise PermissionDenied("招才专员不能把候选人转到其他飞地，请联系人事/数据岗。")
    values = normalise(cur, draft)
    before = _auditable(_stored(cur, candidate_id))
    _refuse_exact_duplicate(cur, values, actor, exclude=candidate_id)
    if (values["name_pinyin"], values["university_id"], values["graduation_year"]) != (
            current.name_pinyin, current.university_id, current.graduation_year):
        _check_likely(cur, values, duplicate_reason, exclude=candidate_id)

    def work(cur: Cursor) -> None:
        assignments = ", ".join(f"{k} = ${k}" for k in values if k != "tags")
        changed = rows(cur, f"""
            update candidate set {assignments}, updated_by = $actor, updated_at = $now, version = version + 1
            where id = $id and version = $version and merged_into is null and deleted_at is null
            returning id""", {**{k: v for k, v in values.items() if k != "tags"}, "actor": actor.username,
                              "now": clock.now(), "id": candidate_id, "version": expected_version})
        if not changed:
            raise ConcurrentEdit("该候选人刚被他人修改，请刷新后重试。")
        _claim_contacts(cur, candidate_id, values, actor)
        _write_tags(cur, candidate_id, values["tags"])
        after = _auditable(values)
        changed = sorted(k for k in set(before) & set(after) if before[k] != after[k])
        audit.record(cur, actor, "update", entity="candidate", entity_id=candidate_id,
                     before={k: before[k] for k in changed}, after={k: after[k] for k in changed})

    run_in_transaction(cur, work, claims=True)


def _check_likely(cur: Cursor, values: dict[str, Any], reason: str | None, *, exclude: int | None) -> None:
    found = duplicates.likely_for(cur, name=values["name"], pinyin=values["name_pinyin"],
                                  university_id=values["university_id"], university_raw=values["university_raw"],
                                  graduation_year=values["graduation_year"], mobile=values["mobile"], exclude=exclude)
    if found.height and not (reason or "").strip():
        raise duplicates.LikelyDuplicate(found)


def _insert(cur: Cursor, row: dict[str, Any]) -> None:
    columns = ", ".join(row)
    cur.execute(f"insert into candidate ({columns}) values ({', '.join('$' + k for k in row)})", row)


def _write_tags(cur: Cursor, candidate_id: int, tags: tuple[str, ...]) -> None:
    cur.execute("delete from candidate_tag where candidate_id = $id", {"id": candidate_id})
    for tag in tags:
        cur.execute("insert into candidate_tag values ($id, $tag)", {"id": candidate_id, "tag": tag})


def _stored(cur: Cursor, candidate_id: int) -> dict[str, Any]:
    found = frame(cur, f"select {', '.join(PROFILE_FIELDS)}, talent_category_manual from candidate where id = $id",
                  {"id": candidate_id})
    values = found.row(0, named=True)
    values["tags"] = tuple(r[0] for r in rows(cur, "select tag from candidate_tag where candidate_id = $id order by tag",
                                               {"id": candidate_id}))
    return values


def _auditable(values: dict[str, Any]) -> dict[str, Any]:
    return {k: (list(v) if isinstance(v, tuple) else v) for k, v in values.items()
            if k not in ("name_pinyin", "name_initials")}


# --- bulk actions from the candidate list ---------------------------------------------------------

def _editable_ids(cur: Cursor, actor: User, ids: list[int]) -> tuple[list[int], list[int]]:
    found = rows(cur, "select id, enclave_id from candidate where id in (select unnest($ids))"
                      " and merged_into is null and deleted_at is null", {"ids": ids})
    allowed = [i for i, e in found if can(actor, Action.EDIT_CANDIDATES, enclave_id=e, scoped=True)]
    return allowed, sorted(set(ids) - set(allowed))


def bulk_assign_owner(cur: Cursor, actor: User, ids: list[int], owner_id: int) -> tuple[int, list[int]]:
    """Give the selected people an owner; returns (changed, ids skipped for lack of permission)."""
    require(actor, Action.EDIT_CANDIDATES)
    owner = rows(cur, "select username, role, enclave_id from app_user where id = $id and active", {"id": owner_id})
    if not owner:
        raise ValidationError("所选负责人不存在或已停用。")
    allowed, skipped = _editable_ids(cur, actor, ids)

    def work(cur: Cursor) -> int:
        if allowed:
            cur.execute("update candidate set owner_id = $o, updated_by = $a, updated_at = $now, version = version + 1"
                        " where id in (select unnest($ids))",
                        {"o": owner_id, "a": actor.username, "now": clock.now(), "ids": allowed})
            audit.record(cur, actor, "bulk_update", entity="candidate", after={"owner": owner[0][0], "ids": allowed},
                         detail=f"批量指定负责人 {owner[0][0]}：{len(allowed)} 人")
        return len(allowed)

    return run_in_transaction(cur, work), skipped


def bulk_add_tag(cur: Cursor, actor: User, ids: list[int], tag: str) -> tuple[int, list[int]]:
    require(actor, Action.EDIT_CANDIDATES)
    tag = _clean(tag) or ""
    if not tag or len(tag) > MAX_TAG_LENGTH:
        raise ValidationError(f"标签不能为空，最长 {MAX_TAG_LENGTH} 个字符。")
    allowed, skipped = _editable_ids(cur, actor, ids)

    def work(cur: Cursor) -> int:
        if allowed:
            cur.execute("insert into candidate_tag select unnest($ids), $tag on conflict do nothing",
                        {"ids": allowed, "tag": tag})
            cur.execute("update candidate set updated_by = $a, updated_at = $now, version = version + 1"
                        " where id in (select unnest($ids))", {"a": actor.username, "now": clock.now(), "ids": allowed})
            audit.record(cur, actor, "bulk_update", entity="candidate", after={"tag": tag, "ids": allowed},
                         detail=f"批量添加标签「{tag}」：{len(allowed)} 人")
        return len(allowed)

    return run_in_transaction(cur, work), skipped


# --- deletion on request (PIPL art. 47): db/erasure.py; kept importable from here (a stable interface)

delete_on_request = erasure.delete_on_request


# --- export ----------------------------------------------------------------------------------------

EXPORT_COLUMNS = {"id": "编号", "name": "姓名", "gender": "性别", "mobile": "手机", "email": "邮箱",
                  "university": "学校", "degree": "学历", "graduation_year": "毕业年份", "talent_category": "人才类别",
                  "channel": "来源渠道", "enclave": "所属飞地", "owner": "负责人", "stage": "当前阶段", "tags": "标签",
                  "created_at": "建档时间"}


FILTER_LABELS = {"enclave_id": "所属飞地", "channel": "来源渠道", "talent_category": "人才类别", "degree": "学历",
                 "graduation_year": "毕业年份", "owner_id": "负责人", "stage": "投递阶段", "tag": "标签",
                 "drive_id": "校园招聘", "created_from": "建档起", "created_to": "建档止"}


def export_rows(cur: Cursor, actor: User, text: str = "", *, unmasked: bool = False, **filters: Any) -> pl.DataFrame:
    """The filtered list for a file export, Chinese headers, audited (db/exports.py). Masked exports
    mask every row's contacts, the actor's own enclave's too; unmasked ones are for managers, HR and
    admins only."""
    if unmasked:
        require(actor, Action.EXPORT_UNMASKED)
    found = search(cur, actor, text, offset=0, limit=EXPORT_LIMIT, reveal=unmasked, **filters)
    labels = {"talent_category": TalentCategory.labels(), "channel": Channel.labels(), "stage": Stage.labels()}
    found = found.with_columns([pl.col(c).replace_strict(m, default=pl.col(c)) for c, m in labels.items()])
    described = {"搜索": text.strip(), **{FILTER_LABELS.get(k, k): v for k, v in filters.items()}}
    return exports.prepare(cur, actor, found, what="候选人名单", headers=EXPORT_COLUMNS, filters=described,
                           unmasked=unmasked)


def may_export_unmasked(actor: User) -> bool:
    return can(actor, Action.EXPORT_UNMASKED) and actor.role != Role.RECRUITER

