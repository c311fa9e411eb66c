"""年度报告: the year's figures for the city or one enclave, the register rows behind them (no personal
data) and what each figure counts — gathered once, then written as XLSX or PDF (db/annual_report_files.py).

Every figure comes from the functions the screens and `python -m db report` use (analytics.headline and
its parts, declarations.figures, events.summary): this module never counts a figure itself. An
enclave's report is what that enclave's recruiter sees: the same functions, run for an actor scoped
to the enclave (analytics scopes by permissions.scope_enclave). Declarations and talent events name
no enclave: they are the city's figures in every report, and say so.

The rows behind the figures are register rows selected as the figure selects them, with no names,
mobiles or e-mails of anyone (students, applicants, appointees, mentors) and no notes; any contact
typed into a title is removed (cells.scrubbed).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import polars as pl

from db import analytics, annual_report_progress as progress, audit, cells
from db.connection import run_in_transaction
from db.enums import Role, TalentCategory
from db.errors import NotFound, PermissionDenied, ValidationError
from db.permissions import Action, User, require, scope_enclave
from db.programmes import CITY, declarations
from db.sql import Cursor, frame, rows, year_bounds

FORMATS = ("xlsx", "pdf")

# The summary's rows: headline key → (label, unit). The keys and their order are `db report --json`'s;
# the few after them are figures the screens show beside the headline.
FIGURES: dict[str, tuple[str, str]] = {
    "hires_young_phd": ("引进青年博士", "人"),
    "hires_young_graduate": ("引进青年大学生", "人"),
    "hires_high_skill": ("培育高能人才", "人"),
    "drive_employers": ("校园招聘（扬帆计划等）参加企业", "家"),
    "drive_universities": ("校园招聘走进高校", "所"),
    "drive_positions": ("校园招聘提供岗位", "个"),
    "drive_intents": ("校园招聘达成签约意向", "人"),
    "co_supervised": ("联合培养研究生", "名"),
    "tech_vp": ("选派科技副总", "名"),
    "flexible_high_level": ("柔性引进高层次人才", "名"),
    "enclaves": ("人才飞地", "个"),
    "agreement_universities": ("校地合作高校", "所"),
    "declaration_applicants_national": ("国家级人才项目申报人数", "人"),
    "declaration_batches_national": ("国家级人才项目申报批次", "批"),
    "declaration_applicants_provincial": ("省级人才项目申报人数", "人"),
    "talent_classes": ("产业人才班", "期"),
    "talent_class_trainees": ("产业人才班学员", "人"),
    "matching_events": ("产才对接活动", "场"),
    "drives": ("校园招聘场次", "场"),
    "hires_high_level": ("引进高层次人才", "人"),
}

# 口径: what each figure counts, one line each (the 口径 sheet, the PDF's last section).
DEFINITIONS: dict[str, str] = {
    "hires_young_phd": "当年到岗（投递进入「已到岗」，按实际到岗日期计年）的不同人数，人才类别为青年博士；一人一年一类只计一次；已合并的重复记录不计，按申请删除（已匿名）的人仍计入。",
    "hires_young_graduate": "同上，人才类别为青年大学生（全日制大专及以上、35 岁以下）。",
    "hires_high_skill": "同上，人才类别为高能人才（技能人才）。",
    "hires_high_level": "同上，人才类别为高层次人才。",
    "drives": "当年举办（日期在当年、未取消）的校园招聘场次。",
    "drive_employers": "当年校园招聘的参加企业，不同企业计一次。",
    "drive_universities": "当年校园招聘走进的不同高校数。",
    "drive_positions": "当年各场校园招聘各企业提供岗位数之和。",
    "drive_intents": "当年校园招聘中投递达到「签约意向」及以后阶段的不同人数。",
    "co_supervised": "当年在培（开始日期不晚于当年、预计毕业不早于当年）的联合培养研究生人数。",
    "tech_vp": "当年开始聘期的科技副总人数。",
    "flexible_high_level": "当年开始的柔性引进高层次人才人数。",
    "enclaves": "年底前已设立、仍在运行的人才飞地数。",
    "agreement_universities": "当年有效（开始不晚于当年、未在当年之前到期）的校地协议所涉不同高校数。",
    "declaration_applicants_national": "当年国家级人才项目申报的不同申报人数（同一人多批次只计一次）；申报不分飞地，为全市数。",
    "declaration_batches_national": "当年国家级人才项目申报的批次数；全市数。",
    "declaration_applicants_provincial": "当年省级人才项目申报的不同申报人数；全市数。",
    "talent_classes": "当年开班（未停用）的产业人才班期数；人才活动不分飞地，为全市数。",
    "talent_class_trainees": "当年各期产业人才班的学员，不同人计一次（参加两期只计一次）；全市数。",
    "matching_events": "当年举办（未停用）的产才对接活动场数；全市数。",
}
CITY_WIDE = ("declaration_applicants_national", "declaration_batches_national", "declaration_applicants_provincial",
             "talent_classes", "talent_class_trainees", "matching_events")


@dataclass(frozen=True)
class AnnualReport:
    """Everything the two files say, for one year and scope."""

    year: int
    scope: str                          # 全市, or the enclave's name
    enclave_code: str | None
    headline: analytics.Headline
    figures: dict[str, int]             # FIGURES' keys → value
    prose: str                          # the report's opening, in the city's register
    summary: pl.DataFrame               # 指标代码, 指标, 数值, 单位, 口径
    monthly: pl.DataFrame               # month, category label, hires
    funnel: pl.DataFrame                # stage label, people
    sheets: dict[str, pl.DataFrame]     # sheet name → the rows behind a programme's figures (Chinese headers)
    retention_prose: str                # 留平: the cohorts' due milestones (db/annual_report_progress.py)
    targets_prose: str                  # 目标进度: the year's targets on the report's day
    targets: pl.DataFrame               # target_progress.progress's rows for the scope


def scoped(cur: Cursor, actor: User, enclave_code: str | None) -> tuple[User, str, str | None]:
    """The actor the figures are counted for, the scope's name and the enclave's code. A recruiter's
    report is their own enclave's whatever they ask; others pick the city (None) or any enclave."""
    require(actor, Action.VIEW_DASHBOARD)
    own = scope_enclave(actor)
    if enclave_code is None and own is None:
        return actor, CITY, None
    found = rows(cur, "select id, code, name from enclave where code = $c", {"c": enclave_code}) if enclave_code \
        else rows(cur, "select id, code, name from enclave where id = $id", {"id": own})
    if not found:
        raise NotFound(f"没有编码为「{enclave_code}」的人才飞地。")
    enclave_id, code, name = found[0]
    if own is not None and enclave_id != own:
        raise PermissionDenied("招才专员只能生成本飞地的年度报告。")
    # The enclave's figures are what its recruiter sees: the same functions, scoped the same way.
    as_enclave = actor if own is not None else replace(actor, role=Role.RECRUITER, enclave_id=enclave_id)
    return as_enclave, name, code


