"""Every physical record is one row: CR, LF, CRLF and mixed line endings read the same people, and a record
longer than the header is warned about — or rejected when a cell beyond the header holds a contact — the
same way whether the file is uploaded (the screen's way, in default batches) or read in tiny batches."""
from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from db.connection import open_database
from db.imports import ImportResult
from db.permissions import SYSTEM
from loaders.importer import import_file
from loaders.importer.delimited import LfReader, lf
from loaders.importer.reader import HEAD_BYTES

from tests.import_support import imported

HEADER = ["姓名", "手机号码", "邮箱", "毕业院校", "毕业时间"]
NAMES = [s + g for s in "王李张刘陈杨黄赵" for g in ("伟", "芳", "娜", "强", "磊", "军")]
SCHOOLS = ["浙江大学", '"复旦大学,上海"', '"清华\r大学"', '"北京大学\r\n医学部"', '"南京\n大学"', ""]
DATES = ["2025-06", "2024/7/1", "", "2026届"]
# Cells beyond the header: blank (trailing separators), text, or a contact (the row's cells may have shifted).
EXTRAS = [[], [], [], [""], ["", ""], ["备注"], ["说明", "多余"], ["13700137000"], ["", "x@qq.com"]]


def _filler() -> list[str]:
    """Plain rows first, so that the drawn people lie just past the first block a file on disk is read in
    (at least 2 × reader.HEAD_BYTES): there, tiny batches cut the file into blocks between their lines
    and within them."""
    rows: list[str] = []
    while sum(len(r.encode()) + 1 for r in rows) <= 2 * HEAD_BYTES:
        rows.append(f"填充{len(rows)},1380000{len(rows):04d},,浙江大学,2025")
    return rows


FILLER = _filler()


@dataclass(frozen=True)
class Person:
    name: str
    cells: list[str]
    extras: list[str]
    ending: str

    @property
    def shifted(self) -> bool:
        """A contact beyond the header: the row is rejected."""
        return any(("@" in c or c.isdigit()) for c in self.extras)

    @property
    def noted(self) -> bool:
        """Text beyond the header, no contact: the row is kept with a warning."""
        return any(self.extras) and not self.shifted


@st.composite
def fairs(draw: st.DrawFn) -> tuple[str, list[Person]]:
    """A header line, FILLER, and 1–15 people, each line ending in CR, LF or CRLF (the last perhaps in none)."""
    people = []
    for i in range(draw(st.integers(min_value=1, max_value=15))):
        contact = draw(st.sampled_from(["mobile", "email", "both"]))
        mobile = f"1390000{i:04d}" if contact != "email" else ""
        email = f"p{i}@163.com" if contact != "mobile" else ""
        cells = [NAMES[i], mobile, email, draw(st.sampled_from(SCHOOLS)), draw(st.sampled_from(DATES))]
        people.append(Person(NAMES[i], cells, draw(st.sampled_from(EXTRAS)), draw(st.sampled_from(["\r", "\n", "\r\n"]))))
    header_ending = draw(st.sampled_from(["\r", "\n", "\r\n"]))
    last = draw(st.sampled_from(["", people[-1].ending]))
    lines = [",".join(p.cells + p.extras) + p.ending for p in people]
    lines[-1] = lines[-1].removesuffix(people[-1].ending) + last
    return ",".join(HEADER) + header_ending + "\n".join(FILLER) + "\n" + "".join(lines), people


def outcomes(cur: duckdb.DuckDBPyConnection, batch_id: int) -> tuple[dict[int, str], set[int], int]:
    """row → name of the candidate each kept row was written to; the rejected rows; 'extra' warnings."""
    kept = dict(cur.execute("select r.row_number, c.name from import_row r join candidate c on c.id = r.candidate_id"
                            " where r.batch_id = ?", [batch_id]).fetchall())
    rejected = {r for (r,) in cur.execute("select row_number from import_reject where batch_id = ?",
                                          [batch_id]).fetchall()}
    noted = cur.execute("select count(*) from import_warning where batch_id = ? and field = 'extra'",
                        [batch_id]).fetchall()[0][0]
    return kept, rejected, noted


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(fair=fairs(), batch_rows=st.integers(min_value=1, max_value=4))
def test_every_person_is_read_whatever_the_line_endings_and_extra_cells(
        tmp_path_factory: pytest.TempPathFactory, fair: tuple[str, list[Person]], batch_rows: int) -> None:
    text, people = fair
    folder = tmp_path_factory.mktemp("fair")
    path = folder / "fair.csv"
    path.write_bytes(text.encode("utf-8"))
    first = 2 + len(FILLER)                 # the sheet row of the first drawn person
    expected_kept = {row: p.name for row, p in enumerate(people, start=first) if not p.shifted}
    expected_kept |= {row: f"填充{i}" for i, row in enumerate(range(2, first))}
    expected_rejected = {row for row, p in enumerate(people, start=first) if p.shifted}
    counts = []
    for name, run in (("upload", _uploaded), ("batches", lambda cur, path: _streamed(cur, path, batch_rows))):
        conn = open_database(folder / f"{name}.duckdb")
        try:
            cur = conn.cursor()
            result = run(cur, path)
            assert result.read == len(FILLER) + len(people) == result.inserted + result.matched + result.duplicate_in_file \
                + result.rejected
            kept, rejected, noted = outcomes(cur, result.batch_id)
        finally:
            conn.close()
        assert kept == expected_kept, name
        assert rejected == expected_rejected, name
        assert noted == sum(p.noted for p in people), name
        counts.append(result.counts() | {"batch_id": 0})
    assert counts[0] == counts[1]


def _uploaded(cur: duckdb.DuckDBPyConnection, path: Path) -> ImportResult:
    return imported(cur, SYSTEM, path.read_bytes(), path.name)


def _streamed(cur: duckdb.DuckDBPyConnection, path: Path, batch_rows: int) -> ImportResult:
    return import_file(cur, SYSTEM, path, batch_rows=batch_rows)[1]


def test_a_file_of_cr_line_endings_only_is_read(cur: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    """Classic Mac files: no LF at all, once refused as 表头下面全是空白."""
    path = tmp_path / "mac.csv"
    path.write_bytes("姓名,手机号码\r张三,13800138000\r李四,13900139000\r".encode("gbk"))
    imported, result = import_file(cur, SYSTEM, path)
    assert (result.read, result.inserted) == (2, 2)


@pytest.mark.parametrize("size", [1, 2, 3, 5, 8])
def test_line_endings_read_block_by_block_are_those_of_the_whole(size: int) -> None:
    """A CRLF cut between two blocks is one line end, not CR then LF: a block ending in CR waits."""
    data = "姓名,手机\r\n张三,1\r李四,\"多\r\n行\"\n王五,3\r\r\n赵六\r".encode()
    reader = LfReader(io.BytesIO(data))
    blocks = list(iter(lambda: reader.read(size), b""))
    assert reader.read(size) == b""
    assert b"".join(blocks) == lf(data) == "姓名,手机\n张三,1\n李四,\"多\n行\"\n王五,3\n\n赵六\n".encode()
