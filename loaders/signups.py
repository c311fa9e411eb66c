"""扫码报名 → people: the pending sign-ups of a drive or an event committed through the file importer's
own rules; and the files a link goes out as (QR code PNG and SVG, a printable A4 poster PDF).

`commit` reads the pending entries (db/signups.for_commit) as the records of a sign-up sheet — HEADERS,
one record per entry, its row number the entry's id — and hands them to the importer:
`importer.staged_file` reads them as `importer.Records` and maps, normalises, validates and deduplicates
them exactly as it does a file, and `importer.write_file` writes them as ONE import batch for the drive (every accepted row an
application there, stage applied, channel campus_drive): matched against the database by mobile, else
e-mail; new people inserted; existing people's blanks filled, never overwritten; rejects kept with
their reasons; every entry accounted for (entries = inserted + matched + duplicate_in_file + rejected);
undone by db/import_history.undo like any import. `db/signups.settle` then does, in the same
transaction, what a sheet's row cannot say: each entry's status, the applications for every further
employer the person chose (a row names one), the moves dated when the person signed up, the consent
from the form. An event's entries are written as a batch of no drive (people only: the importer
gives applications to drive batches alone), and `settle` adds the people as the event's attendees and
an application for every partner employer chosen. A failure anywhere leaves nothing — entries stay pending.

A recruiter may commit the sign-ups of their own enclave's drives (db/signups.require_reviewer checks
it first); the importer itself demands the import right, which recruiters lack, so for that one batch
it runs under the right this command grants: its audit entry names the recruiter (with the role the
import needs), and the sign-up entry beside it (commit_signups) carries the recruiter's own role.
"""
from __future__ import annotations

import io
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime

import polars as pl
import segno

from db import signups
from db.connection import run_in_transaction
from db.enums import Role
from db.errors import ValidationError
from db.permissions import Action, User, can
from db.sql import Cursor
from loaders import importer

HEADERS = ["姓名", "手机号", "邮箱", "学校", "专业", "学历", "毕业时间", "意向企业"]
Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class SignupCommit:
    """One commit's accounting: entries = inserted + matched + duplicate_in_file + rejected."""

    batch_id: int
    entries: int
    inserted: int
    matched: int
    duplicate_in_file: int
    rejected: int
    warnings: int
    applications: int       # every application the batch added
    consents: int
    attendees: int = 0      # people the batch added to an event's attendees

    def summary(self) -> str:
        return (f"{self.entries} 条报名已入库（导入批次 #{self.batch_id}）：新增 {self.inserted} 人，匹配已有 {self.matched} 人，"
                f"同一人重复 {self.duplicate_in_file} 条，拒绝 {self.rejected} 条；投递 {self.applications} 条，"
                f"记录个人信息授权 {self.consents} 人" + (f"，新增参加人员 {self.attendees} 人" if self.attendees else "")
                + (f"，警告 {self.warnings} 条" if self.warnings else "") + "。")


def commit(cur: Cursor, actor: User, at: signups.Occasion, entry_ids: list[int] | None = None, *,
           progress: Progress | None = None) -> SignupCommit:
    """Commit the pending entries of a drive or event (those of `entry_ids`, or all) as one import batch."""
    title = signups.require_reviewer(cur, actor, at).title

    def work(cur: Cursor) -> SignupCommit:
        pending = signups.for_commit(cur, actor, at, entry_ids)
        if pending.height == 0:
            raise ValidationError("没有待入库的报名：所选报名可能刚被他人处理，请刷新后再看。")
        with importer.staged_file(importer.Records(records(pending), HEADERS), importer.references(cur),
                                  name=f"扫码报名：{title}（{pending.height} 条）") as staged:
            _, written = importer.write_file(cur, _importing(actor), staged, drive_id=at.drive_id, progress=progress)
        settled = signups.settle(cur, actor, at, written.batch_id, pending["id"].to_list())
        return SignupCommit(written.batch_id, written.read, written.inserted, written.matched,
                            written.duplicate_in_file, written.rejected, written.warnings,
                            written.applications + settled.applications, settled.consents, settled.attendees)

    return run_in_transaction(cur, work, attempts=3, claims=True)


def records(entries: pl.DataFrame) -> pl.DataFrame:
    """Entries (db/signups.for_commit) as the text cells of a sheet under HEADERS, row number = entry id."""
    year, month = pl.col("graduation_year").cast(pl.String), pl.col("graduation_month").cast(pl.String)
    graduation = pl.when(pl.col("graduation_month").is_not_null()).then(pl.format("{}年{}月", year, month)).otherwise(year)
    cells = [pl.col("name"), pl.col("mobile"), pl.col("email"), pl.col("school"), pl.col("major"), pl.col("degree"),
             graduation, pl.col("employer")]
    return entries.select(*[c.cast(pl.String).alias(f"c{i}") for i, c in enumerate(cells)],
                          pl.col("id").cast(pl.Int32).alias("row_number"))


