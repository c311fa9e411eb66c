"""台账导入: the office's register workbook (飞地, 企业, 岗位, 院校协议, 校园招聘, 参会企业, 联合培养,
科技副总与柔性引进, 人才项目申报, 目标) written through the registers' own commands, in one transaction.

    result = import_workbook(cur, actor, data, "台账.xlsx", dry_run=False)

Steps: read (reading.py: every sheet as text, header found, cells parsed by cells.py) → per sheet, in
dependency order, per row: references by name → natural key → register.clean → the register's command
(writers.py) → one audit entry for the import. sheets.py is the contract (sheet and column names);
template.py writes the template from it; cli.py is `python -m loaders registers`.

Decisions where the brief was silent:
- Who: managers, HR and admins (EDIT_PROGRAMMES). New 联合培养 students are candidates, which managers
  may not create: such a row is rejected for a manager, saying who can import it.
- Blank cells: a column the sheet has, left blank, means "no value" (the stored value is cleared; a
  是/否 column blank means 否); a field the sheet has no column for is left as stored. Exceptions, the
  fields the register requires but the workbook may leave blank: 校园招聘「状态」(new: 已举办 when the
  date is today or earlier, else 计划), 联合培养「去向」(new: 待定) and 人才项目申报「状态」(new: 已申报
  when there is a 申报日期, else 筹备) — blank keeps an existing row's value. 去向 留平就业 with no
  就业企业 means the training employer.
- Columns: the contract's, plus any other field of the register under its label or synonyms (备注,
  联系人, 联系电话, 开题, 中期, 答辩, 留平就业企业, 年度, 结果日期). A required column missing rejects
  every row of that sheet; unknown and repeated columns are reported. Up to 5 title rows may stand
  above the header. A tab named 说明 (the template's) is skipped silently; other unknown tabs are
  listed; a workbook with no tab we know is refused.
- Dates need a day, except 设立日期 and 预计毕业, where 2025年6月 means the 1st.
- Matching: natural keys as the registers declare them; enclaves by code or name, employers by exact
  name (spacing and bracket width folded), schools through universities.resolve, drives by name.
  A deactivated row is matched and updated like any other; the import never activates or deactivates.
  A second row of a sheet meaning the same record as an earlier one is rejected, naming that row.
- 联合培养 students: found by exact mobile or e-mail among live candidates; the found person's name
  must match the row's. Two different people for the two contacts reject the row.
- Failures: a row's validation or a command's domain error (ValidationError, NotFound, PermissionDenied,
  LikelyDuplicate) rejects that row — those commands check everything before they write, so nothing
  of it is written. ConcurrentEdit, DuplicateCandidate, WorkbookAborted and every other error roll the
  whole workbook back.
- National ID numbers: a row with one in an imported column is rejected without quoting it.
"""
from __future__ import annotations

import importlib
from typing import Any

# Loaded on first use: `python -m loaders` imports cli.py for every command, and polars, the registers
# and xlsxwriter would add a third of a second to each of them.
_EXPORTS = {"RegistersResult": "result", "Reject": "result", "SheetResult": "result", "ORDER": "sheets",
            "SHEETS": "sheets", "template_workbook": "template", "import_workbook": "workbook",
            "WorkbookAborted": "writers"}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
