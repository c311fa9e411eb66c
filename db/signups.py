"""扫码报名 (sign-up from a phone): the public form of a campus drive or a talent event, the staging
table it fills, and the review of it. Drives and events are both an `Occasion` here: the form, the
limits and the review are the same; what a commit adds differs (`settle`): at a drive, applications
to the employers chosen (channel 校园招聘); at an event, the person as an attendee (source 扫码报名) and
applications to the partner employers chosen.

The public side has no actor. A link carries a token (`secrets.token_urlsafe`, 192 random bits;
stored as is so staff can print the code again, and rotated by `new_token`, which kills old posters).
A link opens at `opens_at` (or at once) and always closes at `closes_at`. `submit` checks every field
(Chinese messages keyed by field, so the form shows each next to its input; nothing is stored then),
then, under one process-wide lock — the app is the only writer of the file (DESIGN: one process owns
it), so a lock is what makes the counts below exact under concurrent sessions — refuses beyond
PER_MINUTE entries per drive or event in the last minute ("报名人数较多，请稍后再试") and beyond PER_SESSION
from one browser session (its random key, stored hashed); otherwise it stores the entry. Two kinds
are stored already rejected and answered exactly like any other (RECEIVED): a filled honeypot, and a
mobile that already has a live entry there — which updates nothing, so the form is no oracle
for whether a number is known, to the staging table or to the CRM (the CRM is never consulted here).

Staff side: managers, HR and admins set a link up (EDIT_PROGRAMMES); everyone who reads the
programmes sees its link and counts. Entries are reviewed by HR and admins, and by a recruiter for
the drives of their own enclave (`require_reviewer`; events name no enclave); contacts show as on
every list (the drive's enclave's recruiter unmasked, the others masked until revealed, each look audited). The commit runs
through the importer (loaders/signups.py) as one import batch; `settle`, inside that same
transaction, does what the importer's rows do not say: every entry's status (committed, or rejected
with the importer's reasons), an application for each employer chosen that the importer did not
write, an event's attendees, the stage moves dated when the person signed up, and the consent from the form on the people written — new ones, and
existing ones whose consent was blank (recorded in import_fill, so undo clears it again). An entry
whose batch is undone (db/import_history.undo) reads as pending again and can be committed anew.
"""
from __future__ import annotations

import hashlib
import secrets
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import polars as pl

from db import audit, bulk, clock, limits, national_id, stage_derived, universities
from db.bulk import registered
from db.candidates import mask_frame
from db.connection import run_in_transaction
from db.contacts import normalise_email, normalise_mobile
from db.enums import Degree, Role
from db.errors import DomainError, NotFound, PermissionDenied, ValidationError
from db.import_matches import SliceContext, add_applications, applications
from db.permissions import Action, User, can, require
from db.sql import Cursor, frame, next_id, rows, scalar


@dataclass(frozen=True)
class Occasion:
    """What a sign-up form belongs to: a campus drive or a talent event."""

    kind: str               # "drive" | "event"
    id: int

    @property
    def column(self) -> str:
        """Its column in signup_form and signup_entry (one of two names of ours, safe in SQL text)."""
        return "drive_id" if self.kind == "drive" else "event_id"

    @property
    def entity(self) -> str:
        """Its table, as the audit log names it."""
        return "campus_drive" if self.kind == "drive" else "talent_event"

    @property
    def drive_id(self) -> int | None:
        return self.id if self.kind == "drive" else None

    @property
    def event_id(self) -> int | None:
        return self.id if self.kind == "event" else None

    @property
    def query(self) -> dict[str, str]:
        """How the screens name it in an address: ?drive=ID or ?event=ID."""
        return {self.kind: str(self.id)}


def drive(drive_id: int) -> Occasion:
    return Occasion("drive", int(drive_id))


def event(event_id: int) -> Occasion:
    return Occasion("event", int(event_id))


# What the public page and the poster show of an occasion, and what review needs of it: one query per kind.
_DESCRIBED = {
    "drive": """select d.title, coalesce(d.programme, '校园招聘') as programme, d.held_on, u.name as university,
                       d.city, d.status = 'cancelled' as cancelled, d.enclave_id
                from campus_drive d left join university u on u.id = d.university_id where d.id = $id""",
    "event": """select t.name as title, case t.kind when 'talent_class' then '产业人才班'
                       when 'matching' then '产才对接活动' else '人才活动' end as programme, t.starts_on as held_on,
                       u.name as university, t.place as city, not t.active as cancelled, null::bigint as enclave_id
                from talent_event t left join university u on u.id = t.university_id where t.id = $id""",
}
_EMPLOYERS = {
    "drive": "select e.id, e.name from drive_employer x join employer e on e.id = x.employer_id where x.drive_id = $id",
    "event": "select e.id, e.name from event_employer x join employer e on e.id = x.employer_id where x.event_id = $id",
}


