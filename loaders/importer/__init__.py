"""The importer: sniff → read → map_headers → normalise → validate → dedupe → write, one path for all.

A file on disk (the command line), an upload (the screen; `staged_upload` writes its bytes to a private
temporary folder first) and records already read (the sign-up commit, as `Records`) all go the same way:

1. `staged_file` reads the sheet batch by batch, normalises and validates each batch and sets it aside in
   a work folder as Parquet (staging.py), keeping in memory only each row's mobile and e-mail, so memory
   does not grow with the file. Who is who (dedupe) is worked out in the background from those keys.
   The work folder lives as long as the `with` block.
2. `check` sums a staged file up for the screen before anything is written: the layout, the counts,
   the first warnings and rejects, a preview — a plain value the screen keeps across reruns.
3. `write_file` writes a staged file as one batch, in one transaction: db/imports.py's write, which has
   DuckDB read the staged batches directly. It is the only step that touches db/.

`import_file` is steps 1 and 3 for a file on disk. Every batch of records first loses its national ID
numbers, whatever column they are in (cells.py), so nothing after reading — rows, rejects, warnings, the
batch, the log — ever holds one. A refusal (FileRefused, or the database's DatabaseUnusable) is a Chinese
sentence saying what to do.
"""
from __future__ import annotations

import errno
import hashlib
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

import polars as pl

from db import imports
from db.imports import BatchInput, ImportResult, People
from db.permissions import Action, User, require
from db.sql import Cursor
from loaders.digest import sha256_file
from loaders.importer import staging
from loaders.importer.cells import WARNING_LABELS
from loaders.importer.fields import Column, map_columns
from loaders.importer.lookup import Resolver
from loaders.importer.reader import FileRefused, NotUtf8, Sheet, check_suffix, read_file

__all__ = ["Checked", "FileRefused", "Imported", "Records", "References", "StagedFile", "check", "import_file",
           "references", "staged_file", "staged_upload", "write_file"]
Progress = Callable[[float, str], None]
log = logging.getLogger(__name__)
PREVIEW_COLUMNS = {"row_number": "行号", "name": "姓名", "gender": "性别", "mobile": "手机号", "email": "邮箱",
                   "university_raw": "学校（原文）", "matched_name": "匹配高校", "college": "学院", "major": "专业",
                   "degree": "学历", "graduation_year": "毕业年", "graduation_month": "毕业月", "position": "意向岗位",
                   "employer_raw": "意向企业", "intent": "签约意向", "status": "结果"}


@dataclass(frozen=True)
class References:
    """What names are resolved against: universities (+ aliases) and employers."""

    universities: pl.DataFrame
    employers: pl.DataFrame


def references(cur: Cursor) -> References:
    return References(imports.reference_universities(cur), imports.employers(cur))


@dataclass(frozen=True)
class Layout:
    """What reading a file found out about it: identity, sheet, and which column feeds which field."""

    file_name: str
    sha256: str
    sheet: Sheet
    columns: list[Column]

    @property
    def header_row(self) -> int:
        return self.sheet.header_index + 1

    @property
    def unknown_columns(self) -> list[str]:
        return [c.header or f"第{c.index + 1}列" for c in self.columns if c.field is None]

    @property
    def dropped_columns(self) -> list[str]:
        return [c.header for c in self.columns if c.dropped]

    def mapping(self) -> list[dict[str, object]]:
        return [{"index": c.index, "header": c.header, "field": c.field} for c in self.columns]

    def report(self, rejects_by_reason: dict[str, int], warnings_by_field: dict[str, int]) -> dict[str, Any]:
        return {"kind": self.sheet.kind, "sheet": self.sheet.sheet_name, "delimiter": self.sheet.delimiter,
                "unknown_columns": self.unknown_columns, "dropped_columns": self.dropped_columns,
                "rejects_by_reason": rejects_by_reason, "warnings_by_field": warnings_by_field}


@dataclass(frozen=True)
class Records:
    """Records already read, as a sheet's: text columns c0…cN (cell i under headers[i]) and each record's
    `row_number` (Int32, as messages and the batch will name it). The sign-up commit's entries come so."""

    cells: pl.DataFrame
    headers: list[str]


