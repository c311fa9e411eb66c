"""Creating and editing people: validation, normalisation, consent, duplicates, versions, deletion."""
from __future__ import annotations

from dataclasses import replace

import duckdb
import pytest

from db import analytics, candidates
from db import candidate_commands as cc
from db.candidate_commands import CandidateDraft
from db.duplicates import LikelyDuplicate
from db.errors import (
    ConcurrentEdit,
    DuplicateCandidate,
    PermissionDenied,
    ValidationError,
)
from db.permissions import SYSTEM, User
from tests import factories as f
from tests.helpers import claimed

CONSENT = {"consent_method": "线上报名表勾选同意", "consent_purpose": "平湖人才招引与就业服务"}


@pytest.fixture
def world(cur: duckdb.DuckDBPyConnection) -> dict[str, User | int]:
    """Two enclaves and one account per role (recruiters in each enclave)."""
    sh, gy = f.enclave(cur, "SH"), f.enclave(cur, "GY")
    return {"sh": sh, "gy": gy, "rec_sh": f.user(cur, "rec_sh", "recruiter", sh), "rec_gy": f.user(cur, "rec_gy", "recruiter", gy),
            "manager": f.user(cur, "mgr", "manager"), "hr": f.user(cur, "hr1", "hr"), "admin": f.user(cur, "adm", "admin")}


def draft(**kw: object) -> CandidateDraft:
    base = {"name": "张三", "mobile": "13800138000", "channel": "online", **CONSENT}
    return CandidateDraft(**(base | kw))  # type: ignore[arg-type]


def test_create_normalises_and_derives(cur: duckdb.DuckDBPyConnection, world: dict) -> None:
    new_id = cc.add(cur, world["hr"], draft(name=" 张　三 ", mobile="+86 138-0013-8000", email=" ZS@163.COM ",
                                           university_raw="上海体育学院", degree="硕士", birth_year=2000))
    person = candidates.get(cur, SYSTEM, new_id, reveal=True)
    assert (person.name, person.mobile, person.email) == ("张 三", "13800138000", "zs@163.com")
    assert person.university == "上海体育大学"            # the alias of a renamed school
    assert person.talent_category == "young_graduate" and not person.talent_category_manual
    assert person.name_pinyin == "zhangsan" and person.consent_method and person.consent_at
    assert claimed(cur, "e:zs@163.com", "m:13800138000") == [("e:zs@163.com", new_id), ("m:13800138000", new_id)]


def test_category_can_be_set_by_hand(cur: duckdb.DuckDBPyConnection, world: dict) -> None:
    new_id = cc.add(cur, world["hr"], draft(degree="大专", talent_category="high_skill"))
    person = candidates.get(cur, SYSTEM, new_id)
    assert (person.talent_category, person.talent_category_manual) == ("high_skill", True)


@pytest.mark.parametrize("change, field, message", [
    ({"name": "  "}, "name", "请填写姓名"),
    ({"mobile": "1.38E+10"}, "mobile", "科学计数法"),
    ({"mobile": "12345"}, "mobile", "不是有效的 11 位手机号"),
    ({"mobile": None, "email": None}, "mobile", "至少填写一项"),
    ({"email": "not-an-email"}, "email", "格式不正确"),
    ({"degree": "小学"}, "degree", "学历只能是"),
    ({"graduation_month": 13}, "graduation_month", "1–12"),
    ({"birth_year": 1900}, "birth_year", "不合理"),
    ({"consent_method": None}, "consent", "个人信息授权"),
    ({"name": "张" * 51}, "name", "姓名过长：最多 50 个字，现为 51 个字"),
    ({"major": "机" * 101}, "major", "专业过长"),
    ({"university_raw": "大" * 5_000_000}, "university_raw", "学校名称过长"),
    ({"notes": "x" * 2001}, "notes", "备注过长"),
])
def test_invalid_input_gets_a_chinese_message_naming_the_field(cur: duckdb.DuckDBPyConnection, world: dict,
                                                               change: dict, field: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message) as error:
        cc.add(cur, world["hr"], draft(**change))
    assert error.value.field == field
    assert cur.execute("select count(*) from candidate").fetchall() == [(0,)]


def a_national_id() -> str:
    from db.national_id import check_char

    return "33048219900307123" + check_char("33048219900307123")