@dataclass(frozen=True)
class Described:
    """An occasion as the form, the poster and the review name it."""

    at: Occasion
    title: str
    programme: str
    held_on: Any
    university: str | None
    city: str | None
    cancelled: bool
    enclave_id: int | None

    @property
    def label(self) -> str:
        return f"{self.programme} · {self.title}"


def describe(cur: Cursor, at: Occasion) -> Described:
    found = frame(cur, _DESCRIBED[at.kind], {"id": at.id})
    if found.height == 0:
        raise NotFound(f"{'校园招聘场次' if at.kind == 'drive' else '人才活动'} #{at.id} 不存在。")
    return Described(at, **found.row(0, named=True))

CONTROLLER = "平湖市人才工作领导小组办公室（平湖市人才办）"
CONSENT_PURPOSE = "平湖市人才招引联系与岗位推荐"
CONSENT_METHOD = "扫码报名表勾选同意"
CONSENT_NOTICE = (f"个人信息处理说明：本表由{CONTROLLER}收集，用于{CONSENT_PURPOSE}：工作人员可能通过您留下的手机号或邮箱"
                  "与您联系，并把您的报名信息推荐给您选择的意向企业。本表不收集身份证号。您可以随时联系平湖市人才办，"
                  "查阅、更正或删除您的个人信息。")
CONSENT_BOX = f"我已阅读上述说明，同意{CONTROLLER}为{CONSENT_PURPOSE}处理我填写的个人信息"
PER_SESSION = 3             # submissions one browser session may make to one drive or event
PER_MINUTE = 60             # entries one drive or event takes in any 60 seconds
TOKEN_BYTES = 24            # secrets.token_urlsafe(24): 32 characters, 192 random bits
RECEIVED = "已收到您的报名信息，谢谢！工作人员审核后会与您联系。"
BUSY = "报名人数较多，请稍后再试。"
INVALID_LINK = "报名链接无效或已更换：请向现场工作人员索取最新的报名二维码。"
HONEYPOT = "隐藏字段被填写：疑似自动提交"
LABELS = {"name": "姓名", "mobile": "手机号", "email": "邮箱", "school": "学校", "major": "专业", "degree": "学历",
          "graduation": "毕业时间", "employers": "意向企业", "consent": "个人信息授权"}
_LIMITS = {"name": limits.CANDIDATE_TEXT["name"], "email": limits.CANDIDATE_TEXT["email"],
           "school": limits.CANDIDATE_TEXT["university_raw"], "major": limits.CANDIDATE_TEXT["major"]}
_SUBMITTING = threading.Lock()
# An entry's state: as stored, except that an entry whose batch was undone is pending again.
_ENTRIES = """(select e.*, case when e.batch_id is not null and b.undone_at is not null then 'pending'
                               else e.status end as state
              from signup_entry e left join import_batch b on b.id = e.batch_id)"""


