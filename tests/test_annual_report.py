"""年度报告: its figures on a small hand-made world, the XLSX summary against `db report --json`, the PDF's
text, no personal data in either file, the formula guard, the CLI's refusals, and the demo's figures."""
from __future__ import annotations

import io
import json
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import duckdb
import polars as pl
import pytest

from db import analytics, annual_report, annual_report_files
from db import annual_report_progress as progress
from db.errors import PermissionDenied
from db.permissions import SYSTEM, User
from db.programmes import appointments, co_supervision, declarations, events, register
from db.programmes import agreements as agreement_register
from tests import factories as f
from tests.conftest import ROOT

D = datetime
HOSTILE_DRIVE = "=HYPERLINK(\"http://x\",\"点我\")"
# Personal data the world holds: none of it may appear in either file.
PEOPLE = ("张博士", "李青年", "王技能", "周学生", "吴企导", "郑校导", "赵科技", "钱柔性", "孙申报", "重复人")
CONTACTS = ("13800138000", "13912345678", "zhang@example.com")


def _uni(cur: duckdb.DuckDBPyConnection, n: int) -> list[int]:
    return [r[0] for r in cur.execute("select id from university order by id limit ?", [n]).fetchall()]


@pytest.fixture
def world(cur: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """Two enclaves; in 2025 three hires (one per reported category), two drives (one cancelled and one
    of 2024 beside them), one co-supervised student, a 科技副总 and a 柔性引进, national declarations of one
    person in two batches and of another in one, a provincial one, a talent class of two and a matching
    event — and the people's names and contacts everywhere a careless report could copy them from."""
    sh, cd = f.enclave(cur, "SH"), f.enclave(cur, "CD")
    u1, u2 = _uni(cur, 2)
    e1, e2 = f.employer(cur, "平湖甲公司"), f.employer(cur, "平湖乙公司")
    phd = f.candidate(cur, "张博士", category="young_phd", enclave_id=sh)
    cur.execute("update candidate set mobile = '13800138000', email = 'zhang@example.com' where id = ?", [phd])
    grad = f.candidate(cur, "李青年", category="young_graduate", enclave_id=sh)
    skill = f.candidate(cur, "王技能", category="high_skill", enclave_id=cd)
    student = f.candidate(cur, "周学生", category="young_graduate", enclave_id=sh)
    twin = f.candidate(cur, "重复人", category="young_phd", enclave_id=sh, merged_into=phd)
    d1 = f.drive(cur, date(2025, 4, 10), enclave_id=sh, university_id=u1, employers={e1: 10, e2: 5})
    d2 = f.drive(cur, date(2025, 5, 10), enclave_id=cd, university_id=u2, employers={e1: 3})
    f.drive(cur, date(2025, 6, 1), status="cancelled", university_id=u1, employers={e2: 99})
    f.drive(cur, date(2024, 6, 1), university_id=u2, employers={e2: 7})
    cur.execute("update campus_drive set title = ? where id = ?", [HOSTILE_DRIVE, d1])
    cur.execute("update campus_drive set title = '成都专场（联系人13912345678）' where id = ?", [d2])
    phd_hire = f.hire(cur, phd, D(2025, 3, 2, 10))
    f.hire(cur, grad, D(2025, 7, 1, 10), drive_id=d1)
    f.hire(cur, skill, D(2025, 5, 20, 10))
    f.hire(cur, twin, D(2025, 8, 1, 10))                 # merged away: never counted
    f.hire(cur, f.candidate(cur, "去年人", category="young_phd", enclave_id=sh), D(2024, 9, 1, 10))
    register.create(cur, SYSTEM, co_supervision.REGISTER, {
        "candidate_id": student, "university_id": u1, "employer_id": e1, "enterprise_mentor": "吴企导",
        "university_mentor": "郑校导", "kind": "联培", "topic": "周学生的课题", "starts_on": date(2025, 9, 1),
        "expected_graduation": date(2027, 6, 30), "outcome": "pending"})
    register.create(cur, SYSTEM, appointments.REGISTER, {"person_name": "赵科技", "kind": "tech_vp", "level": "省级",
                                                         "employer_id": e1, "enclave_id": sh, "starts_on": date(2025, 3, 1)})
    register.create(cur, SYSTEM, appointments.REGISTER, {"person_name": "钱柔性", "kind": "flexible", "enclave_id": cd,
                                                         "starts_on": date(2025, 6, 1)})
    register.create(cur, SYSTEM, appointments.REGISTER, {"person_name": "赵科技", "kind": "tech_vp", "enclave_id": sh,
                                                         "starts_on": date(2024, 3, 1)})
    for batch, name, candidate_id in (("2025 第一批", "孙申报", None), ("2025 第二批", "孙申报", None),
                                      ("2025 第二批", None, phd)):
        register.create(cur, SYSTEM, declarations.REGISTER, {
            "applicant_name": name, "candidate_id": candidate_id, "programme": "国家某人才计划", "level": "国家级",
            "batch": batch, "employer_id": e1, "status": "submitted"})
    register.create(cur, SYSTEM, declarations.REGISTER, {"applicant_name": "孙申报", "programme": "省某计划",
                                                         "level": "省级", "batch": "2025", "status": "reviewing"})
    cls = register.create(cur, SYSTEM, events.REGISTER, {"name": "产业人才班（第一期）", "kind": "talent_class",
                                                         "starts_on": date(2025, 4, 1), "ends_on": date(2025, 4, 30)})
    events.add_attendees(cur, SYSTEM, cls, [grad, skill])
    register.create(cur, SYSTEM, events.REGISTER, {"name": "菁英荟 第1场", "kind": "matching", "starts_on": date(2025, 10, 1)})
    register.create(cur, SYSTEM, agreement_register.REGISTER, {"university_id": u1, "kind": "引才协议", "enclave_id": sh,
                                                               "starts_on": date(2025, 1, 1), "ends_on": date(2027, 12, 31)})
    register.create(cur, SYSTEM, agreement_register.REGISTER, {"university_id": u2, "kind": "学分互认",
                                                               "starts_on": date(2023, 1, 1), "ends_on": date(2024, 6, 30)})
    # 留平 and 目标进度: the PhD's employer (with a contact typed into its name) and 6-month check; targets.
    careless = f.employer(cur, "平湖丙公司（联系人13912345678）")
    cur.execute("update application set employer_id = ? where id = ?", [careless, phd_hire])
    f.retention_check(cur, phd_hire, 6, date(2025, 9, 5), pinghu=True)
    f.target(cur, 2025, None, "young_phd", 2)
    f.target(cur, 2025, sh, "young_phd", 1)
    return cur


CITY_2025 = {
    "hires_young_phd": 1, "hires_young_graduate": 1, "hires_high_skill": 1, "drive_employers": 2,
    "drive_universities": 2, "drive_positions": 18, "drive_intents": 1, "co_supervised": 1, "tech_vp": 1,
    "flexible_high_level": 1, "enclaves": 2, "agreement_universities": 1, "declaration_applicants_national": 2,
    "declaration_batches_national": 2, "declaration_applicants_provincial": 1, "talent_classes": 1,
    "talent_class_trainees": 2, "matching_events": 1, "drives": 2, "hires_high_level": 0,
}


def test_the_city_figures_are_known_by_construction(world: duckdb.DuckDBPyConnection) -> None:
    report = annual_report.build(world, SYSTEM, 2025)
    assert report.figures == CITY_2025
    assert dict(zip(report.summary["指标代码"], report.summary["数值"])) == CITY_2025
    assert report.headline == analytics.headline(world, SYSTEM, 2025)     # the same function as 总览 and db report
    assert report.prose.startswith("2025年，全市已引进青年博士1人、青年大学生1人、培育高能人才1人")
    assert "国家级人才项目申报2批次2人" in report.prose and "开展产才对接活动1场" in report.prose
    assert report.sheets["校园招聘"]["岗位"].to_list() == [15, 3]           # the cancelled and the 2024 drive left out
    assert report.sheets["校园招聘"]["签约意向"].to_list() == [1, 0]
    assert report.sheets["人才活动"]["参加人数"].to_list() == [2, 0]
    assert report.sheets["人才项目申报"].row(0) == ("国家级", 2, 2, 0)


def test_an_enclave_report_counts_what_its_recruiter_sees(world: duckdb.DuckDBPyConnection) -> None:
    sh = world.execute("select id from enclave where code = 'SH'").fetchall()[0][0]
    recruiter = User(id=9, username="r", role="recruiter", enclave_id=sh)
    report = annual_report.build(world, SYSTEM, 2025, enclave_code="SH")
    assert report.headline == analytics.headline(world, recruiter, 2025)
    assert (report.figures["hires_young_phd"], report.figures["hires_high_skill"], report.figures["drive_positions"],
            report.figures["tech_vp"], report.figures["flexible_high_level"], report.figures["enclaves"]) == (1, 0, 15, 1, 0, 1)
    assert report.scope == "SH 飞地" and report.prose.startswith("2025年，SH 飞地已引进")
    assert "申报" not in report.prose          # declarations name no enclave: not put in an enclave's sentence
    assert "（全市数）" in report.summary.filter(pl.col("指标代码") == "talent_classes")["指标"][0]
    # A recruiter gets their own enclave's report, whatever they ask for.
    assert annual_report.build(world, recruiter, 2025).scope == "SH 飞地"
    with pytest.raises(PermissionDenied):
        annual_report.build(world, recruiter, 2025, enclave_code="CD")


def _sheets(data: bytes) -> dict[str, pl.DataFrame]:
    return pl.read_excel(io.BytesIO(data), sheet_id=0, infer_schema_length=0)


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_workbook_has_a_summary_a_sheet_per_programme_and_the_definitions(world: duckdb.DuckDBPyConnection) -> None:
    sheets = _sheets(annual_report.export(world, SYSTEM, 2025, "xlsx"))
    assert list(sheets)[0] == "汇总" and list(sheets)[-1] == "口径"
    assert {"校园招聘", "校园招聘企业", "校地协议", "联合培养", "科技副总·柔性引进", "人才项目申报", "申报明细",
            "人才活动"} <= set(sheets)
    summary = sheets["汇总"].filter(pl.col("指标代码").is_in(list(CITY_2025)))
    assert {k: int(v) for k, v in zip(summary["指标代码"], summary["数值"])} == CITY_2025
    assert sheets["口径"].height == len(CITY_2025) + len(progress.DEFINITIONS)
    assert sheets["口径"]["口径"].null_count() == 0
    # Text a spreadsheet would run is shown instead; a contact typed into a title is removed.
    titles = sheets["校园招聘"]["名称"].to_list()
    assert "'" + HOSTILE_DRIVE in titles and "成都专场（联系人［手机号已移除］）" in titles


def test_neither_file_holds_personal_data(world: duckdb.DuckDBPyConnection) -> None:
    book = _sheets(annual_report.export(world, SYSTEM, 2025, "xlsx"))
    cells = "\n".join(str(v) for table in book.values() for column in table.columns
                      for v in [column, *table[column].to_list()])
    text = _pdf_text(annual_report.export(world, SYSTEM, 2025, "pdf"))
    # The 留平 and 目标进度 sheets are covered: they hold rows (the PhD's employer among them, scrubbed).
    assert "平湖丙公司（联系人［手机号已移除］）" in book["留平"]["分组"].to_list() and book["目标进度"].height == 2
    assert "人才留平" in text and "目标进度" in text
    for secret in PEOPLE + CONTACTS + ("周学生的课题",):
        assert secret not in cells and secret not in text, secret


def test_the_pdf_states_the_figures_in_prose_and_tables(world: duckdb.DuckDBPyConnection) -> None:
    data = annual_report.export(world, SYSTEM, 2025, "pdf")
    text = "".join(_pdf_text(data).split())       # line breaks fall anywhere in Chinese prose
    assert "平湖市2025年度人才工作报告" in text
    assert "".join(annual_report.build(world, SYSTEM, 2025).prose.split()) in text
    assert "校园招聘提供岗位18个" in text and "统计口径" in text
    assert b"/FontFile2" in data                    # the CJK font is embedded, not left to the reader
    assert data.count(b"/Subtype /Image") >= 2 or data.count(b"/Subtype/Image") >= 2     # the charts


def test_every_export_is_audited(world: duckdb.DuckDBPyConnection) -> None:
    annual_report.export(world, SYSTEM, 2025, "xlsx", enclave_code="SH")
    found = world.execute("select actor, detail from audit_log where action = 'export' and entity = '年度报告'").fetchall()
    assert found == [("system", "导出年度报告（XLSX）：2025 年，SH 飞地；不含个人信息")]


def test_the_font_is_the_debian_file_installed_by_pip() -> None:
    import hashlib

    path = annual_report_files.font_file()
    assert "site-packages" in str(path)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == (
        "2420e8078af796b19a3f6ef13de527a1a91c1e7171eea115926c614ced1009b3")


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "db", *args], cwd=ROOT, capture_output=True, text=True)


