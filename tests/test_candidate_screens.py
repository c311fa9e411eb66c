"""The candidate screens driven through AppTest: create, duplicates, merge, masking, deletion, bulk."""
from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from db.connection import clear_shared_connection
from tests.helpers import button, login, shown


def db_rows(path: Path, query: str, params: list | None = None) -> list[tuple]:
    clear_shared_connection()   # the app holds the file; let go of it to look inside
    conn = duckdb.connect(str(path), config={"preserve_insertion_order": False})
    found = conn.execute(query, params or []).fetchall()
    conn.close()
    return found


def fill_new_candidate(at: AppTest, **values: str) -> AppTest:
    at.switch_page("pages/candidate_new.py").run()
    for field, value in values.items():
        at.text_input(key=f"new_candidate_{field}").input(value)
    at.selectbox(key="new_candidate_channel").select("walk_in")
    button(at, "保存候选人").click()
    return at.run()


def successes(at: AppTest) -> list[str]:
    return [s.value for s in at.success]


def test_hr_creates_a_candidate_on_screen(app, demo_db: Path) -> None:  # type: ignore[no-untyped-def]
    at = login(app(demo_db), "hr")
    fill_new_candidate(at, name="测试新人", mobile="+86 186-0000-1234", email="NEW@Example.com",
                       school_raw="某某职业技术学院", cm="现场纸质登记表签字")
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any(s.startswith("已保存，候选人编号") for s in successes(at))
    assert db_rows(demo_db, "select mobile, email, channel, university_raw from candidate where name = '测试新人'") == [
        ("18600001234", "new@example.com", "walk_in", "某某职业技术学院")]


def test_missing_consent_is_refused_on_screen(app, demo_db: Path) -> None:  # type: ignore[no-untyped-def]
    at = login(app(demo_db), "hr")
    fill_new_candidate(at, name="没授权", mobile="18600009999")
    assert any("个人信息授权" in e.value for e in at.error)


def test_an_exact_duplicate_is_blocked_and_links_to_the_person(app, demo_db: Path) -> None:  # type: ignore[no-untyped-def]
    existing_id, mobile = db_rows(demo_db, "select id, mobile from candidate where mobile is not null order by id limit 1")[0]
    at = login(app(demo_db), "hr")
    fill_new_candidate(at, name="重复的人", mobile=f"{mobile[:3]} {mobile[3:7]} {mobile[7:]}", cm="表单")
    assert any(f"编号 {existing_id}" in e.value and "不能重复建档" in e.value for e in at.error)
    button(at, "打开已有候选人").click()
    at.run()
    assert at.session_state["candidate_id"] == existing_id


def test_a_likely_duplicate_warns_and_saves_with_a_reason(app, demo_db: Path) -> None:  # type: ignore[no-untyped-def]
    name, school, year = db_rows(demo_db, "select c.name, u.name, c.graduation_year from candidate c join university u"
                                          " on u.id = c.university_id where c.graduation_year is not null"
                                          " and c.merged_into is null order by c.id limit 1")[0]
    at = login(app(demo_db), "hr")
    at.switch_page("pages/candidate_new.py").run()
    at.text_input(key="new_candidate_name").input(name)
    at.text_input(key="new_candidate_mobile").input("18600004321")
    at.text_input(key="new_candidate_school_raw").input(school)
    at.number_input(key="new_candidate_gy").set_value(year)
    at.text_input(key="new_candidate_cm").input("表单")
    button(at, "保存候选人").click()
    at.run()
    assert any("可能与以下已有候选人重复" in w.value for w in at.warning)
    reason = next(t for t in at.text_input if t.label.startswith("不是同一人的依据"))
    reason.input("出生年份不同，已电话核实")
    button(at, "仍然保存").click()
    at.run()
    assert any(s.startswith("已保存，候选人编号") for s in successes(at))
    assert db_rows(demo_db, "select count(*) from audit_log where detail like '%已电话核实%'") == [(1,)]


def test_merge_on_the_duplicates_screen(app, demo_db: Path) -> None:  # type: ignore[no-untyped-def]
    at = login(app(demo_db), "hr")
    at.switch_page("pages/duplicates.py").run()
    assert not at.exception
    label = at.selectbox[0].options[0]
    at.selectbox[0].select_index(0).run()
    button(at, "合并").click()
    at.run()
    assert any(s.startswith("已把编号") for s in successes(at))
    merged = db_rows(demo_db, "select count(*) from candidate where merged_into is not null")
    assert merged == [(1,)], label


