"""A file is read and written batch by batch, and however small the batches (import_file's batch_rows) it
must end exactly like the same file uploaded on the screen (staged_upload + write_file, in default batches):
duplicates and matches across batches, encodings, quoted line breaks."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import duckdb
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.bench_import import write_messy_csv
from db.connection import open_database
from db.permissions import SYSTEM
from loaders.importer import FileRefused, import_file, references, staged_upload, write_file
from loaders.importer.reader import read_file

from tests.test_import_properties import encode, sheets

WRITTEN = ("candidate", "contact_key", "application", "employer", "import_batch", "import_row", "import_reject",
           "import_warning", "import_fill")
# Numbered in the order rows are written, which batches change; what they hold must not change.
SURROGATE = {"application": "id", "import_reject": "id"}


def content(cur: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    """Every row the import writes, without the timestamps (the two imports run at different moments)."""
    out = {}
    for table in WRITTEN:
        columns = [c for c, t in cur.execute(
            "select column_name, data_type from information_schema.columns where table_name = ?"
            " order by ordinal_position", [table]).fetchall() if t != "TIMESTAMP" and c != SURROGATE.get(table)]
        listed = ", ".join(f'"{c}"' for c in columns)
        out[table] = sorted(cur.execute(f"select {listed} from {table}").fetchall(), key=repr)
    out["stage_event"] = sorted(cur.execute(
        "select e.candidate_id, a.employer_id, e.from_stage, e.to_stage, e.actor, e.note"
        " from stage_event e join application a on a.id = e.application_id").fetchall(), key=repr)
    return out


def uploaded(cur: duckdb.DuckDBPyConnection, path: Path, *, create_employers: bool = False,
             **kwargs: object) -> tuple[int, ...]:
    with staged_upload(path.read_bytes(), path.name, references(cur)) as file:
        create = file.unknown_employers if create_employers else ()
        _, r = write_file(cur, SYSTEM, file, create_employers=create, **kwargs)  # type: ignore[arg-type]
    return r.read, r.inserted, r.matched, r.duplicate_in_file, r.rejected, r.warnings, r.filled, r.applications


def streamed(cur: duckdb.DuckDBPyConnection, path: Path, batch_rows: int, **kwargs: object) -> tuple[int, ...]:
    _, r = import_file(cur, SYSTEM, path, batch_rows=batch_rows, **kwargs)  # type: ignore[arg-type]
    return r.read, r.inserted, r.matched, r.duplicate_in_file, r.rejected, r.warnings, r.filled, r.applications


@pytest.fixture(scope="module")
def twins(tmp_path_factory: pytest.TempPathFactory) -> tuple[duckdb.DuckDBPyConnection, duckdb.DuckDBPyConnection]:
    """Two databases given the same imports, one file uploaded, one read in tiny batches: they must stay equal.
    Module-scoped so that later examples also match people written by earlier ones."""
    folder = tmp_path_factory.mktemp("twins")
    a, b = open_database(folder / "upload.duckdb"), open_database(folder / "batches.duckdb")
    yield a, b
    a.close()
    b.close()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(sheet=sheets(), encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16"]),
       batch_rows=st.integers(min_value=1, max_value=8))
def test_any_sheet_read_in_batches_ends_like_the_uploaded_sheet(
        twins: tuple[duckdb.DuckDBPyConnection, duckdb.DuckDBPyConnection], tmp_path_factory: pytest.TempPathFactory,
        sheet: tuple[list[str], list[list[str]], int], encoding: str, batch_rows: int) -> None:
    path = tmp_path_factory.mktemp("sheet") / "sheet.csv"
    path.write_bytes(encode(*sheet, encoding))
    a, b = twins
    try:
        expected = uploaded(a.cursor(), path, force=True)
    except FileRefused as refused:
        with pytest.raises(FileRefused) as also:
            streamed(b.cursor(), path, batch_rows, force=True)
        assert str(also.value) == str(refused)
        return
    assert streamed(b.cursor(), path, batch_rows, force=True) == expected
    assert content(b.cursor()) == content(a.cursor())


def drive(cur: duckdb.DuckDBPyConnection) -> int:
    cur.execute("insert into campus_drive (id, programme, title, university_id, held_on, status) select 901,"
                " '扬帆计划', '平湖专场', id, date '2025-10-20', 'held' from university where name = '浙江大学'")
    cur.execute("insert into employer (id, name) values (801, '平湖精密机械有限公司'), (802, '平湖光电科技有限公司')")
    return 901


def test_a_messy_file_with_known_people_and_a_drive_ends_the_same_in_batches(tmp_path: Path) -> None:
    path = tmp_path / "fair.csv"
    write_messy_csv(path, 3000, seed=11)
    earlier = tmp_path / "earlier.csv"           # its first 400 people: matched, their blanks filled
    earlier.write_bytes(b"".join(path.read_bytes().splitlines(keepends=True)[:403]))
    results = []
    databases = []
    for name, run in (("upload", lambda c, p, **k: uploaded(c, p, **k)),
                      ("batches", lambda c, p, **k: streamed(c, p, 97, **k))):
        conn = open_database(tmp_path / f"{name}.duckdb")
        databases.append(conn)
        cur = conn.cursor()
        drive_id = drive(cur)
        uploaded(cur, earlier)
        conn.execute("update candidate set major = null, degree = null where id % 3 = 0")   # blanks to fill
        results.append(run(cur, path, drive_id=drive_id, create_employers=True))
    try:
        assert results[0] == results[1]
        read, inserted, matched, duplicates, rejected, warnings, filled, applications = results[0]
        assert read == 3000 and matched > 300 and duplicates > 0 and rejected > 0 and filled > 0 and applications > 0
        assert content(databases[1].cursor()) == content(databases[0].cursor())
    finally:
        for conn in databases:
            conn.close()


HEADER = "姓名,手机号码,邮箱,毕业院校,备注"


def lines(*rows: str) -> str:
    return "\n".join([HEADER, *rows]) + "\n"


def filler(n: int, start: int = 0) -> list[str]:
    return [f"填充{i},139{i:08d},,浙江大学,备注文字{'x' * 40}" for i in range(start, start + n)]


def test_people_linked_only_by_later_batches_are_one_person(cur: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    """A has the mobile, B (far later) the e-mail, C (later still) both: all one person, the first row's."""
    path = tmp_path / "linked.csv"
    path.write_text(lines("甲,13800138000,,浙江大学,", *filler(300), "乙,,yi@qq.com,复旦大学,", *filler(300, 300),
                          "丙,13800138000,yi@qq.com,,补报"), encoding="utf-8")
    imported, result = import_file(cur, SYSTEM, path, batch_rows=50)
    assert (result.read, result.inserted, result.duplicate_in_file) == (603, 601, 2)
    person = cur.execute("select name, mobile, email, university_raw from candidate where mobile = '13800138000'"
                         ).fetchall()
    assert person == [("甲", "13800138000", "yi@qq.com", "浙江大学")]
    outcomes = dict(cur.execute("select row_number, outcome from import_row where row_number in (2, 303, 604)"
                                ).fetchall())
    assert outcomes == {2: "inserted", 303: "duplicate_in_file", 604: "duplicate_in_file"}
    merged = {(r, f) for r, f, _ in imported.warnings.rows()}
    assert (303, "name") in merged and (604, "name") in merged


