"""Workbook cells → values: headers compared as people mean them, dates, whole numbers, 是/否, choices.

Every parser takes the cell as fastexcel gives it with `dtypes="string"` (numbers as '12' or '1.5',
date cells as '2025-06-30 00:00:00', booleans as 'true') and raises RowRejected with a Chinese
reason naming the column and quoting at most 60 characters of the cell.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import date, timedelta

from db.limits import clip

EXCEL_DAY_ZERO = date(1899, 12, 30)          # Excel's serial 0 (Lotus' 1900 leap-year bug included)
SERIALS = (20_000, 80_000)                   # serial numbers of plausible dates: 1954 … 2119
YEARS = (1950, 2100)
DATE_EXAMPLES = "如 2025-06-30、2025/6/30、2025年6月30日 或 20250630"
YES = frozenset({"是", "y", "yes", "true", "1", "√", "✓", "✔", "有", "对"})
NO = frozenset({"否", "n", "no", "false", "0", "×", "✗", "无", "不是"})

_SPACES = re.compile(r"\s+")
_REQUIRED_MARK = re.compile(r"^(?:\*|\(必填\)|\[必填\])+|(?:\*|\(必填\)|\[必填\]|必填)+$")
_TIME = r"(?:[\sT]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_FULL = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?" + _TIME + "$")
_MONTH = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})?$")
_SERIAL = re.compile(r"^\d{5}(?:\.\d+)?$")
_INTEGER = re.compile(r"^[+-]?\d+(?:\.0+)?$")
_NUMBER = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$", re.IGNORECASE)


class RowRejected(Exception):
    """This row is not imported; `reason` says why, in Chinese, without the row number."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def fold(text: str) -> str:
    """NFKC (full-width → half-width), no whitespace at all, lower case: how two spellings of a
    header, a sheet name, a choice or a code are compared."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", text)).lower()


def header_key(text: str) -> str:
    """A header as compared: folded, a leading or trailing "*" / "（必填）" dropped."""
    return _REQUIRED_MARK.sub("", fold(text))


def blank(cell: object) -> bool:
    return cell is None or not str(cell).strip()


def text(cell: str | None) -> str | None:
    """Trimmed, inner whitespace folded to one space (as register.clean does); blank → None."""
    if blank(cell):
        return None
    return " ".join(str(cell).split())


def long_text(cell: str | None) -> str | None:
    return None if blank(cell) else str(cell).strip()


def _compact(cell: str) -> str:
    return unicodedata.normalize("NFKC", cell).strip()


def parse_date(cell: str | None, label: str, *, month_ok: bool = False) -> date | None:
    """A date in any spelling the candidate importer accepts, Excel serials included. A month without
    a day is the 1st only where `month_ok` (e.g. 预计毕业); elsewhere it is refused."""
    if blank(cell):
        return None
    raw = _compact(str(cell))
    shown = clip(raw)
    if _SERIAL.match(raw):
        serial = float(raw)
        if not SERIALS[0] <= serial <= SERIALS[1]:
            raise RowRejected(f"「{label}」{shown} 不是有效日期（{DATE_EXAMPLES}）。")
        return EXCEL_DAY_ZERO + timedelta(days=int(serial))
    found = _FULL.match(raw)
    compact = _COMPACT.match(raw)
    if found or (compact and compact.group(3)):
        year, month, day = (int(g) for g in (found or compact).groups())  # type: ignore[union-attr]
    else:
        month_only = _MONTH.match(raw) or compact
        if month_only is None:
            raise RowRejected(f"「{label}」{shown} 不是能识别的日期（{DATE_EXAMPLES}）。")
        if not month_ok:
            raise RowRejected(f"「{label}」{shown} 缺少日：请写完整日期（{DATE_EXAMPLES}）。")
        year, month, day = int(month_only.group(1)), int(month_only.group(2)), 1
    try:
        value = date(year, month, day)
    except ValueError:
        raise RowRejected(f"「{label}」{shown} 不是有效日期：没有这一天（{DATE_EXAMPLES}）。") from None
    if not YEARS[0] <= value.year <= YEARS[1]:
        raise RowRejected(f"「{label}」{shown} 的年份不合理（应在 {YEARS[0]}–{YEARS[1]} 之间）。")
    return value


def parse_int(cell: str | None, label: str) -> int | None:
    """A whole number ≥ 0: '12', '12.0' (Excel's numbers), '1,500'; refuses 1.5, -3 and words."""
    if blank(cell):
        return None
    raw = _compact(str(cell)).replace(",", "")
    if _INTEGER.match(raw):
        number = int(float(raw))
    elif _NUMBER.match(raw):
        raise RowRejected(f"「{label}」应为整数（现为 {clip(raw)}）。")
    else:
        raise RowRejected(f"「{label}」应为不小于 0 的整数（现为 {clip(raw)}）。")
    if number < 0:
        raise RowRejected(f"「{label}」应为不小于 0 的整数（现为 {clip(raw)}）。")
    return number


def parse_bool(cell: str | None, label: str) -> bool | None:
    if blank(cell):
        return None
    key = fold(str(cell))
    if key in YES:
        return True
    if key in NO:
        return False
    raise RowRejected(f"「{label}」只能填 是 或 否（现为 {clip(str(cell).strip())}）。")


def parse_choice(cell: str | None, label: str, choices: Mapping[str, str],
                 aliases: Mapping[str, str] | None = None) -> str | None:
    """The code of a choice written as its Chinese label, its code or one of `aliases` (spelling → code)."""
    if blank(cell):
        return None
    key = fold(str(cell))
    for spelling, code in (*((fold(c), c) for c in choices), *((fold(v), c) for c, v in choices.items()),
                           *((fold(a), c) for a, c in (aliases or {}).items())):
        if key == spelling:
            return code
    raise RowRejected(f"「{label}」只能是 {'、'.join(choices.values())}（现为 {clip(str(cell).strip())}）。")
