"""Arbitrary sheets never crash the importer, and every non-blank row is accounted for exactly once."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from db.connection import open_database
from db.permissions import SYSTEM
from loaders.importer import FileRefused, check, references, staged_upload, write_file

from tests.import_support import imported

KNOWN = ["手机号码", "邮箱", "性别", "毕业院校", "专业", "学历", "毕业时间", "身份证号", "意向企业", "签约意向", "院系"]
UNKNOWN = ["序号", "备注", "QQ", "", "姓名"]       # a second 姓名 column too
_cell = st.one_of(
    st.sampled_from(["", " ", "\u3000", "张三", "李四", "王 五", "13800138000", "138-0013-8001", "1.38E+10",
                     "138****0000", "+86 13900139000", "zs@163.com", "ZS@163.COM", "bad@", "浙大", "本科", "PhD",
                     "2025年6月", "45838", "2026届", "是", "否", "男", "F", "=1+1", "\"引号\"", "a,b", "多行\n文本", "旧 Mac\r换行", "Windows\r\n换行"]),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12),
)


@st.composite
def sheets(draw: st.DrawFn) -> tuple[list[str], list[list[str]], int]:
    contact = draw(st.sampled_from([["手机号码"], ["邮箱"], ["手机号码", "邮箱"], ["手机号码", "邮箱"], []]))
    extra = draw(st.lists(st.sampled_from(KNOWN + UNKNOWN), min_size=1, max_size=6, unique=True))
    header = draw(st.permutations(["姓名", *dict.fromkeys(contact + extra)]))
    rows = draw(st.lists(st.lists(_cell, min_size=len(header), max_size=len(header)), min_size=1, max_size=25))
    titles = draw(st.integers(min_value=0, max_value=5))
    return header, rows, titles


def encode(header: list[str], rows: list[list[str]], titles: int, encoding: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for i in range(titles):
        writer.writerow(["2025年扬帆计划 报名表" if i == 0 else ""])
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding, errors="replace")


@pytest.fixture(scope="module")
def shared_db(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    """One database for all examples: batches pile up, so later sheets also match earlier people."""
    conn = open_database(tmp_path_factory.mktemp("props") / "crm.duckdb")
    yield conn
    conn.close()


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(sheet=sheets(), encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16"]))
def test_any_sheet_is_imported_or_refused_and_every_row_is_accounted_for(
        shared_db: duckdb.DuckDBPyConnection, sheet: tuple[list[str], list[list[str]], int], encoding: str) -> None:
    header, rows, titles = sheet
    data = encode(header, rows, titles, encoding)
    decoded = data.decode(encoding.replace("utf-8-sig", "utf-8-sig"))
    body = list(csv.reader(io.StringIO(decoded)))[titles + 1:]
    non_blank = sum(1 for r in body if any(c.strip() for c in r))
    cur = shared_db.cursor()
    try:
        with staged_upload(data, "sheet.csv", references(cur)) as file:
            checked = check(file)
            result = write_file(cur, SYSTEM, file, force=True)[1]
    except FileRefused as refused:
        event("refused")
        # Only sheets that really cannot be imported: nothing under the header, or no usable contact column.
        assert non_blank == 0 or not {"手机号码", "邮箱"} & set(header), str(refused)
        return
    event("imported")
    assert checked.read == non_blank
    assert result.read == non_blank
    assert (checked.rejected, checked.duplicate_in_file) == (result.rejected, result.duplicate_in_file)
    assert result.read == result.inserted + result.matched + result.duplicate_in_file + result.rejected
    outcomes = dict(cur.execute("select outcome, count(*) from import_row where batch_id = ? group by 1",
                                [result.batch_id]).fetchall())
    assert outcomes.get("inserted", 0) == result.inserted and outcomes.get("matched", 0) == result.matched
    assert cur.execute("select count(*) from import_reject where batch_id = ?", [result.batch_id]).fetchall() == [
        (result.rejected,)]
    orphans = cur.execute("select count(*) from contact_key k left join candidate c on c.id = k.candidate_id"
                          " where c.id is null").fetchall()
    assert orphans == [(0,)]


def test_the_property_test_sees_real_imports(shared_db: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    """Guards the property above against passing by refusing everything."""
    data = encode(["姓名", "手机号码"], [["张三", "13800138000"], ["", ""]], 2, "gb18030")
    result = imported(shared_db.cursor(), SYSTEM, data, "x.csv", force=True)
    assert result.read == 1
