"""The importer: sniff → read → map_headers → normalise → validate → dedupe → write.

Two ways through the same steps. `prepare` reads an upload whole and keeps every row, so the screen can
show the mapping, a preview and the validation summary before `commit` writes it. `import_file` (and the
CLI, through `staged_file` and `write_file`) reads a file on disk batch by batch and sets each normalised
batch aside in a work folder as Parquet, which the write has DuckDB read directly, so memory does not grow
with the file (see staging.py); `commit` stages its prepared rows the same way. Either way the write is
db/imports.py's, one transaction, and the only step that touches db/.

On both paths every batch of records first loses its national ID numbers, whatever column they are in
(cells.py), so nothing after reading — rows, rejects, warnings, the batch, the log — ever holds one.
A refusal (FileRefused, or the database's DatabaseUnusable) is a Chinese sentence saying what to do.
"""
from __future__ import annotations

import errno
import hashlib
import logging
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from db import imports
from db.imports import BatchInput, ImportResult, People, Slice
from db.permissions import Action, User, require
from db.sql import Cursor
from loaders.digest import sha256_file
from loaders.importer import staging, steps
from loaders.importer.cells import WARNING_LABELS
from loaders.importer.fields import Column, map_columns
from loaders.importer.lookup import Resolver
from loaders.importer.reader import FileRefused, NotUtf8, Sheet, read, read_file

__all__ = ["FileRefused", "Imported", "Prepared", "References", "StagedFile", "commit", "import_file", "prepare",
           "prepare_records", "references", "staged_file", "write_file"]
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
class Prepared(Layout):
    """A file read, mapped, normalised, validated and deduplicated — not yet written."""

    rows: pl.DataFrame          # every non-blank data row, normalised, with `rejected` and `person`
    people: pl.DataFrame        # one row per person in the file
    rejects: pl.DataFrame       # row_number, reasons, reason_codes, row_json
    warnings: pl.DataFrame      # row_number, field, message

    @property
    def read(self) -> int:
        return self.rows.height

    @property
    def rejected(self) -> int:
        return self.rejects.height

    @property
    def duplicate_in_file(self) -> int:
        return self.rows.filter(pl.col("person").is_not_null() & (pl.col("person") != pl.col("row_number"))).height

    @property
    def unknown_employers(self) -> list[str]:
        unknown = self.rows.filter(pl.col("person").is_not_null() & pl.col("employer_raw").is_not_null()
                                   & pl.col("employer_id").is_null())
        return unknown["employer_raw"].unique(maintain_order=True).to_list()

    def rejects_by_reason(self) -> dict[str, int]:
        return _by_reason(self.rejects)

    def warnings_by_field(self) -> dict[str, int]:
        return _by_field(Counter(self.warnings["field"].to_list()))

    def preview(self, n: int = 20) -> pl.DataFrame:
        status = (pl.when(pl.col("rejected")).then(pl.lit("拒绝：") + pl.col("reasons"))
                  .when(pl.col("person") != pl.col("row_number"))
                  .then(pl.format("与第 {} 行重复，已合并", pl.col("person")))
                  .otherwise(pl.lit("可导入")))
        head = self.rows.head(n).join(self.rejects.select("row_number", "reasons"), on="row_number", how="left",
                                      maintain_order="left")
        return head.with_columns(status.alias("status")).select(
            [pl.col(c).alias(label) for c, label in PREVIEW_COLUMNS.items()])


@dataclass(frozen=True)
class Imported(Layout):
    """A file read batch by batch and written (`import_file`): its counts and the first warnings and rejects."""

    read: int
    rejected: int
    duplicate_in_file: int
    warning_count: int          # warnings about the file itself (the write adds those about existing people)
    warnings: pl.DataFrame      # the first staging.SAMPLE of them: row_number, field, message
    rejects: pl.DataFrame       # the first staging.SAMPLE rejects: row_number, reasons, reason_codes, row_json
    unknown_employers: list[str]


def prepare(data: bytes, file_name: str, refs: References, *, overrides: dict[int, str | None] | None = None,
            header_row: int | None = None) -> Prepared:
    """Read and check a file without writing anything. Raises FileRefused for files that cannot be imported."""
    sheet = read(data, file_name, header_row=header_row)
    return _prepared(sheet, refs, file_name, hashlib.sha256(data).hexdigest(), overrides)