def test_two_people_matching_one_existing_candidate_from_different_batches(cur: duckdb.DuckDBPyConnection,
                                                                           tmp_path: Path) -> None:
    """Only the first (file order) fills the blanks; the drive gets one application for them together."""
    cur.execute("insert into campus_drive (id, programme, title, university_id, held_on, status) select 901,"
                " '扬帆计划', '专场', id, date '2025-10-20', 'held' from university where name = '浙江大学'")
    first = tmp_path / "first.csv"
    first.write_text(lines("老王,13300133000,wang@qq.com,,"), encoding="utf-8")
    import_file(cur, SYSTEM, first)
    path = tmp_path / "second.csv"
    path.write_text(lines("王一,13300133000,,浙江大学,", *filler(400), "王二,,wang@qq.com,复旦大学,"),
                    encoding="utf-8")
    _, result = import_file(cur, SYSTEM, path, drive_id=901, batch_rows=40)
    assert (result.matched, result.inserted) == (2, 400)
    assert cur.execute("select university_raw from candidate where mobile = '13300133000'").fetchall() == [("浙江大学",)]
    apps = cur.execute("select count(*) from application a join candidate c on c.id = a.candidate_id"
                       " where c.mobile = '13300133000'").fetchall()
    assert apps == [(1,)]


