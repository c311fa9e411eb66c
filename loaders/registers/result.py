"""What an import of the register workbook did, sheet by sheet: counts, rejected rows, remarks."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl

JSON_REJECTS = 50       # rejects per sheet in the JSON output (the screen and the download have them all)
COUNTS = ("read", "inserted", "updated", "unchanged", "rejected")
LABELS = {"read": "读取", "inserted": "新增", "updated": "更新", "unchanged": "未变", "rejected": "拒绝"}


@dataclass(frozen=True)
class Reject:
    row: int                # the row number Excel shows
    reason: str             # a whole sentence: "第 7 行：统一社会信用代码校验位不正确，请核对是否抄错。"


@dataclass
class SheetResult:
    """read = inserted + updated + unchanged + rejected (blank rows are not read)."""

    sheet: str
    read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    rejects: list[Reject] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)      # unknown or repeated columns, students added …

    def counted(self, outcome: str) -> None:
        self.read += 1
        setattr(self, outcome, getattr(self, outcome) + 1)

    def refuse(self, row: int, reason: str) -> None:
        self.read += 1
        self.rejected += 1
        self.rejects.append(Reject(row, f"第 {row} 行：{reason}"))

    def counts(self) -> dict[str, int]:
        return {k: getattr(self, k) for k in COUNTS}

    def as_json(self, limit: int = JSON_REJECTS) -> dict[str, Any]:
        return {**self.counts(), "rejects": [{"row": r.row, "reason": r.reason} for r in self.rejects[:limit]]}


@dataclass
class RegistersResult:
    file_name: str
    committed: bool                                     # False: a check, rolled back
    sheets: dict[str, SheetResult] = field(default_factory=dict)   # in the order they were written
    unknown_sheets: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def totals(self) -> dict[str, int]:
        return {k: sum(getattr(s, k) for s in self.sheets.values()) for k in COUNTS}

    def as_json(self, limit: int = JSON_REJECTS) -> dict[str, Any]:
        """The CLI's `--json` object: sheets (counts and at most `limit` rejects each), unknown_sheets."""
        return {"sheets": {name: s.as_json(limit) for name, s in self.sheets.items()},
                "unknown_sheets": list(self.unknown_sheets)}

    def summary(self) -> str:
        t = self.totals()
        return (f"读取 {t['read']:,} 行 = 新增 {t['inserted']:,} + 更新 {t['updated']:,} + 未变 {t['unchanged']:,}"
                f" + 拒绝 {t['rejected']:,}")

    def counts_table(self) -> pl.DataFrame:
        """工作表, 读取, 新增, 更新, 未变, 拒绝 — one row per sheet."""
        return pl.DataFrame([{"工作表": name, **{LABELS[k]: v for k, v in s.counts().items()}}
                             for name, s in self.sheets.items()],
                            schema={"工作表": pl.String, **{LABELS[k]: pl.Int64 for k in COUNTS}})

    def rejects_table(self) -> pl.DataFrame:
        """工作表, 行号, 原因 — every rejected row."""
        return pl.DataFrame([{"工作表": name, "行号": r.row, "原因": r.reason}
                             for name, s in self.sheets.items() for r in s.rejects],
                            schema={"工作表": pl.String, "行号": pl.Int64, "原因": pl.String})

    def remarks(self) -> list[str]:
        """Workbook and sheet remarks, each a sentence."""
        said = list(self.notes)
        if self.unknown_sheets:
            said.append(f"未识别的工作表（未导入）：{'、'.join(self.unknown_sheets)}。")
        said += [f"「{name}」{note}" for name, s in self.sheets.items() for note in s.notes]
        return said

    def lines(self, *, shown: int = 20) -> list[str]:
        """The readable Chinese report the command line prints."""
        head = "台账导入完成" if self.committed else "台账检查（未写入）"
        out = [f"{head}：{self.file_name}；{self.summary()}。"]
        out += [f"  {name}：读取 {s.read:,} 行 = 新增 {s.inserted:,} + 更新 {s.updated:,} + 未变 {s.unchanged:,}"
                f" + 拒绝 {s.rejected:,}" for name, s in self.sheets.items()]
        out += self.remarks()
        for name, s in self.sheets.items():
            if s.rejects:
                out.append(f"「{name}」拒绝的行（前 {min(shown, len(s.rejects))} 条，共 {len(s.rejects):,} 条）：")
                out += [f"  {r.reason}" for r in s.rejects[:shown]]
        return out
