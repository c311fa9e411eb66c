"""The importer: sniff → read → map_headers → normalise → validate → dedupe → write.

Every step before `commit` is pure polars on the file's bytes plus reference frames, so the screen
can show the mapping, a preview and the validation summary before anything is written. `commit`
is the one step that writes, through db/imports.py, as one transaction.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from db import imports
from db.imports import BatchInput, ImportResult
from db.permissions import Action, User, require
from db.sql import Cursor
from loaders.importer import lookup, steps
from loaders.importer.fields import LABELS, Column, map_columns
from loaders.importer.reader import FileRefused, Sheet, read
from loaders.importer.spoken import pinyin_columns

__all__ = ["FileRefused", "Prepared", "References", "commit", "import_file", "prepare", "references"]
Progress = Callable[[float, str], None]
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
class Prepared:
    """A file read, mapped, normalised, validated and deduplicated — not yet written."""

    file_name: str
    sha256: str
    sheet: Sheet
    columns: list[Column]
    rows: pl.DataFrame          # every non-blank data row, normalised, with `rejected`, `reasons`, `person`
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
    def header_row(self) -> int:
        return self.sheet.header_index + 1

    @property
    def unknown_columns(self) -> list[str]:
        return [c.header or f"第{c.index + 1}列" for c in self.columns if c.field is None]

    @property
    def dropped_columns(self) -> list[str]:
        return [c.header for c in self.columns if c.dropped]

    @property
    def unknown_employers(self) -> list[str]:
        unknown = self.rows.filter(pl.col("person").is_not_null() & pl.col("employer_raw").is_not_null()
                                   & pl.col("employer_id").is_null())
        return unknown["employer_raw"].unique(maintain_order=True).to_list()

    def rejects_by_reason(self) -> dict[str, int]:
        codes = self.rejects["reason_codes"].str.split("；").explode()
        counted = codes.value_counts(sort=True)
        return dict(zip(counted[codes.name].to_list(), counted["count"].to_list()))

    def warnings_by_field(self) -> dict[str, int]:
        counted = self.warnings["field"].value_counts(sort=True)
        return {LABELS.get(f, f): n for f, n in zip(counted["field"].to_list(), counted["count"].to_list())}

    def preview(self, n: int = 20) -> pl.DataFrame:
        status = (pl.when(pl.col("rejected")).then(pl.lit("拒绝：") + pl.col("reasons"))
                  .when(pl.col("person") != pl.col("row_number")).then(pl.format("与第 {} 行重复，已合并", pl.col("person")))
                  .otherwise(pl.lit("可导入")))
        return self.rows.head(n).with_columns(status.alias("status")).select(
            [pl.col(c).alias(label) for c, label in PREVIEW_COLUMNS.items()])

    def mapping(self) -> list[dict[str, object]]:
        return [{"index": c.index, "header": c.header, "field": c.field} for c in self.columns]


def prepare(data: bytes, file_name: str, refs: References, *, overrides: dict[int, str | None] | None = None,
            header_row: int | None = None) -> Prepared:
    """Read and check a file without writing anything. Raises FileRefused for files that cannot be imported."""
    sheet = read(data, file_name, header_row=header_row)
    headers = [None if v is None else str(v) for v in sheet.body.row(0)[:-1]] if sheet.body.height else []
    columns = map_columns(headers, overrides)
    if not any(c.field == "name" for c in columns):
        raise FileRefused("没有找到“姓名”列：请在导入页面把某一列指定为姓名，或检查表头。")
    if not any(c.field in ("mobile", "email") for c in columns):
        raise FileRefused("没有找到手机号或邮箱列：每个人至少需要一个有效的手机号或邮箱，请检查表头或手动指定列。")
    raw = steps.data_rows(sheet.body)
    if raw.height == 0:
        raise FileRefused(f"文件中没有数据行：表头（第 {sheet.header_index + 1} 行）下面全是空白。")
    rows = steps.normalise(raw, columns, refs.universities)
    employers = lookup.employers(rows["employer_raw"], refs.employers)
    rows = rows.join(employers, on="employer_raw", how="left", maintain_order="left")
    rows = steps.dedupe(steps.validate(rows))
    persons = steps.people(rows)
    return Prepared(
        file_name=file_name, sha256=hashlib.sha256(data).hexdigest(), sheet=sheet, columns=columns, rows=rows,
        people=persons, rejects=steps.reject_records(rows, raw, columns), warnings=steps.warnings(rows, persons),
    )


def commit(cur: Cursor, actor: User, prepared: Prepared, *, drive_id: int | None = None, force: bool = False,
           create_employers: tuple[str, ...] = (), progress: Progress | None = None) -> ImportResult:
    """Write a prepared file as one batch (one transaction). The only importer step that touches db/."""
    require(actor, Action.IMPORT)
    p = prepared
    batch = BatchInput(
        file_name=p.file_name, sha256=p.sha256, read=p.read,
        people=_with_pinyin(p.people).select(*imports.PERSON_SCHEMA),
        rows=p.rows.select("row_number", "person"),
        applications=p.rows.filter(pl.col("person").is_not_null()).select(
            "row_number", "person", "employer_raw", "employer_id", "position", "intent"),
        rejects=p.rejects.select("row_number", "reasons", "row_json"),
        warnings=p.warnings,
        encoding=p.sheet.encoding, header_row=p.header_row, mapping=p.mapping(),
        report={"kind": p.sheet.kind, "sheet": p.sheet.sheet_name, "delimiter": p.sheet.delimiter,
                "unknown_columns": p.unknown_columns, "dropped_columns": p.dropped_columns,
                "rejects_by_reason": p.rejects_by_reason(), "warnings_by_field": p.warnings_by_field()},
        drive_id=drive_id, create_employers=tuple(create_employers), force=force,
    )
    return imports.record(cur, actor, batch, progress=progress)


def _with_pinyin(people: pl.DataFrame) -> pl.DataFrame:
    pinyin, initials = pinyin_columns(people["name"])
    return people.with_columns(pinyin.alias("name_pinyin"), initials.alias("name_initials"))


def import_file(cur: Cursor, actor: User, path: Path, *, drive_id: int | None = None, force: bool = False,
                create_employers: bool = False, progress: Progress | None = None) -> tuple[Prepared, ImportResult]:
    """The whole pipeline for one file on disk (the CLI)."""
    require(actor, Action.IMPORT)
    if not path.is_file():
        raise FileRefused(f"找不到文件：{path}")
    say = progress or (lambda _f, _m: None)
    say(0.0, "读取文件……")
    prepared = prepare(path.read_bytes(), path.name, references(cur))
    new_employers = tuple(prepared.unknown_employers) if create_employers and drive_id is not None else ()
    return prepared, commit(cur, actor, prepared, drive_id=drive_id, force=force, create_employers=new_employers,
                            progress=progress)