def build(cur: Cursor, actor: User, year: int, *, enclave_code: str | None = None,
          today: date | None = None) -> AnnualReport:
    """`today` is the office's (clock.today) unless a test pins it: it decides which 留平 checks are due
    and the day 目标进度 is judged on, for a report of the running year."""
    counted_as, scope, code = scoped(cur, actor, enclave_code)
    require(actor, Action.READ_PROGRAMMES)
    view = analytics.overview(cur, counted_as, year)     # what 总览 shows, for the same scope
    figures = {**view.headline.as_dict(), "drives": view.drives["drives"],
               "hires_high_level": view.hires[TalentCategory.HIGH_LEVEL]}
    retained = progress.retention(cur, counted_as, year, city=code is None, today=today)
    targets = progress.targets(cur, counted_as, year, scope=scope, today=today)
    return AnnualReport(
        year=year, scope=scope, enclave_code=code, headline=view.headline, figures=figures,
        prose=analytics.report_text(view.headline, year=year, scope_name=scope),
        summary=_summary(figures, city=code is None),
        monthly=view.monthly.select("month", "label", "hires"),
        funnel=view.funnel.select("label", "candidates"),
        sheets=_sheets(cur, counted_as, year, view) | {
            "留平": _clean(progress.retention_sheet(retained.figures)),
            "目标进度": _clean(progress.targets_sheet(targets.progress))},
        retention_prose=retained.prose, targets_prose=targets.prose, targets=targets.progress,
    )