def test_a_recruiter_sees_other_enclaves_masked_and_cannot_reveal(app, demo_db: Path) -> None:  # type: ignore[no-untyped-def]
    sh = db_rows(demo_db, "select id from enclave where code = 'SH'")[0][0]
    other_id, other_mobile = db_rows(demo_db, "select id, mobile from candidate where enclave_id <> ? and mobile is not null"
                                              " order by id limit 1", [sh])[0]
    at = login(app(demo_db), "recruiter_sh")
    at.switch_page("pages/candidates.py").run()
    at.text_input(key="candidates_text").input(other_mobile[-4:]).run()      # a part finds no one outside SH
    assert other_id not in (at.dataframe[0].value["id"].tolist() if at.dataframe else [])
    at.text_input(key="candidates_text").input(other_mobile).run()           # the whole number finds them
    table = at.dataframe[0].value
    row = table[table["id"] == other_id]
    assert row["mobile"].tolist() == [f"{other_mobile[:3]}****{other_mobile[-4:]}"]
    at.session_state["candidate_id"] = other_id
    at.switch_page("pages/candidate.py").run()
    assert not at.exception
    page_text = " ".join([*(shown(m.value) for m in at.markdown), *(t.value for t in at.text)])
    assert other_mobile not in page_text and f"{other_mobile[:3]}****{other_mobile[-4:]}" in page_text
    assert not any(b.label.startswith("显示完整联系方式") for b in at.button)
    assert any("只能查看" in i.value for i in at.info)     # the 编辑 tab refuses


def test_deletion_on_request_on_screen(app, demo_db: Path) -> None:  # type: ignore[no-untyped-def]
    person, name = db_rows(demo_db, "select id, name from candidate where enclave_id is not null order by id limit 1")[0]
    at = login(app(demo_db), "hr")
    at.session_state["candidate_id"] = person
    at.switch_page("pages/candidate.py").run()
    assert [shown(t.value) for t in at.title] == [name]
    next(t for t in at.text_input if t.label == "删除依据 *").input("本人 2026-11-20 电话要求删除")
    next(c for c in at.checkbox if c.label.startswith("我确认")).check()
    button(at, "按本人要求删除").click()
    at.run()
    assert [shown(t.value) for t in at.title] == [f"已删除#{person}"]
    assert any("按本人要求删除" in w.value for w in at.warning)


def test_bulk_tag_from_the_list(app, demo_db: Path) -> None:  # type: ignore[no-untyped-def]
    at = login(app(demo_db), "recruiter_sh")
    at.switch_page("pages/candidates.py").run()
    at.text_input(key="candidates_text").input("zw").run()
    ids = at.dataframe[0].value["id"].tolist()[:3]
    at.session_state["candidates_table"] = {"selection": {"rows": [0, 1, 2], "columns": []}}
    at.run()
    next(t for t in at.text_input if t.label == "标签").input("春招重点")
    button(at, "添加").click()
    at.run()
    assert any("已更新" in s for s in successes(at)) or at.warning
    tagged = {r[0] for r in db_rows(demo_db, "select candidate_id from candidate_tag where tag = '春招重点'")}
    assert tagged and tagged <= set(ids)


@pytest.mark.parametrize("text", ["zw", "张", "8000"])
def test_search_box_on_screen(app, demo_db: Path, text: str) -> None:  # type: ignore[no-untyped-def]
    at = login(app(demo_db), "manager")
    at.switch_page("pages/candidates.py").run()
    at.text_input(key="candidates_text").input(text).run()
    assert not at.exception and at.dataframe[0].value.shape[0] > 0


def test_the_school_picker_finds_old_and_short_names(app, demo_db: Path) -> None:  # type: ignore[no-untyped-def]
    at = login(app(demo_db), "hr")
    at.switch_page("pages/candidate_new.py").run()
    def picked() -> str:
        picker = next(s for s in at.selectbox if s.label == "学校")
        return picker.format_func(picker.value)

    at.text_input(key="new_candidate_school_q").input("上海体育学院").run()      # renamed in 2023
    assert "上海体育大学" in picked()
    at.text_input(key="new_candidate_school_q").input("浙大").run()              # a short name
    assert "浙江大学" in picked()
    at.text_input(key="new_candidate_name").input("选校测试")
    at.text_input(key="new_candidate_mobile").input("18600007777")
    at.text_input(key="new_candidate_cm").input("表单")
    button(at, "保存候选人").click()
    at.run()
    assert any(s.startswith("已保存") for s in successes(at)), [e.value for e in at.error]
    assert db_rows(demo_db, "select u.name from candidate c join university u on u.id = c.university_id"
                            " where c.name = '选校测试'") == [("浙江大学",)]