class SignupInvalid(ValidationError):
    """What the form must say next to its fields: field (LABELS' keys) → Chinese sentence."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("请按提示修改标红的项目后再提交，已填写的内容都还在。", field=next(iter(problems), None))
        self.problems = problems


class SignupRefused(DomainError):
    """The link is invalid or closed, the form is busy, or this session has submitted enough."""


@dataclass(frozen=True)
class SignupForm:
    """What a person typed into the public form."""

    name: str = ""
    mobile: str = ""
    email: str = ""
    school: str = ""
    major: str = ""
    degree: str | None = None
    graduation_year: int | None = None
    graduation_month: int | None = None
    employer_ids: tuple[int, ...] = ()
    consent: bool = False
    honeypot: str = ""          # a field hidden from people: filled only by scripts


@dataclass(frozen=True)
class PublicForm:
    """What the public page may show about a drive or an event: nothing of the CRM behind it."""

    at: Occasion
    title: str
    programme: str
    held_on: Any
    university: str | None
    city: str | None
    opens_at: datetime | None
    closes_at: datetime
    cancelled: bool
    employers: tuple[tuple[int, str], ...] = field(default=())

    def refusal(self, now: datetime) -> str | None:
        """Why the form takes no entries now, or None while it is open."""
        if self.cancelled:
            return "本场招聘已取消，报名已关闭。" if self.at.kind == "drive" else "本活动已取消，报名已关闭。"
        if self.opens_at is not None and now < self.opens_at:
            return f"报名尚未开始：将于 {self.opens_at:%Y-%m-%d %H:%M} 开放，请届时再扫码。"
        if now >= self.closes_at:
            return f"本场报名已于 {self.closes_at:%Y-%m-%d %H:%M} 截止，感谢关注。"
        return None


@dataclass(frozen=True)
class Receipt:
    """The public answer to a stored submission — the same whatever became of it."""

    message: str = RECEIVED


@dataclass(frozen=True)
class SignupLink:
    at: Occasion
    token: str
    opens_at: datetime | None
    closes_at: datetime
    version: int


@dataclass(frozen=True)
class Settled:
    committed: int          # entries the batch kept (inserted, matched or merged into another entry)
    rejected: int           # entries the importer rejected, with its reasons
    applications: int       # applications for the employers chosen that the importer did not write
    consents: int           # people whose consent the form recorded
    attendees: int          # people added to an event's attendees (0 at a drive)


# ---------------------------------------------------------------- the public form


def public_form(cur: Cursor, token: str | None) -> PublicForm | None:
    """The drive or event behind a link, or None for a token that names none (any token: this is the public door)."""
    token = (token or "").strip()
    if not token or len(token) > 64 or not all(ch.isalnum() or ch in "-_" for ch in token):
        return None
    found = rows(cur, "select drive_id, event_id, opens_at, closes_at from signup_form where token = $t", {"t": token})
    if not found:
        return None
    drive_id, event_id, opens_at, closes_at = found[0]
    at = drive(drive_id) if drive_id is not None else event(event_id)
    try:
        d = describe(cur, at)
    except NotFound:
        return None
    employers = rows(cur, _EMPLOYERS[at.kind] + " order by e.name", {"id": at.id})
    return PublicForm(at, d.title, d.programme, d.held_on, d.university, d.city, opens_at, closes_at, d.cancelled,
                      employers=tuple((int(i), n) for i, n in employers))


def check(form: SignupForm, public: PublicForm) -> dict[str, str]:
    """Every problem of a submission, by field (empty: fine). Messages never repeat an ID number."""
    problems: dict[str, str] = {}
    texts = {"name": form.name, "mobile": form.mobile, "email": form.email, "school": form.school, "major": form.major}
    for key, value in texts.items():
        value = " ".join((value or "").split())
        if national_id.contains(value):
            problems[key] = f"「{LABELS[key]}」中含有身份证号码：本系统不保存身份证号，请删除后再提交。"
        elif key in _LIMITS and len(value) > _LIMITS[key]:
            problems[key] = limits.too_long(LABELS[key], value, _LIMITS[key])
    if "name" not in problems and not form.name.strip():
        problems["name"] = "请填写姓名。"
    if "mobile" not in problems:
        if not form.mobile.strip():
            problems["mobile"] = "请填写手机号。"
        elif not normalise_mobile(form.mobile).ok:
            problems["mobile"] = "手机号应为 11 位数字，如 13800138000（境外号码请带国家区号，如 +852…）。"
    if "email" not in problems and form.email.strip() and not normalise_email(form.email).ok:
        problems["email"] = "邮箱格式不正确，应如 name@example.com；没有邮箱可以不填。"
    if "school" not in problems and not form.school.strip():
        problems["school"] = "请填写学校名称。"
    if form.degree is not None and form.degree not in Degree.labels():
        problems["degree"] = "请从列表中选择学历。"
    year, this_year = form.graduation_year, clock.today().year
    if year is not None and not this_year - 10 <= year <= this_year + 8:
        problems["graduation"] = "请从列表中选择毕业年份。"
    elif form.graduation_month is not None and (year is None or not 1 <= form.graduation_month <= 12):
        problems["graduation"] = "请同时选择毕业年份和月份。"
    offered = {i for i, _ in public.employers}
    if any(e not in offered for e in form.employer_ids):
        problems["employers"] = "所选企业不在本场参会（合作）企业之中，请重新选择。"
    if form.consent is not True:
        problems["consent"] = "请阅读个人信息处理说明并勾选同意，才能提交报名。"
    return problems


def submit(cur: Cursor, token: str | None, form: SignupForm, *, session_key: str) -> Receipt:
    """Store one submission, or refuse it (SignupInvalid by field, SignupRefused). See the module's docstring."""
    public = public_form(cur, token)
    if public is None:
        raise SignupRefused(INVALID_LINK)
    if (closed := public.refusal(clock.now())) is not None:
        raise SignupRefused(closed)
    if problems := check(form, public):
        raise SignupInvalid(problems)
    values = _values(cur, form)
    session = hashlib.sha256(session_key.encode()).hexdigest()
    with _SUBMITTING:
        return run_in_transaction(cur, lambda c: _store(c, public, values, session, bool(form.honeypot.strip())))


