"""Finding people: one box for name, pinyin, initials, mobile (or last 4), e-mail and school; filters; masking."""
from __future__ import annotations

from datetime import date

import duckdb
import pytest

from db import candidate_commands as cc, candidates
from db.candidate_commands import CandidateDraft
from db.permissions import SYSTEM, User
from tests import factories as f

CONSENT = {"consent_method": "表单", "consent_purpose": "招聘"}


@pytest.fixture
def people(cur: duckdb.DuckDBPyConnection) -> dict:
    """A handful of people in two enclaves, with tags, schools and a multi-reading name."""
    sh, gy = f.enclave(cur, "SH"), f.enclave(cur, "GY")
    hr = f.user(cur, "hr1", "hr")
    made = {}
    for key, name, mobile, email, school, enclave, degree, year in [
        ("zw", "张伟", "13800138000", "zhangwei@163.com", "浙江大学", sh, "本科", 2025),
        ("zl", "曾乐", "13912345678", None, "同济大学", sh, "硕士", 2024),
        ("wf", "王芳", "13700001234", "wf@qq.com", "贵州大学", gy, "本科", 2025),
        ("ly", "李阳", "15000008000", None, "上海体育学院", gy, "博士", 2026),
    ]:
        made[key] = cc.add(cur, hr, CandidateDraft(name=name, mobile=mobile, email=email, university_raw=school,
                                                   enclave_id=enclave, degree=degree, graduation_year=year,
                                                   channel="online", tags=("重点关注",) if key == "wf" else (), **CONSENT))
    return made | {"sh": sh, "gy": gy, "rec_sh": User(90, "r", "recruiter", sh), "manager": User(91, "m", "manager")}


@pytest.mark.parametrize("text, expected", [
    ("张伟", ["zw"]), ("zhangwei", ["zw"]), ("zw", ["zw"]), ("zengle", ["zl"]), ("zengyue", ["zl"]), ("zy", ["zl"]),
    ("13800138000", ["zw"]), ("8000", ["zw", "ly"]), ("1234", ["wf"]), ("wf@qq", ["wf"]), ("浙江大学", ["zw"]),
    ("浙大", ["zw"]), ("上海体育学院", ["ly"]), ("上海体育", ["ly"]), ("", ["zw", "zl", "wf", "ly"]),
])
def test_one_box_finds_people_every_way(cur: duckdb.DuckDBPyConnection, people: dict, text: str, expected: list) -> None:
    found = candidates.search(cur, SYSTEM, text)["id"].to_list()
    assert sorted(found) == sorted(people[k] for k in expected)
    assert candidates.count(cur, SYSTEM, text) == len(expected)


@pytest.mark.parametrize("filters, expected", [
    ({"enclave_id": "gy"}, ["wf", "ly"]), ({"degree": "本科"}, ["zw", "wf"]), ({"graduation_year": 2024}, ["zl"]),
    ({"tag": "重点关注"}, ["wf"]), ({"talent_category": "young_phd"}, ["ly"]), ({"channel": "walk_in"}, []),
    ({"created_from": date(2000, 1, 1), "created_to": date(2099, 1, 1)}, ["zw", "zl", "wf", "ly"]),
])
def test_filters(cur: duckdb.DuckDBPyConnection, people: dict, filters: dict, expected: list) -> None:
    filters = {k: people[v] if k == "enclave_id" else v for k, v in filters.items()}
    assert sorted(candidates.search(cur, SYSTEM, **filters)["id"].to_list()) == sorted(people[k] for k in expected)


def test_stage_and_drive_filters_look_at_applications(cur: duckdb.DuckDBPyConnection, people: dict) -> None:
    from datetime import datetime

    employer = f.employer(cur, "甲公司")
    drive = f.drive(cur, date(2025, 4, 1), employers={employer: 3})
    f.walk(cur, people["wf"], ("applied", datetime(2025, 4, 1)), ("offer", datetime(2025, 5, 1)), drive_id=drive)
    assert candidates.search(cur, SYSTEM, stage="offer")["id"].to_list() == [people["wf"]]
    assert candidates.search(cur, SYSTEM, drive_id=drive)["stage"].to_list() == ["offer"]


def test_sorting_and_paging(cur: duckdb.DuckDBPyConnection, people: dict) -> None:
    by_name = candidates.search(cur, SYSTEM, sort="name", descending=False)["name"].to_list()
    assert by_name == ["李阳", "王芳", "曾乐", "张伟"]            # li, wang, zeng, zhang
    pages = [candidates.search(cur, SYSTEM, sort="name", descending=False, offset=o, limit=3)["name"].to_list()
             for o in (0, 3)]
    assert pages == [by_name[:3], by_name[3:]]
    with pytest.raises(TypeError):
        candidates.search(cur, SYSTEM, colour="red")


