"""Sniff and read a file as it comes: what it really is, its encoding and delimiter, every cell as text."""
from __future__ import annotations

import codecs
import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

import polars as pl

from db.errors import DomainError
from loaders.importer.fields import HEADER_SEARCH_ROWS, find_header

TEXT_TYPES = {".csv", ".tsv", ".txt"}
EXCEL_TYPES = {".xlsx", ".xls", ".xlsm"}
SAVE_AS = "请在 Excel 中打开后另存为 .xlsx 或 CSV（UTF-8）再导入"


class FileRefused(DomainError):
    """The file cannot be imported as it is; the message says what it is and how to fix it."""


@dataclass(frozen=True)
class Sheet:
    """The cells of one sheet as text: `head` holds the first rows (for finding the header),
    `body` every record from the header row on, columns c0…cN, with each record's sheet row number."""

    kind: str                   # 'csv' or 'excel'
    encoding: str | None        # text files only
    delimiter: str | None
    sheet_name: str | None
    header_index: int           # 0-based record index of the header row
    body: pl.DataFrame          # first row is the header; column 'row_number' is 1-based


def read(data: bytes, file_name: str, *, header_row: int | None = None) -> Sheet:
    """Read `data` (the file's bytes). `header_row` (1-based) overrides the detected header row."""
    suffix = PurePath(file_name).suffix.lower()
    if suffix not in TEXT_TYPES | EXCEL_TYPES:
        raise FileRefused(f"不支持的文件类型「{suffix or '无扩展名'}」：请上传 CSV、TSV、TXT 或 Excel（.xlsx / .xls）文件。")
    if not data.strip():
        raise FileRefused("文件是空的：没有任何内容。")
    kind = sniff(data)
    if kind == "excel":
        return _read_excel(data, header_row)
    return _read_text(data, suffix, header_row)


def sniff(data: bytes) -> str:
    """'excel' or 'text', or FileRefused naming what the file really is."""
    if data.startswith(b"PK\x03\x04"):
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except zipfile.BadZipFile:
            raise FileRefused("文件已损坏：看起来是 Excel/ZIP 文件但无法打开。" + SAVE_AS + "。") from None
        if any(n.startswith("xl/") for n in names):
            return "excel"
        if any(n.startswith("word/") for n in names):
            raise FileRefused("这是 Word 文档（.docx），不是表格：请把表格复制到 Excel 中另存为 .xlsx 或 CSV 再导入。")
        if any(n.startswith("ppt/") for n in names):
            raise FileRefused("这是 PowerPoint 演示文稿，不是表格：请把数据整理到 Excel 中另存为 .xlsx 再导入。")
        raise FileRefused("这是 ZIP 压缩包，不是表格：请先解压，再导入其中的 Excel 或 CSV 文件。")
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return "excel"      # Excel 97-2003 (or another Office file: reading will say so)
    if data.startswith(b"%PDF"):
        raise FileRefused("这是 PDF 文件，不是表格：请向对方索取 Excel 或 CSV 原表。")
    for magic, what in ((b"\x89PNG", "PNG 图片"), (b"\xff\xd8\xff", "JPEG 图片"), (b"GIF8", "GIF 图片"),
                        (b"Rar!", "RAR 压缩包"), (b"7z\xbc\xaf", "7z 压缩包")):
        if data.startswith(magic):
            raise FileRefused(f"这是{what}，不是表格：请上传 Excel 或 CSV 文件。")
    head = data[:4096].lstrip(codecs.BOM_UTF8).lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html", b"<table", b"<head", b"<meta")) or b"<html" in head[:1024]:
        raise FileRefused("这是网页(HTML)文件，不是 Excel：请在 Excel 中打开后另存为 .xlsx 或 CSV 再导入。")
    if head.startswith(b"<?xml") and b"urn:schemas-microsoft-com:office:spreadsheet" in data[:8192]:
        raise FileRefused("这是 Excel 2003 XML 表格，无法直接读取：" + SAVE_AS + "。")
    if head.startswith(b"mime-version"):
        raise FileRefused("这是“单个文件网页”(.mht)，不是 Excel：" + SAVE_AS + "。")
    return "text"


