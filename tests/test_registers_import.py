"""台账导入: the register workbook through loaders.registers — counts, re-import, corrections, bad rows,
atomicity, roles, student matching, the template, the command line and the screen."""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest
import xlsxwriter

from db import candidate_commands, integrity
from db.connection import connect
from db.contact_keys import CLAIMS
from db.errors import PermissionDenied, ValidationError
from db.permissions import User
from db.programmes import register
from loaders.registers import ORDER, RegistersResult, WorkbookAborted, import_workbook, template_workbook
from loaders.registers.cells import RowRejected, header_key, parse_bool, parse_date, parse_int
from tests.conftest import ROOT
from tests.helpers import button, login, request_url_path, shown

HR = User(id=0, username="hr", role="hr", display_name="人事")
MANAGER = User(id=0, username="manager", role="manager", display_name="管理者")
RECRUITER = User(id=0, username="recruiter_sh", role="recruiter", enclave_id=1, display_name="专员")
Sheets = dict[str, list[list[Any]]]

FULL: Sheets = {
    "飞地": [["编码*", "名称*", "城市*", "省份*", "依托单位", "地址", "设立日期"],
            ["XA", "平湖（西安）人才飞地", "西安市", "陕西省", "西安交大科技园", None, date(2021, 5, 1)],
            ["cd", "平湖（成都）人才飞地", "成都市", "四川省", None, None, "2020年9月"]],
    "企业": [["企业名称（必填）", "统一社会信用代码", "行业", "园区", "金鹰等级", "高新技术企业"],
            ["平湖甲光电有限公司", "91330482MA2JX00013", "光电", "经开区", "成长级", "是"],
            ["平湖乙新材料有限公司", None, "新材料", None, None, "否"]],
    "岗位": [["企业 名称", "岗位名称", "学历要求", "招聘人数"],
            ["平湖甲光电有限公司", "光学工程师", "硕士研究生", 5],
            ["平湖乙新材料 有限公司", "工艺工程师", "本科", "3"]],
    "院校协议": [["高校", "协议类型", "开始日期", "结束日期", "签订日期", "所属飞地", "名称", "名额"],
              ["浙大", "引才协议", "2025/1/1", "2027.12.31", None, "XA", None, 20],
              ["西安交通大学", "联合培养", 45838, None, "20250601", "平湖（西安）人才飞地", "交大联培协议", None]],
    "校园招聘": [["名称", "计划", "高校", "日期", "所属飞地", "城市", "状态"],
              ["2025 扬帆计划·西安交大专场", None, "西安交通大学", date(2025, 10, 15), "XA", "西安市", "已举办"],
              ["2025 扬帆计划·浙大专场", "扬帆计划", "浙江大学", "2025年11月20日", None, "杭州市", "计划"]],
    "参会企业": [["校园招聘名称", "企业名称", "岗位数"],
              ["2025 扬帆计划·西安交大专场", "平湖甲光电有限公司", 12],
              ["2025 扬帆计划·西安交大专场", "平湖乙新材料有限公司", 8]],
    "联合培养": [["学生姓名", "手机号码", "电子邮箱", "高校", "企业名称", "企业导师", "高校导师", "类型", "课题",
              "开始日期", "预计毕业", "去向"],
             ["林晓", "139-0000-1111", None, "西安交通大学", "平湖甲光电有限公司", "王工", "陈教授", "联培", "激光雷达",
              "2025-09-01", "2027年6月", None],
             ["周明", None, "ZhouMing@Example.com", "浙江大学", "平湖乙新材料有限公司", "李工", "孙教授", "委培", None,
              "2024-09-01", None, "留平就业"]],
    "科技副总与柔性引进": [["类型", "姓名", "职务", "级别", "派出单位", "企业名称", "所属飞地", "开始日期", "结束日期"],
                   ["科技副总", "赵教授", "教授", "省级", "西安交通大学", "平湖甲光电有限公司", "XA", "2025-03-01",
                    "2027-02-28"],
                   ["柔性引进", "钱研究员", None, None, "中国科学院", None, None, "2025-05-01", None]],
    "人才项目申报": [["项目名称", "级别", "批次", "申报人", "企业名称", "申报日期", "状态"],
                ["省级人才计划", "省级", "2025 第一批", "赵教授", "平湖甲光电有限公司", "2025-04-10", "已申报"],
                ["市级人才计划", "市级", "2025 第二批", "钱研究员", None, None, None]],
    "目标": [["年度", "飞地", "指标", "目标值"], [2025, None, "青年大学生", 9000], [2025, "XA", "young_phd", 5],
           [2025, "全市", "科技副总", 12]],
}
FULL_COUNTS = {"飞地": 2, "企业": 2, "岗位": 2, "院校协议": 2, "校园招聘": 2, "参会企业": 2, "联合培养": 2,
               "科技副总与柔性引进": 2, "人才项目申报": 2, "目标": 3}