@dataclass(frozen=True)
class Preview:
    """What the 年度报告 screen shows before a file is made: the scope, the prose and the headline figures."""

    scope: str
    enclave_code: str | None
    prose: str
    summary: pl.DataFrame               # as AnnualReport.summary, the headline's rows only


def preview(cur: Cursor, actor: User, year: int, *, enclave_code: str | None = None) -> Preview:
    counted_as, scope, code = scoped(cur, actor, enclave_code)
    headline = analytics.headline(cur, counted_as, year)
    summary = _summary(headline.as_dict(), city=code is None, keys=list(headline.as_dict()))
    return Preview(scope, code, analytics.report_text(headline, year=year, scope_name=scope), summary)


def preview_progress(cur: Cursor, actor: User, year: int, *, enclave_code: str | None = None,
                     today: date | None = None) -> tuple[str, str]:
    """The report's 留平 and 目标进度 paragraphs, as the files word them. Apart from `preview`: they take
    a second or more at scale 30, so the screen computes them only when asked. The paragraphs need the
    cohorts' totals only: no grouping by enclave or employer here."""
    counted_as, scope, code = scoped(cur, actor, enclave_code)
    retained = progress.retention(cur, counted_as, year, city=code is None, today=today, detail=False)
    return retained.prose, progress.targets(cur, counted_as, year, scope=scope, today=today).prose


def _summary(figures: dict[str, int], *, city: bool, keys: list[str] | None = None) -> pl.DataFrame:
    keys = keys or list(FIGURES)
    note = "" if city else "（全市数）"
    return pl.DataFrame({
        "指标代码": keys,
        "指标": [FIGURES[key][0] + (note if key in CITY_WIDE else "") for key in keys],
        "数值": [figures[key] for key in keys],
        "单位": [FIGURES[key][1] for key in keys],
        "口径": [DEFINITIONS[key] for key in keys],
    }, schema={"指标代码": pl.String, "指标": pl.String, "数值": pl.Int64, "单位": pl.String, "口径": pl.String})


def definitions() -> pl.DataFrame:
    """The 口径 sheet: every figure, its unit and what it counts — the summary's, then 留平's and 目标进度's."""
    extra = progress.DEFINITIONS
    return pl.DataFrame({"指标": [label for label, _ in FIGURES.values()] + [label for label, _, _ in extra.values()],
                         "单位": [u for _, u in FIGURES.values()] + [u for _, u, _ in extra.values()],
                         "口径": [DEFINITIONS[k] for k in FIGURES] + [text for _, _, text in extra.values()],
                         "指标代码": list(FIGURES) + list(extra)})


# --- the rows behind the figures -------------------------------------------------------------------

def _sheets(cur: Cursor, actor: User, year: int, view: analytics.Overview) -> dict[str, pl.DataFrame]:
    params = year_bounds(year) | {"enclave": scope_enclave(actor), "year": year}
    monthly = view.monthly.pivot("label", index="month", values="hires",
                                                              sort_columns=False)
    sheets = {
        "月度到岗": monthly.with_columns((pl.col("month").cast(pl.String) + "月").alias("month")).rename({"month": "月份"}),
        "各飞地": view.enclaves.select(
            pl.col("code").alias("编码"), pl.col("name").alias("飞地"), pl.col("city").alias("城市"),
            pl.col("candidates").alias("新增候选人"), pl.col("intents").alias("签约意向"), pl.col("hires").alias("到岗"),
            pl.col("target").alias("到岗目标")),
        "招聘漏斗": view.funnel.select(pl.col("label").alias("阶段"),
                                                            pl.col("candidates").alias("当年跨过该阶段人数")),
        "校园招聘": _drives(cur, params),
        "校园招聘企业": _drive_employers(cur, params),
        "校地协议": _agreements(cur, params),
        "联合培养": _co_supervision(cur, params),
        "科技副总·柔性引进": _appointments(cur, params),
        "人才项目申报": _declarations(cur, actor, year),
        "申报明细": _declaration_rows(cur, params),
        "人才活动": _events(cur, params),
    }
    return {name: _clean(table) for name, table in sheets.items()}