@pytest.mark.slow
def test_cli_writes_both_files_and_refuses_other_names(world: duckdb.DuckDBPyConnection, conn: duckdb.DuckDBPyConnection,
                                                       db_path: Path, tmp_path: Path) -> None:
    conn.close()     # one process writes a DuckDB file at a time: the command's turn
    for name in ("r.xlsx", "r.pdf"):
        done = _cli("annual-report", "--year", "2025", "--db", str(db_path), "--out", str(tmp_path / name))
        assert done.returncode == 0, done.stderr
    summary = _sheets((tmp_path / "r.xlsx").read_bytes())["汇总"]
    reported = json.loads(_cli("report", "--year", "2025", "--db", str(db_path), "--json").stdout)
    assert {k: int(v) for k, v in zip(summary["指标代码"], summary["数值"]) if k in reported} == reported
    refused = _cli("annual-report", "--year", "2025", "--db", str(db_path), "--out", str(tmp_path / "r.csv"))
    assert refused.returncode == 2 and "扩展名应为 .xlsx 或 .pdf" in refused.stderr and not (tmp_path / "r.csv").exists()
    unknown = _cli("annual-report", "--year", "2025", "--db", str(db_path), "--enclave", "ZZ", "--out", str(tmp_path / "z.pdf"))
    assert unknown.returncode == 2 and "没有编码为「ZZ」的人才飞地" in unknown.stderr


