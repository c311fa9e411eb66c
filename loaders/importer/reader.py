"""Sniff and read a file as it comes: what it really is, its encoding and delimiter, every cell as text.

`read_file` reads a file on disk (an upload is written to one first): a workbook whole, a text file's
records in batches, so a million-row CSV never sits in memory whole (GBK and UTF-16 are first re-encoded,
block by block, into a UTF-8 copy in the caller's work folder).

Text goes through delimited.py: every physical record is one row, whatever its line ending, and
a record longer than the header keeps its extra cells as columns beyond the header's. Refusals say in
Chinese what is wrong; polars' own error text, which can quote cells, goes to the log only (redacted,
see db/national_id.py).
"""
from __future__ import annotations

import codecs
import csv
import io
import logging
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePath

import polars as pl

from db import national_id
from db.errors import DomainError
from loaders.importer import delimited
from loaders.importer.fields import HEADER_SEARCH_ROWS, find_header

TEXT_TYPES = {".csv", ".tsv", ".txt"}
EXCEL_TYPES = {".xlsx", ".xls", ".xlsm"}
SAVE_AS = "请在 Excel 中打开后另存为 .xlsx 或 CSV（UTF-8）再导入"
HEAD_BYTES = 65536              # what sniffing, delimiter and header detection look at
BLOCK_BYTES = 1 << 20           # re-encoding reads this much at a time
BYTES_PER_ROW = 160             # a CSV is read in blocks of about batch_rows records of this size
_NOT_A_TABLE = "文件内容不是规整的表格，无法按 CSV 读取：" + SAVE_AS + "。"
_UNPAIRED_QUOTE = ("文件中的英文双引号（\"）不成对或用法不规范{}：引号之后的内容分不清单元格，无法读取。"
                   "请在 Excel 中打开后另存为 .xlsx 或 CSV（UTF-8）再导入，或把该处的引号改成中文引号。")
_BAD_UTF16 = "文件以 UTF-16 标记开头，但内容无法按 UTF-16 解码：" + SAVE_AS + "。"
_BAD_ENCODING = "无法识别文件编码（既不是 UTF-8 也不是 GBK/GB18030）：" + SAVE_AS + "。"
log = logging.getLogger(__name__)


class FileRefused(DomainError):
    """The file cannot be imported as it is; the message says what it is and how to fix it."""


class NotUtf8(FileRefused):
    """A file taken for UTF-8 from its first bytes turned out not to be: read it again as GB18030."""


@dataclass(frozen=True)
class _CsvFile:
    path: Path
    delimiter: str
    header_index: int
    guessed: bool               # UTF-8 judged from the head only (no BOM)