_DRIVES = """
    d.status <> 'cancelled' and d.held_on >= $start and d.held_on < $end and ($enclave is null or d.enclave_id = $enclave)"""


def _drives(cur: Cursor, params: dict) -> pl.DataFrame:
    """Each drive counted in the 校园招聘 figures: the people columns are those who applied there and
    reached 签约意向, 已签约 or 已到岗 (any time), distinct per drive."""
    return frame(cur, f"""
        with people as (
            select a.drive_id, coalesce(c.merged_into, c.id) as person,
                   coalesce(max(s.rank) filter (where not s.is_exit), 0) as top
            from application a join candidate c on c.id = a.candidate_id
            left join stage_event e on e.application_id = a.id left join stage s on s.code = e.to_stage
            where a.drive_id in (select d.id from campus_drive d where {_DRIVES}) group by 1, 2
        )
        select d.title as 名称, d.programme as 计划, d.held_on as 日期, u.name as 高校, d.city as 城市, n.name as 所属飞地,
               (select count(*) from drive_employer de where de.drive_id = d.id) as 企业,
               (select coalesce(sum(positions_offered), 0) from drive_employer de where de.drive_id = d.id) as 岗位,
               count(p.person) as 报名, count(p.person) filter (where p.top >= 5) as 签约意向,
               count(p.person) filter (where p.top >= 7) as 签约, count(p.person) filter (where p.top >= 8) as 到岗
        from campus_drive d join university u on u.id = d.university_id left join enclave n on n.id = d.enclave_id
        left join people p on p.drive_id = d.id
        where {_DRIVES}
        group by d.id, d.title, d.programme, d.held_on, u.name, d.city, n.name order by d.held_on, d.id""", params)


def _drive_employers(cur: Cursor, params: dict) -> pl.DataFrame:
    return frame(cur, f"""
        select d.title as 场次, d.held_on as 日期, m.name as 企业, m.industry as 行业, de.positions_offered as 提供岗位
        from drive_employer de join campus_drive d on d.id = de.drive_id join employer m on m.id = de.employer_id
        where {_DRIVES} order by d.held_on, d.id, m.name""", params)


def _agreements(cur: Cursor, params: dict) -> pl.DataFrame:
    return frame(cur, """
        select coalesce(a.title, u.name || a.kind) as 名称, u.name as 高校, a.kind as 协议类型, n.name as 所属飞地,
               a.signed_on as 签订日期, a.starts_on as 开始日期, a.ends_on as 结束日期, a.quota as 名额
        from agreement a join university u on u.id = a.university_id left join enclave n on n.id = a.enclave_id
        where a.starts_on < $end and (a.ends_on is null or a.ends_on >= $start)
          and ($enclave is null or a.enclave_id = $enclave)
        order by u.name, a.starts_on""", params)


def _co_supervision(cur: Cursor, params: dict) -> pl.DataFrame:
    """Students are counted, never named: one row per record, no student, mentor or topic."""
    return frame(cur, """
        select u.name as 高校, e.name as 企业, s.kind as 类型, s.starts_on as 开始日期, s.expected_graduation as 预计毕业,
               case s.outcome when 'stayed' then '留平就业' when 'left' then '离开平湖' else '待定' end as 去向,
               o.name as 留平就业企业
        from co_supervision s join candidate c on c.id = s.candidate_id join university u on u.id = s.university_id
        join employer e on e.id = s.employer_id left join employer o on o.id = s.outcome_employer_id
        where s.starts_on < $end and (s.expected_graduation is null or s.expected_graduation >= $start)
          and c.merged_into is null and ($enclave is null or c.enclave_id = $enclave)
        order by u.name, e.name, s.starts_on""", params)