TABLES = ("enclave", "employer", "position", "agreement", "campus_drive", "drive_employer", "co_supervision",
          "candidate", "contact_key", "appointment", "declaration", "target", "audit_log")


def workbook(sheets: Sheets) -> bytes:
    """An .xlsx with the given sheets: dates as Excel date cells, numbers as numbers, the rest as text."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    dated = book.add_format({"num_format": "yyyy-mm-dd"})
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, date):
                    sheet.write_datetime(r, c, datetime(value.year, value.month, value.day), dated)
                elif isinstance(value, (int, float)):
                    sheet.write_number(r, c, value)
                elif value is not None:
                    sheet.write_string(r, c, value)
    book.close()
    return buffer.getvalue()


def changed(sheets: Sheets, sheet: str, row: int, column: str, value: Any) -> Sheets:
    copy = {name: [list(r) for r in rows] for name, rows in sheets.items()}
    copy[sheet][row][copy[sheet][0].index(column)] = value
    return copy


def counts(result: RegistersResult) -> dict[str, tuple[int, int, int, int, int]]:
    return {name: (s.read, s.inserted, s.updated, s.unchanged, s.rejected) for name, s in result.sheets.items()}


def sizes(cur: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return {t: cur.execute(f"select count(*) from {t}").fetchall()[0][0] for t in TABLES}


def snapshot(cur: duckdb.DuckDBPyConnection) -> dict[str, object]:
    """Every table's row count and a hash of its contents."""
    tables = [t for (t,) in cur.execute("select table_name from information_schema.tables").fetchall()]
    return {t: cur.execute(f"select count(*), hash(string_agg(cast(t as varchar), '|' order by cast(t as varchar)))"
                           f' from "{t}" t').fetchall() for t in tables}


def reasons(result: RegistersResult, sheet: str) -> dict[int, str]:
    return {r.row: r.reason for r in result.sheets[sheet].rejects}


# --- importing, again, corrected ----------------------------------------------------------------------