def _values(cur: Cursor, form: SignupForm) -> dict[str, Any]:
    """The entry's columns as typed: text trimmed, mobile and e-mail normalised, the school's resolution kept as a hint."""
    def text(value: str) -> str | None:
        return " ".join(value.split()) or None

    school = text(form.school)
    return {"name": text(form.name), "mobile": normalise_mobile(form.mobile).value,
            "email": normalise_email(form.email).value, "school": school, "major": text(form.major),
            "university_id": universities.resolve(cur, school), "degree": form.degree,
            "graduation_year": form.graduation_year, "graduation_month": form.graduation_month,
            "employers": sorted(set(form.employer_ids))}


def _store(cur: Cursor, public: PublicForm, values: dict[str, Any], session: str, honeypot: bool) -> Receipt:
    now = clock.now()
    at = public.at
    recent = scalar(cur, f"select count(*) from signup_entry where {at.column} = $d and submitted_at > $since",
                    {"d": at.id, "since": now - timedelta(minutes=1)})
    if recent >= PER_MINUTE:
        raise SignupRefused(BUSY)
    mine = scalar(cur, f"select count(*) from signup_entry where {at.column} = $d and session_hash = $s",
                  {"d": at.id, "s": session})
    if mine >= PER_SESSION:
        raise SignupRefused(f"本次访问已提交 {PER_SESSION} 份报名，不能再提交。如需修改报名信息，请联系现场工作人员。")
    status, reasons = "pending", None
    if honeypot:
        status, reasons = "rejected", HONEYPOT
    elif held := rows(cur, f"select id from {_ENTRIES} e where {at.column} = $d and mobile = $m"
                           " and state <> 'rejected' order by id limit 1", {"d": at.id, "m": values["mobile"]}):
        status, reasons = "rejected", f"同一手机号已于本场报名（报名编号 {held[0][0]}）：本次提交未更新任何信息"
    entry_id = next_id(cur, "seq_signup_entry")
    rows(cur, """
        insert into signup_entry (id, drive_id, event_id, submitted_at, name, mobile, email, school, university_id, major, degree,
                                  graduation_year, graduation_month, consent_text, consent_at, session_hash, status,
                                  reasons)
        values ($id, $drive, $event, $now, $name, $mobile, $email, $school, $university_id, $major, $degree, $graduation_year,
                $graduation_month, $consent, $now, $session, $status, $reasons)""",
         {**values, "id": entry_id, "drive": at.drive_id, "event": at.event_id, "now": now, "consent": f"{CONSENT_NOTICE}\n☑ {CONSENT_BOX}",
          "session": session, "status": status, "reasons": reasons})
    if values["employers"]:
        rows(cur, "insert into signup_choice select $id, unnest($e)", {"id": entry_id, "e": values["employers"]})
    return Receipt()


# ---------------------------------------------------------------- the link, for staff


def link_of(cur: Cursor, actor: User, at: Occasion) -> SignupLink | None:
    require(actor, Action.READ_PROGRAMMES)
    found = rows(cur, f"select token, opens_at, closes_at, version from signup_form where {at.column} = $d",
                 {"d": at.id})
    return SignupLink(at, *found[0]) if found else None