@dataclass(frozen=True)
class StagedFile:
    """A sheet read batch by batch into a work folder (`staged_file`): what `check` sums up and `write_file` writes."""

    layout: Layout
    staged: staging.Staged
    read: int                       # non-blank data rows
    contacts: pl.DataFrame          # mobile, email of every kept row
    found: Future[staging.Deduplicated]     # worked out while the write begins (see BatchInput)
    spoken: Future[pl.DataFrame]    # staging.spoken, worked out meanwhile too
    folder: Path

    @property
    def unknown_employers(self) -> list[str]:
        """Employers the kept rows name that the directory lacks, in file order."""
        return list(self.staged.unknown_employers)

    def rows(self) -> pl.DataFrame:
        """Every kept row as it was set aside (staging.ROW_COLUMNS) with its `person`, read back from the
        work folder: a whole file in memory, so for tests and small files only."""
        paths = self.staged.store.paths("rows")
        if not paths:
            return pl.DataFrame(schema={"row_number": pl.Int32, "person": pl.Int32})
        return pl.read_parquet(paths).join(self.found.result().rows, on="row_number", how="left",
                                           maintain_order="left")


@contextmanager
def staged_file(source: Path | Records, refs: References | Callable[[], References], *, name: str | None = None,
                overrides: dict[int, str | None] | None = None, header_row: int | None = None,
                batch_rows: int = staging.BATCH_ROWS, progress: Progress | None = None,
                sha256: Future[str] | None = None) -> Iterator[StagedFile]:
    """Read, normalise and validate a file on disk or records already read, batch by batch, and work out who
    is who; the work folder lives as long as the block. Raises FileRefused for what cannot be imported.

    `name` is what the batch calls it: a file's own name unless given; records have none, so they need one.
    Their digest (what refuses a second import of the same content) is a file's bytes', the records' own.
    `overrides` (column index → field, or None: not imported) and `header_row` (1-based) are the screen's
    corrections of what reading found. `refs` may be a function: it is called when the first school or
    employer is looked up, so the command line can open (and create) the database while the file is being
    read. `sha256` is the file's digest being worked out already (loaders.digest), if the caller started it.
    """
    if isinstance(source, Records):
        if name is None:
            raise TypeError("records have no name of their own: staged_file needs `name`")
    else:
        _check_file(source)
        name = name or source.name
    say = progress or (lambda _f, _m: None)
    with ThreadPoolExecutor(max_workers=2) as pool, staging.workdir() as folder:
        digest = sha256 or pool.submit(_digest, source)     # hashing releases the GIL: it overlaps reading
        try:
            sheet, columns, staged = _stage(source, refs, folder, overrides, header_row, batch_rows, say)
            sha = digest.result()
        except OSError as error:
            if isinstance(source, Records) or (error.filename not in (None, str(source))
                                               and error.errno != errno.ENOSPC):
                raise           # not the file's: the database's, say, whose own errors say what it is
            raise _unreadable_file(source, error) from None
        keys, staged.keys = staged.keys, []
        read = sum(k.height for k in keys)
        if read == 0:
            raise _no_rows(sheet)
        contacts = pl.concat([k.filter(~pl.col("rejected")).select("mobile", "email") for k in keys])
        found = pool.submit(staging.deduplicate, keys)
        spoken = pool.submit(staging.spoken, staged.store)
        yield StagedFile(Layout(name, sha, sheet, columns), staged, read, contacts, found, spoken, folder)


@contextmanager
def staged_upload(data: bytes, name: str, refs: References | Callable[[], References],
                  **options: Any) -> Iterator[StagedFile]:
    """An upload's bytes, called `name`, staged as `staged_file` stages a file on disk (`options` are its):
    written to a private temporary folder first, removed with the block."""
    check_suffix(name)
    with staging.workdir() as folder:
        path = folder / f"upload{PurePath(name).suffix.lower()}"
        path.write_bytes(data)
        with staged_file(path, refs, name=name, **options) as file:
            yield file


@dataclass(frozen=True)
class Imported(Layout):
    """What reading a file found: its counts and the first warnings and rejects (`write_file` reports it)."""

    read: int
    rejected: int
    duplicate_in_file: int
    warning_count: int          # warnings about the file itself (the write adds those about existing people)
    warnings: pl.DataFrame      # the first staging.SAMPLE of them: row_number, field, message
    rejects: pl.DataFrame       # the first staging.SAMPLE rejects: row_number, reasons, reason_codes, row_json
    unknown_employers: list[str]