@pytest.mark.parametrize("field", ["notes", "mobile", "name", "major", "college", "consent_method"])
def test_a_national_id_is_refused_in_any_field_and_never_repeated(cur: duckdb.DuckDBPyConnection, world: dict,
                                                                  field: str) -> None:
    """The CRM stores no ID numbers: typed anywhere in the form, the save is refused, and the message
    does not repeat the number."""
    number = a_national_id()
    with pytest.raises(ValidationError, match="身份证号") as error:
        cc.add(cur, world["hr"], draft(**{field: f"身份证 {number}"}))
    assert number not in str(error.value) and error.value.field == field
    with pytest.raises(ValidationError, match="身份证号"):
        cc.add(cur, world["hr"], draft(tags=(number,)))
    assert cur.execute("select count(*) from candidate").fetchall() == [(0,)]


def test_exact_duplicates_are_blocked_however_the_number_is_written(cur: duckdb.DuckDBPyConnection, world: dict) -> None:
    first = cc.add(cur, world["hr"], draft(email="a@b.cn"))
    for again in (draft(name="李四", mobile="138 0013 8000"), draft(name="李四", mobile=None, email="A@B.CN")):
        with pytest.raises(DuplicateCandidate) as error:
            cc.add(cur, world["hr"], again)
        assert error.value.existing_id == first and "张三" in str(error.value)
    assert cur.execute("select count(*) from candidate").fetchall() == [(1,)]


def test_a_recruiter_sees_another_enclaves_duplicate_number_masked(cur: duckdb.DuckDBPyConnection, world: dict) -> None:
    cc.add(cur, world["rec_gy"], draft())
    with pytest.raises(DuplicateCandidate, match=r"138\*\*\*\*8000"):
        cc.add(cur, world["rec_sh"], draft(name="李四"))


def test_likely_duplicates_warn_and_need_a_reason(cur: duckdb.DuckDBPyConnection, world: dict) -> None:
    first = cc.add(cur, world["hr"], draft(university_raw="浙江大学", graduation_year=2025))
    lookalike = draft(name="章三", mobile="13900001111", university_raw="浙大", graduation_year=2025)  # zhangsan too
    with pytest.raises(LikelyDuplicate) as warned:
        cc.add(cur, world["hr"], lookalike)
    assert warned.value.found["id"].to_list() == [first]
    second = cc.add(cur, world["hr"], lookalike, duplicate_reason="出生年份不同，已电话核实")
    detail = cur.execute("select detail from audit_log where entity_id = ? and action = 'create'", [str(second)]).fetchall()
    assert "出生年份不同" in detail[0][0]


def test_close_name_with_same_last_four_digits_is_likely(cur: duckdb.DuckDBPyConnection, world: dict) -> None:
    cc.add(cur, world["hr"], draft(name="欧阳娜娜", mobile="13811118000"))
    with pytest.raises(LikelyDuplicate, match="欧阳娜娜"):
        cc.add(cur, world["hr"], draft(name="欧阳娜", mobile="13922228000"))


def test_edits_carry_the_version_they_were_made_on(cur: duckdb.DuckDBPyConnection, world: dict) -> None:
    new_id = cc.add(cur, world["hr"], draft())
    seen = candidates.get(cur, SYSTEM, new_id, reveal=True)
    cc.update(cur, world["hr"], new_id, replace(CandidateDraft.from_candidate(seen), major="机械工程"),
              expected_version=seen.version)
    with pytest.raises(ConcurrentEdit, match="该候选人刚被他人修改，请刷新后重试"):
        cc.update(cur, world["hr"], new_id, replace(CandidateDraft.from_candidate(seen), major="材料工程"),
                  expected_version=seen.version)
    after = candidates.get(cur, SYSTEM, new_id)
    assert (after.major, after.version) == ("机械工程", 2)
    changed = cur.execute("select before_json, after_json from audit_log where action = 'update'").fetchall()
    assert changed == [('{"major": null}', '{"major": "机械工程"}')]


def test_changing_a_mobile_moves_its_uniqueness_key(cur: duckdb.DuckDBPyConnection, world: dict) -> None:
    new_id = cc.add(cur, world["hr"], draft())
    seen = candidates.get(cur, SYSTEM, new_id, reveal=True)
    cc.update(cur, world["hr"], new_id, replace(CandidateDraft.from_candidate(seen), mobile="13999999999"),
              expected_version=seen.version)
    cc.add(cur, world["hr"], draft(name="王五"))   # the old number is free again
    assert cur.execute("select count(*) from contact_key").fetchall() == [(2,)]