def set_up(cur: Cursor, actor: User, at: Occasion, *, opens_at: datetime | None, closes_at: datetime | None,
           expected_version: int | None = None) -> SignupLink:
    """Open a drive's or event's sign-up (a new link) or change when it opens and closes."""
    require(actor, Action.EDIT_PROGRAMMES)
    if closes_at is None:
        raise ValidationError("请设置报名截止时间：每个报名链接都必须到时关闭。", field="closes_at")
    if opens_at is not None and opens_at >= closes_at:
        raise ValidationError("报名截止时间必须晚于开放时间。", field="closes_at")
    title = describe(cur, at).title

    def work(cur: Cursor) -> SignupLink:
        now = clock.now()
        before = link_of(cur, actor, at)
        if before is None:
            rows(cur, "insert into signup_form (drive_id, event_id, token, opens_at, closes_at, created_by, created_at)"
                      " values ($drive, $event, $t, $o, $c, $who, $now)",
                 {"drive": at.drive_id, "event": at.event_id, "t": secrets.token_urlsafe(TOKEN_BYTES),
                  "o": opens_at, "c": closes_at, "who": actor.username, "now": now})
        elif not rows(cur, f"update signup_form set opens_at = $o, closes_at = $c, updated_by = $who, updated_at = $now,"
                           f" version = version + 1 where {at.column} = $d and version = $v returning version",
                      {"d": at.id, "o": opens_at, "c": closes_at, "who": actor.username, "now": now,
                       "v": before.version if expected_version is None else expected_version}):
            raise ValidationError("报名设置刚被他人修改，请刷新后重试。")
        audit.record(cur, actor, "update", entity=at.entity, entity_id=at.id,
                     before=None if before is None else _times(before.opens_at, before.closes_at),
                     after=_times(opens_at, closes_at),
                     detail=f"{'开通' if before is None else '修改'}扫码报名：{title}")
        found = link_of(cur, actor, at)
        assert found is not None
        return found

    return run_in_transaction(cur, work)


def new_token(cur: Cursor, actor: User, at: Occasion) -> SignupLink:
    """A new link: the old link and every poster printed with it stop working."""
    require(actor, Action.EDIT_PROGRAMMES)
    title = describe(cur, at).title

    def work(cur: Cursor) -> SignupLink:
        if not rows(cur, f"update signup_form set token = $t, updated_by = $who, updated_at = $now, version = version + 1"
                         f" where {at.column} = $d returning version",
                    {"d": at.id, "t": secrets.token_urlsafe(TOKEN_BYTES), "who": actor.username, "now": clock.now()}):
            raise NotFound("这里还没有开通扫码报名。")
        audit.record(cur, actor, "update", entity=at.entity, entity_id=at.id,
                     detail=f"更换扫码报名链接（旧二维码失效）：{title}")
        found = link_of(cur, actor, at)
        assert found is not None
        return found

    return run_in_transaction(cur, work)


def counts(cur: Cursor, actor: User, at: Occasion) -> dict[str, Any]:
    """total, pending, committed, rejected entries, and when the last one came in."""
    require(actor, Action.READ_PROGRAMMES)
    found = frame(cur, f"""
        select count(*) as total, count(*) filter (where state = 'pending') as pending,
               count(*) filter (where state = 'committed') as committed,
               count(*) filter (where state = 'rejected') as rejected, max(submitted_at) as last_at
        from {_ENTRIES} e where {at.column} = $d""", {"d": at.id})
    return found.row(0, named=True)


def batches(cur: Cursor, actor: User, at: Occasion) -> pl.DataFrame:
    """The import batches (not undone) that committed this drive's or event's sign-ups, newest first."""
    require_reviewer(cur, actor, at)
    return frame(cur, f"""
        select id, file_name, imported_by, imported_at, read_rows, inserted, matched, rejected from import_batch
        where undone_at is null and id in (select batch_id from signup_entry where {at.column} = $d)
        order by id desc""", {"d": at.id})


def _times(opens_at: datetime | None, closes_at: datetime | None) -> dict[str, str | None]:
    return {"开放时间": f"{opens_at:%Y-%m-%d %H:%M}" if opens_at else "立即",
            "截止时间": f"{closes_at:%Y-%m-%d %H:%M}" if closes_at else None}


# ---------------------------------------------------------------- review


def may_review(actor: User, enclave_id: int | None) -> bool:
    """HR and admins review every sign-up; a recruiter those of their own enclave's drives (events name no
    enclave, so only HR and admins review theirs)."""
    return can(actor, Action.IMPORT) or (actor.role == Role.RECRUITER and enclave_id is not None
                                         and enclave_id == actor.enclave_id)


