"""Reading the workbook: every sheet's cells as text, its header row found, each data row parsed.

Nothing here touches the database. A cell holding a national ID number is never quoted: the row it
is in is refused (if the column is one we import) and the number goes nowhere.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl

from db import national_id
from loaders.importer.reader import FileRefused, sniff
from loaders.registers import cells
from loaders.registers.cells import RowRejected, header_key
from loaders.registers.sheets import Column, SheetSpec

HEADER_ROWS = 6         # title rows may stand above the header; it is looked for in the first rows
REFUSED = "无法打开这个 Excel 文件：它可能已损坏、被加密（设置了打开密码）或是其他 Office 文件。请在 Excel 中另存为 .xlsx 再导入。"


@dataclass(frozen=True)
class RawSheet:
    name: str
    rows: list[list[str | None]]            # every row from the sheet's first, as text (row n at index n-1)


@dataclass
class Layout:
    """Where a sheet's header is and what its columns mean."""

    header_row: int | None                  # 1-based; None: no header found
    columns: dict[int, Column] = field(default_factory=dict)     # cell index → column
    unknown: list[str] = field(default_factory=list)
    repeated: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)              # required columns absent


@dataclass(frozen=True)
class Row:
    number: int                             # as Excel shows it
    values: dict[str, Any]                  # column key → parsed value (None: blank), present columns only
    texts: dict[str, str]                   # column key → the cell as written, for messages


def read_workbook(data: bytes) -> list[RawSheet]:
    """Every sheet of an Excel workbook, cells as text; FileRefused (in Chinese) for anything else."""
    if not data:
        raise FileRefused("文件是空的：没有任何内容。")
    if sniff(data) != "excel":
        raise FileRefused("台账导入只接受 Excel 工作簿（.xlsx）：请下载本页的模板，按模板填写后上传。")
    import fastexcel

    try:
        reader = fastexcel.read_excel(data)
        names = reader.sheet_names
    except Exception:   # calamine's errors carry no useful class hierarchy
        raise FileRefused(REFUSED) from None
    sheets = []
    for index, name in enumerate(names):
        try:
            grid = pl.DataFrame(reader.load_sheet(index, header_row=None, dtypes="string", skip_rows=0))
        except Exception:   # an empty or chart-only sheet
            grid = pl.DataFrame()
        rows = [list(r) for r in grid.iter_rows()] if grid.width else []
        sheets.append(RawSheet(national_id.redact(str(name)), rows))
    return sheets


def layout(spec: SheetSpec, rows: list[list[str | None]]) -> Layout:
    """The header row (the first of the first rows naming two of the sheet's columns, else one) and the
    meaning of each of its cells."""
    known = spec.headers()
    hits = [sum(1 for c in row if not cells.blank(c) and header_key(str(c)) in known) for row in rows[:HEADER_ROWS]]
    chosen = next((i for i, n in enumerate(hits) if n >= 2), next((i for i, n in enumerate(hits) if n >= 1), None))
    if chosen is None:
        return Layout(None, missing=[c.header for c in spec.columns if c.required])
    found = Layout(chosen + 1)
    taken: set[str] = set()
    for index, cell in enumerate(rows[chosen]):
        if cells.blank(cell):
            continue
        column = known.get(header_key(str(cell)))
        shown = national_id.redact(str(cell).strip())
        if column is None:
            found.unknown.append(shown)
        elif column.key in taken:
            found.repeated.append(shown)
        else:
            found.columns[index] = column
            taken.add(column.key)
    found.missing = [c.header for c in spec.columns if c.required and c.key not in taken]
    if spec.name == "联合培养" and not {"mobile", "email"} & taken:
        found.missing.append("手机号码或电子邮箱")
    return found


def data_rows(rows: list[list[str | None]], found: Layout) -> list[tuple[int, list[str | None]]]:
    """(row number, cells) of every non-blank row under the header (every non-blank row without one)."""
    start = found.header_row or 0
    return [(i + 1, row) for i, row in enumerate(rows) if i >= start and not all(cells.blank(c) for c in row)]


def parse(spec: SheetSpec, found: Layout, number: int, raw: list[str | None]) -> Row:
    """One row's values by column; RowRejected naming the first cell that cannot be read."""
    if found.header_row is None:
        raise RowRejected(f"工作表「{spec.name}」前 {HEADER_ROWS} 行中找不到表头（应有 "
                          f"{'、'.join(c.header for c in spec.columns if c.in_template)} 等列）。")
    if found.missing:
        raise RowRejected(f"工作表缺少必填列「{'」「'.join(found.missing)}」。")
    values: dict[str, Any] = {}
    texts: dict[str, str] = {}
    for index, column in found.columns.items():
        cell = raw[index] if index < len(raw) else None
        if not cells.blank(cell) and national_id.contains(cell):
            raise RowRejected(f"「{column.header}」中含有身份证号码：本系统不保存身份证号，请删除后再导入。")
        values[column.key] = value(column, cell)
        if not cells.blank(cell):
            texts[column.key] = " ".join(str(cell).split())
    for column in spec.columns:
        if column.required and values.get(column.key) is None:
            raise RowRejected(f"请填写「{column.header}」。")
    if spec.name == "联合培养" and values.get("mobile") is None and values.get("email") is None:
        raise RowRejected("请填写「手机号码」或「电子邮箱」（至少一项），用来找到或新建学生档案。")
    return Row(number, values, texts)


def value(column: Column, cell: str | None) -> Any:
    kind, label = column.kind, column.header
    if kind == "date":
        return cells.parse_date(cell, label, month_ok=column.month_ok)
    if kind == "int":
        return cells.parse_int(cell, label)
    if kind == "bool":
        return cells.parse_bool(cell, label)
    if kind == "choice":
        assert column.choices is not None
        return cells.parse_choice(cell, label, column.choices, column.aliases)
    if kind == "long_text":
        return cells.long_text(cell)
    if kind == "credit_code":
        text = cells.text(cell)
        return None if text is None else "".join(cells.fold(text).split()).upper()
    return cells.text(cell)