def prepare_records(records: pl.DataFrame, headers: list[str], refs: References, *, name: str) -> Prepared:
    """Check records already read, as `prepare` checks a file's: the same mapping of `headers`, the same
    normalise, validate and dedupe. `records` has text columns c0…cN (cell i under headers[i]) and each
    record's `row_number` (Int32, as messages and the batch will name it); `name` is what the batch is
    called, its digest the records' own. (The sign-up commit, loaders/signups.py, reads its entries so.)"""
    sheet = Sheet("form", None, None, None, 0, list(headers), _body=records)
    digest = hashlib.sha256(records.write_csv().encode("utf-8")).hexdigest()
    return _prepared(sheet, refs, name, digest, None)


def _prepared(sheet: Sheet, refs: References, file_name: str, sha256: str,
              overrides: dict[int, str | None] | None) -> Prepared:
    columns = _columns(sheet, overrides)
    normalise = staging.Normaliser(columns, Resolver(refs.universities, refs.employers))
    parts = [normalise(records) for records in sheet.records(staging.BATCH_ROWS)]
    if not sum(rows.height for rows, _ in parts):
        raise _no_rows(sheet)
    rows = steps.dedupe(pl.concat([rows for rows, _ in parts], how="vertical_relaxed"))
    persons = steps.people(rows)
    warnings = pl.concat([*(kept.warnings for _, kept in parts), steps.merge_warnings(rows, persons)])
    rejects = pl.concat([steps.NO_REJECTS, *(kept.rejects for _, kept in parts)])
    return Prepared(file_name=file_name, sha256=sha256, sheet=sheet, columns=columns,
                    rows=rows, people=persons, rejects=rejects,
                    warnings=warnings.sort("row_number", maintain_order=True))


def commit(cur: Cursor, actor: User, prepared: Prepared, *, drive_id: int | None = None, force: bool = False,
           create_employers: tuple[str, ...] = (), progress: Progress | None = None) -> ImportResult:
    """Write a prepared file as one batch (one transaction). The only importer step that touches db/."""
    require(actor, Action.IMPORT)
    p = prepared
    kept = p.rows.filter(pl.col("person").is_not_null())

    def merged(together: pl.DataFrame) -> Slice:
        rows = kept.join(together, on="row_number", how="semi")
        return Slice(people=p.people.join(rows.select("person").unique(), on="person", how="semi"),
                     applications=rows.select("row_number", "person", *steps.APPLICATION_FIELDS),
                     warnings=steps.NO_WARNINGS)    # the merge warnings are among p.warnings already

    with staging.workdir() as folder:
        store = staging.Store(folder)
        store.add(staging.Normalised(kept.select(staging.ROW_COLUMNS), p.rejects, p.warnings))
        who = People(p.rows.select("row_number", "person"), p.people.select("person", "mobile", "email"))
        batch = BatchInput(
            file_name=p.file_name, sha256=p.sha256, read=p.read, contacts=kept.select("mobile", "email"),
            people=lambda: who, staged=store.staged(), merged=merged, readings=lambda: staging.spoken(store),
            workdir=folder, encoding=p.sheet.encoding, header_row=p.header_row, mapping=p.mapping(),
            report=lambda: p.report(p.rejects_by_reason(), p.warnings_by_field()),
            drive_id=drive_id, create_employers=tuple(create_employers), force=force,
        )
        return imports.record(cur, actor, batch, progress=progress)


@dataclass(frozen=True)
class StagedFile:
    """A file on disk read batch by batch into a work folder and deduplicated: what `write_file` writes."""

    layout: Layout
    staged: staging.Staged
    read: int                       # non-blank data rows
    contacts: pl.DataFrame          # mobile, email of every kept row
    found: Future[staging.Deduplicated]     # worked out while the write begins (see BatchInput)
    spoken: Future[pl.DataFrame]    # staging.spoken, worked out meanwhile too
    folder: Path


