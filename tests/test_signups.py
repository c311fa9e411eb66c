"""扫码报名: the public form's door (token, times, honeypot, limits, no oracle), the review's roles, and the
commit through the importer's rules — every entry accounted for, one batch, consent, undo."""
from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import polars as pl
import pytest

from db import candidate_commands, clock, import_history, integrity, signups
from db.bulk import insert_contact_keys
from db.connection import transaction
from db.errors import NotFound, PermissionDenied, ValidationError
from db.permissions import User
from db.programmes import drives, events, register
from loaders import signups as signup_commit
from tests import factories

NOW = datetime(2025, 10, 15, 10, 0)


@dataclass(frozen=True)
class World:
    drive: int
    token: str
    e1: int
    e2: int
    users: dict[str, User]
    known: int              # a person already in the CRM: mobile 13800138000, no consent, no major

    @property
    def at(self) -> signups.Occasion:
        return signups.drive(self.drive)


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> dict[str, datetime]:
    """The office clock at NOW, movable by the test (`frozen["now"] = …`): closing times and the
    per-minute window are about time."""
    at = {"now": NOW}
    monkeypatch.setattr(clock, "now", lambda: at["now"])
    return at


@pytest.fixture
def world(cur: duckdb.DuckDBPyConnection, frozen: dict[str, datetime]) -> World:
    """A drive of the SH enclave with two employers and an open sign-up link; one account per role,
    recruiters in SH and CD; one person already in the CRM."""
    sh, cd = factories.enclave(cur, "SH"), factories.enclave(cur, "CD")
    users = {name: factories.user(cur, name, role, enclave) for name, role, enclave in [
        ("hr", "hr", None), ("admin", "admin", None), ("manager", "manager", None),
        ("recruiter_sh", "recruiter", sh), ("recruiter_cd", "recruiter", cd)]}
    e1, e2 = factories.employer(cur, "平湖光电科技有限公司"), factories.employer(cur, "嘉兴新材料有限公司")
    drive = factories.drive(cur, date(2025, 10, 15), employers={e1: 5, e2: 3}, enclave_id=sh)
    known = factories.candidate(cur, "老朋友", enclave_id=cd)
    cur.execute("update candidate set mobile = '13800138000' where id = ?", [known])
    with transaction(cur, claims=True):     # its mobile's key, as every save of a person claims it
        insert_contact_keys(cur, pl.DataFrame({"id": [known], "mobile": ["13800138000"]}))
    link = signups.set_up(cur, users["hr"], signups.drive(drive), opens_at=None, closes_at=NOW + timedelta(days=2))
    return World(drive, link.token, e1, e2, users, known)


def person(name: str = "张三", mobile: str = "13912345678", **more: object) -> signups.SignupForm:
    fields: dict = {"name": name, "mobile": mobile, "school": "浙大", "consent": True, **more}
    return signups.SignupForm(**fields)


def entries(cur: duckdb.DuckDBPyConnection) -> list[tuple]:
    return cur.execute("select id, name, mobile, status, reasons from signup_entry order by id").fetchall()


# ---------------------------------------------------------------- the door


def test_a_token_is_long_random_and_only_its_own_drive_opens(cur, world: World) -> None:  # type: ignore[no-untyped-def]
    assert len(world.token) >= 32 and all(ch.isalnum() or ch in "-_" for ch in world.token)   # ≥ 192 bits
    other = factories.drive(cur, date(2025, 11, 1))
    other_link = signups.set_up(cur, world.users["hr"], signups.drive(other), opens_at=None, closes_at=NOW + timedelta(days=1))
    assert other_link.token != world.token
    assert signups.public_form(cur, world.token).at == world.at
    for guess in (None, "", "x", world.token[:-1], world.token + "a", "' or 1=1 --", "a" * 500):
        assert signups.public_form(cur, guess) is None
        with pytest.raises(signups.SignupRefused, match="链接无效"):
            signups.submit(cur, guess, person(), session_key="s")
    assert entries(cur) == []


def test_a_new_token_kills_the_old_link(cur, world: World) -> None:  # type: ignore[no-untyped-def]
    fresh = signups.new_token(cur, world.users["manager"], world.at)
    assert fresh.token != world.token
    with pytest.raises(signups.SignupRefused, match="链接无效"):
        signups.submit(cur, world.token, person(), session_key="s")
    assert signups.submit(cur, fresh.token, person(), session_key="s") == signups.Receipt()