def test_a_workbook_imports_every_sheet_and_a_second_import_changes_nothing(cur: duckdb.DuckDBPyConnection) -> None:
    data = workbook(FULL)
    first = import_workbook(cur, HR, data, "台账.xlsx")
    assert list(first.sheets) == list(ORDER)
    assert counts(first) == {name: (n, n, 0, 0, 0) for name, n in FULL_COUNTS.items()}, first.lines()
    assert first.sheets["联合培养"].notes == ["为 2 名尚未建档的学生新建了候选人档案（渠道：联合培养）。"]
    assert cur.execute("select code, opened_on from enclave order by code").fetchall() == [
        ("CD", date(2020, 9, 1)), ("XA", date(2021, 5, 1))]
    assert cur.execute("select name, is_high_tech from employer order by name").fetchall() == [
        ("平湖乙新材料有限公司", False), ("平湖甲光电有限公司", True)]
    assert cur.execute("select p.title, p.degree_required, p.headcount from position p order by title").fetchall() == [
        ("光学工程师", "硕士", 5), ("工艺工程师", "本科", 3)]
    assert cur.execute("select kind, starts_on, ends_on, signed_on, quota from agreement order by kind").fetchall() == [
        ("引才协议", date(2025, 1, 1), date(2027, 12, 31), None, 20),
        ("联合培养", date(2025, 6, 30), None, date(2025, 6, 1), None)]
    assert cur.execute("select title, programme, status from campus_drive order by title").fetchall() == [
        ("2025 扬帆计划·浙大专场", "扬帆计划", "planned"), ("2025 扬帆计划·西安交大专场", "扬帆计划", "held")]
    assert cur.execute("select sum(positions_offered) from drive_employer").fetchall() == [(20,)]
    students = cur.execute("""
        select c.name, c.mobile, c.email, c.channel, c.consent_method, s.outcome, s.outcome_employer_id = s.employer_id,
               s.expected_graduation
        from co_supervision s join candidate c on c.id = s.candidate_id order by c.name""").fetchall()
    assert students == [("周明", None, "zhouming@example.com", "joint_training", "联合培养台账导入", "stayed", True, None),
                        ("林晓", "13900001111", None, "joint_training", "联合培养台账导入", "pending", None,
                         date(2027, 6, 1))]
    assert cur.execute("select status, year from declaration order by programme").fetchall() == [
        ("preparing", 2025), ("submitted", 2025)]
    assert cur.execute("select enclave_id is null, metric, value from target order by metric").fetchall() == [
        (True, "tech_vp", 12), (True, "young_graduate", 9000), (False, "young_phd", 5)]
    assert sum(integrity.dangling(cur).values()) == 0

    before, audits = snapshot(cur), sizes(cur)["audit_log"]
    again = import_workbook(cur, HR, data, "台账.xlsx")
    assert counts(again) == {name: (n, 0, 0, n, 0) for name, n in FULL_COUNTS.items()}, again.lines()
    assert sizes(cur)["audit_log"] == audits + 1
    assert {t: v for t, v in snapshot(cur).items() if t != "audit_log"} == {
        t: v for t, v in before.items() if t != "audit_log"}
    entry = cur.execute("select action, entity, actor, detail, after_json from audit_log"
                        " order by id desc limit 1").fetchall()[0]
    assert entry[:3] == ("import", "registers", "hr")
    assert "读取 21 行 = 新增 0 + 更新 0 + 未变 21 + 拒绝 0" in entry[3]
    assert json.loads(entry[4])["工作表"]["目标"]["unchanged"] == 3


def test_a_corrected_workbook_updates_in_place_with_before_and_after(cur: duckdb.DuckDBPyConnection) -> None:
    import_workbook(cur, HR, workbook(FULL), "台账.xlsx")
    ids, last = sizes(cur), cur.execute("select max(id) from audit_log").fetchall()[0][0]
    fixed = changed(changed(changed(FULL, "飞地", 1, "城市*", "西咸新区"), "院校协议", 1, "名额", 25), "目标", 1, "目标值", 9500)
    result = import_workbook(cur, HR, workbook(fixed), "台账（修订）.xlsx")
    expected = {name: (n, 0, 0, n, 0) for name, n in FULL_COUNTS.items()}
    expected |= {"飞地": (2, 0, 1, 1, 0), "院校协议": (2, 0, 1, 1, 0), "目标": (3, 0, 1, 2, 0)}
    assert counts(result) == expected
    assert {k: v for k, v in sizes(cur).items() if k != "audit_log"} == {
        k: v for k, v in ids.items() if k != "audit_log"}
    assert cur.execute("select city from enclave where code = 'XA'").fetchall() == [("西咸新区",)]
    assert cur.execute("select quota from agreement where kind = '引才协议'").fetchall() == [(25,)]
    updates = cur.execute("select entity, before_json, after_json from audit_log where id > ? and action = 'update'"
                          " order by entity", [last]).fetchall()
    assert [(e, json.loads(b), json.loads(a)) for e, b, a in updates] == [
        ("agreement", {"名额": 20}, {"名额": 25}), ("enclave", {"城市": "西安市"}, {"城市": "西咸新区"}),
        ("target", {"年度": 2025, "范围": "全市", "指标": "青年大学生", "目标值": 9000},
         {"年度": 2025, "范围": "全市", "指标": "青年大学生", "目标值": 9500})]


