"""The template workbook, written by code: a 说明 sheet, then one sheet per register with its headers
(required ones marked *) and one example row. The example rows refer to each other, so the template
imports as it is — which the tests check."""
from __future__ import annotations

import io
from datetime import date

import xlsxwriter

from loaders.registers.sheets import NOTES_SHEET, SHEETS, Column

GENERAL = (
    "每个工作表是一本台账；工作表名和列名按本模板填写（列的顺序可以调整，列名中的空格、全角/半角、末尾的 * 或（必填）不影响识别）。",
    "带 * 的列必须填写。各表第 2 行是示例，导入前请改成真实数据或删除。",
    "导入按 飞地 → 企业 → 岗位 → 院校协议 → 校园招聘 → 参会企业 → 联合培养 → 科技副总与柔性引进 → 人才项目申报 → 目标 的顺序进行，"
    "后面的表可以引用前面表中刚登记的飞地、企业和校园招聘。",
    "已有记录按各表说明中的「匹配」规则找到后更新：有这一列而单元格空白，表示清空该项；没有这一列的项保持不变。",
    "同一个工作簿再导入一次不会产生任何变化。有问题的行会被单独拒绝并说明原因，其余行照常导入；整个工作簿在一个事务中写入。",
    "本系统不保存身份证号码：含有身份证号的行会被拒绝。",
)


def template_workbook() -> bytes:
    """The .xlsx bytes of the template."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    bold = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    required = book.add_format({"bold": True, "bg_color": "#FCE4D6", "border": 1})
    dated = book.add_format({"num_format": "yyyy-mm-dd"})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    _notes(book.add_worksheet(NOTES_SHEET), bold, wrap)
    for spec in SHEETS:
        sheet = book.add_worksheet(spec.name)
        shown = [c for c in spec.columns if c.in_template]
        for index, column in enumerate(shown):
            sheet.write_string(0, index, column.header + ("*" if column.required else ""),
                               required if column.required else bold)
            _example(sheet, index, column, dated)
            sheet.set_column(index, index, max(12, 2 * len(column.header) + 4))
        sheet.freeze_panes(1, 0)
    book.close()
    return buffer.getvalue()


def _example(sheet, index: int, column: Column, dated) -> None:  # type: ignore[no-untyped-def]
    value = column.example
    if value is None:
        return
    if isinstance(value, date):
        sheet.write_datetime(1, index, value, dated)
    elif isinstance(value, int):
        sheet.write_number(1, index, value)
    else:
        sheet.write_string(1, index, str(value))      # codes and mobiles stay text, every digit kept


def _notes(sheet, bold, wrap) -> None:  # type: ignore[no-untyped-def]
    sheet.set_column(0, 0, 22)
    sheet.set_column(1, 1, 20)
    sheet.set_column(2, 2, 8)
    sheet.set_column(3, 3, 80)
    sheet.write_string(0, 0, "台账导入模板 · 填写说明", bold)
    for i, line in enumerate(GENERAL, start=1):
        sheet.write_string(i, 0, f"{i}. {line}")
    row = len(GENERAL) + 2
    for index, header in enumerate(("工作表", "列名", "必填", "说明")):
        sheet.write_string(row, index, header, bold)
    for spec in SHEETS:
        row += 1
        sheet.write_string(row, 0, spec.name, bold)
        sheet.write_string(row, 3, spec.help or "", wrap)
        for column in spec.columns:
            row += 1
            sheet.write_string(row, 0, spec.name)
            sheet.write_string(row, 1, column.header)
            sheet.write_string(row, 2, "是" if column.required else "")
            also = f"（也可写作：{'、'.join(column.synonyms)}）" if column.synonyms else ""
            extra = "" if column.in_template else "（模板中没有这一列，需要时可自行添加）"
            sheet.write_string(row, 3, column.explained + also + extra, wrap)
