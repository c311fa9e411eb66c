"""Reading files as they come: encodings, delimiters, title rows, header synonyms, Excel cells, refusals."""
from __future__ import annotations

import codecs
import datetime as dt
import io
import zipfile
from pathlib import Path

import polars as pl
import pytest

from loaders.importer import References
from loaders.importer.fields import field_of, find_header, map_columns
from loaders.importer.reader import FileRefused, sniff_delimiter

from tests.import_support import checked, read_back

HEADER = ["姓名", "手机号码", "邮箱", "毕业院校"]
ROWS = [["张三", "13800138000", "zs@163.com", "浙江大学"], ["李四", "13900139000", "", "复旦大学"]]
NO_REFS = References(pl.DataFrame(schema={"name": pl.String, "university_id": pl.Int64, "kind": pl.String}),
                     pl.DataFrame(schema={"id": pl.Int64, "name": pl.String}))


def text_file(rows: list[list[str]], *, delimiter: str = ",", newline: str = "\n") -> str:
    return newline.join(delimiter.join(cells) for cells in rows) + newline


def names(data: bytes, file_name: str = "报名表.csv") -> list[str | None]:
    return read_back(data, file_name, NO_REFS)[1]["name"].to_list()


@pytest.mark.parametrize(("encoding", "label"), [
    ("utf-8", "UTF-8"), ("utf-8-sig", "UTF-8 (BOM)"), ("gbk", "GB18030/GBK"), ("gb18030", "GB18030/GBK"),
    ("utf-16", "UTF-16"),
])
def test_encodings_are_detected_without_asking(encoding: str, label: str) -> None:
    data = text_file([HEADER, *ROWS, ["曾𠀀", "13700137000", "", "同济大学"]] if encoding in ("gb18030", "utf-8")
                     else [HEADER, *ROWS]).encode(encoding)
    assert checked(data, "x.csv", NO_REFS).sheet.encoding == label
    assert names(data)[:2] == ["张三", "李四"]


def test_utf16_big_endian_with_bom() -> None:
    data = codecs.BOM_UTF16_BE + text_file([HEADER, *ROWS]).encode("utf-16-be")
    assert names(data) == ["张三", "李四"]


@pytest.mark.parametrize("delimiter", [",", "\t", ";"])
def test_comma_tab_and_semicolon_are_sniffed(delimiter: str) -> None:
    data = text_file([HEADER, *ROWS], delimiter=delimiter).encode()
    assert checked(data, "x.txt", NO_REFS).sheet.delimiter == delimiter
    assert names(data, "x.txt") == ["张三", "李四"]


def test_windows_line_endings_and_quoted_cells_with_commas_and_newlines() -> None:
    data = ('姓名,手机号码,备注\r\n"张三",13800138000,"住址：平湖, 当湖街道\r\n二楼"\r\n李四,13900139000,\r\n').encode("gbk")
    _, rows = read_back(data, "x.csv", NO_REFS)
    assert rows["name"].to_list() == ["张三", "李四"]
    assert rows["mobile"].to_list() == ["13800138000", "13900139000"]
    assert rows["row_number"].to_list() == [2, 3]


def test_header_after_title_and_blank_rows_and_blank_rows_are_not_counted() -> None:
    data = text_file([
        ["2025年扬帆计划·浙江大学专场 报名表"], [""], ["填表说明：请如实填写", ""], [",,,"],
        HEADER, ROWS[0], [",,,"], ["  ,\u3000, , "], ROWS[1], [""],
    ]).encode("gbk")
    p, rows = read_back(data, "x.csv", NO_REFS)
    assert p.header_row == 5
    assert p.read == 2
    assert rows["row_number"].to_list() == [6, 9]    # the row numbers HR sees in the sheet
    assert p.preview["行号"].to_list() == [6, 9]


def test_more_than_five_title_rows_means_no_header_found() -> None:
    data = text_file([["标题"]] * 6 + [HEADER, *ROWS]).encode()
    with pytest.raises(FileRefused, match="未找到表头"):
        checked(data, "x.csv", NO_REFS)


