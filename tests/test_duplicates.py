"""Duplicate pairs, dismissal and merge: the survivor takes chosen values and all history; counted once."""
from __future__ import annotations

from datetime import datetime

import duckdb
import pytest

from db import analytics, candidates, duplicates
from db import candidate_commands as cc
from db.candidate_commands import CandidateDraft
from db.errors import ConcurrentEdit, PermissionDenied, ValidationError
from db.permissions import SYSTEM
from tests import factories as f
from tests.helpers import claimed

CONSENT = {"consent_method": "表单", "consent_purpose": "招聘", "channel": "online", "degree": "本科"}


@pytest.fixture
def pair(cur: duckdb.DuckDBPyConnection) -> dict:
    """Two records of one person (registered at two fairs), each with history, in enclave SH."""
    sh, gy = f.enclave(cur, "SH"), f.enclave(cur, "GY")
    hr = f.user(cur, "hr1", "hr")
    a = cc.add(cur, hr, CandidateDraft(name="张伟", mobile="13800138000", university_raw="浙江大学", graduation_year=2025,
                                       enclave_id=sh, tags=("应届生",), **CONSENT))
    b = cc.add(cur, hr, CandidateDraft(name="张伟", mobile="13911112222", email="zw@163.com", university_raw="浙大",
                                       graduation_year=2025, enclave_id=sh, major="机械工程", tags=("重点关注",), **CONSENT),
               duplicate_reason="测试：先建两条")
    f.hire(cur, a, datetime(2025, 7, 1, 10))
    f.hire(cur, b, datetime(2025, 7, 3, 10))          # the same person hired twice in the data: counted twice today
    cur.execute("insert into activity values (nextval('seq_activity'), ?, 'call', '2025-06-01', '电话', null, 'hr1', now())", [b])
    return {"a": a, "b": b, "hr": hr, "rec_sh": f.user(cur, "rec_sh", "recruiter", sh),
            "rec_gy": f.user(cur, "rec_gy", "recruiter", gy), "manager": f.user(cur, "mgr", "manager")}


def versions(cur: duckdb.DuckDBPyConnection, *ids: int) -> tuple[int, ...]:
    return tuple(candidates.get(cur, SYSTEM, i).version for i in ids)


def test_the_pair_is_listed_until_dismissed(cur: duckdb.DuckDBPyConnection, pair: dict) -> None:
    listed = duplicates.pairs(cur, pair["hr"])
    assert (listed["left_id"].to_list(), listed["right_id"].to_list()) == ([pair["a"]], [pair["b"]])
    assert duplicates.count_pairs(cur, pair["rec_sh"]) == 1 and duplicates.count_pairs(cur, pair["rec_gy"]) == 0
    with pytest.raises(ValidationError, match="判断依据"):
        duplicates.dismiss(cur, pair["hr"], pair["a"], pair["b"], reason="")
    duplicates.dismiss(cur, pair["hr"], pair["b"], pair["a"], reason="出生年份不同")
    assert duplicates.count_pairs(cur, pair["hr"]) == 0


def test_merge_moves_history_and_takes_chosen_fields(cur: duckdb.DuckDBPyConnection, pair: dict) -> None:
    before = analytics.hires_by_category(cur, SYSTEM, 2025)["young_graduate"]
    assert before == 2
    duplicates.merge(cur, pair["hr"], pair["a"], pair["b"], take_from_merged={"email", "major"},
                     versions=versions(cur, pair["a"], pair["b"]))
    survivor = candidates.get(cur, SYSTEM, pair["a"], reveal=True)
    assert (survivor.mobile, survivor.email, survivor.major) == ("13800138000", "zw@163.com", "机械工程")
    assert survivor.tags == ("应届生", "重点关注")
    assert candidates.get(cur, SYSTEM, pair["b"]).merged_into == pair["a"]
    for table in ("application", "stage_event", "activity"):
        owners = cur.execute(f"select distinct candidate_id from {table}").fetchall()
        assert owners == [(pair["a"],)], table
    assert analytics.hires_by_category(cur, SYSTEM, 2025)["young_graduate"] == 1   # one person, counted once
    assert [r["id"] for r in candidates.search(cur, SYSTEM, "张伟").iter_rows(named=True)] == [pair["a"]]
    assert claimed(cur, "e:zw@163.com", "m:13800138000") == [("e:zw@163.com", pair["a"]), ("m:13800138000", pair["a"])]
    merged = cur.execute("select detail from audit_log where action = 'merge'").fetchall()
    assert f"编号 {pair['b']} 合并到编号 {pair['a']}" in merged[0][0]


def test_merge_refuses_stale_versions_and_strangers(cur: duckdb.DuckDBPyConnection, pair: dict) -> None:
    stale = versions(cur, pair["a"], pair["b"])
    seen = candidates.get(cur, SYSTEM, pair["a"], reveal=True)
    cc.update(cur, pair["hr"], pair["a"], CandidateDraft.from_candidate(seen), expected_version=seen.version,
              duplicate_reason="x")
    with pytest.raises(ConcurrentEdit):
        duplicates.merge(cur, pair["hr"], pair["a"], pair["b"], take_from_merged=set(), versions=stale)
    with pytest.raises(PermissionDenied):
        duplicates.merge(cur, pair["rec_gy"], pair["a"], pair["b"], take_from_merged=set(),
                         versions=versions(cur, pair["a"], pair["b"]))
    with pytest.raises(PermissionDenied):
        duplicates.merge(cur, pair["manager"], pair["a"], pair["b"], take_from_merged=set(),
                         versions=versions(cur, pair["a"], pair["b"]))
    with pytest.raises(ValidationError, match="自己"):
        duplicates.merge(cur, pair["hr"], pair["a"], pair["a"], take_from_merged=set(), versions=(1, 1))
    assert candidates.get(cur, SYSTEM, pair["b"]).merged_into is None


def test_the_recruiter_of_the_enclave_may_merge(cur: duckdb.DuckDBPyConnection, pair: dict) -> None:
    duplicates.merge(cur, pair["rec_sh"], pair["b"], pair["a"], take_from_merged=set(),
                     versions=versions(cur, pair["b"], pair["a"]))
    assert candidates.get(cur, SYSTEM, pair["a"]).merged_into == pair["b"]


def test_side_by_side_masks_for_the_actor(cur: duckdb.DuckDBPyConnection, pair: dict) -> None:
    with pytest.raises(PermissionDenied):
        duplicates.side_by_side(cur, pair["manager"], pair["a"], pair["b"])
    shown = duplicates.side_by_side(cur, pair["hr"], pair["a"], pair["b"])
    assert set(shown["mobile"].to_list()) == {"138****8000", "139****2222"}
