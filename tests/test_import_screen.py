"""The Import screen end to end in AppTest: upload, mapping and preview, commit with a drive, result, undo."""
from __future__ import annotations

from pathlib import Path

import pytest

from db.connection import connect

from tests.helpers import shown, button, login, nav_pages, request_url_path

pytestmark = pytest.mark.slow
SHEET = ("2025年扬帆计划 报名表\n\n姓名,手机号码,邮箱,毕业院校,学历,毕业时间,身份证号,备注\n"
         "测试甲,13811112222,jia@163.com,浙大,本科,2025年6月,330482199901011234,\n"
         "测试乙,1.38E+10,yi@qq.com,复旦大学,硕士研究生,2025.06,,\n"
         "测试丙,,,清华大学,博士,2026届,,\n"
         "测试甲,138-1111-2222,,浙江大学,,,,补报\n")


def open_import(app, db: Path, username: str = "hr"):  # type: ignore[no-untyped-def]
    at = login(app(db, timeout=180), username)
    request_url_path(at, "import_data")
    assert not at.exception, at.exception
    return at


def people(db: Path) -> list[str]:
    conn = connect(db)      # the app's cached connection holds the file: same configuration
    try:
        return [n for (n,) in conn.execute("select name from candidate where name like '测试%' order by name").fetchall()]
    finally:
        conn.close()


def test_hr_uploads_checks_commits_and_undoes_a_file(app, demo_db: Path) -> None:  # type: ignore[no-untyped-def]
    at = open_import(app, demo_db)
    assert "导入" in [t.value for t in at.title]
    at.file_uploader[0].upload("报名表.csv", SHEET.encode("gbk"), "text/csv")
    at.run()
    assert not at.exception, at.exception
    assert any("GB18030/GBK" in shown(i.value) and "第 3 行" in i.value for i in at.info)
    assert any("身份证号" in w.value and "丢弃" in w.value for w in at.warning)
    figures = {m.label: m.value for m in at.metric}
    assert (figures["读取行数"], figures["文件内重复"], figures["拒绝"]) == ("4", "1", "1")
    preview = at.dataframe[0].value
    assert list(preview["姓名"]) == ["测试甲", "测试乙", "测试丙", "测试甲"]
    assert list(preview["匹配高校"])[:2] == ["浙江大学", "复旦大学"]

    at.selectbox(key="import_drive").set_value(_drive_ids(demo_db)[0])
    at.run()
    button(at, "确认导入").click()
    at.run()
    assert not at.exception, at.exception
    done = [shown(s.value) for s in at.success]
    assert any("导入完成" in s and "新增 2" in s and "文件内重复 1" in s and "拒绝 1" in s for s in done), done
    assert people(demo_db) == ["测试乙", "测试甲"]

    assert button(at, "撤销该批次").disabled                  # not before confirming
    next(c for c in at.checkbox if c.label.startswith("我确认撤销批次")).check()
    at.run()
    button(at, "撤销该批次").click()
    at.run()
    assert not at.exception, at.exception
    assert any("已撤销批次" in shown(s.value) and "删除 2 名新增人员" in s.value for s in at.success)
    assert people(demo_db) == []


def _drive_ids(db: Path) -> list[int]:
    conn = connect(db)      # the app's cached connection holds the file: same configuration
    try:
        return [i for (i,) in conn.execute("select id from campus_drive where status <> 'cancelled'"
                                           " order by held_on desc, id desc").fetchall()]
    finally:
        conn.close()


def test_a_bad_file_shows_a_chinese_error_not_a_traceback(app, demo_db: Path) -> None:  # type: ignore[no-untyped-def]
    at = open_import(app, demo_db)
    at.file_uploader[0].upload("名单.xls", b"<html><body><table></table></body></html>", "application/vnd.ms-excel")
    at.run()
    assert not at.exception
    assert any("这是网页(HTML)文件，不是 Excel" in shown(e.value) for e in at.error)


@pytest.mark.parametrize(("username", "reachable"), [("hr", True), ("admin", True), ("manager", False),
                                                     ("recruiter_sh", False)])
def test_only_hr_and_admin_get_the_import_screen(app, demo_db: Path, username: str, reachable: bool) -> None:  # type: ignore[no-untyped-def]
    at = login(app(demo_db, timeout=180), username)
    assert ("import_data" in nav_pages(at)) is reachable
    request_url_path(at, "import_data")
    assert not at.exception
    assert ("导入" in [t.value for t in at.title]) is reachable