def test_a_blank_cell_clears_its_field_and_a_missing_column_leaves_it(cur: duckdb.DuckDBPyConnection) -> None:
    import_workbook(cur, HR, workbook(FULL), "台账.xlsx")
    cleared = changed(FULL, "企业", 1, "园区", None)
    cleared["飞地"] = [row[:4] for row in FULL["飞地"]]           # no 依托单位 / 地址 / 设立日期 columns
    result = import_workbook(cur, HR, workbook(cleared), "台账.xlsx")
    assert counts(result)["企业"] == (2, 0, 1, 1, 0) and counts(result)["飞地"] == (2, 0, 0, 2, 0)
    assert cur.execute("select park from employer where name = '平湖甲光电有限公司'").fetchall() == [(None,)]
    assert cur.execute("select host_organisation, opened_on from enclave where code = 'XA'").fetchall() == [
        ("西安交大科技园", date(2021, 5, 1))]


def test_a_check_runs_the_same_import_and_writes_nothing(cur: duckdb.DuckDBPyConnection) -> None:
    before = snapshot(cur)
    checked = import_workbook(cur, HR, workbook(FULL), "台账.xlsx", dry_run=True)
    assert snapshot(cur) == before and not checked.committed
    done = import_workbook(cur, HR, workbook(FULL), "台账.xlsx")
    assert counts(checked) == counts(done) and done.committed


# --- bad rows -------------------------------------------------------------------------------------------

ID_NUMBER = "110101199003077774"
BAD: Sheets = {
    "飞地": [["2025 年人才飞地台账"], [], ["编码", "名称", "城市", "省份"], ["SH", "上海飞地", "上海市", "上海市"],
            [None, None, None, None], ["HZ", None, "杭州市", "浙江省"]],
    "企业": [["单位名称", "统一社会信用代码", "高新技术企业", "联系人", "备忘"],
            ["好企业有限公司", None, "√", None, "随便写"], ["坏代码有限公司", "91330482MA2JX00019", "否", None, None],
            ["身份证企业", None, None, f"张三 {ID_NUMBER}", None], ["是否企业", None, "也许", None, None]],
    "院校协议": [["高校", "协议类型", "开始日期", "所属飞地", "名额"],
              ["浙江大学", "引才协议", "2025-01-01", "SH", 10], ["浙江大学", "学分互认", "2025-01-01", "XA", None],
              ["火星理工大学", "引才协议", "2025-01-01", None, None], ["浙江大学", "实习实践基地", "2025-13-40", None, None],
              ["浙江大学", "产教融合", "2025-06", None, None], ["浙江大学", "引才协议", "2025/1/1", None, 5]],
    "岗位": [["企业名称", "岗位名称", "招聘人数"], ["好企业有限公司", "工程师", "1.5"], ["不存在企业", "工程师", 2]],
    "校园招聘": [["名称", "日期"], ["无高校专场", "2025-10-01"]],
    "目标": [["年度", "飞地", "指标", "目标值"], [2025, None, "青年博士", -5], [2025, "SH", "青年博士", 3],
           [2025, None, "外星人才", 3]],
    "杂项": [["随便"]],
}