def require_reviewer(cur: Cursor, actor: User, at: Occasion) -> Described:
    """The drive or event, if `actor` may review its sign-ups (`may_review`)."""
    described = describe(cur, at)
    if may_review(actor, described.enclave_id):
        return described
    raise PermissionDenied("只有人事/数据岗、管理员和本场所属飞地的招才专员可以审核这里的扫码报名。")


def reviewable(cur: Cursor, actor: User) -> pl.DataFrame:
    """Drives and events with a sign-up link or entries that `actor` may review: kind, id, label, pending,
    total — most pending first."""
    if not (can(actor, Action.IMPORT) or actor.role == Role.RECRUITER):
        raise PermissionDenied("只有人事/数据岗、管理员和招才专员可以审核扫码报名。")
    scope = None if can(actor, Action.IMPORT) else actor.enclave_id
    return frame(cur, f"""
        with counted as (
            select drive_id, event_id, count(*) filter (where state = 'pending') as pending, count(*) as total
            from {_ENTRIES} e group by all
        ), occasions as (
            select 'drive' as kind, d.id, d.held_on as day,
                   '校园招聘 · ' || strftime(d.held_on, '%Y-%m-%d') || ' · ' || d.title as label,
                   coalesce(c.pending, 0) as pending, coalesce(c.total, 0) as total
            from campus_drive d left join counted c on c.drive_id = d.id
            where (c.drive_id is not null or d.id in (select drive_id from signup_form))
              and ($scope is null or d.enclave_id = $scope)
            union all
            select 'event', t.id, t.starts_on, '人才活动 · ' || strftime(t.starts_on, '%Y-%m-%d') || ' · ' || t.name,
                   coalesce(c.pending, 0), coalesce(c.total, 0)
            from talent_event t left join counted c on c.event_id = t.id
            where (c.event_id is not null or t.id in (select event_id from signup_form)) and $scope is null
        )
        select kind, id, label, pending, total from occasions order by pending desc, day desc, kind, id desc""",
                 {"scope": scope})


def entries(cur: Cursor, actor: User, at: Occasion, *, state: str = "pending", reveal: bool = False,
            limit: int = 500, offset: int = 0) -> pl.DataFrame:
    """One page of the entries in `state`, oldest first, contacts masked as the actor must see them
    (a look at them unmasked by HR or an admin is audited)."""
    enclave_id = require_reviewer(cur, actor, at).enclave_id
    if state not in ("pending", "committed", "rejected"):
        raise ValidationError(f"未知的状态：{state}。")
    found = frame(cur, f"""
        select e.id, e.submitted_at, e.name, e.mobile, e.email, e.school, u.name as matched, e.major, e.degree,
               case when e.graduation_year is null then null
                    else e.graduation_year::varchar || coalesce('-' || lpad(e.graduation_month::varchar, 2, '0'), '')
               end as graduation,
               (select string_agg(m.name, '、' order by m.name) from signup_choice c join employer m on m.id = c.employer_id
                where c.entry_id = e.id) as employers,
               e.reasons, e.batch_id, $enclave::bigint as enclave_id
        from {_ENTRIES} e left join university u on u.id = e.university_id
        where e.{at.column} = $d and e.state = $state
        order by e.id limit $limit offset $offset""",
                  {"d": at.id, "state": state, "enclave": enclave_id, "limit": limit, "offset": offset})
    if reveal and found.height and can(actor, Action.VIEW_ALL_CONTACTS) and not actor.is_recruiter:
        audit.record_view(cur, actor, entity=at.entity, entity_id=at.id, detail="查看扫码报名的完整联系方式")
    return mask_frame(found, actor, reveal=reveal).drop("enclave_id")


def reject(cur: Cursor, actor: User, at: Occasion, entry_ids: list[int], *, reason: str) -> int:
    """Reject pending entries with a reason; returns how many."""
    title = require_reviewer(cur, actor, at).title
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError("请填写拒绝原因。", field="reason")
    if national_id.contains(reason) or len(reason) > 200:
        raise ValidationError("拒绝原因最多 200 个字，且不能含身份证号码。", field="reason")

    def work(cur: Cursor) -> int:
        done = rows(cur, f"""
            update signup_entry set status = 'rejected', reasons = $why, batch_id = null, reviewed_by = $who,
                                    reviewed_at = $now
            where {at.column} = $d and id in (select unnest($ids))
              and id in (select id from {_ENTRIES} e where state = 'pending') returning id""",
                    {"d": at.id, "ids": list(entry_ids), "why": f"审核拒绝：{reason}", "who": actor.username,
                     "now": clock.now()})
        if done:
            audit.record(cur, actor, "reject_signups", entity=at.entity, entity_id=at.id,
                         after={"ids": sorted(r[0] for r in done)},
                         detail=f"拒绝「{title}」的 {len(done)} 条扫码报名：{reason}")
        return len(done)

    return run_in_transaction(cur, work)


