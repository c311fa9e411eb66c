"""分析 → 年度报告 on the demo database: a manager picks the city or an enclave; a recruiter gets their own."""
from __future__ import annotations

from pathlib import Path

from tests.helpers import login, shown


def open_report(app, demo_db: Path, username: str):  # type: ignore[no-untyped-def]
    at = login(app(demo_db), username)
    at.switch_page("pages/analysis_report.py").run()
    assert not at.exception
    return at


def downloads(at) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return [(b.proto.label, b.proto.file_name if hasattr(b.proto, "file_name") else "") for b in at.get("download_button")]


def test_a_manager_sees_the_citys_report_and_can_pick_an_enclave(app, demo_db: Path) -> None:  # type: ignore[no-untyped-def]
    at = open_report(app, demo_db, "manager")
    assert at.title[0].value == "年度报告"
    prose = shown(at.info[0].value)
    assert prose.startswith("2025年，全市已引进青年博士39人、青年大学生9645人、培育高能人才1304人")
    assert "国家级人才项目申报2批次165人" in prose
    # The report's 留平 and 目标进度 paragraphs, the files' own (the same functions as 留平 and 目标进度),
    # counted only when asked for (they take a second or more on a big database).
    assert len(at.info) == 1
    at.toggle(key="annual_report_progress").set_value(True).run()
    assert not at.exception
    assert shown(at.info[1].value).startswith("留平方面，截至2025年12月31日，2025年引进人才")
    assert shown(at.info[2].value).startswith("目标进度方面，截至2025年12月31日，全市2025年度目标7项")
    assert "青年博士完成39人，为目标40人的97.5%" in shown(at.info[2].value)
    figures = at.dataframe[0].value
    assert dict(zip(figures["指标"], figures["数值"]))["校园招聘提供岗位"] == 1500
    assert [label for label, _ in downloads(at)] == ["下载 Excel 版", "下载 PDF 版"]
    scope = next(s for s in at.selectbox if s.label == "统计范围")
    scope.select("SH").run()
    assert not at.exception
    assert shown(at.info[0].value).startswith("2025年，平湖（上海张江）人才飞地已引进")


def test_a_recruiter_gets_their_own_enclaves_report_only(app, demo_db: Path) -> None:  # type: ignore[no-untyped-def]
    at = open_report(app, demo_db, "recruiter_sh")
    assert [s.label for s in at.selectbox] == ["年度"]       # no choice of scope
    assert any("平湖（上海张江）人才飞地" in c.value for c in at.caption)
    prose = shown(at.info[0].value)
    assert prose.startswith("2025年，平湖（上海张江）人才飞地已引进") and "申报" not in prose
    at.toggle(key="annual_report_progress").set_value(True).run()
    assert shown(at.info[2].value).startswith("目标进度方面，截至2025年12月31日，平湖（上海张江）人才飞地2025年度目标")
    assert "各人才飞地" not in shown(at.info[2].value)        # no other enclave's targets
    assert [label for label, _ in downloads(at)] == ["下载 Excel 版", "下载 PDF 版"]