@contextmanager
def staged_file(path: Path, refs: References | Callable[[], References], *, batch_rows: int = staging.BATCH_ROWS,
                progress: Progress | None = None, sha256: Future[str] | None = None) -> Iterator[StagedFile]:
    """Read, normalise and deduplicate a file on disk; the work folder lives as long as the block.

    `refs` may be a function: it is called when the first school or employer is looked up, so the
    command line can open (and create) the database while the file is being read. `sha256` is the
    file's digest being worked out already (loaders.digest), if the caller started it.
    """
    _check_file(path)
    say = progress or (lambda _f, _m: None)
    with ThreadPoolExecutor(max_workers=2) as pool, staging.workdir() as folder:
        digest = sha256 or pool.submit(sha256_file, path)     # hashing releases the GIL: it overlaps reading
        try:
            sheet, columns, staged = _stage(path, refs, folder, batch_rows, say)
            sha = digest.result()
        except OSError as error:
            if error.filename not in (None, str(path)) and error.errno != errno.ENOSPC:
                raise           # not the file's: the database's, say, whose own errors say what it is
            raise _unreadable_file(path, error) from None
        keys, staged.keys = staged.keys, []
        read = sum(k.height for k in keys)
        if read == 0:
            raise _no_rows(sheet)
        contacts = pl.concat([k.filter(~pl.col("rejected")).select("mobile", "email") for k in keys])
        found = pool.submit(staging.deduplicate, keys)
        spoken = pool.submit(staging.spoken, staged.store)
        yield StagedFile(Layout(path.name, sha, sheet, columns), staged, read, contacts, found, spoken, folder)


def write_file(cur: Cursor, actor: User, file: StagedFile, *, drive_id: int | None = None, force: bool = False,
               create_employers: bool = False, progress: Progress | None = None) -> tuple[Imported, ImportResult]:
    """Write a staged file as one batch (one transaction)."""
    layout, staged, found = file.layout, file.staged, file.found
    sample = staged.sample
    batch = BatchInput(
        file_name=layout.file_name, sha256=layout.sha256, read=file.read, contacts=file.contacts,
        people=lambda: People(found.result().rows, found.result().persons), workdir=file.folder,
        staged=staged.store.staged(), readings=file.spoken.result,
        merged=lambda together: staging.held(staged.store, found.result().rows, together, sample),
        encoding=layout.sheet.encoding, header_row=layout.header_row, mapping=layout.mapping(),
        report=lambda: layout.report(dict(staged.reasons.most_common()), _by_field(sample.fields)),
        drive_id=drive_id, force=force,
        create_employers=tuple(staged.unknown_employers) if create_employers and drive_id is not None else (),
    )
    result = imports.record(cur, actor, batch, progress=progress)
    imported = Imported(
        file_name=layout.file_name, sha256=layout.sha256, sheet=layout.sheet, columns=layout.columns,
        read=file.read, rejected=found.result().rejected, duplicate_in_file=found.result().duplicate_in_file,
        warning_count=sample.count, warnings=sample.first, rejects=staging.first_rejects(staged),
        unknown_employers=list(staged.unknown_employers))
    return imported, result


def import_file(cur: Cursor, actor: User, path: Path, *, drive_id: int | None = None, force: bool = False,
                create_employers: bool = False, progress: Progress | None = None,
                batch_rows: int = staging.BATCH_ROWS) -> tuple[Imported, ImportResult]:
    """The whole pipeline for one file on disk, reading and writing it batch by batch."""
    require(actor, Action.IMPORT)
    say = progress or (lambda _f, _m: None)
    say(0.0, "读取文件……")
    with staged_file(path, references(cur), batch_rows=batch_rows, progress=say) as file:
        return write_file(cur, actor, file, drive_id=drive_id, force=force, create_employers=create_employers,
                          progress=progress)


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


def _stage(path: Path, refs: References | Callable[[], References], folder: Path, batch_rows: int,
           say: Progress) -> tuple[Sheet, list[Column], staging.Staged]:
    """Read the file batch by batch into `folder`; read it again as GB18030 if UTF-8 was a wrong guess."""
    resolver = _resolver(refs)
    store = staging.Store(folder)
    try:
        sheet = read_file(path, folder)
        normalise = staging.Normaliser(_columns(sheet, None), resolver)
        return sheet, normalise.columns, staging.stage(sheet, normalise, store, batch_rows=batch_rows, progress=say)
    except NotUtf8:
        store.clear()
    sheet = read_file(path, folder, as_gb18030=True)
    normalise = staging.Normaliser(_columns(sheet, None), resolver)
    return sheet, normalise.columns, staging.stage(sheet, normalise, store, batch_rows=batch_rows, progress=say)


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


def _by_reason(rejects: pl.DataFrame) -> dict[str, int]:
    return dict(Counter(code for codes in rejects["reason_codes"].to_list() for code in codes.split("；") if code)
                .most_common())


def _by_field(fields: Counter[str]) -> dict[str, int]:
    return {WARNING_LABELS.get(f, f): n for f, n in fields.most_common()}