# ---------------------------------------------------------------- commit (the importer's write comes between)


def for_commit(cur: Cursor, actor: User, at: Occasion, entry_ids: list[int] | None = None) -> pl.DataFrame:
    """The pending entries (those of `entry_ids`, or all) as the importer reads them: id, name, mobile,
    email, school, major, degree, graduation_year, graduation_month, and one employer chosen (at a drive
    the importer gives it the row's application; `settle` adds the others)."""
    require_reviewer(cur, actor, at)
    return frame(cur, f"""
        with first_choice as (select entry_id, min(employer_id) as employer_id from signup_choice group by entry_id)
        select e.id, e.name, e.mobile, e.email, e.school, e.major, e.degree, e.graduation_year, e.graduation_month,
               m.name as employer
        from {_ENTRIES} e left join first_choice f on f.entry_id = e.id left join employer m on m.id = f.employer_id
        where e.{at.column} = $d and e.state = 'pending' and ($all or e.id in (select unnest($ids)))
        order by e.id""", {"d": at.id, "all": entry_ids is None, "ids": list(entry_ids or [])})


def settle(cur: Cursor, actor: User, at: Occasion, batch_id: int, entry_ids: list[int]) -> Settled:
    """After the importer wrote batch `batch_id` of these entries (their ids are its row numbers), in its
    transaction: statuses, the chosen employers' applications, an event's attendees, dates and consent
    (module docstring)."""
    title = require_reviewer(cur, actor, at).title
    now = clock.now()
    params = {"b": batch_id, "who": actor.username, "now": now}
    with registered(cur, "signup_settled", pl.DataFrame({"entry_id": entry_ids}, schema={"entry_id": pl.Int64})):
        rows(cur, """
            update signup_entry e set status = case when r.reasons is null then 'committed' else 'rejected' end,
                                      reasons = r.reasons, batch_id = $b, reviewed_by = $who, reviewed_at = $now
            from (select s.entry_id, j.reasons from signup_settled s
                  left join import_reject j on j.batch_id = $b and j.row_number = s.entry_id) r
            where e.id = r.entry_id""", params)
    rejected = int(scalar(cur, "select count(*) from import_reject where batch_id = $b", params))
    added = _chosen_applications(cur, actor, at, batch_id, now)
    # The stage moves happened when the person signed up; the commit is when they were entered.
    rows(cur, """
        update stage_event e set occurred_at = s.at, recorded_at = $now
        from (select a.id as application_id, min(x.submitted_at) as at
              from application a join import_row r on r.batch_id = $b and r.candidate_id = a.candidate_id
              join signup_entry x on x.id = r.row_number
              where a.import_batch_id = $b group by a.id) s
        where e.application_id = s.application_id and e.from_stage is null""", params)
    stage_derived.refresh(cur, candidate_ids=stage_derived.batch_people(cur, batch_id))
    attendees = _attend(cur, actor, at, batch_id, now) if at.kind == "event" else 0
    consents = _record_consent(cur, actor, batch_id, now)
    result = Settled(len(entry_ids) - rejected, rejected, added, consents, attendees)
    audit.record(cur, actor, "commit_signups", entity=at.entity, entity_id=at.id,
                 after={"batch_id": batch_id, **result.__dict__},
                 detail=f"「{title}」的 {len(entry_ids)} 条扫码报名入库（导入批次 #{batch_id}）：入库 {result.committed}，"
                        f"拒绝 {rejected}，另加意向企业投递 {added}，记录授权 {consents} 人"
                        + (f"，参加人员 {attendees} 人" if at.kind == "event" else ""))
    return result