def test_the_form_opens_and_closes_at_its_times(cur, world: World, frozen) -> None:  # type: ignore[no-untyped-def]
    hr = world.users["hr"]
    signups.set_up(cur, hr, world.at, opens_at=NOW + timedelta(hours=1), closes_at=NOW + timedelta(hours=3))
    with pytest.raises(signups.SignupRefused, match="尚未开始"):
        signups.submit(cur, world.token, person(), session_key="s")
    frozen["now"] = NOW + timedelta(hours=2)
    assert signups.submit(cur, world.token, person(), session_key="s") == signups.Receipt()
    frozen["now"] = NOW + timedelta(hours=3)
    with pytest.raises(signups.SignupRefused, match="已于 2025-10-15 13:00 截止"):
        signups.submit(cur, world.token, person(mobile="13912345679"), session_key="s")
    assert len(entries(cur)) == 1
    with pytest.raises(ValidationError, match="截止时间"):
        signups.set_up(cur, hr, world.at, opens_at=None, closes_at=None)
    with pytest.raises(ValidationError, match="晚于开放时间"):
        signups.set_up(cur, hr, world.at, opens_at=NOW, closes_at=NOW)


def test_a_cancelled_drive_takes_no_entries(cur, world: World) -> None:  # type: ignore[no-untyped-def]
    cur.execute("update campus_drive set status = 'cancelled' where id = ?", [world.drive])
    with pytest.raises(signups.SignupRefused, match="已取消"):
        signups.submit(cur, world.token, person(), session_key="s")


def test_only_programme_editors_set_a_link_up(cur, world: World) -> None:  # type: ignore[no-untyped-def]
    for name in ("recruiter_sh", "recruiter_cd"):
        with pytest.raises(PermissionDenied):
            signups.set_up(cur, world.users[name], world.at, opens_at=None, closes_at=NOW + timedelta(days=1))
        with pytest.raises(PermissionDenied):
            signups.new_token(cur, world.users[name], world.at)
    assert signups.link_of(cur, world.users["recruiter_cd"], world.at).token == world.token   # printing posters


# ---------------------------------------------------------------- what is typed


def test_each_bad_field_gets_its_own_chinese_message_and_nothing_is_stored(cur, world: World) -> None:  # type: ignore[no-untyped-def]
    bad = signups.SignupForm(name="  ", mobile="1380013800", email="zs@", school="", consent=False,
                             employer_ids=(999,), graduation_month=6)
    with pytest.raises(signups.SignupInvalid) as refused:
        signups.submit(cur, world.token, bad, session_key="s")
    problems = refused.value.problems
    assert problems["name"] == "请填写姓名。"
    assert "11 位" in problems["mobile"] and "邮箱格式不正确" in problems["email"]
    assert "学校" in problems["school"] and "勾选同意" in problems["consent"]
    assert "不在本场" in problems["employers"] and "毕业年份" in problems["graduation"]
    with pytest.raises(signups.SignupInvalid) as refused:
        signups.submit(cur, world.token, person(mobile=""), session_key="s")
    assert refused.value.problems == {"mobile": "请填写手机号。"}
    assert entries(cur) == []


def test_national_ids_and_overlong_text_are_refused_in_any_field(cur, world: World) -> None:  # type: ignore[no-untyped-def]
    an_id = "11010519491231002X"
    with pytest.raises(signups.SignupInvalid) as refused:
        signups.submit(cur, world.token, person(major=f"光电 {an_id}", name="李" * 51), session_key="s")
    assert "身份证" in refused.value.problems["major"] and an_id not in refused.value.problems["major"]
    assert "最多 50 个字" in refused.value.problems["name"]
    assert entries(cur) == []


def test_the_honeypot_is_answered_like_anyone_and_stored_rejected(cur, world: World) -> None:  # type: ignore[no-untyped-def]
    assert signups.submit(cur, world.token, person(honeypot="http://spam"), session_key="bot") == signups.Receipt()
    assert entries(cur)[0][3:] == ("rejected", signups.HONEYPOT)
    # A script's entry holds nothing: the real person with that mobile still gets in.
    assert signups.submit(cur, world.token, person(), session_key="human") == signups.Receipt()
    assert [e[3] for e in entries(cur)] == ["rejected", "pending"]


# ---------------------------------------------------------------- limits and the oracle


def test_one_browser_session_submits_at_most_per_session(cur, world: World) -> None:  # type: ignore[no-untyped-def]
    for i in range(signups.PER_SESSION):
        signups.submit(cur, world.token, person(mobile=f"1391234560{i}"), session_key="one")
    with pytest.raises(signups.SignupRefused, match=f"已提交 {signups.PER_SESSION} 份"):
        signups.submit(cur, world.token, person(mobile="13912345699"), session_key="one")
    signups.submit(cur, world.token, person(mobile="13912345699"), session_key="another")
    assert len(entries(cur)) == signups.PER_SESSION + 1
    assert cur.execute("select count(distinct session_hash), min(length(session_hash)) from signup_entry"
                       ).fetchall()[0] == (2, 64)
    assert not cur.execute("select count(*) from signup_entry where session_hash = 'one'").fetchall()[0][0]


