"""年度报告 as files: an XLSX workbook (汇总, one sheet per programme, 口径) and a PDF in the city's own
register (prose, tables, charts), from one db/annual_report.AnnualReport.

The PDF embeds WenQuanYi Micro Hei (文泉驿微米黑), a TrueType CJK font that the pinned pip package
`paperang-p2-fonts-cjk` ships — byte-identical to Debian's fonts-wqy-microhei — so `make run` and
`make test` install it like any dependency: no root, no apt, no font installed by hand. The font is
subset into the file, so its text renders and extracts everywhere. Charts are Vega-Lite (altair)
drawn to PNG by vl-convert with the same font.
"""
from __future__ import annotations

import io
from datetime import date, datetime
from functools import cache
from pathlib import Path

import polars as pl

from db import clock
from db.annual_report import AnnualReport, definitions
from db.cells import formula_safe
from db.errors import DomainError

FONT_NAME = "WenQuanYi Micro Hei"
_DEBIAN_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
CATEGORY_COLOURS = {"青年博士": "#1f4e79", "青年大学生": "#2e86c1", "高能人才": "#f39c12", "高层次人才": "#8e44ad",
                    "科技副总": "#16a085", "其他": "#95a5a6"}


def report_title(report: AnnualReport) -> str:
    return f"{'平湖市' if report.enclave_code is None else report.scope}{report.year}年度人才工作报告"


# --- XLSX -------------------------------------------------------------------------------------------

def xlsx(report: AnnualReport) -> bytes:
    """汇总 first (指标代码 · 指标 · 数值 · 单位 · 口径, then the prose), a sheet per programme, 口径 last.
    Every text cell passes the formula guard; nothing is written as a formula or a link."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                        "strings_to_numbers": False})
    formats = {"head": book.add_format({"bold": True, "bg_color": "#dde6f0", "border": 1}),
               "date": book.add_format({"num_format": "yyyy-mm-dd"}),
               "int": book.add_format({"num_format": "#,##0"}),
               "title": book.add_format({"bold": True, "font_size": 14}),
               "wrap": book.add_format({"text_wrap": True, "valign": "top"})}
    summary = book.add_worksheet("汇总")
    _table(summary, report.summary, formats, widths={"指标代码": 34, "指标": 30, "口径": 90})
    row = report.summary.height + 2
    summary.write_string(row, 0, formula_safe(report_title(report)), formats["title"])
    summary.merge_range(row + 1, 0, row + 1, 4, formula_safe(report.prose), formats["wrap"])
    summary.set_row(row + 1, 120)
    for name, table in report.sheets.items():
        _table(book.add_worksheet(name[:31]), table, formats)
    _table(book.add_worksheet("口径"), definitions(), formats, widths={"指标": 30, "口径": 100, "指标代码": 34})
    book.close()
    return buffer.getvalue()


def _table(sheet, table: pl.DataFrame, formats: dict, *, widths: dict[str, int] | None = None) -> None:  # type: ignore[no-untyped-def]
    widths = widths or {}
    for col, name in enumerate(table.columns):
        sheet.write_string(0, col, name, formats["head"])
        longest = max([len(name) * 2] + [len(str(v)) * 2 for v in table[name].head(200).to_list() if v is not None])
        sheet.set_column(col, col, widths.get(name, min(max(longest, 8), 50)))
    for r, values in enumerate(table.iter_rows(), start=1):
        for col, value in enumerate(values):
            if value is None:
                continue
            if isinstance(value, str):
                sheet.write_string(r, col, formula_safe(value))
            elif isinstance(value, bool):
                sheet.write_boolean(r, col, value)
            elif isinstance(value, (int, float)):
                sheet.write_number(r, col, value, formats["int"] if isinstance(value, int) else None)
            elif isinstance(value, (date, datetime)):
                sheet.write_datetime(r, col, value if isinstance(value, datetime) else datetime(value.year, value.month,
                                                                                                 value.day), formats["date"])
            else:
                sheet.write_string(r, col, formula_safe(str(value)))
    if table.height:
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, table.height, len(table.columns) - 1)


# --- fonts and charts -------------------------------------------------------------------------------

def font_file() -> Path:
    """The CJK font the project installs (requirements.txt), else Debian's copy of the same file."""
    try:
        import paperang_p2_fonts_cjk
        packaged = Path(paperang_p2_fonts_cjk.__file__).parent / "fonts" / "wqy-microhei.ttc"
        if packaged.is_file():
            return packaged
    except ImportError:
        pass
    if _DEBIAN_FONT.is_file():
        return _DEBIAN_FONT
    raise DomainError("找不到生成 PDF 所需的中文字体（文泉驿微米黑）。请运行 make run 或 "
                      "pip install -r requirements.txt 安装依赖后重试。")