def test_contacts_are_masked_for_the_actor(cur: duckdb.DuckDBPyConnection, people: dict) -> None:
    rows = {r["id"]: r for r in candidates.search(cur, people["rec_sh"]).iter_rows(named=True)}
    assert rows[people["zw"]]["mobile"] == "13800138000" and not rows[people["zw"]]["masked"]   # own enclave
    assert rows[people["wf"]]["mobile"] == "137****1234" and rows[people["wf"]]["email"] == "w***@qq.com"
    assert rows[people["wf"]]["masked"]
    as_recruiter = candidates.search(cur, people["rec_sh"], reveal=True)   # a recruiter cannot reveal
    assert {r["mobile"] for r in as_recruiter.iter_rows(named=True) if r["id"] == people["wf"]} == {"137****1234"}


def test_managers_see_masked_until_they_reveal_and_that_is_audited(cur: duckdb.DuckDBPyConnection, people: dict) -> None:
    masked = candidates.search(cur, people["manager"], "王芳")
    assert masked["mobile"].to_list() == ["137****1234"]
    shown = candidates.search(cur, people["manager"], "王芳", reveal=True)
    assert shown["mobile"].to_list() == ["13700001234"]
    assert cur.execute("select actor, action from audit_log where action = 'view_unmasked'").fetchall() == [("m", "view_unmasked")]
    detail = candidates.get(cur, people["manager"], people["wf"])
    assert detail.mobile == "137****1234" and detail.contacts_masked
    assert candidates.get(cur, people["manager"], people["wf"], reveal=True).mobile == "13700001234"


def test_merged_and_deleted_people_are_not_listed(cur: duckdb.DuckDBPyConnection, people: dict) -> None:
    cur.execute("update candidate set merged_into = ? where id = ?", [people["zw"], people["zl"]])
    cur.execute("update candidate set deleted_at = now() where id = ?", [people["wf"]])
    assert sorted(candidates.search(cur, SYSTEM)["id"].to_list()) == sorted([people["zw"], people["ly"]])


# --- what search tells about people whose contacts the actor may not see ------------------------

def test_recruiter_finds_other_enclaves_people_only_by_their_whole_contact(cur: duckdb.DuckDBPyConnection,
                                                                          people: dict) -> None:
    """王芳 (GY) is masked for a recruiter of SH: a prefix, a substring or the last 4 digits of her
    mobile, or part of her e-mail, must not find her; the whole number or address must (duplicates)."""
    rec = people["rec_sh"]
    for partial in ("1370000", "00001234", "1234", "137", "wf@", "qq.com", "qq"):
        assert people["wf"] not in candidates.search(cur, rec, partial)["id"].to_list(), partial
        assert candidates.count(cur, rec, partial) == len(candidates.search(cur, rec, partial)), partial
    for whole in ("13700001234", "+86 137-0000-1234", "１３７００００１２３４", "WF@qq.com"):
        found = candidates.search(cur, rec, whole)
        assert found["id"].to_list() == [people["wf"]], whole
        assert found["mobile"][0] == "137****1234"       # still masked
    # Their own enclave's people are found by any part, as before.
    assert candidates.search(cur, rec, "8000")["id"].to_list() == [people["zw"]]
    assert candidates.search(cur, rec, "zhangwei@")["id"].to_list() == [people["zw"]]
    # Managers may reveal anyone's contacts, so any part finds anyone.
    assert sorted(candidates.search(cur, people["manager"], "8000")["id"].to_list()) == sorted(
        [people["zw"], people["ly"]])


def test_digit_by_digit_probing_learns_nothing(cur: duckdb.DuckDBPyConnection, people: dict) -> None:
    """The attack the rule exists for: growing a prefix one digit at a time, keeping the digit that
    still finds the masked person. Every probe short of the whole number must find no one."""
    rec, target = people["rec_sh"], "13700001234"
    for length in range(1, len(target)):
        for digit in "0123456789":
            probe = target[: length - 1] + digit
            assert people["wf"] not in candidates.search(cur, rec, probe)["id"].to_list(), probe


@pytest.mark.parametrize("text", ["%", "_", "%%", "1%4", "z_w", "%@%", "张%", "_伟"])
def test_search_text_is_literal(cur: duckdb.DuckDBPyConnection, people: dict, text: str) -> None:
    """'%' and '_' are characters, not wildcards — for everyone."""
    assert candidates.search(cur, SYSTEM, text).height == 0
    assert candidates.count(cur, SYSTEM, text) == 0


def test_a_name_with_wildcard_characters_is_found_literally(cur: duckdb.DuckDBPyConnection, people: dict) -> None:
    hr = User(92, "hr2", "hr")
    odd = cc.add(cur, hr, CandidateDraft(name="王_%", mobile="13600000001", channel="online", **CONSENT))
    assert candidates.search(cur, SYSTEM, "_%")["id"].to_list() == [odd]