def test_bad_rows_are_refused_with_their_row_and_reason_and_good_rows_go_in(cur: duckdb.DuckDBPyConnection) -> None:
    result = import_workbook(cur, HR, workbook(BAD), "台账.xlsx")
    assert counts(result) == {"飞地": (2, 1, 0, 0, 1), "企业": (4, 1, 0, 0, 3), "岗位": (2, 0, 0, 0, 2),
                              "院校协议": (6, 1, 0, 0, 5), "校园招聘": (1, 0, 0, 0, 1), "目标": (3, 1, 0, 0, 2)}
    assert result.unknown_sheets == ["杂项"]
    assert reasons(result, "飞地") == {6: "第 6 行：请填写「名称」。"}
    company = reasons(result, "企业")
    assert company[3] == "第 3 行：统一社会信用代码校验位不正确，请核对是否抄错。"
    assert "「联系人」中含有身份证号码" in company[4] and ID_NUMBER not in company[4]
    assert company[5] == "第 5 行：「高新技术企业」只能填 是 或 否（现为 也许）。"
    agreement = reasons(result, "院校协议")
    assert agreement[3].startswith("第 3 行：所属飞地「XA」不存在")
    assert agreement[4].startswith("第 4 行：高校「火星理工大学」无法识别为高校")
    assert agreement[5].startswith("第 5 行：「开始日期」2025-13-40 不是有效日期")
    assert agreement[6].startswith("第 6 行：「开始日期」2025-06 缺少日")
    assert agreement[7].startswith("第 7 行：与第 2 行是同一条记录（高校 浙江大学 · 协议类型 引才协议 · 开始日期 2025/1/1）")
    position = reasons(result, "岗位")
    assert position[2] == "第 2 行：「招聘人数」应为整数（现为 1.5）。"
    assert position[3].startswith("第 3 行：企业名称「不存在企业」不存在")
    assert reasons(result, "校园招聘") == {2: "第 2 行：工作表缺少必填列「高校」。"}
    goals = reasons(result, "目标")
    assert goals[2] == "第 2 行：「目标值」应为不小于 0 的整数（现为 -5）。"
    assert goals[4].startswith("第 4 行：「指标」只能是 青年博士、")
    assert "未识别的列（未导入）：备忘。" in result.sheets["企业"].notes
    assert cur.execute("select name, is_high_tech from employer").fetchall() == [("好企业有限公司", True)]
    assert cur.execute("select count(*) from agreement").fetchall() == [(1,)]
    assert cur.execute("select value from target").fetchall() == [(3,)]
    assert all(ID_NUMBER not in str(row) for row in cur.execute("select * from audit_log").fetchall())


def test_a_workbook_without_any_sheet_we_know_or_not_excel_at_all_is_refused(cur: duckdb.DuckDBPyConnection) -> None:
    from loaders.importer.reader import FileRefused

    with pytest.raises(FileRefused, match="没有可导入的工作表"):
        import_workbook(cur, HR, workbook({"Sheet1": [["姓名", "手机"]]}), "x.xlsx")
    with pytest.raises(FileRefused, match="只接受 Excel 工作簿"):
        import_workbook(cur, HR, "编码,名称\nSH,上海\n".encode(), "x.csv")


def test_cells_read_the_spellings_people_write() -> None:
    for spelling in ("2025/6/30", "2025.6.30", "2025年6月30日", "20250630", "2025-06-30 00:00:00", "45838", "２０２５-６-３０"):
        assert parse_date(spelling, "日期") == date(2025, 6, 30), spelling
    assert parse_date("2025年6月", "预计毕业", month_ok=True) == date(2025, 6, 1)
    assert parse_date("202506", "预计毕业", month_ok=True) == date(2025, 6, 1)
    for bad in ("2025-02-30", "明年", "2025年6月", "12345678", "1800-01-01"):
        with pytest.raises(RowRejected):
            parse_date(bad, "日期")
    assert [parse_int(x, "n") for x in ("12", "12.0", "1,500", "０", None)] == [12, 12, 1500, 0, None]
    for bad in ("1.5", "-3", "三", "12人"):
        with pytest.raises(RowRejected):
            parse_int(bad, "n")
    assert [parse_bool(x, "b") for x in ("是", "否", "Y", "n", "1", "0", "√", "true", "", None)] == [
        True, False, True, False, True, False, True, True, None, None]
    assert {header_key(h) for h in ("企业名称*", "企业 名称", "企业名称（必填）", "＊企业名称", "企业名称(必填)")} == {"企业名称"}


def test_the_json_keeps_at_most_50_rejects_a_sheet(cur: duckdb.DuckDBPyConnection) -> None:
    rows = [["编码", "名称", "城市", "省份"]] + [[f"x{i}", None, "c", "p"] for i in range(60)]
    result = import_workbook(cur, HR, workbook({"飞地": rows}), "x.xlsx")
    assert result.sheets["飞地"].rejected == 60 and len(result.sheets["飞地"].rejects) == 60
    assert len(result.as_json()["sheets"]["飞地"]["rejects"]) == 50
    assert result.as_json()["sheets"]["飞地"]["rejects"][0] == {"row": 2, "reason": "第 2 行：请填写「名称」。"}