@pytest.mark.parametrize(("encoding", "label"), [("gbk", "GB18030/GBK"), ("utf-16", "UTF-16"),
                                                 ("utf-8-sig", "UTF-8 (BOM)")])
def test_encodings_of_a_file_on_disk(cur: duckdb.DuckDBPyConnection, tmp_path: Path, encoding: str,
                                     label: str) -> None:
    path = tmp_path / "名单.csv"
    path.write_bytes(("报名表\n\n" + lines("张三,13800138000,,浙江大学,", *filler(500))).encode(encoding))
    imported, result = import_file(cur, SYSTEM, path, batch_rows=60)
    assert imported.sheet.encoding == label and imported.header_row == 3
    assert result.read == 501
    assert cur.execute("select name from candidate where mobile = '13800138000'").fetchall() == [("张三",)]


def test_a_file_that_turns_out_to_be_gbk_after_its_first_block_is_read_again_as_gbk(
        cur: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    ascii_rows = [f"Person{i},139{i:08d},p{i}@qq.com,School,note" for i in range(6000)]   # past the first block
    path = tmp_path / "late.csv"
    path.write_bytes((lines(*ascii_rows) + "李四,13900139000,,浙江大学,\n").encode("gbk"))
    assert path.stat().st_size > 3 * 65536
    imported, result = import_file(cur, SYSTEM, path, batch_rows=200)
    assert imported.sheet.encoding == "GB18030/GBK" and result.read == 6001
    assert cur.execute("select name from candidate where mobile = '13900139000'").fetchall() == [("李四",)]


def test_quoted_line_breaks_across_block_ends(tmp_path: Path) -> None:
    """Cells with line breaks and doubled quotes all over a file cut into many blocks: the same rows."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["姓名", "手机号码", "备注"])
    for i in range(12_000):
        note = f'第{i}行\n"引号""内"\r\n续行' if i % 7 == 0 else f"普通{i}"
        writer.writerow([f"人{i}", f"139{i:08d}", note])
    path = tmp_path / "quoted.csv"
    path.write_bytes(out.getvalue().encode("utf-8"))
    sheet = read_file(path, tmp_path)
    batches = list(sheet.records(40))
    assert len(batches) > 10
    got = pl.concat(batches)
    expected = pl.read_csv(path, has_header=False, infer_schema=False, skip_rows=1).with_columns(
        pl.all().str.replace_all("\r\n", "\n", literal=True))      # every line break is read as LF, cells' too
    assert got["row_number"].to_list() == list(range(2, 12_002))
    assert got.drop("row_number").rows() == expected.rows()


def test_a_file_is_read_in_bounded_blocks(tmp_path: Path) -> None:
    path = tmp_path / "fair.csv"
    write_messy_csv(path, 20_000, seed=3)
    sheet = read_file(path, tmp_path)
    heights = [b.height for b in sheet.records(2000)]
    assert sum(heights) == 20_000 and len(heights) >= 8
    assert max(heights) < 4000          # about batch_rows at a time, never the whole file
