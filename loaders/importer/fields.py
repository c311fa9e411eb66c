"""The fields an import knows, their header synonyms, and finding the header row of a sheet."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from db import limits, national_id

# Field → the headers people write for it (matched after `header_key`: case, spaces, full-width
# forms and a trailing "(必填)"-style remark are ignored).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "真实姓名", "中文姓名", "候选人姓名", "应聘者", "应聘者姓名", "学生姓名", "名字", "Name"),
    "gender": ("性别", "Gender", "Sex"),
    "mobile": ("手机", "手机号", "手机号码", "联系电话", "移动电话", "电话", "电话号码", "联系方式", "Mobile",
               "Phone", "Tel", "Mobile Phone", "Cell"),
    "email": ("邮箱", "电子邮箱", "邮箱地址", "常用邮箱", "电子邮件", "E-mail", "Email", "Mail"),
    "university": ("学校", "毕业院校", "毕业学校", "就读院校", "就读学校", "学校名称", "院校名称", "院校", "University",
                   "School", "College/University"),
    "college": ("学院", "院系", "所在学院", "所在院系"),
    "major": ("专业", "所学专业", "专业名称", "毕业专业", "Major"),
    "degree": ("学历", "最高学历", "学历层次", "Degree", "Education"),
    "graduation": ("毕业时间", "毕业年份", "毕业年月", "毕业日期", "预计毕业时间", "届别", "Graduation",
                   "Graduation Date"),
    "position": ("意向岗位", "应聘职位", "应聘岗位", "期望职位", "求职意向", "Position"),
    "employer": ("意向企业", "意向单位", "Employer"),
    "intent": ("签约意向", "是否签约"),
    "national_id": ("身份证", "身份证号", "身份证号码", "证件号", "证件号码", "公民身份号码", "身份证件号码",
                    "ID number", "ID No", "ID card"),
}
LABELS: dict[str, str] = {
    "name": "姓名", "gender": "性别", "mobile": "手机号", "email": "邮箱", "university": "学校", "college": "学院",
    "major": "专业", "degree": "学历", "graduation": "毕业时间", "position": "意向岗位", "employer": "意向企业",
    "intent": "签约意向", "national_id": "身份证号（不保存）",
}
DROPPED = "national_id"          # recognised so that it is never stored anywhere
HEADER_SEARCH_ROWS = 6           # the header may follow up to 5 title or blank rows


def header_key(text: str | None) -> str:
    """'  手机号码（必填）' → '手机号码'; 'E-Mail ' → 'email'."""
    if text is None:
        return ""
    key = unicodedata.normalize("NFKC", str(text)).lower()
    key = re.sub(r"[\s*:_\-.#、]", "", key)
    return key


_LOOKUP: dict[str, str] = {header_key(s): field for field, names in SYNONYMS.items() for s in names}


def field_of(header: str | None) -> str | None:
    """The known field a header names, or None."""
    key = header_key(header)
    if not key:
        return None
    if key in _LOOKUP:
        return _LOOKUP[key]
    bare = re.sub(r"\(.*?\)|\[.*?\]|【.*?】", "", key)    # '毕业时间(年月)', '手机号【必填】'
    return _LOOKUP.get(bare)


@dataclass(frozen=True)
class Column:
    """One column of the sheet: its position, header as written, and the field it feeds (None: unused)."""

    index: int
    header: str
    field: str | None

    @property
    def dropped(self) -> bool:
        return self.field == DROPPED


def find_header(head: list[list[str | None]]) -> int | None:
    """Index of the first row in which at least two cells name known fields, one of them the name."""
    for i, cells in enumerate(head[:HEADER_SEARCH_ROWS]):
        fields = {field_of(c) for c in cells} - {None}
        if "name" in fields and len(fields) >= 2:
            return i
    return None


def map_columns(headers: list[str | None], overrides: dict[int, str | None] | None = None) -> list[Column]:
    """Column list from the header cells; `overrides` (column index → field or None) are HR's choices.

    A column recognised as a national ID stays dropped whatever the override says: it is never stored.
    A header is kept (shown, stored with the batch) as a quote, without any ID number in it.
    """
    columns = []
    for i, raw in enumerate(headers):
        header = "" if raw is None else str(raw).strip()
        field = field_of(header)
        header = limits.clip(national_id.redact(header))
        if overrides and i in overrides and field != DROPPED:
            chosen = overrides[i]
            if chosen is not None and chosen not in SYNONYMS:
                raise ValueError(f"unknown field {chosen!r}")
            field = chosen
        columns.append(Column(i, header, field))
    return columns


def display_names(columns: list[Column]) -> list[str]:
    """Unique, readable names for the columns (blank or repeated headers get a position suffix)."""
    names: list[str] = []
    seen: set[str] = set()
    for c in columns:
        name = c.header or f"第{c.index + 1}列"
        if name in seen:
            name = f"{name}（第{c.index + 1}列）"
        seen.add(name)
        names.append(name)
    return names