# --- all or nothing -----------------------------------------------------------------------------------

def _failing(monkeypatch: pytest.MonkeyPatch, name: str, table: str, error: Exception) -> None:
    original = getattr(register, name)

    def fail(cur: Any, actor: User, reg: Any, *args: Any, **kwargs: Any) -> Any:
        if reg.table == table:
            raise error
        return original(cur, actor, reg, *args, **kwargs)

    monkeypatch.setattr(register, name, fail)


def test_a_command_failing_unforeseen_mid_workbook_leaves_the_database_as_it_was(
        cur: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch) -> None:
    before = snapshot(cur)
    _failing(monkeypatch, "create", "appointment", RuntimeError("disk on fire"))
    with pytest.raises(RuntimeError):
        import_workbook(cur, HR, workbook(FULL), "台账.xlsx")
    assert snapshot(cur) == before                   # the enclaves, employers, students … written before: gone
    assert not CLAIMS.locked()
    monkeypatch.undo()
    import_workbook(cur, HR, workbook(FULL), "台账.xlsx")
    fixed = changed(changed(FULL, "飞地", 1, "城市*", "西咸新区"), "人才项目申报", 1, "状态", "入选")
    before = snapshot(cur)
    _failing(monkeypatch, "update", "declaration", RuntimeError("disk on fire"))
    with pytest.raises(RuntimeError):
        import_workbook(cur, HR, workbook(fixed), "台账.xlsx")
    assert snapshot(cur) == before                   # the enclave's new city too


def test_a_record_failing_after_its_new_student_was_added_rolls_back_the_whole_workbook(
        cur: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch) -> None:
    before = snapshot(cur)
    _failing(monkeypatch, "create", "co_supervision", ValidationError("意外的校验失败。"))
    with pytest.raises(WorkbookAborted, match="「联合培养」第 2 行：已为学生「林晓」新建档案.*整个工作簿都没有导入"):
        import_workbook(cur, HR, workbook(FULL), "台账.xlsx")
    assert snapshot(cur) == before


# --- who may, and students ------------------------------------------------------------------------------

def test_a_recruiter_is_refused_and_a_manager_imports_but_adds_no_candidates(cur: duckdb.DuckDBPyConnection) -> None:
    before = snapshot(cur)
    with pytest.raises(PermissionDenied):
        import_workbook(cur, RECRUITER, workbook(FULL), "台账.xlsx")
    assert snapshot(cur) == before
    result = import_workbook(cur, MANAGER, workbook(FULL), "台账.xlsx")
    assert counts(result)["联合培养"] == (2, 0, 0, 0, 2)
    assert "学生「林晓」尚未建档，而您的角色不能新建候选人" in reasons(result, "联合培养")[2]
    assert counts(result)["目标"] == (3, 3, 0, 0, 0)
    assert sizes(cur)["candidate"] == 0


def test_students_are_found_by_mobile_or_email_and_must_bear_the_row_name(cur: duckdb.DuckDBPyConnection) -> None:
    lin = candidate_commands.add(cur, HR, candidate_commands.CandidateDraft(
        name="林晓", mobile="13900001111", consent_method="面谈", consent_purpose="招聘"))
    other = candidate_commands.add(cur, HR, candidate_commands.CandidateDraft(
        name="吴海", email="wuhai@example.com", consent_method="面谈", consent_purpose="招聘"))
    sheets = dict(FULL)
    sheets["联合培养"] = FULL["联合培养"][:2] + [
        ["林小", "13900001111", None, "浙江大学", "平湖乙新材料有限公司", "李工", "孙教授", "委培", None, "2024-09-01", None, None],
        ["林晓", "13900001111", "wuhai@example.com", "浙江大学", "平湖乙新材料有限公司", "李工", "孙教授", "委培", None,
         "2024-09-01", None, None],
        ["林 晓", "+86 139 0000 1111", None, "浙江大学", "平湖乙新材料有限公司", "李工", "孙教授", "委培", None, "2024-09-01",
         None, None]]
    result = import_workbook(cur, HR, workbook(sheets), "台账.xlsx")
    assert counts(result)["联合培养"] == (4, 2, 0, 0, 2)
    said = reasons(result, "联合培养")
    assert f"属于候选人「林晓」（编号 {lin}），与学生姓名「林小」不一致" in said[3]
    assert f"分别属于两位候选人（编号 {lin}、{other}）" in said[4]
    assert cur.execute("select candidate_id from co_supervision order by starts_on").fetchall() == [(lin,), (lin,)]
    assert sizes(cur)["candidate"] == 2 and result.sheets["联合培养"].notes == []


