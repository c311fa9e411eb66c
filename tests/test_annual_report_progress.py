"""年度报告's 留平 and 目标进度 sections on the hand-made worlds of tests/factories.py, whose figures
tests/test_retention_figures.py and tests/test_target_progress.py pin: the report states the same
figures (the same functions), for the city and for one enclave, in the workbook and in the PDF's prose."""
from __future__ import annotations

import io
from datetime import date

import duckdb
import polars as pl
import pytest

from db import annual_report, clock
from db import annual_report_progress as progress
from db import retention_figures as rf
from db.permissions import SYSTEM
from tests import factories as f


def _sheets(data: bytes) -> dict[str, pl.DataFrame]:
    return pl.read_excel(io.BytesIO(data), sheet_id=0, infer_schema_length=0)


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "".join("".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages)


def _overall(sheet: pl.DataFrame) -> dict[tuple, tuple]:
    """(cohort, milestone) → (hires, due, stayed, left, overdue, rate %) of the 留平 sheet's 全部 rows."""
    rows = sheet.filter(pl.col("分组方式") == "全部")
    return {(y, m): (h, d, s, l, o, r) for y, m, h, d, s, l, o, r in rows.select(
        "到岗年度", "回访节点（月）", "到岗", "应回访", "留平", "离开", "逾期未回访", "留平率（%）").iter_rows()}


# --- 留平 ------------------------------------------------------------------------------------------

def test_a_past_years_report_counts_the_checks_due_within_it(cur: duckdb.DuckDBPyConnection) -> None:
    f.retention_world(cur)
    report = annual_report.build(cur, SYSTEM, 2025, today=date(2026, 6, 30))
    # Judged on 2025-12-31: 甲, 乙 (stayed, by its later check) and 丙 (left) were due at 6 months; 丁 was not
    # (due 2026-02-01), and no 12-month check was due yet, though 甲's is recorded.
    assert _overall(report.sheets["留平"]) == {("2025", 6): (4, 3, 2, 1, 0, 66.7)}
    assert report.retention_prose == "留平方面，截至2025年12月31日，2025年引进人才4人中，满6个月回访仍在平湖的占66.7%。"


def test_the_running_years_report_counts_up_to_today_and_keeps_overdue_apart(cur: duckdb.DuckDBPyConnection) -> None:
    world = f.retention_world(cur)
    report = annual_report.build(cur, SYSTEM, 2026, today=date(2026, 6, 30))
    sheet = report.sheets["留平"]
    # The numbers of tests/test_retention_figures.py's city figures; 戊 (2026) is not due before 2026-07-05.
    assert _overall(sheet) == {("2025", 6): (4, 4, 2, 1, 1, 66.7), ("2025", 12): (4, 3, 1, 2, 0, 33.3)}
    assert report.retention_prose == ("留平方面，截至2026年6月30日，2025年引进人才4人中，满6个月回访仍在平湖的占66.7%"
                                      "（另有1人逾期未回访，不计为离开），满12个月的占33.3%。")
    by_category = sheet.filter((pl.col("分组方式") == "人才类别（到岗时）") & (pl.col("回访节点（月）") == 6))
    assert dict(zip(by_category["分组"], by_category["留平"])) == {"青年大学生": 1, "青年博士": 1}   # 甲 as at arrival
    # Every grouping is the function's own figures for that grouping, nothing recounted.
    for by, name in (("enclave", "飞地"), ("employer", "企业")):
        expected = rf.figures(cur, SYSTEM, 2025, by=by, today=date(2026, 6, 30)).filter(pl.col("due") > 0)
        got = sheet.filter(pl.col("分组方式") == name)
        assert got.select("分组", "回访节点（月）", "应回访", "留平", "离开", "逾期未回访").rows() == \
            expected.select("group_label", "months", "due", "stayed", "left", "overdue").rows()
    assert {"SH 飞地", "CD 飞地"} == set(sheet.filter(pl.col("分组方式") == "飞地")["分组"])
    # The screen's preview says what the files say.
    assert annual_report.preview_progress(cur, SYSTEM, 2026, today=date(2026, 6, 30)) == (
        report.retention_prose, report.targets_prose)


def test_an_enclaves_report_has_its_own_hires_only(cur: duckdb.DuckDBPyConnection) -> None:
    f.retention_world(cur)
    report = annual_report.build(cur, SYSTEM, 2026, enclave_code="SH", today=date(2026, 6, 30))
    sheet = report.sheets["留平"]
    assert _overall(sheet) == {("2025", 6): (2, 2, 2, 0, 0, 100.0), ("2025", 12): (2, 2, 1, 1, 0, 50.0)}
    assert "飞地" not in set(sheet["分组方式"])           # one enclave: no grouping by enclave
    assert "2025年引进人才2人中，满6个月回访仍在平湖的占100.0%，满12个月的占50.0%" in report.retention_prose


def test_a_year_without_due_checks_says_so(cur: duckdb.DuckDBPyConnection) -> None:
    f.retention_world(cur)
    report = annual_report.build(cur, SYSTEM, 2024, today=date(2026, 6, 30))
    assert report.sheets["留平"].height == 0
    assert report.retention_prose == "留平方面，截至2024年12月31日，2021—2024年引进的人才尚无到期的留平回访。"


# --- 目标进度 ---------------------------------------------------------------------------------------

