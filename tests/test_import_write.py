"""Writing an import: every row accounted for, dedupe within and across files, blanks filled never overwritten,
drive applications, batch records, re-import refusal, undo, permissions and atomicity."""
from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest

from db import import_history, imports
from db.errors import NotFound, PermissionDenied, ValidationError
from db.import_history import UndoRefused
from db.imports import AlreadyImported
from db.permissions import SYSTEM, User
from loaders.importer import import_file
from tests.helpers import claimed

HEADER = "姓名,性别,手机号码,邮箱,毕业院校,专业,学历,毕业时间,身份证号,意向企业,签约意向,备注"
NATIONAL_ID = "330482199901011234"
HR = User(id=0, username="hr_test", role="hr")


def sheet(tmp_path: Path, *rows: str, name: str = "报名表.csv", title: bool = True) -> Path:
    lines = (["2025年扬帆计划·浙江大学专场 报名表", ""] if title else []) + [HEADER, *rows]
    path = tmp_path / name
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gbk"))
    return path


def counts(result: imports.ImportResult) -> tuple[int, ...]:
    return result.read, result.inserted, result.matched, result.duplicate_in_file, result.rejected


def table_counts(cur: duckdb.DuckDBPyConnection) -> dict[str, int]:
    tables = ["candidate", "contact_key", "application", "stage_event", "employer", "import_batch", "import_reject",
              "import_row", "import_fill", "import_warning", "audit_log"]
    return {t: cur.execute(f"select count(*) from {t}").fetchall()[0][0] for t in tables}


def drive(cur: duckdb.DuckDBPyConnection, *employers: str) -> int:
    """A campus drive at 浙江大学 with the given employers on the list."""
    cur.execute("insert into campus_drive (id, programme, title, university_id, held_on, status) select 901,"
                " '扬帆计划', '浙江大学专场', id, date '2025-10-20', 'held' from university where name = '浙江大学'")
    for i, name in enumerate(employers, start=1):
        cur.execute("insert into employer (id, name) values (?, ?)", [800 + i, name])
    return 901


PEOPLE = (
    f"张三,男,138-0013-8000,ZS@163.COM,浙大,计算机科学与技术,本科,2025年6月,{NATIONAL_ID},平湖精密机械有限公司,是,",
    "李四,女,1.38E+10,ls@qq.com,浙江工业大学,机械工程,硕士研究生,2025.06,,未知企业,,",     # mobile lost, e-mail kept
    "王五,男,138****0000,,北京大学,物理学,博士,2026届,,,,",                           # no usable contact: rejected
    ",,13600136000,,,,,,,,,",                                                       # no name: rejected
    "张三,,13800138000,,浙江大学,,,202506,,,否,补报",                                 # same mobile as row 4
    "赵六,女,+86 139 0013 9000,zs@163.com,中国石油大学(华东),化学,专科,45838,,,,",      # same e-mail as 张三
    "孙七,女,13700137000,,家里蹲大学,,大专,待定,,,,",
)