def test_recruiters_work_only_inside_their_enclave(cur: duckdb.DuckDBPyConnection, world: dict) -> None:
    mine = cc.add(cur, world["rec_sh"], draft(enclave_id=world["gy"]))   # forced into their own enclave
    assert candidates.get(cur, SYSTEM, mine).enclave_id == world["sh"]
    theirs = cc.add(cur, world["rec_gy"], draft(name="李四", mobile="13700000000"))
    seen = candidates.get(cur, SYSTEM, theirs, reveal=True)
    with pytest.raises(PermissionDenied, match="本飞地"):
        cc.update(cur, world["rec_sh"], theirs, CandidateDraft.from_candidate(seen), expected_version=seen.version)
    with pytest.raises(PermissionDenied):
        cc.add(cur, world["manager"], draft(name="赵六", mobile="13600000000"))


def test_bulk_actions_skip_people_outside_the_actors_scope(cur: duckdb.DuckDBPyConnection, world: dict) -> None:
    mine = cc.add(cur, world["rec_sh"], draft())
    theirs = cc.add(cur, world["rec_gy"], draft(name="李四", mobile="13700000000"))
    changed, skipped = cc.bulk_add_tag(cur, world["rec_sh"], [mine, theirs], "重点关注")
    assert (changed, skipped) == (1, [theirs])
    changed, skipped = cc.bulk_assign_owner(cur, world["hr"], [mine, theirs], world["rec_sh"].id)
    assert (changed, skipped) == (2, [])
    assert candidates.get(cur, SYSTEM, mine).tags == ("重点关注",)
    assert cur.execute("select count(*) from audit_log where action = 'bulk_update'").fetchall() == [(2,)]


def test_deletion_on_request_anonymises_but_keeps_the_count(cur: duckdb.DuckDBPyConnection, world: dict) -> None:
    from datetime import datetime

    new_id = cc.add(cur, world["hr"], draft(email="zs@qq.com", notes="喜欢机械"))
    f.hire(cur, new_id, datetime(2025, 7, 1, 10))
    cur.execute("insert into activity values (nextval('seq_activity'), ?, 'call', '2025-06-01', '电话：张三 13800138000',"
                " null, 'hr1', now())", [new_id])
    before = analytics.hires_by_category(cur, SYSTEM, 2025)
    with pytest.raises(ValidationError, match="删除依据"):
        cc.delete_on_request(cur, world["hr"], new_id, reason=" ")
    cc.delete_on_request(cur, world["hr"], new_id, reason="本人 2026-11-20 电话要求删除")
    person = candidates.get(cur, SYSTEM, new_id, reveal=True)
    assert person.name == f"已删除#{new_id}" and person.mobile is None and person.email is None and person.notes is None
    assert analytics.hires_by_category(cur, SYSTEM, 2025) == before
    everything = " ".join(str(r) for t in ("candidate", "activity", "audit_log", "contact_key")
                          for r in cur.execute(f"select * from {t}").fetchall())
    assert "13800138000" not in everything and "张三" not in everything and "zs@qq.com" not in everything
    cc.add(cur, world["hr"], draft(name="新人"))   # the number is free for someone else now


def test_export_unmasked_is_for_managers_hr_admin_and_audited(cur: duckdb.DuckDBPyConnection, world: dict) -> None:
    cc.add(cur, world["rec_gy"], draft())
    with pytest.raises(PermissionDenied):
        cc.export_rows(cur, world["rec_sh"], unmasked=True)
    assert cc.export_rows(cur, world["rec_sh"])["手机"].to_list() == ["138****8000"]
    assert cc.export_rows(cur, world["manager"], unmasked=True)["手机"].to_list() == ["13800138000"]
    assert cur.execute("select actor from audit_log where action = 'export' order by id").fetchall() == [
        ("rec_sh",), ("mgr",)]


def test_every_export_is_masked_unless_asked_and_audited_with_its_filter(cur: duckdb.DuckDBPyConnection,
                                                                          world: dict) -> None:
    """A recruiter's export of their own enclave said 脱敏 but held full contacts and left no trace;
    HR's masked exports were not audited either."""
    cc.add(cur, world["rec_sh"], draft(degree="本科"))
    own = cc.export_rows(cur, world["rec_sh"], "张三", degree="本科")
    assert own["手机"].to_list() == ["138****8000"] and own["邮箱"].to_list() == [None]
    cc.export_rows(cur, world["hr"])
    entries = cur.execute("select actor, entity, detail, after_json from audit_log where action = 'export'"
                          " order by id").fetchall()
    assert [e[0] for e in entries] == ["rec_sh", "hr1"]
    assert entries[0][1] == "候选人名单" and "1 行" in entries[0][2] and "脱敏" in entries[0][2]
    assert "搜索=张三" in entries[0][2] and "学历=本科" in entries[0][2]
    assert '"masked": true' in entries[0][3]