@cache
def _reportlab_font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont("WQY", str(font_file()), subfontIndex=0))
    return "WQY"


@cache
def _chart_fonts() -> None:
    import vl_convert

    vl_convert.register_font_directory(str(font_file().parent))


def _png(chart) -> bytes:  # type: ignore[no-untyped-def]
    import vl_convert

    _chart_fonts()
    spec = chart.configure(font=FONT_NAME).configure_view(stroke=None).to_dict()
    return vl_convert.vegalite_to_png(spec, scale=2)


def monthly_chart(report: AnnualReport):  # type: ignore[no-untyped-def]
    import altair as alt

    shown = report.monthly.filter(pl.col("hires").sum().over("label") > 0).with_columns(
        (pl.col("month").cast(pl.String) + "月").alias("月份"))
    labels = [label for label in CATEGORY_COLOURS if label in shown["label"].unique().to_list()]
    return alt.Chart(shown).mark_bar().encode(
        x=alt.X("月份:N", sort=[f"{m}月" for m in range(1, 13)], title=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("hires:Q", title="到岗人数", axis=alt.Axis(format="d", tickMinStep=1)),
        color=alt.Color("label:N", title="人才类别", sort=labels,
                        scale=alt.Scale(domain=labels, range=[CATEGORY_COLOURS[x] for x in labels])),
    ).properties(width=440, height=220, title="每月到岗（按人才类别）")


def funnel_chart(report: AnnualReport):  # type: ignore[no-untyped-def]
    import altair as alt

    base = alt.Chart(report.funnel).encode(
        y=alt.Y("label:N", sort=report.funnel["label"].to_list(), title=None),
        x=alt.X("candidates:Q", title="人数", axis=alt.Axis(format="d", tickMinStep=1)))
    text = base.mark_text(align="left", dx=4).encode(text=alt.Text("candidates:Q", format=","))
    return (base.mark_bar(color="#2e86c1") + text).properties(width=420, height=220, title="招聘漏斗（当年跨过各阶段人数）")


def enclave_chart(report: AnnualReport):  # type: ignore[no-untyped-def]
    import altair as alt

    table = report.sheets["各飞地"].select("飞地", "到岗")
    return alt.Chart(table).mark_bar(color="#1f4e79").encode(
        x=alt.X("飞地:N", sort="-y", title=None, axis=alt.Axis(labelAngle=-40)),
        y=alt.Y("到岗:Q", title="到岗人数", axis=alt.Axis(format="d", tickMinStep=1)),
    ).properties(width=440, height=200, title="各飞地到岗")


def targets_chart(report: AnnualReport):  # type: ignore[no-untyped-def]
    """The scope's own targets: the share done (bars, red where behind) against the share expected by the
    report's day (a black tick); metrics the scope has no figure for (申报 in an enclave) left out."""
    import altair as alt

    own = report.targets.filter((pl.col("scope") == report.scope) & pl.col("actual").is_not_null()
                                & (pl.col("target") > 0))
    shown = own.select(
        pl.col("label").alias("指标"), (pl.col("actual") / pl.col("target")).alias("完成率"),
        (pl.col("expected") / pl.col("target")).alias("应完成率"),
        (pl.max_horizontal("actual", "expected") / pl.col("target")).alias("标注"),     # right of bar and tick
        pl.when(pl.col("behind")).then(pl.lit("落后")).otherwise(pl.lit("正常")).alias("进度"))
    base = alt.Chart(shown).encode(y=alt.Y("指标:N", sort=shown["指标"].to_list(), title=None))
    top = max(1.0, float(shown["完成率"].max() or 0))
    bars = base.mark_bar().encode(
        x=alt.X("完成率:Q", title="完成率", axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, top * 1.12])),
        color=alt.Color("进度:N", title=None, scale=alt.Scale(domain=["正常", "落后"], range=["#2e86c1", "#c0392b"])))
    expected = base.mark_tick(color="black", thickness=2, size=18).encode(x="应完成率:Q")
    text = base.mark_text(align="left", dx=5).encode(x="标注:Q", text=alt.Text("完成率:Q", format=".1%"))
    return (bars + expected + text).properties(width=400, height=max(60, 26 * shown.height),
                                               title="目标完成率（黑线为按进度应完成）")