def test_a_new_student_who_looks_like_someone_on_file_is_refused_with_the_lookalike(
        cur: duckdb.DuckDBPyConnection) -> None:
    from db import universities

    zhang = candidate_commands.add(cur, HR, candidate_commands.CandidateDraft(
        name="张伟", mobile="13700000000", university_id=universities.resolve(cur, "浙江大学"), graduation_year=2027,
        consent_method="面谈", consent_purpose="招聘"))
    sheets = {name: FULL[name] for name in ("企业",)} | {"联合培养": [FULL["联合培养"][0], [
        "张伟", "13600000000", None, "浙江大学", "平湖甲光电有限公司", "王工", "陈教授", "联培", None, "2025-09-01",
        "2027年6月", None]]}
    result = import_workbook(cur, HR, workbook(sheets), "台账.xlsx")
    assert counts(result)["联合培养"] == (1, 0, 0, 0, 1)
    assert reasons(result, "联合培养")[2].startswith(f"第 2 行：可能与已有候选人重复：张伟（编号 {zhang}）")
    assert sizes(cur)["candidate"] == 1 and sizes(cur)["co_supervision"] == 0


# --- the template -------------------------------------------------------------------------------------

def test_the_template_has_every_sheet_and_imports_as_it_is(cur: duckdb.DuckDBPyConnection) -> None:
    import fastexcel

    data = template_workbook()
    reader = fastexcel.read_excel(data)
    assert reader.sheet_names == ["说明", *ORDER]
    headers = reader.load_sheet("企业", header_row=None, dtypes="string").to_polars().row(0)
    assert headers == ("企业名称*", "统一社会信用代码", "行业", "园区", "金鹰等级", "高新技术企业")
    notes = reader.load_sheet("说明", header_row=None, dtypes="string").to_polars()
    assert "统一社会信用代码" in notes.get_column(notes.columns[1]).to_list()
    result = import_workbook(cur, HR, data, "台账导入模板.xlsx")
    assert result.totals() == {"read": 10, "inserted": 10, "updated": 0, "unchanged": 0, "rejected": 0}
    assert result.unknown_sheets == []


# --- the command line ---------------------------------------------------------------------------------

def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "loaders", "registers", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, env=dict(os.environ))


@pytest.mark.slow
def test_the_cli_prints_one_json_line_and_a_second_run_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "台账.xlsx"
    path.write_bytes(workbook({**BAD, **{k: v for k, v in FULL.items() if k not in BAD}}))
    db = tmp_path / "new" / "crm.duckdb"
    done = cli(str(path), "--db", str(db), "--json")
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == 1
    result = json.loads(done.stdout)
    assert list(result) == ["sheets", "unknown_sheets"] and result["unknown_sheets"] == ["杂项"]
    assert result["sheets"]["飞地"] == {"read": 2, "inserted": 1, "updated": 0, "unchanged": 0, "rejected": 1,
                                       "rejects": [{"row": 6, "reason": "第 6 行：请填写「名称」。"}]}
    for sheet in result["sheets"].values():
        assert sheet["read"] == sheet["inserted"] + sheet["updated"] + sheet["unchanged"] + sheet["rejected"]
    again = json.loads(cli(str(path), "--db", str(db), "--json").stdout)
    assert all(s["inserted"] == s["updated"] == 0 for s in again["sheets"].values())
    text = cli(str(path), "--db", str(db))
    assert text.returncode == 0 and "台账导入完成：台账.xlsx" in text.stdout
    assert "  飞地：读取 2 行 = 新增 0 + 更新 0 + 未变 1 + 拒绝 1" in text.stdout and "第 6 行：请填写「名称」。" in text.stdout