def test_every_row_is_accounted_for_and_people_are_written(cur: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    prepared, result = import_file(cur, SYSTEM, sheet(tmp_path, *PEOPLE, "", ",,,,,,,,,,,"))
    assert counts(result) == (7, 3, 0, 2, 2)
    assert result.read == result.inserted + result.matched + result.duplicate_in_file + result.rejected
    people = cur.sql("select name, gender, mobile, email, university_raw, major, degree, graduation_year,"
                     " graduation_month, talent_category, name_pinyin, import_batch_id from candidate order by id").pl()
    assert people.select("name", "mobile", "email").rows() == [
        ("张三", "13800138000", "zs@163.com"), ("李四", None, "ls@qq.com"), ("孙七", "13700137000", None)]
    zhang = people.row(0, named=True)
    assert (zhang["degree"], zhang["graduation_year"], zhang["graduation_month"]) == ("本科", 2025, 6)
    assert zhang["talent_category"] == "young_graduate" and zhang["name_pinyin"] == "zhangsan"
    assert people["import_batch_id"].to_list() == [result.batch_id] * 3
    # 赵六's mobile was merged into 张三's row (same e-mail): not stored, and warned.
    stored = {"m:13800138000", "e:zs@163.com", "e:ls@qq.com", "m:13700137000"}
    assert {contact for contact, _ in claimed(cur, *stored)} == stored
    rows = dict(cur.execute("select row_number, outcome from import_row where batch_id = ?", [result.batch_id]).fetchall())
    assert rows == {4: "inserted", 5: "inserted", 8: "duplicate_in_file", 9: "duplicate_in_file", 10: "inserted"}
    warned = {(r, f) for r, f, _ in prepared.warnings.rows()}
    assert {(5, "mobile"), (9, "mobile"), (9, "name"), (10, "university"), (10, "graduation")} <= warned


def test_university_is_matched_or_kept_raw(cur: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    import_file(cur, SYSTEM, sheet(tmp_path, *PEOPLE))
    got = dict(cur.execute("select c.name, u.name from candidate c left join university u on u.id = c.university_id")
               .fetchall())
    assert got == {"张三": "浙江大学", "李四": "浙江工业大学", "孙七": None}
    assert cur.execute("select university_raw from candidate where name = '孙七'").fetchall() == [("家里蹲大学",)]


def test_rejects_are_recorded_with_reasons_and_without_the_national_id(cur: duckdb.DuckDBPyConnection,
                                                                       tmp_path: Path) -> None:
    _, result = import_file(cur, SYSTEM, sheet(tmp_path, *PEOPLE))
    rejects = import_history.rejects(cur, SYSTEM, result.batch_id)
    assert rejects["row_number"].to_list() == [6, 7]
    assert "打码" in rejects["reasons"][0] and "缺少姓名" in rejects["reasons"][1]
    assert '"姓名":"王五"' in rejects["row_json"][0] and "身份证" not in rejects["row_json"][0]


def test_a_national_id_is_stored_nowhere(cur: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    rows = [*PEOPLE, f"钱八,男,abc,,浙大,,,,{NATIONAL_ID},,,"]      # a rejected row carrying an ID too
    import_file(cur, SYSTEM, sheet(tmp_path, *rows))
    text_columns = cur.execute("select table_name, column_name from information_schema.columns"
                               " where data_type = 'VARCHAR' and table_schema = 'main'").fetchall()
    assert text_columns
    for table, column in text_columns:
        hits = cur.execute(f'select count(*) from "{table}" where "{column}" like ?', [f"%{NATIONAL_ID[4:]}%"]).fetchall()
        assert hits == [(0,)], f"{table}.{column} holds a national ID"


def test_the_batch_is_recorded_with_file_hash_mapping_counts_and_audit(cur: duckdb.DuckDBPyConnection,
                                                                       tmp_path: Path) -> None:
    prepared, result = import_file(cur, HR, sheet(tmp_path, *PEOPLE))
    batch = cur.sql("select * from import_batch").pl().row(0, named=True)
    assert batch["file_name"] == "报名表.csv" and batch["sha256"] == prepared.sha256 and batch["imported_by"] == "hr_test"
    assert (batch["read_rows"], batch["inserted"], batch["matched"], batch["duplicate_in_file"], batch["rejected"],
            batch["warnings"]) == (7, 3, 0, 2, 2, result.warnings)
    assert batch["encoding"] == "GB18030/GBK" and batch["header_row"] == 3
    assert '"field": "national_id"' in batch["mapping_json"] and '"备注"' in batch["report_json"]
    assert cur.execute("select count(*) from import_warning where batch_id = ?", [result.batch_id]).fetchall() == [
        (result.warnings,)]
    assert cur.execute("select action, actor, entity_id from audit_log where action = 'import'").fetchall() == [
        ("import", "hr_test", str(result.batch_id))]


def test_matched_people_get_blanks_filled_never_overwritten_and_differences_warned(
        cur: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    first = sheet(tmp_path, "张三,男,13800138000,,浙江大学,计算机科学与技术,,,,,,", name="a.csv")
    import_file(cur, SYSTEM, first)
    second = sheet(tmp_path, "张三,女,13800138000,new@163.com,复旦大学,软件工程,硕士,2026届,,,,", name="b.csv")
    prepared, result = import_file(cur, SYSTEM, second)
    assert counts(result) == (1, 0, 1, 0, 0)
    row = cur.sql("select gender, email, university_raw, major, degree, graduation_year, version from candidate").pl()
    assert row.row(0) == ("男", "new@163.com", "浙江大学", "计算机科学与技术", "硕士", 2026, 2)
    assert [c for c, _ in claimed(cur, "e:new@163.com", "m:13800138000")] == ["e:new@163.com", "m:13800138000"]
    fills = dict(cur.execute("select field, value from import_fill where batch_id = ?", [result.batch_id]).fetchall())
    assert fills == {"email": "new@163.com", "degree": "硕士", "graduation_year": "2026"}
    notes = import_history.warnings(cur, SYSTEM, result.batch_id)["message"].to_list()
    assert any("性别不同" in n and "已有「男」" in n for n in notes)
    assert any("学校不同" in n for n in notes) and any("专业不同" in n for n in notes)


def test_duplicates_across_files_match_instead_of_inserting(cur: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    import_file(cur, SYSTEM, sheet(tmp_path, *PEOPLE, name="a.csv"))
    later = sheet(tmp_path, "Zhang San,,,zs@163.com,,,,,,,,", "周九,,13500135000,,,,,,,,,", name="b.csv")
    _, result = import_file(cur, SYSTEM, later)
    assert counts(result) == (2, 1, 1, 0, 0)
    assert cur.execute("select count(*) from candidate").fetchall() == [(4,)]


def test_a_key_held_by_a_deleted_candidate_does_not_match(cur: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    import_file(cur, SYSTEM, sheet(tmp_path, "张三,,13800138000,,,,,,,,,", name="a.csv"))
    cur.execute("update candidate set deleted_at = now()")
    _, result = import_file(cur, SYSTEM, sheet(tmp_path, "张三,男,13800138000,,,,,,,,,", name="b.csv"))
    assert counts(result) == (1, 1, 0, 0, 0)
    live = cur.execute("select c.id from contact_key k join candidate c on c.id = k.candidate_id"
                       " where c.deleted_at is null").fetchall()
    assert len(live) == 1


def test_matching_finds_the_live_holder_of_each_mobile_and_email(cur: duckdb.DuckDBPyConnection,
                                                                 tmp_path: Path) -> None:
    import_file(cur, SYSTEM, sheet(tmp_path, *PEOPLE, name="a.csv"))
    cur.execute("update candidate set deleted_at = now() where mobile = '13700137000'")
    people = pl.DataFrame({"person": [4, 1, 2, 3, 5], "mobile": ["13900000000", "13800138000", "13700137000", None,
                                                                 "13800138000"],
                           "email": [None, "ls@qq.com", None, "zs@163.com", "zs@163.com"]})
    found = imports.match(cur, people)
    ids = dict(cur.execute("select email, id from candidate where email is not null").fetchall())
    zhang = cur.execute("select id from candidate where mobile = '13800138000'").fetchall()[0][0]
    assert found.rows() == [(1, zhang, ids["ls@qq.com"]), (2, None, None), (3, None, ids["zs@163.com"]),
                            (4, None, None), (5, zhang, ids["zs@163.com"])]


def test_reimporting_the_same_file_is_refused_naming_the_batch(cur: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = sheet(tmp_path, *PEOPLE)
    _, first = import_file(cur, SYSTEM, path)
    before = table_counts(cur)
    renamed = tmp_path / "另一个名字.csv"
    renamed.write_bytes(path.read_bytes())
    with pytest.raises(AlreadyImported, match=f"批次 #{first.batch_id}"):
        import_file(cur, SYSTEM, renamed)
    assert table_counts(cur) == before


def test_forced_reimport_inserts_nothing_twice(cur: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    drive_id = drive(cur, "平湖精密机械有限公司")
    path = sheet(tmp_path, *PEOPLE)
    _, first = import_file(cur, SYSTEM, path, drive_id=drive_id)
    before = table_counts(cur)
    _, again = import_file(cur, SYSTEM, path, drive_id=drive_id, force=True)
    assert counts(again) == (7, 0, 3, 2, 2) and again.earlier_batch == first.batch_id
    after = table_counts(cur)
    for table in ("candidate", "contact_key", "application", "stage_event", "import_fill"):
        assert after[table] == before[table], table


def test_a_drive_gives_every_accepted_row_an_application(cur: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    drive_id = drive(cur, "平湖精密机械有限公司")
    prepared, result = import_file(cur, SYSTEM, sheet(tmp_path, *PEOPLE), drive_id=drive_id)
    apps = cur.sql("""select c.name, e.name as employer, a.stage, a.drive_id from application a
                      join candidate c on c.id = a.candidate_id left join employer e on e.id = a.employer_id
                      order by c.name, employer nulls last""").pl()
    # 张三 signed intent with 精密机械 on row 4; row 8 (same person, no employer) adds a second application.
    assert apps.rows() == [("孙七", None, "applied", 901), ("张三", "平湖精密机械有限公司", "intent", 901),
                           ("张三", None, "applied", 901), ("李四", None, "applied", 901)]
    events = cur.execute("select from_stage, to_stage from stage_event order by to_stage").fetchall()
    assert events == [(None, "applied")] * 3 + [(None, "intent")]
    assert cur.execute("select distinct channel, source_drive_id from candidate").fetchall() == [("campus_drive", 901)]
    assert prepared.unknown_employers == ["未知企业"]
    assert any("未知企业" in m for m in import_history.warnings(cur, SYSTEM, result.batch_id)["message"].to_list())


def test_unknown_employers_are_created_on_confirmation(cur: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    drive_id = drive(cur)
    _, result = import_file(cur, SYSTEM, sheet(tmp_path, *PEOPLE), drive_id=drive_id, create_employers=True)
    assert sorted(result.created_employers) == ["平湖精密机械有限公司", "未知企业"]
    linked = cur.execute("select e.name from application a join employer e on e.id = a.employer_id order by 1").fetchall()
    assert linked == [("平湖精密机械有限公司",), ("未知企业",)]


def test_undo_reverts_inserted_people_filled_blanks_and_applications(cur: duckdb.DuckDBPyConnection,
                                                                    tmp_path: Path) -> None:
    drive_id = drive(cur, "平湖精密机械有限公司")
    import_file(cur, SYSTEM, sheet(tmp_path, "老王,男,13300133000,,,,,,,,,", name="old.csv"))
    before = table_counts(cur)
    people_before = cur.sql("select * exclude (updated_at, updated_by, version) from candidate").pl()
    rows = [*PEOPLE, "老王,,13300133000,wang@qq.com,浙大,数学,本科,2025,,,,"]
    _, result = import_file(cur, HR, sheet(tmp_path, *rows, name="new.csv"), drive_id=drive_id)
    assert result.matched == 1 and result.filled > 0 and result.applications == 5
    undone = import_history.undo(cur, HR, result.batch_id)
    assert (undone.deleted_candidates, undone.deleted_applications) == (3, 5)
    after = table_counts(cur)
    for table in ("candidate", "contact_key", "application", "stage_event", "employer"):
        assert after[table] == before[table], table
    assert cur.sql("select * exclude (updated_at, updated_by, version) from candidate").pl().equals(people_before)
    assert cur.execute("select undone_by from import_batch where id = ?", [result.batch_id]).fetchall() == [("hr_test",)]
    assert cur.execute("select count(*) from audit_log where action = 'undo_import'").fetchall() == [(1,)]
    # Undone content may be imported again without forcing.
    _, again = import_file(cur, HR, sheet(tmp_path, *rows, name="new.csv"), drive_id=drive_id)
    assert again.inserted == 3


def test_undo_is_refused_naming_rows_when_later_work_depends_on_them(cur: duckdb.DuckDBPyConnection,
                                                                     tmp_path: Path) -> None:
    drive_id = drive(cur, "平湖精密机械有限公司")
    _, result = import_file(cur, SYSTEM, sheet(tmp_path, *PEOPLE), drive_id=drive_id)
    li = cur.execute("select id from candidate where name = '李四'").fetchall()[0][0]
    cur.execute("insert into activity (id, candidate_id, kind, occurred_on, body, created_by, created_at)"
                " values (1, ?, 'call', date '2025-11-01', '电话沟通', 'hr', now())", [li])
    app_id, zhang = cur.execute("select a.id, a.candidate_id from application a join candidate c on c.id = a.candidate_id"
                                " where c.name = '孙七'").fetchall()[0]
    cur.execute("insert into stage_event (id, application_id, candidate_id, from_stage, to_stage, occurred_at, actor)"
                " values (nextval('seq_stage_event'), ?, ?, 'applied', 'interviewing', now(), 'hr')", [app_id, zhang])
    before = table_counts(cur)
    with pytest.raises(UndoRefused, match="第 5 行 李四：之后有跟进记录") as refused:
        import_history.undo(cur, SYSTEM, result.batch_id)
    assert refused.value.rows == [5, 10]
    assert "第 10 行 孙七：本批次的投递之后推进过阶段" in str(refused.value)
    assert table_counts(cur) == before


def test_undo_leaves_a_filled_field_someone_changed_since(cur: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    import_file(cur, SYSTEM, sheet(tmp_path, "老王,男,13300133000,,,,,,,,,", name="a.csv"))
    _, result = import_file(cur, SYSTEM, sheet(tmp_path, "老王,,13300133000,,,数学,本科,,,,,", name="b.csv"))
    cur.execute("update candidate set major = '应用数学'")
    undone = import_history.undo(cur, SYSTEM, result.batch_id)
    assert (undone.reverted_fields, undone.kept_fields) == (1, 1)
    assert cur.execute("select major, degree from candidate").fetchall() == [("应用数学", None)]


def test_undoing_twice_or_an_unknown_batch_is_refused(cur: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    _, result = import_file(cur, SYSTEM, sheet(tmp_path, *PEOPLE))
    import_history.undo(cur, SYSTEM, result.batch_id)
    with pytest.raises(ValidationError, match="已于"):
        import_history.undo(cur, SYSTEM, result.batch_id)
    with pytest.raises(NotFound):
        import_history.undo(cur, SYSTEM, 999)


@pytest.mark.parametrize("role", ["recruiter", "manager"])
def test_only_hr_and_admin_may_import_or_undo(cur: duckdb.DuckDBPyConnection, tmp_path: Path, role: str) -> None:
    user = User(id=0, username="someone", role=role, enclave_id=1 if role == "recruiter" else None)
    with pytest.raises(PermissionDenied, match="人事/数据岗和管理员"):
        import_file(cur, user, sheet(tmp_path, *PEOPLE))
    _, result = import_file(cur, SYSTEM, sheet(tmp_path, *PEOPLE))
    for attempt in (lambda: import_history.undo(cur, user, result.batch_id), lambda: import_history.history(cur, user)):
        with pytest.raises(PermissionDenied):
            attempt()


def test_a_failure_while_writing_leaves_no_trace(cur: duckdb.DuckDBPyConnection, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from db import bulk

    drive_id = drive(cur, "平湖精密机械有限公司")
    before = table_counts(cur)
    insert = bulk.Deferred.insert

    def broken(self: bulk.Deferred, cur_: duckdb.DuckDBPyConnection, table: str) -> None:
        if table == "application":                   # after people and keys are written
            raise RuntimeError("disk full")
        insert(self, cur_, table)
    monkeypatch.setattr(bulk.Deferred, "insert", broken)
    with pytest.raises(RuntimeError):
        import_file(cur, SYSTEM, sheet(tmp_path, *PEOPLE), drive_id=drive_id)
    assert table_counts(cur) == before


def test_an_unknown_drive_is_refused(cur: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    with pytest.raises(imports.NotFound, match="场次 #77"):
        import_file(cur, SYSTEM, sheet(tmp_path, *PEOPLE), drive_id=77)
    assert cur.execute("select count(*) from candidate").fetchall() == [(0,)]


def test_history_lists_batches_newest_first(cur: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    import_file(cur, SYSTEM, sheet(tmp_path, *PEOPLE, name="a.csv"))
    import_file(cur, SYSTEM, sheet(tmp_path, "周九,,13500135000,,,,,,,,,", name="b.csv"))
    history = import_history.history(cur, SYSTEM)
    assert history["file_name"].to_list() == ["b.csv", "a.csv"]
    assert isinstance(history, pl.DataFrame)


def test_undo_is_one_transaction_a_failure_at_its_end_leaves_everything(cur: duckdb.DuckDBPyConnection,
                                                                         tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Applications, their stage events, people and filled blanks are undone together or not at all."""
    drive_id = drive(cur, "平湖精密机械有限公司")
    import_file(cur, SYSTEM, sheet(tmp_path, "老王,男,13300133000,,,,,,,,,", name="old.csv"))
    rows = [*PEOPLE, "老王,,13300133000,wang@qq.com,浙大,数学,本科,2025,,,,"]
    _, result = import_file(cur, HR, sheet(tmp_path, *rows, name="new.csv"), drive_id=drive_id)
    before = table_counts(cur)
    people_before = cur.sql("select * from candidate order by id").pl()

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("disk full")
    monkeypatch.setattr(imports.audit, "record", broken)     # the last step, after every delete
    with pytest.raises(RuntimeError):
        import_history.undo(cur, HR, result.batch_id)
    assert table_counts(cur) == before
    assert cur.sql("select * from candidate order by id").pl().equals(people_before)
    assert cur.execute("select undone_at from import_batch where id = ?", [result.batch_id]).fetchall() == [(None,)]
    monkeypatch.undo()
    undone = import_history.undo(cur, HR, result.batch_id)
    assert undone.deleted_applications == 5
    assert cur.execute("select count(*) from application where import_batch_id = ?", [result.batch_id]
                       ).fetchall() == [(0,)]


def test_a_database_error_inside_the_write_is_the_error_reported(cur: duckdb.DuckDBPyConnection,
                                                                 tmp_path: Path) -> None:
    """A constraint failing in a bulk insert surfaces as itself, not as the aborted transaction after it."""
    from db import bulk
    from db.connection import transaction

    bad = pl.DataFrame({"id": [1, 1], "name": ["甲", "乙"], "created_at": [None, None]})
    with pytest.raises(duckdb.ConstraintException), transaction(cur):
        bulk.insert(cur, "candidate", bad)