def decode(data: bytes) -> tuple[bytes, str]:
    """UTF-8 bytes of a text file and the encoding it was in: UTF-8 (± BOM), UTF-16 with BOM, GB18030/GBK."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):], "UTF-8 (BOM)"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16").encode("utf-8"), "UTF-16"
        except UnicodeDecodeError:
            raise FileRefused("文件以 UTF-16 标记开头，但内容无法按 UTF-16 解码：" + SAVE_AS + "。") from None
    if b"\x00" in data[:65536]:
        raise FileRefused("这是二进制文件，不是文本表格：请上传 Excel 或 CSV 文件。")
    try:
        data.decode("utf-8")
        return data, "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030").encode("utf-8"), "GB18030/GBK"
    except UnicodeDecodeError:
        raise FileRefused("无法识别文件编码（既不是 UTF-8 也不是 GBK/GB18030）：" + SAVE_AS + "。") from None


def _read_text(data: bytes, suffix: str, header_row: int | None) -> Sheet:
    text, encoding = decode(data)
    head_text = text[:65536].decode("utf-8", errors="ignore")
    delimiter = sniff_delimiter(head_text, prefer_tab=suffix == ".tsv")
    try:
        head = list(csv.reader(io.StringIO(head_text), delimiter=delimiter))[: HEADER_SEARCH_ROWS + 1]
    except csv.Error:
        head = [line.split(delimiter) for line in head_text.splitlines()[: HEADER_SEARCH_ROWS + 1]]
    header_index = _header_index(head, header_row)
    try:
        body = pl.read_csv(
            io.BytesIO(text), has_header=False, infer_schema=False, separator=delimiter, quote_char='"',
            skip_rows=header_index, truncate_ragged_lines=True, raise_if_empty=False,
        )
    except pl.exceptions.PolarsError as error:
        raise FileRefused(f"文件内容不是规整的表格，无法读取（{str(error).splitlines()[0][:120]}）：" + SAVE_AS + "。") from None
    body = _numbered(body, header_index)
    return Sheet("csv", encoding, delimiter, None, header_index, body)


def sniff_delimiter(text: str, *, prefer_tab: bool = False) -> str:
    """Comma, tab or semicolon: the one that splits the first lines into the most columns, consistently."""
    lines = [ln for ln in text.splitlines()[:30] if ln.strip()]
    best, best_score = ("\t" if prefer_tab else ","), (0, 0)
    order = ("\t", ",", ";") if prefer_tab else (",", "\t", ";")
    for delimiter in order:
        try:
            counts = sorted(len(row) for row in csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter))
        except csv.Error:
            continue
        if not counts:
            continue
        median = counts[len(counts) // 2]
        score = (median, sum(1 for c in counts if c == median))
        if median > 1 and score > best_score:
            best, best_score = delimiter, score
    return best


def _read_excel(data: bytes, header_row: int | None) -> Sheet:
    import fastexcel

    try:
        reader = fastexcel.read_excel(data)
        names = reader.sheet_names
    except Exception:   # calamine's errors carry no useful class hierarchy
        raise FileRefused("无法打开这个 Excel 文件：它可能已损坏、被加密（设置了打开密码）或是其他 Office 文件。"
                          "请取消密码后" + SAVE_AS + "。") from None
    heads: list[list[list[str | None]]] = []
    for index, name in enumerate(names):
        try:
            grid = pl.DataFrame(reader.load_sheet(index, header_row=None, dtypes="string", skip_rows=0))
        except Exception:   # an empty or chart-only sheet
            continue
        if grid.width == 0 or grid.height == 0:
            continue
        grid = grid.rename({c: f"c{i}" for i, c in enumerate(grid.columns)})
        head = [list(row) for row in grid.head(HEADER_SEARCH_ROWS + 1).iter_rows()]
        heads.append(head)
        # The first sheet with a header row is the data (cover and notes sheets come first at times).
        header_index = header_row - 1 if header_row is not None else find_header(head)
        if header_index is not None and header_index >= 0:
            return Sheet("excel", None, None, name, header_index, _numbered(grid.slice(header_index), header_index))
    if not heads:
        raise FileRefused("文件中没有数据：Excel 里没有任何非空的工作表。")
    _header_index(heads[0], header_row)     # raises the right refusal
    raise AssertionError("unreachable")


_NO_HEADER = (f"未找到表头：前 {HEADER_SEARCH_ROWS} 行中没有一行同时包含“姓名”和另一个已知列（手机号、邮箱、学校等）。"
              "请确认表头在前几行，或在导入页面手动指定表头所在行。")


def _header_index(head: list[list[str | None]], header_row: int | None) -> int:
    if header_row is not None:
        if header_row < 1:
            raise FileRefused("表头行号必须从 1 开始。")
        return header_row - 1
    found = find_header(head)
    if found is None:
        if not any(any(c is not None and str(c).strip() for c in row) for row in head):
            raise FileRefused("文件中没有数据：前几行全是空白。")
        raise FileRefused(_NO_HEADER)
    return found


def _numbered(body: pl.DataFrame, header_index: int) -> pl.DataFrame:
    body = body.rename({c: f"c{i}" for i, c in enumerate(body.columns)})
    return body.with_columns((pl.int_range(pl.len(), dtype=pl.Int32) + header_index + 1).alias("row_number"))