def _importing(actor: User) -> User:
    """The actor the importer writes as (module docstring): the actor, holding the import right."""
    return actor if can(actor, Action.IMPORT) else replace(actor, role=Role.HR)


# ---------------------------------------------------------------- the link as files


def signup_url(base_url: str, token: str) -> str:
    """The public address of a drive's form: the app's address with the token as `?signup=`."""
    return f"{base_url.rstrip('/')}/?signup={token}"


def qr_png(url: str) -> bytes:
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="png", scale=12, border=4)
    return out.getvalue()


def qr_svg(url: str) -> bytes:
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=12, border=4, xmldecl=True, title="扫码报名")
    return out.getvalue()


_FONT = "STSong-Light"          # an Adobe CID font every PDF reader supplies: nothing to embed, no font file
_font_lock = threading.Lock()


def poster_pdf(url: str, *, title: str, programme: str, held_on: date, university: str, city: str | None,
               closes_at: datetime) -> bytes:
    """An A4 poster: the programme, the drive's name, date and university, the QR code, the deadline."""
    from reportlab.lib.colors import HexColor, black, white
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    with _font_lock:
        if _FONT not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(UnicodeCIDFont(_FONT))
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=A4, pageCompression=1)
    page.setTitle(f"扫码报名 · {title}")
    page.setAuthor(signups.CONTROLLER)
    width, height = A4
    page.setFillColor(HexColor("#1f4e79"))
    page.rect(0, height - 42 * mm, width, 42 * mm, fill=1, stroke=0)
    page.setFillColor(white)
    page.setFont(_FONT, 30)
    page.drawCentredString(width / 2, height - 22 * mm, f"{programme} · 扫码报名")
    page.setFont(_FONT, 13)
    page.drawCentredString(width / 2, height - 33 * mm, signups.CONTROLLER)
    page.setFillColor(black)
    y = height - 62 * mm
    page.setFont(_FONT, 24)
    for line in _wrapped(title, 24, width - 40 * mm)[:3]:
        page.drawCentredString(width / 2, y, line)
        y -= 11 * mm
    page.setFont(_FONT, 15)
    place = " · ".join(p for p in (f"{held_on.year}年{held_on.month}月{held_on.day}日", university, city) if p)
    page.drawCentredString(width / 2, y, place)
    size = 115 * mm
    bottom = y - 10 * mm - size
    _draw_qr(page, url, (width - size) / 2, bottom, size)
    page.setFont(_FONT, 18)
    page.drawCentredString(width / 2, bottom - 12 * mm, "用手机相机或微信扫一扫，填写报名信息")
    page.setFont(_FONT, 12)
    page.drawCentredString(width / 2, bottom - 21 * mm, f"报名截止：{closes_at:%Y-%m-%d %H:%M}")
    page.setFont("Helvetica", 8)
    page.drawCentredString(width / 2, bottom - 28 * mm, url)
    page.setFont(_FONT, 9)
    notice = f"所填信息由{signups.CONTROLLER}用于{signups.CONSENT_PURPOSE}，不收集身份证号。"
    for i, line in enumerate(_wrapped(notice, 9, width - 40 * mm)):
        page.drawCentredString(width / 2, 18 * mm - i * 5 * mm, line)
    page.showPage()
    page.save()
    return out.getvalue()


def _wrapped(text: str, size: float, width: float) -> list[str]:
    """`text` in lines no wider than `width` points (Chinese breaks anywhere)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines, line = [], ""
    for ch in text:
        if line and stringWidth(line + ch, _FONT, size) > width:
            lines.append(line)
            line = ""
        line += ch
    return [*lines, line] if line else lines


def _draw_qr(page, url: str, x: float, y: float, size: float) -> None:  # type: ignore[no-untyped-def]
    """The QR code as vector squares (one rectangle per run of dark modules), with its quiet zone."""
    from reportlab.lib.colors import black, white

    matrix = segno.make(url, error="m").matrix
    n, border = len(matrix), 4
    module = size / (n + 2 * border)
    page.setFillColor(white)
    page.rect(x, y, size, size, fill=1, stroke=0)
    page.setFillColor(black)
    for r, row in enumerate(matrix):
        top = y + size - (border + r + 1) * module
        c = 0
        while c < n:
            if row[c]:
                start = c
                while c < n and row[c]:
                    c += 1
                page.rect(x + (border + start) * module, top, (c - start) * module, module, fill=1, stroke=0)
            else:
                c += 1