def _chosen_applications(cur: Cursor, actor: User, at: Occasion, batch_id: int, now: datetime) -> int:
    """An application for every employer an entry chose, by the importer's own rule (one per person and
    employer, none where it exists — at a drive the importer wrote the first among them), in the same
    batch: at a drive, the drive's; at an event, applications of no drive (channel as the person has)."""
    chosen = bulk.frame(cur, """
        select r.row_number, r.row_number as person, r.candidate_id, c.employer_id
        from import_row r join signup_choice c on c.entry_id = r.row_number where r.batch_id = $b""", {"b": batch_id})
    if chosen.height == 0:
        return 0
    wanted = chosen.select(pl.col("row_number").cast(pl.Int32), pl.col("person").cast(pl.Int32),
                           pl.lit(None, dtype=pl.String).alias("employer_raw"), pl.col("employer_id").cast(pl.Int64),
                           pl.lit(None, dtype=pl.String).alias("position"), pl.lit(False).alias("intent"))
    who = chosen.select(pl.col("person").cast(pl.Int32), "candidate_id").unique()
    apps, _ = applications(cur, wanted, who, at.drive_id, {})
    context = SliceContext(actor, batch_id, at.drive_id, None, now, {}, who, threading.Lock())
    pending = bulk.Deferred(None)
    added = add_applications(cur, context, apps, pending)
    for table in ("application", "stage_event"):
        pending.insert(cur, table)
    return added


def _attend(cur: Cursor, actor: User, at: Occasion, batch_id: int, now: datetime) -> int:
    """The batch's people as the event's attendees (source 扫码报名; those already on the list stay as they
    were). Each attendance names the batch, so undoing the batch takes it back (db/import_history)."""
    added = rows(cur, """
        insert into event_attendee (event_id, candidate_id, added_at, added_by, source, import_batch_id)
        select distinct $e, coalesce(c.merged_into, c.id), $now, $who, 'signup', $b
        from import_row r join candidate c on c.id = r.candidate_id where r.batch_id = $b
        on conflict do nothing returning candidate_id""", {"e": at.id, "b": batch_id, "now": now, "who": actor.username})
    return len(added)


def _record_consent(cur: Cursor, actor: User, batch_id: int, now: datetime) -> int:
    """The form's consent on the batch's people: on the new ones as written; on existing ones only where
    none is recorded (never overwritten), as blanks the batch filled (undo clears them)."""
    params = {"b": batch_id, "method": CONSENT_METHOD, "purpose": CONSENT_PURPOSE, "who": actor.username, "now": now}
    given = """(select r.candidate_id, min(x.consent_at) as at from import_row r join signup_entry x on x.id = r.row_number
                where r.batch_id = $b group by r.candidate_id)"""
    new = rows(cur, f"""
        update candidate c set consent_at = s.at, consent_method = $method, consent_purpose = $purpose
        from {given} s where c.id = s.candidate_id and c.import_batch_id = $b and c.consent_at is null
        returning c.id""", params)
    filled = rows(cur, f"""
        update candidate c set consent_at = s.at, consent_method = $method, consent_purpose = $purpose,
                               version = c.version + 1, updated_by = $who, updated_at = $now
        from {given} s where c.id = s.candidate_id and c.import_batch_id is distinct from $b and c.consent_at is null
        returning c.id""", params)
    if filled:
        rows(cur, """
            insert into import_fill (batch_id, candidate_id, field, value)
            select $b, c.id, f.field, case f.field when 'consent_at' then cast(c.consent_at as varchar)
                                                   when 'consent_method' then c.consent_method else c.consent_purpose end
            from candidate c, (select unnest(['consent_at', 'consent_method', 'consent_purpose']) as field) f
            where c.id in (select unnest($ids))""", {"b": batch_id, "ids": [r[0] for r in filled]})
    return len(new) + len(filled)


# ---------------------------------------------------------------- deletion on request


def forget(cur: Cursor, candidate_ids: list[int], contacts: list[str]) -> None:
    """Deletion on request (db/erasure.py): the entries that became these people, or hold their mobile
    or e-mail, keep only their drive or event, time and status."""
    rows(cur, """
        update signup_entry set name = '已删除', mobile = '', email = null, school = null, university_id = null,
                                major = null, degree = null, graduation_year = null, graduation_month = null,
                                reasons = case when reasons is null then null else '（已按本人要求删除）' end
        where mobile in (select unnest($contacts)) or email in (select unnest($contacts))
           or exists (select 1 from import_row r where r.batch_id = signup_entry.batch_id
                      and r.row_number = signup_entry.id and r.candidate_id in (select unnest($ids)))""",
         {"ids": candidate_ids, "contacts": contacts})