def _appointments(cur: Cursor, params: dict) -> pl.DataFrame:
    return frame(cur, """
        select case p.kind when 'tech_vp' then '科技副总' else '柔性引进' end as 类型, p.title as 职务, p.level as 级别,
               p.home_institution as 派出单位, e.name as 企业, n.name as 所属飞地, p.starts_on as 开始日期, p.ends_on as 结束日期
        from appointment p left join employer e on e.id = p.employer_id left join enclave n on n.id = p.enclave_id
        where p.starts_on >= $start and p.starts_on < $end and ($enclave is null or p.enclave_id = $enclave)
        order by p.kind, p.starts_on""", params)


def _declarations(cur: Cursor, actor: User, year: int) -> pl.DataFrame:
    return declarations.figures(cur, actor, year).select(
        pl.col("level").alias("级别"), pl.col("batches").alias("批次"), pl.col("applicants").alias("申报人数"),
        pl.col("selected").alias("入选"))


def _declaration_rows(cur: Cursor, params: dict) -> pl.DataFrame:
    """One row per declaration, the applicant left out."""
    return frame(cur, """
        select d.level as 级别, d.programme as 项目名称, d.batch as 批次, e.name as 企业, d.submitted_on as 申报日期,
               case d.status when 'preparing' then '筹备' when 'submitted' then '已申报' when 'reviewing' then '评审中'
                             when 'selected' then '入选' else '未入选' end as 状态
        from declaration d left join employer e on e.id = d.employer_id
        where d.active and d.year = $year
        order by case d.level when '国家级' then 1 when '省级' then 2 else 3 end, d.batch, d.programme""", params)


def _events(cur: Cursor, params: dict) -> pl.DataFrame:
    """Each event counted in the 人才活动 figures (events.summary) and its attendees, distinct people."""
    return frame(cur, """
        select ev.name as 名称, case ev.kind when 'talent_class' then '产业人才班' when 'matching' then '产才对接活动'
                                              else '其他' end as 类型,
               ev.starts_on as 开始日期, ev.ends_on as 结束日期, ev.place as 地点, ev.organiser as 主办单位,
               ev.industry as 产业, u.name as 合作高校, ev.capacity as 计划人数,
               count(distinct coalesce(c.merged_into, c.id)) as 参加人数
        from talent_event ev left join university u on u.id = ev.university_id
        left join event_attendee x on x.event_id = ev.id left join candidate c on c.id = x.candidate_id
        where ev.active and ev.starts_on >= $start and ev.starts_on < $end
        group by all order by 开始日期, 名称""", params)


def _clean(table: pl.DataFrame) -> pl.DataFrame:
    """Contacts typed into any text cell removed (the formula guard is the writer's: it applies to any text)."""
    text = [c for c, t in table.schema.items() if t == pl.String]
    return table.with_columns(pl.col(c).map_elements(cells.scrubbed, return_dtype=pl.String) for c in text) \
        if text and table.height else table


# --- handing it out ---------------------------------------------------------------------------------

def file_name(scope: str, year: int, fmt: str) -> str:
    return f"年度人才工作报告-{year}-{scope}.{fmt}"


def format_of(path: str) -> str:
    """xlsx or pdf, from a file name; anything else is refused in Chinese."""
    fmt = path.rsplit(".", 1)[-1].lower() if "." in path else ""
    if fmt not in FORMATS:
        raise ValidationError(f"输出文件 {path} 的扩展名应为 .xlsx 或 .pdf。")
    return fmt


def export(cur: Cursor, actor: User, year: int, fmt: str, *, enclave_code: str | None = None) -> bytes:
    """The report as an XLSX or PDF file, audited like every export (who, which year and scope)."""
    from db import annual_report_files

    if fmt not in FORMATS:
        raise ValidationError("年度报告只能导出为 .xlsx 或 .pdf 文件。")
    report = build(cur, actor, year, enclave_code=enclave_code)
    data = annual_report_files.xlsx(report) if fmt == "xlsx" else annual_report_files.pdf(report)
    detail = f"导出年度报告（{fmt.upper()}）：{report.year} 年，{report.scope}；不含个人信息"
    run_in_transaction(cur, lambda c: audit.record(
        c, actor, "export", entity="年度报告", detail=detail,
        after={"year": year, "scope": report.scope, "enclave": report.enclave_code, "format": fmt, "bytes": len(data)}))
    return data
