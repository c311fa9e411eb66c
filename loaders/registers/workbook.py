"""The whole workbook in one transaction: sheets in dependency order, every row accounted for."""
from __future__ import annotations

from pathlib import PurePath

from db import audit, national_id
from db.connection import run_in_transaction
from db.permissions import Action, User, require
from db.sql import Cursor
from loaders.importer.reader import FileRefused
from loaders.registers.cells import RowRejected
from loaders.registers.reading import RawSheet, data_rows, layout, parse, read_workbook
from loaders.registers.result import RegistersResult, SheetResult
from loaders.registers.sheets import IGNORED_SHEETS, ORDER, SheetSpec, spec_for
from loaders.registers.writers import ROW_ERRORS, WRITERS, Context


class _Checked(Exception):
    """Ends a check's transaction with a rollback, carrying what the import would have done."""

    def __init__(self, result: RegistersResult) -> None:
        super().__init__("check only")
        self.result = result


def import_workbook(cur: Cursor, actor: User, data: bytes, file_name: str, *, dry_run: bool = False) -> RegistersResult:
    """Import the office's register workbook (bytes of an .xlsx) as one transaction of its own.

    `dry_run`: run exactly the same code, then roll back — what a check shows is what the import
    will do. Raises PermissionDenied (not a manager, HR or admin), FileRefused (not a workbook, no
    sheet we know) or WorkbookAborted; any other error leaves the database as it was."""
    require(actor, Action.EDIT_PROGRAMMES)
    name = national_id.redact(PurePath(file_name).name) or "工作簿"
    plan, unknown, notes = arrange(read_workbook(data))

    def work(cur: Cursor) -> RegistersResult:
        result = RegistersResult(name, committed=not dry_run, unknown_sheets=list(unknown), notes=list(notes))
        ctx = Context(cur, actor)
        for spec, sheet in plan:
            result.sheets[spec.name] = import_sheet(ctx, spec, sheet)
        audit.record(cur, actor, "import", entity="registers", detail=f"台账导入「{name}」：{result.summary()}",
                     after={"文件": name, "工作表": {n: s.counts() for n, s in result.sheets.items()},
                            "未识别的工作表": result.unknown_sheets})
        if dry_run:
            raise _Checked(result)
        return result

    try:
        return run_in_transaction(cur, work, claims=True, attempts=3)
    except _Checked as checked:
        return checked.result


def arrange(sheets: list[RawSheet]) -> tuple[list[tuple[SheetSpec, RawSheet]], list[str], list[str]]:
    """The workbook's sheets we know, in dependency order; the names of those we do not; remarks."""
    chosen: dict[str, RawSheet] = {}
    unknown, notes = [], []
    for sheet in sheets:
        spec = spec_for(sheet.name)
        if spec is None:
            if sheet.name.strip().lower() not in IGNORED_SHEETS:
                unknown.append(sheet.name)
        elif spec.name in chosen:
            notes.append(f"工作表「{sheet.name}」与「{chosen[spec.name].name}」都是{spec.name}表，只导入了「{chosen[spec.name].name}」。")
        else:
            chosen[spec.name] = sheet
    if not chosen:
        raise FileRefused(f"工作簿中没有可导入的工作表：工作表名应为 {'、'.join(ORDER)} 之一"
                          f"（现有：{'、'.join(s.name for s in sheets) or '无'}）。可下载模板对照填写。")
    return [(spec_for(name), chosen[name]) for name in ORDER if name in chosen], unknown, notes  # type: ignore[misc]


def import_sheet(ctx: Context, spec: SheetSpec, sheet: RawSheet) -> SheetResult:
    out = SheetResult(spec.name)
    found = layout(spec, sheet.rows)
    if found.unknown:
        out.notes.append(f"未识别的列（未导入）：{'、'.join(found.unknown)}。")
    if found.repeated:
        out.notes.append(f"重复的列（只用了第一列）：{'、'.join(found.repeated)}。")
    if found.header_row is None and sheet.rows:
        out.notes.append("找不到表头，本表未导入。")
    elif found.missing and sheet.rows:
        out.notes.append(f"缺少必填列「{'」「'.join(found.missing)}」，本表未导入。")
    created_before = ctx.students_created
    write = WRITERS[spec.name]
    for number, cells in data_rows(sheet.rows, found):
        try:
            out.counted(write(ctx, spec, parse(spec, found, number, cells)))
        except RowRejected as refused:
            out.refuse(number, refused.reason)
        except ROW_ERRORS as refused:
            out.refuse(number, str(refused))
    if ctx.students_created > created_before:
        out.notes.append(f"为 {ctx.students_created - created_before} 名尚未建档的学生新建了候选人档案（渠道：联合培养）。")
    return out