@pytest.mark.slow
def test_the_demo_report_states_the_articles_figures(demo_db: Path, tmp_path: Path) -> None:
    from tests.test_demo import REPORTED_2025

    done = _cli("annual-report", "--year", "2025", "--db", str(demo_db), "--out", str(tmp_path / "demo.pdf"))
    assert done.returncode == 0, done.stderr
    text = "".join(_pdf_text((tmp_path / "demo.pdf").read_bytes()).split())
    assert ("2025年，全市已引进青年博士39人、青年大学生9645人、培育高能人才1304人；组织82家企业赴34所高校开展校园招聘，"
            "提供岗位1500个") in text
    assert "国家级人才项目申报2批次165人" in text and "举办产业人才班12期、培训学员736人，开展产才对接活动7场" in text
    assert _cli("annual-report", "--year", "2025", "--db", str(demo_db), "--out", str(tmp_path / "demo.xlsx")).returncode == 0
    summary = _sheets((tmp_path / "demo.xlsx").read_bytes())["汇总"]
    assert {k: int(v) for k, v in zip(summary["指标代码"], summary["数值"]) if k in REPORTED_2025} == REPORTED_2025


def test_register_text_loses_contacts_and_formulas_are_shown_not_run() -> None:
    from db.cells import formula_safe, scrubbed

    assert scrubbed("联系 +86 139-1234-5678 或 13912345678、a.b@example.com") == (
        "联系 ［手机号已移除］ 或 ［手机号已移除］、［邮箱已移除］")
    assert scrubbed("身份证 11010519491231002X") == "身份证 ［身份证号已移除］"
    assert scrubbed("第 2025 期 138 人") == "第 2025 期 138 人"
    assert [formula_safe(t) for t in ("=1+1", "+86", "-", "@x", "\tx", "平湖")] == ["'=1+1", "'+86", "'-", "'@x", "'\tx", "平湖"]