def test_a_header_needs_the_name_and_one_more_known_field() -> None:
    assert find_header([["序号", "手机号"], ["姓名", "备注"], ["姓名", "邮箱"]]) == 2


@pytest.mark.parametrize(("header", "field"), [
    ("姓名", "name"), ("真实姓名", "name"), ("中文姓名", "name"), ("候选人姓名", "name"), ("应聘者", "name"),
    ("NAME", "name"), (" Name ", "name"), ("性别", "gender"), ("Sex", "gender"), ("GENDER", "gender"),
    ("手机", "mobile"), ("手机号", "mobile"), ("手机号码", "mobile"), ("联系电话", "mobile"), ("移动电话", "mobile"),
    ("电话", "mobile"), ("Mobile", "mobile"), ("Phone", "mobile"), ("TEL", "mobile"), ("手机号码（必填）", "mobile"),
    ("手 机 号", "mobile"), ("邮箱", "email"), ("电子邮箱", "email"), ("邮箱地址", "email"), ("常用邮箱", "email"),
    ("E-mail", "email"), ("Ｅｍａｉｌ", "email"), ("学校", "university"), ("毕业院校", "university"),
    ("毕业学校", "university"), ("就读院校", "university"), ("学校名称", "university"), ("院校名称", "university"),
    ("University", "university"), ("School", "university"), ("学院", "college"), ("院系", "college"),
    ("专业", "major"), ("所学专业", "major"), ("专业名称", "major"), ("毕业专业", "major"), ("Major", "major"),
    ("学历", "degree"), ("最高学历", "degree"), ("学历层次", "degree"), ("Degree", "degree"),
    ("毕业时间", "graduation"), ("毕业年份", "graduation"), ("毕业年月", "graduation"), ("预计毕业时间", "graduation"),
    ("届别", "graduation"), ("Graduation", "graduation"), ("意向岗位", "position"), ("应聘职位", "position"),
    ("应聘岗位", "position"), ("期望职位", "position"), ("求职意向", "position"), ("Position", "position"),
    ("意向企业", "employer"), ("意向单位", "employer"), ("Employer", "employer"), ("签约意向", "intent"),
    ("是否签约", "intent"), ("身份证", "national_id"), ("身份证号", "national_id"), ("证件号码", "national_id"),
    ("ID number", "national_id"), ("备注", None), ("", None),
])
def test_header_synonyms(header: str, field: str | None) -> None:
    assert field_of(header) == field


def test_overrides_change_the_mapping_but_never_undrop_a_national_id() -> None:
    columns = map_columns(["姓名", "联系方式2", "身份证号"], {1: "email", 2: "mobile"})
    assert [c.field for c in columns] == ["name", "email", "national_id"]


def _xlsx(write) -> bytes:  # type: ignore[no-untyped-def]
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    write(book, book.add_worksheet("报名"))
    book.close()
    return buffer.getvalue()


def test_excel_numeric_cells_keep_every_digit_and_dates_become_year_and_month() -> None:
    def write(book, ws):  # type: ignore[no-untyped-def]
        date = book.add_format({"num_format": "yyyy-mm-dd"})
        ws.merge_range(1, 0, 1, 3, "2025年扬帆计划 报名表")
        ws.write_row(3, 0, ["姓名", "手机号码", "毕业时间", "身份证号"])
        ws.write_string(4, 0, "张三")
        ws.write_number(4, 1, 13800138000)
        ws.write_datetime(4, 2, dt.datetime(2025, 6, 30), date)
        ws.write_number(4, 3, 330482200001011234)
        ws.write_string(6, 0, "李四")
        ws.write_number(6, 1, 13900139000.0)
        ws.write_number(6, 2, 45838)                      # an Excel serial typed as a plain number
        ws.write_string(7, 0, "王五")
        ws.write_formula(7, 1, "=13700137000+0", None, 13700137000)
        ws.write_string(7, 2, "2026届")
    p, rows = read_back(_xlsx(write), "报名表.xlsx", NO_REFS)
    assert p.sheet.kind == "excel" and p.header_row == 4
    assert rows["row_number"].to_list() == [5, 7, 8]    # row 6 is blank: skipped, not counted
    assert rows["mobile"].to_list() == ["13800138000", "13900139000", "13700137000"]
    assert rows["graduation_year"].to_list() == [2025, 2025, 2026]
    assert rows["graduation_month"].to_list() == [6, 6, None]      # serial 45838 is 2025-06-30
    assert p.dropped_columns == ["身份证号"]