def _tally(rows: pl.DataFrame, by: str, across: str) -> pl.DataFrame:
    """Rows counted per `by` (one line each, 合计 last), one column per value of `across`."""
    if rows.height == 0:
        return rows
    counts = rows.group_by(by, across).len().pivot(across, index=by, values="len").fill_null(0)
    counts = counts.with_columns(pl.sum_horizontal(pl.exclude(by)).alias("合计")).sort("合计", by, descending=[True, False])
    total = counts.select(pl.lit("合计").alias(by), pl.exclude(by).sum())
    return pl.concat([counts, total.cast(counts.schema)])


def _display_width(value: object) -> int:
    """Columns a cell takes: a CJK character two, anything else one."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in (f"{value:,}" if isinstance(value, int) else str(value)))


# --- PDF --------------------------------------------------------------------------------------------

def pdf(report: AnnualReport) -> bytes:
    """A4: title, the prose, 主要指标, charts and tables per programme, 口径 at the end."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = _reportlab_font()
    body = ParagraphStyle("body", fontName=font, fontSize=10.5, leading=18, wordWrap="CJK", firstLineIndent=21)
    small = ParagraphStyle("small", fontName=font, fontSize=8.5, leading=12, wordWrap="CJK")
    head = ParagraphStyle("head", fontName=font, fontSize=13, leading=20, spaceBefore=10, spaceAfter=4, keepWithNext=1)
    title = ParagraphStyle("title", fontName=font, fontSize=18, leading=26, alignment=1, spaceAfter=4)
    note = ParagraphStyle("note", fontName=font, fontSize=9, leading=13, alignment=1, textColor=colors.grey)
    width = A4[0] - 36 * mm

    esc = _esc

    def grid(table: pl.DataFrame, *, limit: int | None = None, widths: list[float] | None = None) -> list:
        shown = table.head(limit) if limit else table
        cells = [[Paragraph(esc(c), small) for c in shown.columns]]
        cells += [[Paragraph("—" if v is None else esc(f"{v:,}" if isinstance(v, int) and not isinstance(v, bool) else v),
                             small) for v in r] for r in shown.iter_rows()]
        if widths is None:   # each column as wide as its longest cell (capped), sharing the page's width
            weights = [min(max([_display_width(c)] + [_display_width(v) for v in shown[c].to_list() if v is not None]),
                           40) + 3 for c in shown.columns]
            widths = [width * w / sum(weights) for w in weights]
        t = Table(cells, colWidths=widths, repeatRows=1, hAlign="LEFT")
        t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9aa9b9")),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dde6f0")),
                               ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
        out = [t]
        if limit and table.height > limit:
            out.append(Paragraph(f"（共 {table.height:,} 行，此处列出前 {limit} 行；完整清单见 Excel 版）", small))
        return out

    def chart(c) -> Image:  # type: ignore[no-untyped-def]
        png = _png(c)
        image = Image(io.BytesIO(png))
        scale = min(width / image.imageWidth, 80 * mm / image.imageHeight)
        image.drawWidth, image.drawHeight = image.imageWidth * scale, image.imageHeight * scale
        return image

    figures = report.summary.select("指标", "数值", "单位")
    story: list = [
        Paragraph(esc(report_title(report)), title),
        Paragraph(esc(f"统计范围：{report.scope}　统计年度：{report.year} 年　生成日期：{clock.today():%Y-%m-%d}"), note),
        Spacer(1, 6 * mm),
        Paragraph(esc(report.prose), body),
        Paragraph("一、主要指标", head),
        *grid(figures, widths=[width * 0.6, width * 0.25, width * 0.15]),
    ]
    numbers = iter(["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "十三"])
    next(numbers)
    story.append(Paragraph(f"{next(numbers)}、人才引进", head))
    if report.monthly["hires"].sum():
        story.append(chart(monthly_chart(report)))
    story.append(chart(funnel_chart(report)))
    if report.enclave_code is None and report.sheets["各飞地"].height:
        story += [Paragraph(f"{next(numbers)}、人才飞地", head), chart(enclave_chart(report)), *grid(report.sheets["各飞地"])]
    sheets = report.sheets
    story += _retention_section(report, next(numbers), head=head, body=body, small=small, grid=grid)
    story += _targets_section(report, next(numbers), head=head, body=body, small=small, grid=grid, chart=chart)
    # Long registers are tabulated in the PDF (their rows are the workbook's); short ones listed.
    sections = (("校园招聘（扬帆计划等）", sheets["校园招聘"].select("名称", "日期", "高校", "企业", "岗位", "报名", "签约意向", "到岗"), 40),
                ("校地协议", sheets["校地协议"].select("名称", "高校", "协议类型", "开始日期", "结束日期"), 40),
                ("联合培养研究生（按高校）", _tally(sheets["联合培养"], "高校", "去向"), None),
                ("科技副总·柔性引进（按类型与级别）", _tally(sheets["科技副总·柔性引进"].with_columns(
                    pl.col("级别").fill_null("未填")), "类型", "级别"), None),
                ("人才项目申报（全市）", sheets["人才项目申报"], None),
                ("产业人才班与产才对接活动（全市）",
                 sheets["人才活动"].select("名称", "类型", "开始日期", "结束日期", "产业", "参加人数"), 40))
    for number, (heading, table, limit) in zip(numbers, sections):
        story.append(Paragraph(f"{number}、{esc(heading)}", head))
        story += grid(table, limit=limit) if table.height else [Paragraph("当年无记录。", small)]
    story += [Paragraph("附：统计口径", head),
              *grid(definitions().select("指标", "口径"), widths=[width * 0.3, width * 0.7])]

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm,
                            bottomMargin=16 * mm, title=report_title(report), author="平湖市人才办",
                            subject="年度人才工作报告")

    def footer(canvas, doc) -> None:  # type: ignore[no-untyped-def]
        canvas.setFont(font, 8)
        canvas.drawCentredString(A4[0] / 2, 9 * mm, f"— {doc.page} —")

    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def _retention_section(report: AnnualReport, number: str, *, head, body, small, grid) -> list:  # type: ignore[no-untyped-def]
    """人才留平: the prose, the cohorts' due milestones, then by category (and, for the city, by enclave);
    by employer only in the workbook (hundreds of rows)."""
    from reportlab.platypus import Paragraph

    table = report.sheets["留平"]
    columns = ["到岗年度", "回访节点（月）", "到岗", "应回访", "留平", "离开", "逾期未回访", "留平率（%）"]
    out = [Paragraph(f"{number}、人才留平", head), Paragraph(_esc(report.retention_prose), body)]
    if table.height == 0:
        return out
    out += grid(table.filter(pl.col("分组方式") == "全部").select(columns))
    groups = [("人才类别（到岗时）", "按到岗时人才类别")] + ([("飞地", "按人才飞地")] if report.enclave_code is None else [])
    for grouping, caption in groups:
        rows = table.filter(pl.col("分组方式") == grouping)
        if rows.height:
            out += [Paragraph(caption, small), *grid(rows.select(columns[0], pl.col("分组").alias(grouping), *columns[1:]),
                                                     limit=40)]
    out.append(Paragraph("按企业的留平明细见 Excel 版「留平」表。", small))
    return out


def _targets_section(report: AnnualReport, number: str, *, head, body, small, grid, chart) -> list:  # type: ignore[no-untyped-def]
    """目标进度: the prose, a chart of the scope's own targets, their table, and (for the city) the
    enclaves' targets that fall behind; every target in the workbook."""
    from reportlab.platypus import Paragraph

    out = [Paragraph(f"{number}、目标进度", head), Paragraph(_esc(report.targets_prose), body)]
    table = report.sheets["目标进度"]
    if table.height == 0:
        return out
    columns = ["指标", "目标", "完成", "按进度应完成", "完成率（%）", "进度"]
    own = table.filter(pl.col("范围") == report.scope)
    if report.targets["as_of"][0] is not None and own["完成"].drop_nulls().len():
        out.append(chart(targets_chart(report)))
    if own.height:
        out += grid(own.select(columns))
    others = table.filter(pl.col("范围") != report.scope)
    if others.height:
        late = others.filter(pl.col("进度") == "落后")
        out.append(Paragraph(f"各人才飞地目标{others.height}项，落后于进度的{late.height}项"
                             + ("如下；" if late.height else "；") + "全部目标见 Excel 版「目标进度」表。", small))
        if late.height:
            out += grid(late.select("范围", *columns), limit=40)
    return out


def _esc(text: object) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