def test_user_text_is_shown_as_text_not_markdown(app, demo_db: Path) -> None:  # type: ignore[no-untyped-def]
    """A name or note typed as markdown ('[点我](http://…)', ':red[…]') must not become a link or colour."""
    person = db_rows(demo_db, "select id from candidate where enclave_id is not null order by id limit 1")[0][0]
    conn = duckdb.connect(str(demo_db))
    conn.execute("update candidate set notes = '[点我](http://evil.example) :red[警告] **粗**' where id = ?", [person])
    conn.close()
    at = login(app(demo_db), "hr")
    at.session_state["candidate_id"] = person
    at.switch_page("pages/candidate.py").run()
    note = next(m.value for m in at.markdown if m.value.startswith("**备注**"))
    assert "\\[点我\\]\\(http\u200b\\:\\/\\/evil" in note and "\\:red\\[" in note and "\\*\\*粗\\*\\*" in note
    assert shown(note) == "**备注**：[点我](http://evil.example) :red[警告] **粗**"


def test_hr_edits_the_real_contacts_and_the_reveal_is_audited_once(app, demo_db: Path) -> None:  # type: ignore[no-untyped-def]
    """The edit form used to be filled with the masked mobile, so HR and admins could save no edit."""
    person, mobile = db_rows(demo_db, "select id, mobile from candidate where mobile is not null and enclave_id is not null"
                                      " and deleted_at is null and merged_into is null order by id limit 1")[0]
    at = login(app(demo_db), "hr")
    at.session_state["candidate_id"] = person
    at.switch_page("pages/candidate.py").run()
    assert not any(t.key == f"edit_{person}_mobile" for t in at.text_input)    # no reveal before asking
    button(at, "修改资料").click()
    at.run()
    assert at.text_input(key=f"edit_{person}_mobile").value == mobile
    at.run()                                                                     # reruns do not reveal again
    at.text_input(key=f"edit_{person}_major").input("改后的专业")
    button(at, "保存修改").click()
    at.run()
    assert not at.error and not at.warning, [e.value for e in at.error] + [w.value for w in at.warning]
    assert db_rows(demo_db, "select major, mobile from candidate where id = ?", [person]) == [("改后的专业", mobile)]
    reveals = db_rows(demo_db, "select detail from audit_log where action = 'view_unmasked' and entity_id = ?",
                      [str(person)])
    assert reveals == [("修改资料时显示完整联系方式",)]


def test_the_detail_address_names_the_person(app, demo_db: Path) -> None:  # type: ignore[no-untyped-def]
    """A refresh or a shared link (?id=…) opens the same person; a new session has no other state."""
    person, name = db_rows(demo_db, "select id, name from candidate where enclave_id is not null order by id limit 1")[0]
    at = login(app(demo_db), "manager")
    at.switch_page("pages/candidates.py").run()
    at.session_state["candidates_table"] = {"selection": {"rows": [0], "columns": []}}
    at.run()
    first = int(at.dataframe[0].value["id"].tolist()[0])
    button(at, "打开所选候选人").click()
    at.run()
    assert at.query_params["id"] == str(first)
    fresh = login(app(demo_db), "manager")
    fresh.query_params["id"] = str(person)
    fresh.switch_page("pages/candidate.py").run()
    assert [shown(t.value) for t in fresh.title] == [name]


def test_a_past_follow_up_date_is_refused_in_chinese_and_nothing_typed_is_lost(app, demo_db: Path) -> None:  # type: ignore[no-untyped-def]
    """The picker used to have a minimum: Streamlit answered a past date in English, kept its old value
    (none) and the call was saved without the follow-up. Now db/ refuses it and the form keeps its text."""
    from datetime import timedelta

    from db import clock

    person = db_rows(demo_db, "select id from candidate where enclave_id is not null and merged_into is null"
                              " and deleted_at is null order by id limit 1")[0][0]
    before = db_rows(demo_db, "select count(*) from activity where candidate_id = ?", [person])
    at = login(app(demo_db), "hr")
    at.session_state["candidate_id"] = person
    at.switch_page("pages/candidate.py").run()
    scope = f"cand{person}_activity"
    at.text_area(key=f"{scope}_body").input("电话沟通，约下周再联系")
    at.date_input(key=f"{scope}_next").set_value(clock.today() - timedelta(days=3))
    button(at, "记录").click()
    at.run()
    assert any("早于今天" in shown(e.value) for e in at.error), [e.value for e in at.error]
    assert at.text_area(key=f"{scope}_body").value == "电话沟通，约下周再联系"
    assert db_rows(demo_db, "select count(*) from activity where candidate_id = ?", [person]) == before