def test_excel_first_sheet_with_a_header_is_used() -> None:
    def write(book, ws):  # type: ignore[no-untyped-def]
        ws.write_string(0, 0, "说明：本表由学生会整理")
        data = book.add_worksheet("名单")
        data.write_row(0, 0, HEADER)
        data.write_row(1, 0, ROWS[0])
    p, rows = read_back(_xlsx(write), "x.xlsx", NO_REFS)
    assert p.sheet.sheet_name == "名单"
    assert rows["name"].to_list() == ["张三"]


def test_xls_is_read_and_content_decides_not_the_extension() -> None:
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook()
    ws = book.add_sheet("s")
    for c, v in enumerate(["姓名", "手机"]):
        ws.write(0, c, v)
    ws.write(1, 0, "张三")
    ws.write(1, 1, 13800138000)
    buffer = io.BytesIO()
    book.save(buffer)
    for name in ("x.xls", "x.xlsx"):
        assert read_back(buffer.getvalue(), name, NO_REFS)[1]["mobile"].to_list() == ["13800138000"]


@pytest.mark.parametrize(("data", "name", "message"), [
    (b"<!DOCTYPE html><html><body><table><tr><td>\xe5\xa7\x93\xe5\x90\x8d</td></tr></table></body></html>", "x.xls",
     "这是网页(HTML)文件，不是 Excel：请在 Excel 中打开后另存为 .xlsx 或 CSV"),
    (b"\xef\xbb\xbf  <html><head><meta charset=utf-8></head></html>", "x.csv", "网页(HTML)"),
    (b"%PDF-1.7 ...", "x.xlsx", "PDF"),
    (b"\x89PNG\r\n\x1a\n....", "x.csv", "PNG 图片"),
    (b"", "x.csv", "文件是空的"),
    (b"   \r\n \n", "x.csv", "文件是空的"),
    ("姓名,手机\n张三,138".encode(), "x.docx", "不支持的文件类型"),
    (b"MIME-Version: 1.0\r\nContent-Type: multipart/related", "x.xls", "单个文件网页"),
    (b"\x00\x01\x02\x03binary\x00", "x.csv", "二进制"),
    (b"PK\x03\x04garbage", "x.xlsx", "已损坏"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "x.xls", "无法打开这个 Excel 文件"),
    ("序号,备注\n1,x\n".encode(), "x.csv", "未找到表头"),
    ("姓名,手机号\n\n\n".encode(), "x.csv", "没有数据行"),
    ("姓名,学校\n张三,浙大\n".encode(), "x.csv", "没有找到手机号或邮箱列"),
])
def test_bad_files_are_refused_saying_what_they_are(data: bytes, name: str, message: str) -> None:
    with pytest.raises(FileRefused, match=message.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")):
        checked(data, name, NO_REFS)


def test_zip_word_and_plain_zip_are_named() -> None:
    for inner, message in (("word/document.xml", "Word 文档"), ("data.csv", "ZIP 压缩包")):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as z:
            z.writestr(inner, "x")
        with pytest.raises(FileRefused, match=message):
            checked(buffer.getvalue(), "x.xlsx", NO_REFS)


def test_delimiter_sniffing_ignores_title_rows() -> None:
    text = "报名表\n\n" + text_file([HEADER, *ROWS], delimiter="\t")
    assert sniff_delimiter(text) == "\t"


def test_header_row_override(tmp_path: Path) -> None:
    data = text_file([["名单"], ["备注", "姓名", "手机"], ["x", "张三", "13800138000"]]).encode()
    assert read_back(data, "x.csv", NO_REFS, header_row=2)[1]["name"].to_list() == ["张三"]