def test_the_citys_targets_on_the_reports_day(cur: duckdb.DuckDBPyConnection) -> None:
    f.target_world(cur)
    report = annual_report.build(cur, SYSTEM, 2026, today=date(2026, 4, 30))
    sheet = report.sheets["目标进度"]
    # The figures of tests/test_target_progress.py, judged on the same day.
    assert sheet.select("范围", "指标", "目标", "完成", "按进度应完成", "进度").rows() == [
        ("全市", "青年博士", 4, 0, 1, "落后"), ("全市", "青年大学生", 100, 3, 25, "落后"),
        ("全市", "科技副总", 10, 1, 10, "落后"), ("全市", "人才项目申报", 20, 2, 7, "落后"),
        ("CD 飞地", "青年大学生", 2, 1, 1, "正常"),        # enclaves by code
        ("SH 飞地", "青年大学生", 60, 2, 15, "落后"), ("SH 飞地", "人才项目申报", 5, None, None, "不分飞地，未统计")]
    assert report.targets_prose == (
        "目标进度方面，截至2026年4月30日，全市2026年度目标4项，已完成全年目标0项、落后于进度4项"
        "（青年博士、青年大学生、科技副总、人才项目申报）。其中，青年博士完成0人，为目标4人的0.0%，按进度应完成1人；"
        "青年大学生完成3人，为目标100人的3.0%，按进度应完成25人；科技副总完成1名，为目标10名的10.0%，按进度应完成10名；"
        "人才项目申报完成2人，为目标20人的10.0%，按进度应完成7人。各人才飞地共设2026年度目标3项，其中1项落后于进度。")


def test_an_enclaves_report_has_its_own_targets(cur: duckdb.DuckDBPyConnection) -> None:
    world = f.target_world(cur)
    report = annual_report.build(cur, SYSTEM, 2026, enclave_code="SH", today=date(2026, 4, 30))
    assert report.sheets["目标进度"]["范围"].unique().to_list() == ["SH 飞地"]
    assert report.targets_prose == ("目标进度方面，截至2026年4月30日，SH 飞地2026年度目标2项，已完成全年目标0项、"
                                    "落后于进度1项（青年大学生）。其中，青年大学生完成2人，为目标60人的3.3%，按进度应完成15人。")
    # Its recruiter gets the same report.
    assert annual_report.build(cur, world["recruiter_sh"], 2026, today=date(2026, 4, 30)).targets_prose == \
        report.targets_prose


def test_a_past_year_is_judged_at_its_end_and_a_year_without_targets_says_so(cur: duckdb.DuckDBPyConnection) -> None:
    f.target_world(cur)
    past = annual_report.build(cur, SYSTEM, 2025, today=date(2026, 4, 30))
    assert past.targets_prose == ("目标进度方面，截至2025年12月31日，全市2025年度目标1项，已完成全年目标0项、落后于进度1项"
                                  "（青年大学生）。其中，青年大学生完成4人，为目标50人的8.0%。")
    none = annual_report.build(cur, SYSTEM, 2024, today=date(2026, 4, 30))
    assert none.targets_prose == "目标进度方面，2024年全市未设定年度目标。" and none.sheets["目标进度"].height == 0


# --- the files ------------------------------------------------------------------------------------

@pytest.fixture
def frozen_today(monkeypatch: pytest.MonkeyPatch) -> date:
    """The files are made on the office's today (clock.today): pinned, so what is due is known."""
    today = date(2026, 6, 30)
    monkeypatch.setattr(clock, "today", lambda: today)
    return today


def test_the_workbook_has_a_sheet_each_and_their_definitions(cur: duckdb.DuckDBPyConnection, frozen_today: date) -> None:
    f.retention_world(cur)
    book = _sheets(annual_report.export(cur, SYSTEM, 2026, "xlsx"))
    assert list(book)[-3:] == ["留平", "目标进度", "口径"]
    assert book["留平"].height and book["目标进度"].height == 0        # this world has no targets
    definitions = book["口径"].filter(pl.col("指标代码").is_in(list(progress.DEFINITIONS)))
    assert definitions.height == len(progress.DEFINITIONS) and definitions["口径"].null_count() == 0
    assert "报告年度及其前三年" in definitions.filter(pl.col("指标代码") == "retention_cohorts")["口径"][0]


def test_the_pdf_tells_both_in_prose(cur: duckdb.DuckDBPyConnection, frozen_today: date) -> None:
    f.retention_world(cur)
    for enclave_id, metric, value in ((None, "young_graduate", 10), (None, "young_phd", 1)):
        f.target(cur, 2026, enclave_id, metric, value)
    text = _pdf_text(annual_report.export(cur, SYSTEM, 2026, "pdf"))
    report = annual_report.build(cur, SYSTEM, 2026)
    assert "人才留平" in text and "目标进度" in text
    assert "2025年引进人才4人中，满6个月回访仍在平湖的占66.7%" in text
    assert "".join(report.retention_prose.split()) in text and "".join(report.targets_prose.split()) in text
    assert "青年大学生完成1人，为目标10人的10.0%" in text      # 戊, hired 2026-01-05
    assert "统计口径" in text and "逾期未回访" in text


def test_the_retention_sentence_of_a_cohort_nobody_has_answered_for_yet() -> None:
    figures = pl.DataFrame(
        {"year": [2024, 2024, 2025], "grouping": ["all"] * 3, "group_key": ["all"] * 3, "group_label": ["全部"] * 3,
         "months": [6, 12, 6], "hires": [10, 10, 3], "due": [10, 8, 2], "stayed": [6, 0, 0], "left": [2, 0, 0],
         "overdue": [2, 8, 2], "rate": [0.75, None, None]}, schema=progress.SCHEMA)
    assert progress.retention_text(figures, year=2025, day=date(2025, 12, 31)) == (
        "留平方面，截至2025年12月31日，2025年引进人才3人中，满6个月应回访2人、尚无回访结论；"
        "2024年引进人才10人中，满6个月回访仍在平湖的占75.0%（另有2人逾期未回访，不计为离开），满12个月应回访8人、尚无回访结论。")