@dataclass(frozen=True)
class Checked(Imported):
    """A staged file summed up before it is written (`check`): what the write will report of the file, the
    counts by reason and by field, and a preview. A plain value: it outlives the work folder."""

    rejects_by_reason: dict[str, int]       # short reason → rows
    warnings_by_field: dict[str, int]       # field (in Chinese) → warnings
    preview: pl.DataFrame                   # the first staging.PREVIEW rows, PREVIEW_COLUMNS' labels


def check(file: StagedFile) -> Checked:
    """Everything the screen shows of a staged file before writing it. The warnings are those the write
    will record about the file itself: each row's own, and where rows merged into one person differ."""
    staged, found = file.staged, file.found.result()
    sample = staged.sample.copy()       # the write adds the merge warnings to the file's own, once
    together = found.rows.filter(pl.col("person").is_not_null() & (pl.len().over("person") > 1))
    staging.held(staged.store, found.rows, together, sample)
    return Checked(
        **_found(file, found, sample), rejects_by_reason=dict(staged.reasons.most_common()),
        warnings_by_field=_by_field(sample.fields), preview=_preview(staged.head, found.rows))


def write_file(cur: Cursor, actor: User, file: StagedFile, *, drive_id: int | None = None, force: bool = False,
               create_employers: Iterable[str] = (), progress: Progress | None = None) -> tuple[Imported, ImportResult]:
    """Write a staged file as one batch (one transaction). `create_employers`: names among its unknown
    employers to add to the directory (with a drive only: its applications name them)."""
    layout, staged, found = file.layout, file.staged, file.found
    sample = staged.sample
    batch = BatchInput(
        file_name=layout.file_name, sha256=layout.sha256, read=file.read, contacts=file.contacts,
        people=lambda: People(found.result().rows, found.result().persons), workdir=file.folder,
        staged=staged.store.staged(), readings=file.spoken.result,
        merged=lambda together: staging.held(staged.store, found.result().rows, together, sample),
        encoding=layout.sheet.encoding, header_row=layout.header_row, mapping=layout.mapping(),
        report=lambda: layout.report(dict(staged.reasons.most_common()), _by_field(sample.fields)),
        drive_id=drive_id, force=force, create_employers=tuple(create_employers),
    )
    result = imports.record(cur, actor, batch, progress=progress)
    return Imported(**_found(file, found.result(), sample)), result


def import_file(cur: Cursor, actor: User, path: Path, *, drive_id: int | None = None, force: bool = False,
                create_employers: bool = False, progress: Progress | None = None,
                batch_rows: int = staging.BATCH_ROWS) -> tuple[Imported, ImportResult]:
    """The whole pipeline for one file on disk, reading and writing it batch by batch. `create_employers`:
    add every employer the file names that the directory lacks (with a drive), as the command line's flag."""
    require(actor, Action.IMPORT)
    say = progress or (lambda _f, _m: None)
    say(0.0, "读取文件……")
    with staged_file(path, references(cur), batch_rows=batch_rows, progress=say) as file:
        return write_file(cur, actor, file, drive_id=drive_id, force=force, progress=progress,
                          create_employers=file.unknown_employers if create_employers else ())


def _found(file: StagedFile, found: staging.Deduplicated, sample: staging.Sample) -> dict[str, Any]:
    """Imported's fields: what reading `file` found (the sheet described only, so it outlives the folder)."""
    layout = file.layout
    return {"file_name": layout.file_name, "sha256": layout.sha256, "sheet": layout.sheet.described(),
            "columns": layout.columns, "read": file.read, "rejected": found.rejected,
            "duplicate_in_file": found.duplicate_in_file, "warning_count": sample.count, "warnings": sample.first,
            "rejects": staging.first_rejects(file.staged), "unknown_employers": file.unknown_employers}


