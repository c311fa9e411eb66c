"""What the screen shows before writing (importer.check) is what the write then does: the counts, the
warnings (merged rows' too) and the preview's verdicts; a check outlives its work folder; and records
already read (the sign-ups') go the same one path, named by the caller, numbered by their own rows."""
from __future__ import annotations

import hashlib
import pickle
from pathlib import Path

import duckdb
import polars as pl
import pytest

from db.permissions import SYSTEM
from loaders.importer import Records, check, references, staged_file, write_file

SHEET = "\n".join([
    "姓名,手机号码,邮箱,毕业院校,意向企业,身份证号",
    "张三,13800138000,zs@qq.com,浙江大学,不在名录的企业,330482199901011234",    # 2: kept
    "李四,,,复旦大学,,",                                                   # 3: rejected, no contact
    "张叁,13800138000,,浙江大学,,",                                         # 4: row 2's person, name differs
    "王五,13900139000,bad@,不存在的大学,,",                                 # 5: kept, two warnings
]) + "\n"


def sheet(tmp_path: Path) -> Path:
    path = tmp_path / "报名表.csv"
    path.write_text(SHEET, encoding="utf-8")
    return path


def test_the_check_says_what_the_write_then_does(cur: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    with staged_file(sheet(tmp_path), references(cur)) as file:
        checked = check(file)
        imported, result = write_file(cur, SYSTEM, file)
    assert (checked.read, checked.rejected, checked.duplicate_in_file) == (4, 1, 1)
    assert (result.read, result.rejected, result.duplicate_in_file) == (4, 1, 1)
    # Nobody in the database yet: every warning the write records is one about the file, and the check has them.
    assert checked.warning_count == imported.warning_count == result.warnings == checked.warnings.height
    assert checked.warnings.rows() == imported.warnings.rows()
    assert {(r, f) for r, f, _ in checked.warnings.rows()} >= {(4, "name"), (5, "email"), (5, "university")}
    assert checked.warnings_by_field["姓名"] == 1 and sum(checked.warnings_by_field.values()) == checked.warning_count
    assert sum(checked.rejects_by_reason.values()) == 1
    assert checked.rejects["row_number"].to_list() == [3]
    assert checked.unknown_employers == ["不在名录的企业"]
    assert checked.dropped_columns == ["身份证号"] and checked.header_row == 1
    preview = checked.preview
    assert preview.columns[0] == "行号" and preview.columns[-1] == "结果"
    assert preview["行号"].to_list() == [2, 3, 4, 5]
    assert preview["姓名"].to_list() == ["张三", "李四", "张叁", "王五"]
    verdicts = preview["结果"].to_list()
    assert verdicts[0] == verdicts[3] == "可导入" and verdicts[2] == "与第 2 行重复，已合并"
    assert verdicts[1].startswith("拒绝：") and len(verdicts[1]) > len("拒绝：")


def test_a_check_is_a_plain_value_that_outlives_its_work_folder(cur: duckdb.DuckDBPyConnection,
                                                                 tmp_path: Path) -> None:
    with staged_file(sheet(tmp_path), references(cur)) as file:
        folder = file.folder
        checked = check(file)
    assert not folder.exists()
    kept = pickle.loads(pickle.dumps(checked))          # no futures, no open files: it keeps across reruns
    assert kept.preview.equals(checked.preview) and kept.warnings.equals(checked.warnings)
    assert kept.sheet.encoding == "UTF-8" and kept.columns == checked.columns


def test_the_check_follows_the_screens_corrections(cur: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    """A column mapped away is not read; a header row given is where the header is."""
    path = sheet(tmp_path)
    with staged_file(path, references(cur), overrides={2: None}) as file:
        checked = check(file)
    assert checked.mapping()[2]["field"] is None and "邮箱" in checked.unknown_columns
    assert not any(f == "email" for _, f, _ in checked.warnings.rows())
    path.write_text("报名表\n" + SHEET, encoding="utf-8")
    with staged_file(path, references(cur), header_row=2) as file:
        assert check(file).preview["行号"].to_list() == [3, 4, 5, 6]


def test_records_go_the_same_path_named_by_the_caller_numbered_by_their_own_rows(
        cur: duckdb.DuckDBPyConnection) -> None:
    cells = pl.DataFrame({"c0": ["张三", "李四", "张三"], "c1": ["13800138000", None, "138-0013-8000"],
                          "row_number": pl.Series([101, 205, 307], dtype=pl.Int32)})
    records = Records(cells, ["姓名", "手机号"])
    with pytest.raises(TypeError, match="name"), staged_file(records, references(cur)):
        pass
    with staged_file(records, references(cur), name="扫码报名：测试（3 条）") as file:
        checked = check(file)
        _, result = write_file(cur, SYSTEM, file)
    assert checked.preview["行号"].to_list() == [101, 205, 307]
    assert checked.preview["结果"].to_list()[2] == "与第 101 行重复，已合并"
    assert (result.read, result.inserted, result.duplicate_in_file, result.rejected) == (3, 1, 1, 1)
    batch = cur.execute("select file_name, sha256 from import_batch where id = ?", [result.batch_id]).fetchall()
    assert batch == [("扫码报名：测试（3 条）", hashlib.sha256(cells.write_csv().encode("utf-8")).hexdigest())]
    rows = cur.execute("select row_number, outcome from import_row where batch_id = ? order by 1",
                       [result.batch_id]).fetchall()
    assert rows == [(101, "inserted"), (307, "duplicate_in_file")]
