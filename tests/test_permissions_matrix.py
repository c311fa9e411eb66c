"""The role table of DESIGN.md, checked by calling db/ commands directly as each role."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import duckdb
import pytest

from db import analytics, audit, backup, candidate_commands as cc, candidates, duplicates, users
from db.candidate_commands import CandidateDraft
from db.errors import DomainError, PermissionDenied
from db.permissions import SYSTEM, User
from tests import factories as f

CONSENT = {"consent_method": "表单", "consent_purpose": "招聘", "channel": "online"}
ROLES = ("recruiter", "manager", "hr", "admin")


@pytest.fixture
def setup(cur: duckdb.DuckDBPyConnection, tmp_path) -> dict:  # type: ignore[no-untyped-def]
    """Enclaves SH (the recruiter's) and GY, one person in each, one actor per role."""
    sh, gy = f.enclave(cur, "SH"), f.enclave(cur, "GY")
    actors = {"recruiter": f.user(cur, "rec_sh", "recruiter", sh), "manager": f.user(cur, "mgr", "manager"),
              "hr": f.user(cur, "hr1", "hr"), "admin": f.user(cur, "adm", "admin")}
    own = cc.add(cur, SYSTEM, CandidateDraft(name="本地人", mobile="13800000001", enclave_id=sh, **CONSENT))
    other = cc.add(cur, SYSTEM, CandidateDraft(name="外地人", mobile="13800000002", enclave_id=gy, **CONSENT))
    twin = cc.add(cur, SYSTEM, CandidateDraft(name="外地人", mobile="13800000003", enclave_id=gy, **CONSENT),
                  duplicate_reason="测试")
    return {"sh": sh, "gy": gy, "own": own, "other": other, "twin": twin, "tmp": tmp_path, **actors}


def _edit(cur: duckdb.DuckDBPyConnection, actor: User, candidate_id: int) -> None:
    seen = candidates.get(cur, SYSTEM, candidate_id, reveal=True)
    cc.update(cur, actor, candidate_id, replace(CandidateDraft.from_candidate(seen), major="测试"),
              expected_version=seen.version)


ACTIONS: dict[str, Callable[[duckdb.DuckDBPyConnection, User, dict], object]] = {
    "create in own enclave": lambda cur, a, s: cc.add(cur, a, CandidateDraft(name="新人", mobile="13900000009",
                                                                             enclave_id=a.enclave_id, **CONSENT)),
    "edit own enclave": lambda cur, a, s: _edit(cur, a, s["own"]),
    "edit other enclave": lambda cur, a, s: _edit(cur, a, s["other"]),
    "delete on request (other enclave)": lambda cur, a, s: cc.delete_on_request(cur, a, s["other"], reason="本人要求"),
    "merge (other enclave)": lambda cur, a, s: duplicates.merge(cur, a, s["other"], s["twin"], take_from_merged=set(),
                                                                versions=(1, 1)),
    "bulk tag (other enclave)": lambda cur, a, s: _require_all(cc.bulk_add_tag(cur, a, [s["other"]], "标签")),
    "export unmasked": lambda cur, a, s: cc.export_rows(cur, a, unmasked=True),
    "dashboards": lambda cur, a, s: analytics.headline(cur, a, 2025),
    "list users": lambda cur, a, s: users.list_users(cur, a),
    "read audit log": lambda cur, a, s: audit.search(cur, a),
    "backup": lambda cur, a, s: backup.export(cur, a, s["tmp"] / a.role),
}
ALLOWED = {
    "create in own enclave": {"recruiter", "hr", "admin"},
    "edit own enclave": {"recruiter", "hr", "admin"},
    "edit other enclave": {"hr", "admin"},
    "delete on request (other enclave)": {"hr", "admin"},
    "merge (other enclave)": {"hr", "admin"},
    "bulk tag (other enclave)": {"hr", "admin"},
    "export unmasked": {"manager", "hr", "admin"},
    "dashboards": set(ROLES),
    "list users": {"admin"},
    "read audit log": {"admin"},
    "backup": {"admin"},
}


def _require_all(result: tuple[int, list[int]]) -> None:
    changed, skipped = result
    if skipped:
        raise PermissionDenied("skipped")


def test_the_matrix_lists_every_action() -> None:
    assert set(ACTIONS) == set(ALLOWED)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_role_action(cur: duckdb.DuckDBPyConnection, setup: dict, role: str, action: str) -> None:
    actor = setup[role]
    if role in ALLOWED[action]:
        ACTIONS[action](cur, actor, setup)
    else:
        writes = "select count(*) from audit_log where action <> 'view_unmasked'"   # the test's own reads aside
        audit_rows = cur.execute(writes).fetchall()
        with pytest.raises(PermissionDenied):
            ACTIONS[action](cur, actor, setup)
        assert cur.execute(writes).fetchall() == audit_rows   # nothing half-done


@pytest.mark.parametrize("role", ROLES)
def test_who_sees_which_contacts(cur: duckdb.DuckDBPyConnection, setup: dict, role: str) -> None:
    actor = setup[role]
    own = candidates.get(cur, actor, setup["own"])
    other = candidates.get(cur, actor, setup["other"])
    assert own.mobile == ("13800000001" if role == "recruiter" else "138****0001")
    assert other.mobile == "138****0002"                      # masked by default for everyone
    revealed = candidates.get(cur, actor, setup["other"], reveal=True)
    assert revealed.mobile == ("138****0002" if role == "recruiter" else "13800000002")


def test_domain_errors_are_chinese_sentences(cur: duckdb.DuckDBPyConnection, setup: dict) -> None:
    with pytest.raises(DomainError) as error:
        _edit(cur, setup["recruiter"], setup["other"])
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(error.value))