def test_the_same_mobile_again_updates_nothing_and_gets_the_same_answer(cur, world: World) -> None:  # type: ignore[no-untyped-def]
    first = signups.submit(cur, world.token, person("张三"), session_key="a")
    again = signups.submit(cur, world.token, person("张三丰", email="zsf@163.com"), session_key="b")
    assert first == again == signups.Receipt()
    (one, name, _, status, _), (two, _, _, status2, why) = entries(cur)
    assert (name, status, status2) == ("张三", "pending", "rejected")
    assert f"报名编号 {one}" in why
    assert signups.counts(cur, world.users["hr"], world.at)["pending"] == 1


def test_no_existence_oracle_for_numbers_known_to_the_crm_or_the_staging_table(cur, world: World) -> None:  # type: ignore[no-untyped-def]
    new = signups.submit(cur, world.token, person("新人", "13912345678"), session_key="a")
    in_crm = signups.submit(cur, world.token, person("老朋友", "13800138000"), session_key="b")
    in_staging = signups.submit(cur, world.token, person("又一次", "13912345678"), session_key="c")
    assert new == in_crm == in_staging == signups.Receipt(signups.RECEIVED)


def test_a_drive_takes_at_most_per_minute_entries_in_any_minute(cur, world: World, frozen,  # type: ignore[no-untyped-def]
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(signups, "PER_MINUTE", 5)
    for i in range(5):
        signups.submit(cur, world.token, person(mobile=f"1391234560{i}"), session_key=f"s{i}")
    with pytest.raises(signups.SignupRefused, match="报名人数较多，请稍后再试"):
        signups.submit(cur, world.token, person(mobile="13912345699"), session_key="late")
    frozen["now"] = NOW + timedelta(seconds=61)
    signups.submit(cur, world.token, person(mobile="13912345699"), session_key="late")
    assert len(entries(cur)) == 6


def test_a_burst_from_five_threads_loses_nothing_and_keeps_every_limit(db_path: Path, frozen,  # type: ignore[no-untyped-def]
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """200 submissions at once, as the app takes them (one connection, a cursor per thread): in one minute
    exactly PER_MINUTE are stored and the rest hear "稍后再试"; with the minute's limit lifted, each session
    stores PER_SESSION and each mobile holds one pending entry. Nothing else is raised."""
    conn = duckdb.connect(str(db_path))
    cur = conn.cursor()
    e1 = factories.employer(cur, "平湖光电科技有限公司")
    hr = factories.user(cur, "hr", "hr")
    drive = factories.drive(cur, date(2025, 10, 15), employers={e1: 5})
    token = signups.set_up(cur, hr, signups.drive(drive), opens_at=None, closes_at=NOW + timedelta(days=1)).token

    def burst(session_of, mobile_of) -> Counter:  # type: ignore[no-untyped-def]
        said: Counter = Counter()
        lock = threading.Lock()

        def worker(numbers: range) -> None:
            mine = conn.cursor()
            for i in numbers:
                try:
                    answer = signups.submit(mine, token, person(f"人{i}", mobile_of(i), employer_ids=(e1,)),
                                            session_key=session_of(i)).message
                except signups.SignupRefused as refused:
                    answer = str(refused)
                with lock:
                    said[answer] += 1

        threads = [threading.Thread(target=worker, args=(range(t, 200, 5),)) for t in range(5)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return said

    said = burst(lambda i: f"s{i}", lambda i: f"139{i:08d}")
    assert said == Counter({signups.RECEIVED: signups.PER_MINUTE, signups.BUSY: 200 - signups.PER_MINUTE})
    assert cur.execute("select count(*) from signup_entry").fetchall()[0][0] == signups.PER_MINUTE

    cur.execute("delete from signup_choice")
    cur.execute("delete from signup_entry")
    monkeypatch.setattr(signups, "PER_MINUTE", 10_000)
    said = burst(lambda i: f"session{i % 50}", lambda i: f"137{i % 100:08d}")
    assert said[signups.RECEIVED] == 50 * signups.PER_SESSION and sum(said.values()) == 200
    stored = cur.execute("select count(*), count(distinct mobile), count(*) filter (where status = 'pending'),"
                         " count(*) filter (where submitted_at is null) from signup_entry").fetchall()[0]
    assert stored[0] == 50 * signups.PER_SESSION
    assert stored[2] == stored[1]           # every mobile exactly one pending entry, repeats stored rejected
    assert stored[3] == 0
    assert cur.execute("select max(n) from (select count(*) as n from signup_entry group by session_hash)"
                       ).fetchall()[0][0] == signups.PER_SESSION
    conn.close()


# ---------------------------------------------------------------- review and commit


def test_review_and_commit_belong_to_hr_admin_and_the_drives_own_recruiter(cur, world: World) -> None:  # type: ignore[no-untyped-def]
    signups.submit(cur, world.token, person(), session_key="s")
    for name in ("recruiter_cd", "manager"):
        who = world.users[name]
        with pytest.raises(PermissionDenied):
            signups.entries(cur, who, world.at)
        with pytest.raises(PermissionDenied):
            signup_commit.commit(cur, who, world.at)
        with pytest.raises(PermissionDenied):
            signups.reject(cur, who, world.at, [1], reason="x")
    assert signups.reviewable(cur, world.users["recruiter_cd"]).height == 0
    with pytest.raises(PermissionDenied):
        signups.reviewable(cur, world.users["manager"])
    for name in ("hr", "admin", "recruiter_sh"):
        assert signups.reviewable(cur, world.users[name])["id"].to_list() == [world.drive]
    shown = signups.entries(cur, world.users["recruiter_sh"], world.at)
    assert shown["mobile"].to_list() == ["13912345678"]        # their own enclave's drive: unmasked
    assert signups.entries(cur, world.users["hr"], world.at)["mobile"].to_list() == ["139****5678"]
    result = signup_commit.commit(cur, world.users["recruiter_sh"], world.at)
    assert (result.entries, result.inserted) == (1, 1)
    owner, enclave, created_by = cur.execute("select owner_id, enclave_id, created_by from candidate"
                                             " where import_batch_id = ?", [result.batch_id]).fetchall()[0]
    assert owner == world.users["recruiter_sh"].id and created_by == "recruiter_sh"
    assert cur.execute("select actor_role from audit_log where action = 'commit_signups'").fetchall()[0] == ("recruiter",)


def test_rejecting_needs_a_reason_and_takes_pending_entries_only(cur, world: World) -> None:  # type: ignore[no-untyped-def]
    signups.submit(cur, world.token, person(), session_key="s")
    entry = entries(cur)[0][0]
    with pytest.raises(ValidationError, match="拒绝原因"):
        signups.reject(cur, world.users["hr"], world.at, [entry], reason=" ")
    assert signups.reject(cur, world.users["hr"], world.at, [entry], reason="测试数据") == 1
    assert signups.reject(cur, world.users["hr"], world.at, [entry], reason="再来") == 0
    assert entries(cur)[0][3:] == ("rejected", "审核拒绝：测试数据")
    with pytest.raises(ValidationError, match="没有待入库"):
        signup_commit.commit(cur, world.users["hr"], world.at)


def _signed_up(cur, world: World, frozen) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Five entries: a new person choosing both employers; the CRM's known person; two entries sharing an
    e-mail (one person); and one whose mobile the importer refuses (stored before a rule changed)."""
    ids = {}
    for key, form in {
        "new": person("王芳", "13911110000", email="wf@163.com", degree="硕士", graduation_year=2026,
                      graduation_month=6, major="光学工程", employer_ids=(world.e1, world.e2)),
        "known": person("老朋友", "13800138000", major="材料学", employer_ids=(world.e2,)),
        "first": person("陈晨", "13922220000", email="cc@qq.com"),
        "same": person("陈晨", "13922220001", email="CC@qq.com", employer_ids=(world.e1,)),
        "odd": person("赵六", "13933330000"),
    }.items():
        frozen["now"] += timedelta(minutes=1)
        signups.submit(cur, world.token, form, session_key=key)
        ids[key] = entries(cur)[-1][0]
    cur.execute("update signup_entry set mobile = '12345' where id = ?", [ids["odd"]])
    frozen["now"] = NOW + timedelta(days=1)
    return ids


def test_every_entry_is_accounted_for_in_one_batch_through_the_importers_rules(cur, world: World, frozen) -> None:  # type: ignore[no-untyped-def]
    ids = _signed_up(cur, world, frozen)
    result = signup_commit.commit(cur, world.users["hr"], world.at)
    assert result.entries == 5 == result.inserted + result.matched + result.duplicate_in_file + result.rejected
    assert (result.inserted, result.matched, result.duplicate_in_file, result.rejected) == (2, 1, 1, 1)
    batch = cur.execute("select read_rows, inserted, matched, duplicate_in_file, rejected, drive_id from import_batch"
                        " where id = ?", [result.batch_id]).fetchall()[0]
    assert batch == (5, 2, 1, 1, 1, world.drive)
    status = dict(cur.execute("select id, status from signup_entry").fetchall())
    assert status == {ids["new"]: "committed", ids["known"]: "committed", ids["first"]: "committed",
                      ids["same"]: "committed", ids["odd"]: "rejected"}
    assert "手机号" in cur.execute("select reasons from signup_entry where id = ?", [ids["odd"]]).fetchall()[0][0]
    # Applications, by the importer's rule: one per person and employer each entry chose, and one at the
    # drive itself for an entry that chose none (陈晨's first entry) — all stage applied, in the batch.
    apps = cur.execute("""select c.name, a.employer_id, a.stage, a.import_batch_id from application a
                          join candidate c on c.id = a.candidate_id order by c.name, a.employer_id nulls first""").fetchall()
    assert apps == [("王芳", world.e1, "applied", result.batch_id), ("王芳", world.e2, "applied", result.batch_id),
                    ("老朋友", world.e2, "applied", result.batch_id), ("陈晨", None, "applied", result.batch_id),
                    ("陈晨", world.e1, "applied", result.batch_id)]
    assert result.applications == 5
    new = cur.execute("select channel, source_drive_id, consent_method, consent_purpose, consent_at, major, version"
                      " from candidate where name = '王芳'").fetchall()[0]
    assert new[:4] == ("campus_drive", world.drive, signups.CONSENT_METHOD, signups.CONSENT_PURPOSE)
    assert new[4] == NOW + timedelta(minutes=1) and new[5:] == ("光学工程", 1)
    # The known person: blanks filled (major, consent), nothing overwritten, one person still.
    known = cur.execute("select name, major, consent_method, consent_at, version from candidate where id = ?",
                        [world.known]).fetchall()[0]
    assert known[:3] == ("老朋友", "材料学", signups.CONSENT_METHOD) and known[3] == NOW + timedelta(minutes=2)
    assert cur.execute("select count(*) from candidate where mobile = '13800138000'").fetchall()[0][0] == 1
    # The moves happened when the people signed up; the commit is when they were entered.
    moves = cur.execute("""select c.name, e.occurred_at, e.recorded_at from stage_event e join candidate c
                           on c.id = e.candidate_id where c.name = '王芳'""").fetchall()
    assert {m[1] for m in moves} == {NOW + timedelta(minutes=1)} and {m[2] for m in moves} == {NOW + timedelta(days=1)}
    assert {k: v for k, v in integrity.dangling(cur).items() if v} == {}
    assert signups.counts(cur, world.users["hr"], world.at) | {"last_at": None} == {
        "total": 5, "pending": 0, "committed": 4, "rejected": 1, "last_at": None}


def test_consent_already_recorded_is_never_overwritten(cur, world: World) -> None:  # type: ignore[no-untyped-def]
    cur.execute("update candidate set consent_method = '纸质登记表签字', consent_purpose = '就业服务',"
                " consent_at = ? where id = ?", [NOW - timedelta(days=30), world.known])
    signups.submit(cur, world.token, person("老朋友", "13800138000"), session_key="s")
    result = signup_commit.commit(cur, world.users["hr"], world.at)
    assert result.matched == 1 and result.consents == 0
    assert cur.execute("select consent_method, consent_purpose from candidate where id = ?", [world.known]
                       ).fetchall()[0] == ("纸质登记表签字", "就业服务")


def test_undo_takes_the_batch_back_and_the_entries_can_be_committed_again(cur, world: World, frozen) -> None:  # type: ignore[no-untyped-def]
    _signed_up(cur, world, frozen)
    hr = world.users["hr"]
    people_before = cur.execute("select count(*) from candidate").fetchall()[0][0]
    result = signup_commit.commit(cur, hr, world.at)
    # The commit re-dates the moves to the sign-up time: the stored stays and crossings follow them.
    assert {k: v for k, v in integrity.dangling(cur).items() if v} == {}
    undone = import_history.undo(cur, hr, result.batch_id)
    assert (undone.deleted_candidates, undone.deleted_applications) == (2, 5)
    assert undone.reverted_fields == 6      # the known person's school (id and text), major, and consent (3)
    assert cur.execute("select count(*) from candidate").fetchall()[0][0] == people_before
    assert cur.execute("select major, university_id, consent_method, consent_purpose, consent_at from candidate"
                       " where id = ?", [world.known]).fetchall()[0] == (None,) * 5
    assert cur.execute("select count(*) from application").fetchall()[0][0] == 0
    assert signups.counts(cur, hr, world.at)["pending"] == 5
    assert {k: v for k, v in integrity.dangling(cur).items() if v} == {}
    again = signup_commit.commit(cur, hr, world.at)
    assert again.batch_id != result.batch_id and (again.inserted, again.matched) == (2, 1)


def test_the_same_mobile_after_a_commit_creates_no_second_person(cur, world: World) -> None:  # type: ignore[no-untyped-def]
    signups.submit(cur, world.token, person("王芳", "13911110000"), session_key="a")
    signup_commit.commit(cur, world.users["hr"], world.at)
    assert signups.submit(cur, world.token, person("王芳芳", "13911110000"), session_key="b") == signups.Receipt()
    with pytest.raises(ValidationError, match="没有待入库"):
        signup_commit.commit(cur, world.users["hr"], world.at)
    assert cur.execute("select count(*), min(name) from candidate where mobile = '13911110000'").fetchall()[0] == (1, "王芳")


def test_committing_chosen_entries_leaves_the_others_pending(cur, world: World) -> None:  # type: ignore[no-untyped-def]
    for i in range(3):
        signups.submit(cur, world.token, person(f"人{i}", f"1391111000{i}"), session_key=f"s{i}")
    first = entries(cur)[0][0]
    assert signup_commit.commit(cur, world.users["hr"], world.at, [first]).entries == 1
    assert signups.counts(cur, world.users["hr"], world.at)["pending"] == 2


def test_deletion_on_request_clears_what_the_person_typed(cur, world: World) -> None:  # type: ignore[no-untyped-def]
    signups.submit(cur, world.token, person("王芳", "13911110000", email="wf@163.com"), session_key="a")
    signups.submit(cur, world.token, person("王芳", "13911110000"), session_key="b")    # a repeat, rejected
    signup_commit.commit(cur, world.users["hr"], world.at)
    candidate = cur.execute("select id from candidate where mobile = '13911110000'").fetchall()[0][0]
    candidate_commands.delete_on_request(cur, world.users["hr"], candidate, reason="本人电话要求删除")
    left = cur.execute("select name, mobile, email, school from signup_entry").fetchall()
    assert left == [("已删除", "", None, None)] * 2


def test_a_drive_with_a_sign_up_link_is_not_deleted(cur, world: World) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError, match="扫码报名链接"):
        register.delete(cur, world.users["hr"], drives.REGISTER, world.drive)


def test_the_commit_of_a_missing_drive_says_so(cur, world: World) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NotFound):
        signup_commit.commit(cur, world.users["hr"], signups.drive(999))


# ---------------------------------------------------------------- a talent event's sign-up


def _event(cur, world: World) -> signups.Occasion:  # type: ignore[no-untyped-def]
    """星耀南湖·菁英荟 第3场, starting the day before NOW, with one partner employer, and its open link."""
    event_id = register.create(cur, world.users["manager"], events.REGISTER, {
        "name": "星耀南湖·菁英荟 第3场", "kind": "matching", "starts_on": NOW.date() - timedelta(days=1),
        "place": "平湖国际会展中心"})
    events.set_employers(cur, world.users["manager"], event_id, [world.e2])
    signups.set_up(cur, world.users["manager"], signups.event(event_id), opens_at=None,
                   closes_at=NOW + timedelta(days=1))
    return signups.event(event_id)


def test_an_events_sign_ups_become_attendees_and_the_chosen_employers_applications(  # type: ignore[no-untyped-def]
        cur, world: World) -> None:
    at = _event(cur, world)
    token = signups.link_of(cur, world.users["recruiter_sh"], at).token
    public = signups.public_form(cur, token)
    assert (public.at, public.programme, public.city, public.employers) == (
        at, "产才对接活动", "平湖国际会展中心", ((world.e2, "嘉兴新材料有限公司"),))
    with pytest.raises(signups.SignupInvalid) as refused:     # only the event's partners may be chosen
        signups.submit(cur, token, person(employer_ids=(world.e1,)), session_key="a")
    assert set(refused.value.problems) == {"employers"}
    signups.submit(cur, token, person("新同学", "13912345678", employer_ids=(world.e2,)), session_key="a")
    signups.submit(cur, token, person("老朋友", "13800138000"), session_key="b")
    # Events name no enclave: HR and admins review them, no recruiter does.
    with pytest.raises(PermissionDenied):
        signups.entries(cur, world.users["recruiter_sh"], at)
    assert signups.reviewable(cur, world.users["recruiter_sh"])["kind"].to_list() == ["drive"]
    assert ("event", at.id) in set(signups.reviewable(cur, world.users["hr"]).select("kind", "id").iter_rows())

    result = signup_commit.commit(cur, world.users["hr"], at)
    assert (result.entries, result.inserted, result.matched, result.rejected) == (2, 1, 1, 0)
    assert (result.attendees, result.applications) == (2, 1)
    assert cur.execute("select drive_id from import_batch where id = ?", [result.batch_id]).fetchall() == [(None,)]
    new = cur.execute("select id, channel, source_drive_id, consent_method from candidate where name = '新同学'"
                      ).fetchall()[0]
    assert new[1:] == ("other", None, signups.CONSENT_METHOD)
    assert cur.execute("select candidate_id, source, import_batch_id from event_attendee order by candidate_id"
                       ).fetchall() == [(world.known, "signup", result.batch_id), (new[0], "signup", result.batch_id)]
    assert cur.execute("select candidate_id, employer_id, drive_id, stage from application").fetchall() == [
        (new[0], world.e2, None, "applied")]
    conversion = events.conversion(cur, world.users["hr"], at.id)
    assert (conversion.attendees, conversion.applied) == (2, 1)
    assert signups.batches(cur, world.users["hr"], at)["id"].to_list() == [result.batch_id]
    assert {k: v for k, v in integrity.dangling(cur).items() if v} == {}

    undone = import_history.undo(cur, world.users["hr"], result.batch_id)     # the attendances go with the batch
    assert (undone.deleted_candidates, undone.deleted_applications) == (1, 1)
    assert cur.execute("select count(*) from event_attendee").fetchall() == [(0,)]
    assert signups.counts(cur, world.users["hr"], at)["pending"] == 2
    assert {k: v for k, v in integrity.dangling(cur).items() if v} == {}


def test_an_attendee_added_by_hand_is_kept_when_the_sign_up_batch_is_undone(cur, world: World) -> None:  # type: ignore[no-untyped-def]
    at = _event(cur, world)
    events.add_attendees(cur, world.users["hr"], at.id, [world.known])
    signups.submit(cur, signups.link_of(cur, world.users["hr"], at).token, person("老朋友", "13800138000"),
                   session_key="a")
    result = signup_commit.commit(cur, world.users["hr"], at)
    assert result.attendees == 0                        # on the list already: as it was
    import_history.undo(cur, world.users["hr"], result.batch_id)
    assert cur.execute("select candidate_id, source from event_attendee").fetchall() == [(world.known, "manual")]


def test_an_event_with_a_sign_up_link_is_not_deleted(cur, world: World) -> None:  # type: ignore[no-untyped-def]
    at = _event(cur, world)
    events.set_employers(cur, world.users["manager"], at.id, [])
    with pytest.raises(ValidationError, match="扫码报名链接"):
        register.delete(cur, world.users["hr"], events.REGISTER, at.id)


# ---------------------------------------------------------------- the files


def test_qr_codes_and_the_poster_are_what_they_say() -> None:
    url = signup_commit.signup_url("https://crm.example.cn/", "abc-DEF_123")
    assert url == "https://crm.example.cn/?signup=abc-DEF_123"
    assert signup_commit.qr_png(url).startswith(b"\x89PNG")
    assert b"<svg" in signup_commit.qr_svg(url)
    pdf = signup_commit.poster_pdf(url, title="扬帆计划·浙江大学专场", programme="扬帆计划", held_on=date(2025, 10, 15),
                                   university="浙江大学", city="杭州市", closes_at=datetime(2025, 10, 15, 18))
    assert pdf.startswith(b"%PDF") and b"STSong-Light" in pdf and b"/MediaBox [ 0 0 595.2756 841.8898 ]" in pdf


# ---------------------------------------------------------------- the screens (AppTest)

PASSWORD = "signup-test-pw"


@dataclass(frozen=True)
class Office:
    path: Path
    drive: int
    token: str


@pytest.fixture
def office(tmp_path: Path, frozen) -> Office:  # type: ignore[no-untyped-def]
    """A database file the app opens itself: a drive of the SH enclave with one employer and an open link,
    and accounts that log in (HR, a recruiter of SH)."""
    from db import users
    from db.connection import open_database
    from db.permissions import SYSTEM

    path = tmp_path / "signup.duckdb"
    conn = open_database(path)
    cur = conn.cursor()
    sh = factories.enclave(cur, "SH")
    employer = factories.employer(cur, "平湖光电科技有限公司")
    drive = factories.drive(cur, date(2025, 10, 15), employers={employer: 5}, enclave_id=sh)
    hr = users.create_user(cur, SYSTEM, username="hr", display_name="人事", role="hr", password=PASSWORD)
    users.create_user(cur, SYSTEM, username="recruiter_sh", display_name="专员", role="recruiter", password=PASSWORD,
                      enclave_id=sh)
    token = signups.set_up(cur, hr, signups.drive(drive), opens_at=None, closes_at=NOW + timedelta(days=2)).token
    conn.close()
    return Office(path, drive, token)


def _public(app, office: Office, token: str | None = None):  # type: ignore[no-untyped-def]
    at = app(office.path)
    at.query_params["signup"] = office.token if token is None else token
    return at.run()


def _type(at, values: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    inputs = {t.label: t for t in at.text_input}
    for label, value in values.items():
        inputs[label].input(value)


def _send(at):  # type: ignore[no-untyped-def]
    next(b for b in at.button if b.label == "提交报名").click()
    return at.run()


def test_the_public_form_shows_nothing_of_the_crm(app, office: Office) -> None:  # type: ignore[no-untyped-def]
    from tests.helpers import nav_pages

    at = _public(app, office)
    assert not at.exception
    assert [t.value for t in at.title] == ["扬帆计划 · 扫码报名"]
    assert nav_pages(at) == {"signup": "扫码报名"}          # no other screen is even registered
    assert len(at.sidebar) == 0
    assert "平湖光电科技有限公司" in at.multiselect[0].options
    bad = _public(app, office, token="not-a-token")
    assert [e.value for e in bad.error] == [signups.INVALID_LINK] and not bad.text_input


def test_a_refused_submit_keeps_what_was_typed_and_says_why_next_to_each_field(app, office: Office) -> None:  # type: ignore[no-untyped-def]
    at = _public(app, office)
    typed = {"姓名 *": "林晓", "手机号 *": "1380013800", "邮箱": "lx@", "学校 *": "浙江大学"}
    _type(at, typed)
    _send(at)
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any("11 位" in e for e in errors) and any("邮箱格式" in e for e in errors)
    assert any("勾选同意" in e for e in errors) and any("已填写的内容都还在" in e for e in errors)
    assert {k: v for k, v in {t.label: t.value for t in at.text_input}.items() if k in typed} == typed
    _type(at, {"手机号 *": "13800138000", "邮箱": "lx@163.com"})
    at.checkbox[0].check()
    _send(at)
    assert [s.value for s in at.success] == [signups.RECEIVED] and not at.error
    next(b for b in at.button if b.label == "再填一份报名").click()
    at.run()
    assert all(t.value == "" for t in at.text_input)          # a blank copy for the next person
    from tests.test_office_setup import db_rows
    assert db_rows(office.path, "select name, mobile, email, status from signup_entry") == [
        ("林晓", "13800138000", "lx@163.com", "pending")]


def test_hr_commits_on_the_review_screen(app, office: Office) -> None:  # type: ignore[no-untyped-def]
    from tests.helpers import login
    from tests.test_office_setup import db_rows

    at = _public(app, office)
    _type(at, {"姓名 *": "林晓", "手机号 *": "13800138000", "学校 *": "浙江大学"})
    at.checkbox[0].check()
    _send(at)
    at = login(app(office.path), "hr", PASSWORD)
    at.switch_page("pages/signup_review.py").run()
    assert not at.exception and "扫码报名审核" in [t.value for t in at.title]
    next(b for b in at.button if b.label == "全部入库（1 条）").click()
    at.run()
    assert not at.exception and not at.error
    assert any("1 条报名已入库" in s.value and "新增 1 人" in s.value for s in at.success)
    assert db_rows(office.path, "select name, channel, consent_method from candidate") == [
        ("林晓", "campus_drive", signups.CONSENT_METHOD)]


def test_the_drives_detail_offers_the_link_qr_codes_and_poster(app, office: Office) -> None:  # type: ignore[no-untyped-def]
    from tests.helpers import login

    at = login(app(office.path), "hr", PASSWORD)
    at.switch_page("pages/programme_drives.py")
    at.query_params["id"] = str(office.drive)
    at.run()
    assert not at.exception and not at.error
    shown = " ".join(c.value for c in at.code)
    assert f"?signup={office.token}" in shown
    labels = [b.proto.label for b in at.get("download_button")]
    assert {"下载二维码 PNG", "下载二维码 SVG", "下载 A4 海报 PDF"} <= set(labels)
    assert any("本机地址" in w.value for w in at.warning)     # AppTest's address is localhost


def test_an_event_is_set_up_on_its_detail_and_its_sign_ups_committed_on_the_review(  # type: ignore[no-untyped-def]
        app, office: Office) -> None:
    from db.connection import open_database
    from tests.helpers import login
    from tests.test_office_setup import db_rows

    conn = open_database(office.path)
    cur = conn.cursor()
    admin = factories.user(cur, "events_admin", "admin")
    event_id = register.create(cur, admin, events.REGISTER, {"name": "2025 汽车零部件产业人才班（第一期）",
                                                         "kind": "talent_class", "starts_on": date(2025, 10, 1),
                                                         "ends_on": date(2025, 10, 31)})
    conn.close()

    at = login(app(office.path), "hr", PASSWORD)
    at.switch_page("pages/programme_events.py")
    at.query_params["id"] = str(event_id)
    at.run()
    assert not at.exception and not at.error
    next(b for b in at.button if b.label == "开通并生成链接").click()
    at.run()
    assert not at.exception and not at.error
    token = db_rows(office.path, f"select token from signup_form where event_id = {event_id}")[0][0]
    assert f"?signup={token}" in " ".join(c.value for c in at.code)

    phone = app(office.path)
    phone.query_params["signup"] = token
    phone.run()
    assert [t.value for t in phone.title] == ["产业人才班 · 扫码报名"]
    assert not phone.multiselect                              # no partner employers: nothing to choose
    _type(phone, {"姓名 *": "周学员", "手机号 *": "13700137000", "学校 *": "浙江大学"})
    phone.checkbox[0].check()
    _send(phone)
    assert [s.value for s in phone.success] == [signups.RECEIVED]

    at.switch_page("pages/signup_review.py")
    at.query_params["event"] = str(event_id)
    at.run()
    assert not at.exception and at.selectbox[0].value == signups.event(event_id)
    next(b for b in at.button if b.label == "全部入库（1 条）").click()
    at.run()
    assert not at.exception and not at.error
    assert any("新增参加人员 1 人" in s.value for s in at.success)
    assert db_rows(office.path, "select c.name, x.source from event_attendee x join candidate c on c.id = x.candidate_id"
                                f" where x.event_id = {event_id}") == [("周学员", "signup")]