@dataclass(frozen=True)
class Sheet:
    """The cells of one sheet as text: the header row's cells, then the records under it in batches,
    columns c0…cN plus each record's 1-based sheet row number `row_number`."""

    kind: str                   # 'csv', 'excel', or 'form' (records already read: the sign-ups')
    encoding: str | None        # text files only
    delimiter: str | None
    sheet_name: str | None
    header_index: int           # 0-based record index of the header row
    headers: list[str | None]
    _body: pl.DataFrame | None = field(default=None, repr=False)      # in memory: every record (a workbook, records)
    _file: _CsvFile | None = field(default=None, repr=False)          # on disk: read batch by batch

    def described(self) -> Sheet:
        """What the sheet is, without what it holds: a plain value that outlives the file and its work folder."""
        return replace(self, _body=None, _file=None)

    def records(self, batch_rows: int, *, parts: int = 1) -> Iterator[pl.DataFrame]:
        """The records under the header, at most about `batch_rows` at a time but in at least about
        `parts` batches (so that a small file still keeps several workers busy), in sheet order."""
        if self._body is not None:
            size = max(1, min(batch_rows, -(-self._body.height // parts)))
            for offset in range(0, self._body.height, size):
                yield self._body.slice(offset, size)
            return
        file = self._file
        assert file is not None
        block = min(batch_rows * BYTES_PER_ROW, -(-file.path.stat().st_size // parts))
        try:
            # The first block reaches past the header, found within the first HEAD_BYTES.
            yield from delimited.batches(file.path, file.delimiter, file.header_index, len(self.headers),
                                         max(block, 1), first_bytes=2 * HEAD_BYTES)
        except delimited.Unparsable as failed:
            raise _refusal(failed, file) from None


def read_file(path: Path, workdir: Path, *, header_row: int | None = None, as_gb18030: bool = False) -> Sheet:
    """Read a file on disk, its records lazily. Re-encoded copies go into `workdir`.

    `as_gb18030` is the second attempt after NotUtf8: the head looked like UTF-8, a later part did not.
    """
    check_suffix(path.name)
    with path.open("rb") as f:
        head = f.read(HEAD_BYTES)
        whole = len(head) < HEAD_BYTES
    if head.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        data = path.read_bytes()        # a workbook is parsed whole anyway
        sniff(data)                     # a ZIP that is no workbook (Word, PowerPoint, an archive) says so
        return _read_excel(data, header_row)
    if not head.strip() and _blank(path):
        raise FileRefused("文件是空的：没有任何内容。")
    sniff(head)
    source, encoding, guessed = _utf8_source(path, head, whole, workdir, as_gb18030)
    with source.open("rb") as f:
        head_text = delimited.LfReader(f).read(HEAD_BYTES).decode("utf-8-sig", errors="ignore")  # BOM: skipped
    delimiter, header_index = _layout(head_text, path.suffix.lower(), header_row)
    file = _CsvFile(source, delimiter, header_index, guessed)
    try:
        headers = delimited.header(source, delimiter, header_index, HEAD_BYTES)
    except delimited.Unparsable as failed:
        raise _refusal(failed, file) from None
    return Sheet("csv", encoding, delimiter, None, header_index, headers, _file=file)


def check_suffix(file_name: str) -> None:
    """FileRefused unless `file_name` ends in a type the importer reads (its content decides the rest)."""
    suffix = PurePath(file_name).suffix.lower()
    if suffix not in TEXT_TYPES | EXCEL_TYPES:
        raise FileRefused(f"不支持的文件类型「{suffix or '无扩展名'}」：请上传 CSV、TSV、TXT 或 Excel（.xlsx / .xls）文件。")


def _blank(path: Path) -> bool:
    with path.open("rb") as f:
        while block := f.read(BLOCK_BYTES):
            if block.strip():
                return False
    return True


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


def _utf8_source(path: Path, head: bytes, whole: bool, workdir: Path, as_gb18030: bool) -> tuple[Path, str, bool]:
    """(a UTF-8 file to read, the encoding it was in, whether UTF-8 was guessed): UTF-8 (± BOM), UTF-16
    with BOM, GB18030/GBK.

    UTF-8 is judged from the head (an incomplete character at its end is fine); the CSV reader checks
    the rest, and NotUtf8 sends the file back here with `as_gb18030`.
    """
    if head.startswith(codecs.BOM_UTF8):
        return path, "UTF-8 (BOM)", False          # the CSV reader skips the BOM
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _reencoded(path, "utf-16", workdir, _BAD_UTF16), "UTF-16", False
    if b"\x00" in head:
        raise FileRefused("这是二进制文件，不是文本表格：请上传 Excel 或 CSV 文件。")
    if not as_gb18030:
        try:
            codecs.getincrementaldecoder("utf-8")().decode(head, final=whole)
            return path, "UTF-8", not whole
        except UnicodeDecodeError:
            pass
    return _reencoded(path, "gb18030", workdir, _BAD_ENCODING), "GB18030/GBK", False


def _reencoded(path: Path, codec: str, workdir: Path, refusal: str) -> Path:
    """A UTF-8 copy of the file in `workdir`, written block by block."""
    target = workdir / "reencoded-utf8.csv"
    decoder = codecs.getincrementaldecoder(codec)()
    try:
        with path.open("rb") as src, target.open("wb") as out:
            while block := src.read(BLOCK_BYTES):
                out.write(decoder.decode(block).encode("utf-8"))
            out.write(decoder.decode(b"", final=True).encode("utf-8"))
    except UnicodeDecodeError:
        raise FileRefused(refusal) from None
    return target


def _layout(head_text: str, suffix: str, header_row: int | None) -> tuple[str, int]:
    """The delimiter and the header row's index, from the first rows of the (UTF-8) text."""
    delimiter = sniff_delimiter(head_text, prefer_tab=suffix == ".tsv")
    try:
        head = list(csv.reader(io.StringIO(head_text), delimiter=delimiter))[: HEADER_SEARCH_ROWS + 1]
    except csv.Error:
        head = [line.split(delimiter) for line in head_text.splitlines()[: HEADER_SEARCH_ROWS + 1]]
    return delimiter, _header_index(head, header_row)


def _refusal(failed: delimited.Unparsable, file: _CsvFile) -> FileRefused:
    if file.guessed and "utf-8" in str(failed.error).lower():
        return NotUtf8(_BAD_ENCODING)
    return _unreadable(failed.error, failed.data, failed.line)


def _unreadable(error: BaseException, data: bytes, line: int = 1) -> FileRefused:
    """The refusal of text polars could not read as CSV (`data`, which begins at the file's `line`). Its
    own message is English and may quote cells: it goes to the log (any ID number redacted), the user
    gets what to do."""
    log.warning("CSV unreadable: %s", national_id.redact(str(error)))
    if "utf-8" in str(error).lower() or "utf8" in str(error).lower():
        return FileRefused(_BAD_ENCODING)
    if data.count(b'"') % 2 or "parse" in str(error).lower() or "malformed" in str(error).lower():
        found = delimited.unpaired_quote_line(data)
        return FileRefused(_UNPAIRED_QUOTE.format(f"（大约在第 {line + found - 1} 行）" if found else ""))
    return FileRefused(_NOT_A_TABLE)


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
                          "如有打开密码请先取消；" + SAVE_AS + "。") from None
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
            headers, records = _split_header(grid.slice(header_index), header_index)
            return Sheet("excel", None, None, national_id.redact(name), header_index, headers, _body=records)
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


def _split_header(body: pl.DataFrame, header_index: int) -> tuple[list[str | None], pl.DataFrame]:
    """The header row's cells, and the records under it as c0…cN with their 1-based sheet row numbers."""
    body = body.rename({c: f"c{i}" for i, c in enumerate(body.columns)})
    headers = [None if v is None else str(v) for v in body.row(0)] if body.height else []
    records = body.slice(1).with_columns(
        (pl.int_range(pl.len(), dtype=pl.Int32) + header_index + 2).alias("row_number"))
    return headers, records