@pytest.mark.slow
@pytest.mark.parametrize(("content", "name", "message"), [
    ("编码,名称\nSH,上海\n".encode(), "台账.csv", "只接受 Excel 工作簿"),
    (None, "missing.xlsx", "找不到文件"),
    (b"", "empty.xlsx", "文件是空的"),
    ("only", "杂.xlsx", "没有可导入的工作表"),
])
def test_refused_files_and_a_busy_database_exit_2_in_chinese(tmp_path: Path, content: Any, name: str,
                                                             message: str) -> None:
    path = tmp_path / name
    if content == "only":
        content = workbook({"Sheet1": [["姓名"]]})
    if content is not None:
        path.write_bytes(content)
    done = cli(str(path), "--db", str(tmp_path / "crm.duckdb"), "--json")
    assert done.returncode == 2 and message in done.stderr, done.stderr
    assert done.stdout == "" and "Traceback" not in done.stderr


@pytest.mark.slow
def test_a_busy_database_exits_2_and_a_bug_exits_1(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from loaders.__main__ import main

    path = tmp_path / "台账.xlsx"
    path.write_bytes(workbook(FULL))
    db = tmp_path / "crm.duckdb"
    holder = duckdb.connect(str(db))       # as the running app would hold the file
    try:
        busy = cli(str(path), "--db", str(db))
    finally:
        holder.close()
    assert busy.returncode == 2 and "正被另一个进程" in busy.stderr and "Traceback" not in busy.stderr

    def bug(*_args: Any, **_kwargs: Any) -> RegistersResult:
        raise RuntimeError("a bug")

    monkeypatch.setattr("loaders.registers.workbook.import_workbook", bug)
    monkeypatch.setenv("CRM_LOG_DIR", str(tmp_path / "logs"))
    assert main(["registers", str(path), "--db", str(tmp_path / "other.duckdb")]) == 1


# --- the screen ---------------------------------------------------------------------------------------

@pytest.mark.slow
def test_a_manager_uploads_checks_and_imports_on_the_screen(app, demo_db: Path) -> None:  # type: ignore[no-untyped-def]
    sheets: Sheets = {
        "飞地": [["编码", "名称", "城市", "省份"], ["QD", "平湖（青岛）人才飞地", "青岛市", "山东省"]],
        "企业": [["企业名称", "统一社会信用代码"], ["[点我](http://x.example)有限公司", None], ["坏代码公司", "91330482MA2JX00019"]],
        "目标": [["年度", "飞地", "指标", "目标值"], [2025, "QD", "青年大学生", 300]],
    }
    at = login(app(demo_db, timeout=180), "manager")
    request_url_path(at, "import_registers")
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == ["台账导入"]
    at.file_uploader[0].upload("台账.xlsx", workbook(sheets),
                               "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    at.run()
    button(at, "检查").click()
    at.run()
    assert not at.exception, at.exception
    assert any("确认后将：读取 4 行 = 新增 3 + 更新 0 + 未变 0 + 拒绝 1" in shown(i.value) for i in at.info)
    figures = at.dataframe[0].value
    assert list(figures["工作表"]) == ["飞地", "企业", "目标"] and list(figures["新增"]) == [1, 1, 1]
    assert "第 3 行：统一社会信用代码校验位不正确" in at.dataframe[1].value["原因"][0]
    assert _enclaves(demo_db, "QD") == 0                       # a check writes nothing
    button(at, "确认导入").click()
    at.run()
    assert not at.exception, at.exception
    assert any("导入完成「台账.xlsx」：读取 4 行 = 新增 3" in shown(s.value) for s in at.success)
    assert _enclaves(demo_db, "QD") == 1


def _enclaves(db: Path, code: str) -> int:
    conn = connect(db)      # the app's cached connection holds the file: same configuration
    try:
        return conn.execute("select count(*) from enclave where code = ?", [code]).fetchall()[0][0]
    finally:
        conn.close()
