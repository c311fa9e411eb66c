"""The programme registers' commands: who may do what, validation in Chinese, versions, deletion rules,
audit, and each register's own rules (agreement status and renewal, targets, declarations)."""
from __future__ import annotations

import threading
from datetime import date, timedelta

import duckdb
import pytest

from db import clock
from db.errors import ConcurrentEdit, PermissionDenied, ValidationError
from db.national_id import check_char
from db.permissions import User
from db.programmes import (
    agreements, appointments, co_supervision, declarations, drives, employers, enclaves, register, targets,
)
from tests import factories as f

ACTORS = {"recruiter": User(1, "rec", "recruiter", 1), "manager": User(2, "mgr", "manager"),
          "hr": User(3, "hr", "hr"), "admin": User(4, "adm", "admin")}
MANAGER = ACTORS["manager"]
ZJU = 1   # a university id from the reference data


def zju(cur: duckdb.DuckDBPyConnection) -> int:
    return cur.execute("select id from university where name = '浙江大学'").fetchall()[0][0]


@pytest.fixture
def world(cur: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """One enclave, employer, position, drive, agreement, candidate — ids by name."""
    enclave = register.create(cur, MANAGER, enclaves.REGISTER, {"name": "上海飞地", "code": "SH", "city": "上海市",
                                                                "province": "上海市"})
    employer = register.create(cur, MANAGER, employers.REGISTER, {"name": "平湖光电科技有限公司"})
    position = register.create(cur, MANAGER, employers.POSITIONS, {"title": "光学工程师", "employer_id": employer})
    drive = register.create(cur, MANAGER, drives.REGISTER, {"title": "浙大专场", "university_id": zju(cur),
                                                             "held_on": date(2025, 10, 1), "status": "held"})
    agreement = register.create(cur, MANAGER, agreements.REGISTER, {"university_id": zju(cur), "kind": "引才协议",
                                                                     "starts_on": date(2025, 1, 1)})
    candidate = f.candidate(cur, "林晓")
    return {"enclave": enclave, "employer": employer, "position": position, "drive": drive, "agreement": agreement,
            "candidate": candidate}


def valid(cur: duckdb.DuckDBPyConnection, world: dict[str, int]) -> dict:
    """A valid new row for each register, by table."""
    return {
        enclaves.REGISTER.table: {"name": "成都飞地", "code": "CD", "city": "成都市", "province": "四川省"},
        employers.REGISTER.table: {"name": "嘉兴新材料有限公司", "credit_code": "91330482MA2B0AXJ8E"[:17]
                             + _credit_check("91330482MA2B0AXJ8")},
        employers.POSITIONS.table: {"title": "工艺工程师", "employer_id": world["employer"], "headcount": 2},
        agreements.REGISTER.table: {"university_id": zju(cur), "kind": "学分互认", "starts_on": date(2025, 3, 1)},
        drives.REGISTER.table: {"title": "复旦专场", "university_id": zju(cur), "held_on": date(2025, 11, 1), "status": "planned"},
        co_supervision.REGISTER.table: {"candidate_id": world["candidate"], "university_id": zju(cur),
                                  "employer_id": world["employer"], "enterprise_mentor": "王工", "university_mentor": "李教授",
                                  "kind": "联培", "starts_on": date(2025, 9, 1), "outcome": "pending"},
        appointments.REGISTER.table: {"kind": "tech_vp", "person_name": "赵博士", "starts_on": date(2025, 1, 1)},
        declarations.REGISTER.table: {"programme": "国家级某人才计划", "level": "国家级", "batch": "2025 第一批",
                                "applicant_name": "钱研究员", "status": "submitted"},
    }


def _credit_check(first17: str) -> str:
    from db.validation import credit_code_check_char

    return credit_code_check_char(first17)


REGISTERS = [enclaves.REGISTER, employers.REGISTER, employers.POSITIONS, agreements.REGISTER, drives.REGISTER,
             co_supervision.REGISTER, appointments.REGISTER, declarations.REGISTER]


@pytest.mark.parametrize("reg", REGISTERS, ids=lambda r: r.table)
@pytest.mark.parametrize("role", list(ACTORS))
def test_who_may_create_edit_deactivate_and_delete(cur: duckdb.DuckDBPyConnection, world: dict, reg, role: str) -> None:  # type: ignore[no-untyped-def]
    actor = ACTORS[role]
    values = valid(cur, world)[reg.table]
    if role == "recruiter":
        with pytest.raises(PermissionDenied, match="只能查看项目信息"):
            register.create(cur, actor, reg, values)
        row_id = register.create(cur, MANAGER, reg, values)
        with pytest.raises(PermissionDenied):
            register.update(cur, actor, reg, row_id, {}, expected_version=1)
        with pytest.raises(PermissionDenied):
            register.delete(cur, actor, reg, row_id)
        assert register.get(cur, actor, reg, row_id) is not None       # recruiters read
        return
    row_id = register.create(cur, actor, reg, values)
    first = reg.fields[0]
    if first.kind == "text":
        assert register.update(cur, actor, reg, row_id, {first.name: f"{values.get(first.name) or first.label}（改）"},
                               expected_version=1)
    if reg.active_column:
        version = register.get(cur, actor, reg, row_id)["version"]
        register.set_active(cur, actor, reg, row_id, False, expected_version=version)
        assert register.get(cur, actor, reg, row_id)["active"] is False
    register.delete(cur, actor, reg, row_id)
    assert register.get(cur, actor, reg, row_id) is None
    actions = [a for a, in cur.execute("select action from audit_log where entity = ? and entity_id = ? order by id",
                                        [reg.table, str(row_id)]).fetchall()]
    assert actions[0] == "create" and actions[-1] == "delete"


@pytest.mark.parametrize("reg, change, message", [
    (enclaves.REGISTER, {"name": None}, "请填写「名称」"),
    (enclaves.REGISTER, {"code": "上海"}, "飞地编码只能用大写英文字母开头"),
    (enclaves.REGISTER, {"code": "SH"}, "已被编号"),
    (enclaves.REGISTER, {"province": "上海"}, "不在省份名录中"),
    (employers.REGISTER, {"credit_code": "91330482MA2B0AXJ80"}, "校验位"),
    (employers.REGISTER, {"name": "平湖光电科技有限公司 "}, "已存在"),
    (employers.REGISTER, {"contact_phone": "12345"}, "联系电话应为"),
    (employers.REGISTER, {"golden_eagle_tier": "金级"}, "金鹰等级」只能是"),
    (employers.POSITIONS, {"headcount": -1}, "不小于 0 的整数"),
    (employers.POSITIONS, {"employer_id": 999}, "所选企业不存在"),
    (agreements.REGISTER, {"ends_on": date(2024, 1, 1)}, "早于开始日期"),
    (agreements.REGISTER, {"kind": "合作协议"}, "协议类型」只能是"),
    (agreements.REGISTER, {"kind": "引才协议", "starts_on": date(2025, 1, 1)}, "都相同的院校协议"),
    (drives.REGISTER, {"title": "浙大专场"}, "已有名称为"),
    (co_supervision.REGISTER, {"university_mentor": " "}, "请填写「高校导师」"),
    (co_supervision.REGISTER, {"outcome": "stayed"}, "请选择就业的平湖企业"),
    (appointments.REGISTER, {"ends_on": date(2024, 1, 1)}, "早于开始日期"),
    (declarations.REGISTER, {"applicant_name": None}, "请填写「申报人」"),
    (declarations.REGISTER, {"notes": "身份证 33048219900307123" + check_char("33048219900307123")}, "身份证号"),
    (enclaves.REGISTER, {"host_organisation": "张" * 101}, "过长"),
], ids=lambda x: getattr(x, "table", None) or str(x)[:20])
def test_bad_input_gets_a_chinese_message_naming_the_field(cur: duckdb.DuckDBPyConnection, world: dict, reg,  # type: ignore[no-untyped-def]
                                                           change: dict, message: str) -> None:
    before = cur.execute(f"select count(*) from {reg.table}").fetchall()
    with pytest.raises(ValidationError, match=message):
        register.create(cur, MANAGER, reg, valid(cur, world)[reg.table] | change)
    assert cur.execute(f"select count(*) from {reg.table}").fetchall() == before


def test_a_stale_edit_is_refused_and_of_two_at_once_one_wins(db_path, world_db) -> None:  # type: ignore[no-untyped-def]
    conn, employer = world_db
    cur = conn.cursor()
    register.update(cur, MANAGER, employers.REGISTER, employer, {"park": "独山港"}, expected_version=1)
    with pytest.raises(ConcurrentEdit, match="刚被他人修改"):
        register.update(cur, MANAGER, employers.REGISTER, employer, {"park": "乍浦"}, expected_version=1)
    results: list[str] = []

    def save(park: str) -> None:
        try:
            register.update(conn.cursor(), MANAGER, employers.REGISTER, employer, {"park": park}, expected_version=2)
            results.append("saved")
        except ConcurrentEdit:
            results.append("refused")

    threads = [threading.Thread(target=save, args=(p,)) for p in ("甲园区", "乙园区", "丙园区", "丁园区")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["refused", "refused", "refused", "saved"]
    assert cur.execute("select version from employer where id = ?", [employer]).fetchall() == [(3,)]


@pytest.fixture
def world_db(db_path):  # type: ignore[no-untyped-def]
    conn = duckdb.connect(str(db_path))
    employer = register.create(conn.cursor(), MANAGER, employers.REGISTER, {"name": "并发测试企业"})
    yield conn, employer
    conn.close()


def test_a_referenced_row_is_deactivated_not_deleted(cur: duckdb.DuckDBPyConnection, world: dict) -> None:
    f.walk(cur, world["candidate"], ("lead", clock.now()))
    cur.execute("update application set employer_id = ?, position_id = ?", [world["employer"], world["position"]])
    with pytest.raises(ValidationError, match=r"不能删除企业「平湖光电科技有限公司」：仍有 1 个岗位、1 条投递引用它"):
        register.delete(cur, MANAGER, employers.REGISTER, world["employer"])
    register.set_active(cur, MANAGER, employers.REGISTER, world["employer"], False, expected_version=1)
    assert world["employer"] not in register.options(cur, "employer")
    assert world["employer"] in register.options(cur, "employer", include=world["employer"])
    # Renaming a referenced employer works (migration 010) and is audited with before/after.
    register.update(cur, MANAGER, employers.REGISTER, world["employer"], {"name": "平湖光电（集团）有限公司"},
                    expected_version=2)
    before, after = cur.execute("select before_json, after_json from audit_log where entity = 'employer'"
                                " and action = 'update' order by id desc limit 1").fetchall()[0]
    assert "平湖光电科技有限公司" in before and "平湖光电（集团）有限公司" in after


def test_agreement_status_expiring_list_and_renewal(cur: duckdb.DuckDBPyConnection, world: dict) -> None:
    today = clock.today()
    soon = register.create(cur, MANAGER, agreements.REGISTER, {
        "university_id": zju(cur), "kind": "联合培养", "title": "即将到期的联培协议",
        "starts_on": today - timedelta(days=700), "ends_on": today + timedelta(days=30)})
    listed = agreements.expiring(cur, MANAGER)
    assert listed["title"].to_list() == ["即将到期的联培协议"] and listed["days_left"].to_list() == [30]
    status = agreements.with_status(register.search(cur, MANAGER, agreements.REGISTER).rename({}))
    assert dict(zip(status["id"], status["status_label"]))[soon] == "90 天内到期"
    successor = agreements.renew(cur, MANAGER, soon, starts_on=today + timedelta(days=31),
                                 ends_on=today + timedelta(days=31 + 3 * 365))
    assert agreements.expiring(cur, MANAGER).height == 0          # renewed: no longer listed as expiring
    chain = agreements.history(cur, MANAGER, successor)
    assert chain["id"].to_list() == [soon, successor]
    assert register.get(cur, MANAGER, agreements.REGISTER, successor)["predecessor_id"] == soon


def test_targets_grid_refuses_negatives_warns_on_stretch_and_copies(cur: duckdb.DuckDBPyConnection,
                                                                   world: dict) -> None:
    with pytest.raises(ValidationError, match="不小于 0 的整数"):
        targets.save(cur, MANAGER, 2025, [targets.Cell(None, "young_phd", -5)])
    with pytest.raises(PermissionDenied):
        targets.save(cur, ACTORS["recruiter"], 2025, [targets.Cell(None, "young_phd", 5)])
    assert targets.save(cur, MANAGER, 2025, [targets.Cell(None, "young_phd", 40),
                                              targets.Cell(world["enclave"], "young_phd", 45)]) == 2
    assert targets.over_city(cur, MANAGER, 2025) == ["「青年博士」各飞地目标合计 45，高于全市目标 40。"]
    assert targets.save(cur, MANAGER, 2025, [targets.Cell(None, "young_phd", 40)]) == 0       # unchanged
    assert targets.copy_from(cur, MANAGER, 2026) == 2
    grid = targets.grid(cur, MANAGER, 2026)
    assert grid["young_phd"].to_list() == [40, 45]
    assert targets.save(cur, MANAGER, 2026, [targets.Cell(world["enclave"], "young_phd", None)]) == 1   # removed


def test_declaration_figures_count_people_per_level_and_batch(cur: duckdb.DuckDBPyConnection, world: dict) -> None:
    for batch, name in (("2025 第一批", "甲"), ("2025 第一批", "乙"), ("2025 第二批", "甲"), ("2025 第二批", "丙")):
        register.create(cur, MANAGER, declarations.REGISTER, {"programme": "国家级某人才计划", "level": "国家级",
                                                              "batch": batch, "applicant_name": name, "status": "submitted"})
    figures = declarations.figures(cur, MANAGER, 2025)
    assert figures.select("year", "level", "applicants", "batches").rows() == [(2025, "国家级", 3, 2)]


def test_co_supervision_stay_rate(cur: duckdb.DuckDBPyConnection, world: dict) -> None:
    row = register.create(cur, MANAGER, co_supervision.REGISTER, valid(cur, world)[co_supervision.REGISTER.table])
    register.update(cur, MANAGER, co_supervision.REGISTER, row, {"outcome": "stayed", "outcome_employer_id":
                                                                  world["employer"]}, expected_version=1)
    assert co_supervision.stay_rate(cur, MANAGER) == {"finished": 1, "stayed": 1, "left": 0, "pending": 0}


def test_an_all_digit_credit_code_that_looks_like_an_id_number_is_accepted(cur: duckdb.DuckDBPyConnection) -> None:
    """About one all-digit 统一社会信用代码 in eleven also passes the ID number's check digit: the
    credit code has a checksum of its own and is not scanned for ID numbers."""
    from db.national_id import is_national_id
    from db.validation import credit_code_check_char

    code = next(c for c in (f"91330482{n:09d}" + credit_code_check_char(f"91330482{n:09d}") for n in range(10_000))
                if c.isdigit() and is_national_id(c))
    register.create(cur, MANAGER, employers.REGISTER, {"name": "像身份证号的信用代码公司", "credit_code": code})
    assert cur.execute("select credit_code from employer").fetchall() == [(code,)]