def _preview(head: pl.DataFrame | None, people_of: pl.DataFrame) -> pl.DataFrame:
    """The first rows as the screen shows them: normalised, each with what becomes of it."""
    if head is None:
        head = pl.DataFrame(schema=dict.fromkeys(staging.HEAD_COLUMNS, pl.String))
    status = (pl.when(pl.col("rejected")).then(pl.lit("拒绝：") + pl.col("reasons"))
              .when(pl.col("person") != pl.col("row_number"))
              .then(pl.format("与第 {} 行重复，已合并", pl.col("person")))
              .otherwise(pl.lit("可导入")))
    return head.join(people_of, on="row_number", how="left", maintain_order="left").with_columns(
        status.alias("status")).select([pl.col(c).alias(label) for c, label in PREVIEW_COLUMNS.items()])


def _check_file(path: Path) -> None:
    if path.is_dir():
        raise FileRefused(f"{path} 是一个文件夹，不是文件：请指定要导入的表格文件（CSV 或 Excel）。")
    if not path.exists():
        raise FileRefused(f"找不到文件：{path}。请检查路径和文件名是否正确。")
    if not path.is_file():
        raise FileRefused(f"{path} 不是普通文件（可能是设备或管道）：请指定要导入的表格文件（CSV 或 Excel）。")


def _unreadable_file(path: Path, error: OSError) -> FileRefused:
    """A file that could not be read (or its work folder written): what to do, not the system's English."""
    log.warning("reading %s failed: %s", path, error)
    if isinstance(error, PermissionError):
        return FileRefused(f"没有权限读取文件 {path}：请检查文件权限，或把文件复制到自己的文件夹后再导入。")
    if error.errno == errno.ENOSPC:
        return FileRefused("临时文件夹所在的磁盘空间不足，无法整理导入数据：请清理磁盘空间后重试。")
    return FileRefused(f"读取文件 {path} 时出错：文件可能在网络盘或移动硬盘上、连接中断了。请把文件复制到本机后重试。")


def _stage(source: Path | Records, refs: References | Callable[[], References], folder: Path,
           overrides: dict[int, str | None] | None, header_row: int | None, batch_rows: int,
           say: Progress) -> tuple[Sheet, list[Column], staging.Staged]:
    """Read the sheet batch by batch into `folder`; read a file again as GB18030 if UTF-8 was a wrong guess."""
    resolver = _resolver(refs)
    store = staging.Store(folder)

    def stage(sheet: Sheet) -> tuple[Sheet, list[Column], staging.Staged]:
        normalise = staging.Normaliser(_columns(sheet, overrides), resolver)
        return sheet, normalise.columns, staging.stage(sheet, normalise, store, batch_rows=batch_rows, progress=say)

    if isinstance(source, Records):
        return stage(Sheet("form", None, None, None, 0, list(source.headers), _body=source.cells))
    try:
        return stage(read_file(source, folder, header_row=header_row))
    except NotUtf8:
        store.clear()
    return stage(read_file(source, folder, header_row=header_row, as_gb18030=True))


def _digest(source: Path | Records) -> str:
    if isinstance(source, Records):
        return hashlib.sha256(source.cells.write_csv().encode("utf-8")).hexdigest()
    return sha256_file(source)


def _resolver(refs: References | Callable[[], References]) -> Resolver | Callable[[], Resolver]:
    if isinstance(refs, References):
        return Resolver(refs.universities, refs.employers)

    def later() -> Resolver:
        found = refs()
        return Resolver(found.universities, found.employers)
    return later


def _columns(sheet: Sheet, overrides: dict[int, str | None] | None) -> list[Column]:
    columns = map_columns(sheet.headers, overrides)
    if not any(c.field == "name" for c in columns):
        raise FileRefused("没有找到“姓名”列：请在导入页面把某一列指定为姓名，或检查表头。")
    if not any(c.field in ("mobile", "email") for c in columns):
        raise FileRefused("没有找到手机号或邮箱列：每个人至少需要一个有效的手机号或邮箱，请检查表头或手动指定列。")
    return columns


def _no_rows(sheet: Sheet) -> FileRefused:
    return FileRefused(f"文件中没有数据行：表头（第 {sheet.header_index + 1} 行）下面全是空白。")


def _by_field(fields: Counter[str]) -> dict[str, int]:
    return {WARNING_LABELS.get(f, f): n for f, n in fields.most_common()}
