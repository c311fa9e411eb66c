"""Figures managers report, counted from rows: hires by category, drives, funnel, enclaves.

Counting rules (DESIGN.md): a person counts once per category per year; a hire is an application
reaching `arrived`, in the year of that event, under the talent category the arrival recorded (the
person's category when they arrived, stage_event.talent_category: a later edit of the person does
not move past years' hires); merged-away records never count; people deleted on request
(anonymised) still do. Recruiters see their own enclave's figures only.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

import polars as pl

from db import clock, funnels
from db.enums import PIPELINE, AgreementStatus, Level, Stage, TalentCategory
from db.permissions import Action, User, require, scope_enclave
from db.programmes import declarations, events
from db.sql import Cursor, frame, rows, scalar, year_bounds

EXPIRING_WITHIN = timedelta(days=90)
INTENT_OR_LATER = tuple(s.value for s in PIPELINE if s.rank >= Stage.INTENT.rank)


@dataclass(frozen=True)
class Headline:
    """The year's figures in the shape of `python -m db report --json`."""

    hires_young_phd: int
    hires_young_graduate: int
    hires_high_skill: int
    drive_employers: int
    drive_universities: int
    drive_positions: int
    drive_intents: int
    co_supervised: int
    tech_vp: int
    flexible_high_level: int
    enclaves: int
    agreement_universities: int
    # Keys only ever added (after every older one): defaults keep older positional construction working.
    declaration_applicants_national: int = 0
    declaration_batches_national: int = 0
    declaration_applicants_provincial: int = 0
    talent_classes: int = 0
    talent_class_trainees: int = 0
    matching_events: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def _scope(actor: User) -> dict:
    require(actor, Action.VIEW_DASHBOARD)
    return {"enclave": scope_enclave(actor)}


def _counted_people(column: str, enclave: int | None) -> str:
    """SQL true when the person id in `column` counts for the scope: not merged away and, for an
    enclave, theirs. The city's test is an anti-join on the few merged records, so the events need
    no join with a million candidates; an enclave's is a semi-join on its own people."""
    if enclave is None:
        return f"{column} not in (select id from candidate where merged_into is not null)"
    return f"{column} in (select id from candidate where merged_into is null and enclave_id = $enclave)"


def years(cur: Cursor, actor: User) -> list[int]:
    """Years that have any hires, drives or appointments, newest first; always includes this year."""
    return year_choices(cur, actor)[0]


def default_year(cur: Cursor, actor: User) -> int:
    """This year if anyone was hired in it yet, else the most recent year with hires."""
    return year_choices(cur, actor)[1]


def year_choices(cur: Cursor, actor: User) -> tuple[list[int], int]:
    """`years` and `default_year` from one pass over the arrivals (a year picker wants both)."""
    _scope(actor)
    found = rows(
        cur,
        """
        select y, bool_or(hired) from (
            select year(occurred_at) as y, true as hired from stage_event where to_stage = 'arrived' group by 1
            union all select year(held_on), false from campus_drive
            union all select year(starts_on), false from appointment
        ) where y is not null group by y
        """,
    )
    this_year = clock.today().year
    latest = max((int(y) for y, hired in found if hired and y <= this_year), default=this_year)
    return sorted({int(r[0]) for r in found} | {this_year}, reverse=True), latest


def hires_by_category(cur: Cursor, actor: User, year: int) -> dict[str, int]:
    """Distinct people hired in `year`, per talent category at arrival (every category present, zero if none).
    Summed from monthly_hires: a person counts in one month per category, so the months add up."""
    return _hires_of(monthly_hires(cur, actor, year))


def _hires_of(monthly: pl.DataFrame) -> dict[str, int]:
    totals = dict(monthly.group_by("category").agg(pl.col("hires").sum()).iter_rows())
    return {c.value: int(totals.get(c.value, 0)) for c in TalentCategory}


def drive_figures(cur: Cursor, actor: User, year: int) -> dict[str, int]:
    """Campus drives held in `year` (cancelled ones excluded) and what came of them."""
    params = _scope(actor) | year_bounds(year)
    drives_where = (
        "d.status <> 'cancelled' and d.held_on >= $start and d.held_on < $end"
        " and ($enclave is null or d.enclave_id = $enclave)"
    )
    drives, universities = rows(
        cur, f"select count(*), count(distinct d.university_id) from campus_drive d where {drives_where}", params
    )[0]
    employers, positions = rows(
        cur,
        f"""
        select count(distinct de.employer_id), coalesce(sum(de.positions_offered), 0)
        from drive_employer de join campus_drive d on d.id = de.drive_id where {drives_where}
        """,
        params,
    )[0]
    intents = scalar(
        cur,
        f"""
        select count(distinct a.candidate_id)
        from application a
        join campus_drive d on d.id = a.drive_id
        join candidate c on c.id = a.candidate_id
        where {drives_where} and c.merged_into is null
          and a.id in (select application_id from stage_event where to_stage in {INTENT_OR_LATER})
        """,
        params,
    )
    return {"drives": int(drives), "drive_universities": int(universities), "drive_employers": int(employers),
            "drive_positions": int(positions), "drive_intents": int(intents)}


def programme_figures(cur: Cursor, actor: User, year: int) -> dict[str, int]:
    """Co-supervised students active in the year, appointments started in it, enclaves, agreements."""
    params = _scope(actor) | year_bounds(year)
    co_supervised = scalar(
        cur,
        """
        select count(*) from co_supervision s join candidate c on c.id = s.candidate_id
        where s.starts_on < $end and (s.expected_graduation is null or s.expected_graduation >= $start)
          and c.merged_into is null and ($enclave is null or c.enclave_id = $enclave)
        """,
        params,
    )
    appointments = dict(rows(
        cur,
        """
        select kind, count(*) from appointment
        where starts_on >= $start and starts_on < $end and ($enclave is null or enclave_id = $enclave)
        group by kind
        """,
        params,
    ))
    enclaves = scalar(
        cur,
        "select count(*) from enclave where active and (opened_on is null or opened_on < $end)"
        " and ($enclave is null or id = $enclave)",
        params,
    )
    agreement_universities = scalar(
        cur,
        """
        select count(distinct university_id) from agreement
        where starts_on < $end and (ends_on is null or ends_on >= $start)
          and ($enclave is null or enclave_id = $enclave)
        """,
        params,
    )
    return {"co_supervised": int(co_supervised), "tech_vp": int(appointments.get("tech_vp", 0)),
            "flexible_high_level": int(appointments.get("flexible", 0)), "enclaves": int(enclaves),
            "agreement_universities": int(agreement_universities)}


def declaration_figures(cur: Cursor, actor: User, year: int) -> dict[str, int]:
    """Talent-programme declarations of `year` as the city reports them ("国家级申报两批次165人"),
    counted by declarations.figures — the 人才项目申报 screen's function: applicants are distinct
    people per year and level (a linked candidate once, a name given without one once). The register
    names no enclave, so these are the city's figures whatever the actor's scope."""
    _scope(actor)
    by_level = {r["level"]: r for r in declarations.figures(cur, actor, year).iter_rows(named=True)}
    national = by_level.get(Level.NATIONAL.value, {})
    provincial = by_level.get(Level.PROVINCIAL.value, {})
    return {"declaration_applicants_national": int(national.get("applicants", 0)),
            "declaration_batches_national": int(national.get("batches", 0)),
            "declaration_applicants_provincial": int(provincial.get("applicants", 0))}


def event_figures(cur: Cursor, actor: User, year: int) -> dict[str, int]:
    """Talent events starting in `year` as the city reports them ("产业人才班12期、学员700余人，产才对接
    活动7场"), counted by events.summary — the 人才活动 screen's function: events not deactivated, and
    trainees as distinct people across all of the year's classes. Events name no enclave, so these are
    the city's figures whatever the actor's scope."""
    _scope(actor)
    by_kind = {r["kind"]: r for r in events.summary(cur, actor, year).iter_rows(named=True)}
    classes, matching = by_kind[events.EventKind.TALENT_CLASS], by_kind[events.EventKind.MATCHING]
    return {"talent_classes": int(classes["events"]), "talent_class_trainees": int(classes["attendees"]),
            "matching_events": int(matching["events"])}


def headline(cur: Cursor, actor: User, year: int) -> Headline:
    return _headline(hires_by_category(cur, actor, year), drive_figures(cur, actor, year),
                     programme_figures(cur, actor, year), declaration_figures(cur, actor, year),
                     event_figures(cur, actor, year))


def _headline(hires: dict[str, int], drives: dict[str, int], programmes: dict[str, int],
              declared: dict[str, int], held: dict[str, int]) -> Headline:
    return Headline(
        hires_young_phd=hires[TalentCategory.YOUNG_PHD],
        hires_young_graduate=hires[TalentCategory.YOUNG_GRADUATE],
        hires_high_skill=hires[TalentCategory.HIGH_SKILL],
        drive_employers=drives["drive_employers"],
        drive_universities=drives["drive_universities"],
        drive_positions=drives["drive_positions"],
        drive_intents=drives["drive_intents"],
        **programmes,
        **declared,
        **held,
    )


def targets(cur: Cursor, actor: User, year: int) -> dict[str, int]:
    """Metric → target for the actor's scope: the city's, or a recruiter's enclave's."""
    params = _scope(actor) | {"year": year}
    found = rows(
        cur,
        """
        select metric, sum(value) from target
        where year = $year and (($enclave is null and enclave_id is null) or enclave_id = $enclave)
        group by metric
        """,
        params,
    )
    return {k: int(v) for k, v in found}


def agreement_status(cur: Cursor, actor: User, *, today: date | None = None) -> dict[str, int]:
    """Agreements by status on `today` (derived from dates, never stored)."""
    params = _scope(actor) | {"today": today or clock.today()}
    params["soon"] = params["today"] + EXPIRING_WITHIN
    found = rows(
        cur,
        """
        select case
                 when starts_on > $today then 'not_started'
                 when ends_on is not null and ends_on < $today then 'expired'
                 when ends_on is not null and ends_on <= $soon then 'expiring'
                 else 'active' end as status,
               count(*)
        from agreement where $enclave is null or enclave_id = $enclave
        group by 1
        """,
        params,
    )
    counts = {s.value: 0 for s in AgreementStatus}
    counts.update({k: int(v) for k, v in found})
    return counts


def monthly_hires(cur: Cursor, actor: User, year: int) -> pl.DataFrame:
    """Hires per month and category at arrival: columns month (1–12), category, label, hires. A person
    counts once per category, in the month of their first arrival in the year under it."""
    params = _scope(actor) | year_bounds(year)
    found = frame(
        cur,
        f"""
        select cast(month(first_arrival) as integer) as month, talent_category as category,
               cast(count(*) as integer) as hires
        from (
            select e.candidate_id, e.talent_category, min(e.occurred_at) as first_arrival
            from stage_event e
            where e.to_stage = 'arrived' and e.occurred_at >= $start and e.occurred_at < $end
              and {_counted_people("e.candidate_id", params["enclave"])}
            group by e.candidate_id, e.talent_category
        )
        group by 1, 2
        """,
        params,
    )
    grid = pl.DataFrame({"month": list(range(1, 13))}, schema={"month": pl.Int32}).join(
        pl.DataFrame({"category": [c.value for c in TalentCategory]}), how="cross"
    )
    return (
        grid.join(found.with_columns(pl.col("month").cast(pl.Int32)), on=["month", "category"], how="left")
        .with_columns(
            pl.col("hires").fill_null(0).cast(pl.Int64),
            pl.col("category").replace_strict(TalentCategory.labels(), default=None).alias("label"),
        )
        .sort("month", "category")
    )


def funnel(cur: Cursor, actor: User, year: int) -> pl.DataFrame:
    """People who crossed each pipeline stage during `year`: columns stage, label, rank, candidates.

    A move from stage a to stage b crosses every stage in (a, b]; a person counts once per stage.
    Counted by db/funnels.crossings — the 分析 → 漏斗 screen's and `python -m db funnel`'s function —
    without a slice or grouping.
    """
    counts = funnels.crossings(cur, actor, funnels.Slice.year(year))
    return counts.select("stage", pl.col("stage_label").alias("label"), "rank",
                         pl.col("people").alias("candidates"))


def by_enclave(cur: Cursor, actor: User, year: int) -> pl.DataFrame:
    """Per enclave: new candidates, intents and hires in `year`, and the hires target.

    Intents and hires are the year's funnel by enclave (db/funnels.crossings): the people who crossed
    签约意向 / 已到岗 in the year — a move into intent or later from below it, a move into 已到岗 (the
    pipeline allows no move out of an exit or 留平, so no other move reaches them). That reads the
    per-person crossings stored by every writer instead of the year's events."""
    return _enclaves_of(_enclave_rows(cur, actor, year), _crossed_by_enclave(cur, actor, year))


def _crossed_by_enclave(cur: Cursor, actor: User, year: int) -> pl.DataFrame:
    """The year's crossings by enclave: 总览 reads both its funnel and its per-enclave intents and hires
    from this one count (enclave is one value per person, people without one a group of their own, so the
    groups add up to the funnel — tests/test_funnels.py pins that)."""
    return funnels.crossings(cur, actor, funnels.Slice.year(year), by="enclave")


def _funnel_of(crossed: pl.DataFrame) -> pl.DataFrame:
    """`funnel`'s frame from the crossings by enclave: every stage, its people summed over the groups."""
    totals = dict(crossed.group_by("stage").agg(pl.col("people").sum()).iter_rows())
    return pl.DataFrame({
        "stage": [s.value for s in PIPELINE], "label": [s.label for s in PIPELINE],
        "rank": pl.Series([s.rank for s in PIPELINE], dtype=pl.Int32),
        "candidates": pl.Series([int(totals.get(s.value, 0)) for s in PIPELINE], dtype=pl.Int64),
    })


def _enclave_rows(cur: Cursor, actor: User, year: int) -> pl.DataFrame:
    """Per active enclave in scope: its new candidates of the year and its hires target."""
    params = _scope(actor) | year_bounds(year) | {"year": year}
    return frame(
        cur,
        """
        with created as (
            select enclave_id, count(*) as candidates from candidate
            where created_at >= $start and created_at < $end and merged_into is null
            group by 1
        ), goals as (
            select enclave_id, sum(value) as target from target
            where year = $year and enclave_id is not null
              and metric in ('young_phd', 'young_graduate', 'high_skill', 'high_level')
            group by 1
        )
        select n.id as enclave_id, n.code, n.name, n.city,
               cast(coalesce(cr.candidates, 0) as bigint) as candidates,
               cast(g.target as bigint) as target
        from enclave n
        left join created cr on cr.enclave_id = n.id
        left join goals g on g.enclave_id = n.id
        where n.active and ($enclave is null or n.id = $enclave)
        """,
        params,
    )


def _enclaves_of(found: pl.DataFrame, crossed: pl.DataFrame) -> pl.DataFrame:
    crossed = crossed.filter(pl.col("key") != "")
    moves = pl.DataFrame({"enclave_id": crossed.filter(stage="intent")["key"].cast(pl.Int64),
                          "intents": crossed.filter(stage="intent")["people"],
                          "hires": crossed.filter(stage="arrived")["people"]})
    return (found.join(moves, on="enclave_id", how="left")
            .with_columns(pl.col("intents", "hires").fill_null(0).cast(pl.Int64))
            .select("enclave_id", "code", "name", "city", "candidates", "intents", "hires", "target")
            .sort(["hires", "code"], descending=[True, False]))


@dataclass(frozen=True)
class Overview:
    """Everything the 总览 screen shows for one year and scope."""

    headline: Headline
    hires: dict[str, int]
    targets: dict[str, int]
    drives: dict[str, int]
    agreements: dict[str, int]
    monthly: pl.DataFrame
    funnel: pl.DataFrame
    enclaves: pl.DataFrame


def _with_progress(enclaves: pl.DataFrame) -> pl.DataFrame:
    return enclaves.with_columns((pl.col("hires") / pl.col("target")).fill_nan(None).alias("progress"))


@dataclass(frozen=True)
class Part:
    """One independently computed piece of 总览, with the data topics (db/data_versions.py) it counts."""

    compute: Callable[[Cursor, User, int], Any]
    topics: tuple[str, ...]


# 总览 in parts, so pages/_cache.py can key each on the versions of what it counts: a stage move recomputes
# the people parts, a register edit only its register's. A part that joins candidates names "people"
# (a merge or an enclave change moves its figures too).
OVERVIEW_PARTS: dict[str, Part] = {
    "monthly": Part(monthly_hires, ("people",)),   # hires by category are its sums
    # The funnel and the per-enclave intents/hires are one count (assemble splits it); a target or an
    # enclave edit recomputes only the enclaves' own rows.
    "funnel": Part(_crossed_by_enclave, ("people",)),
    "enclaves": Part(_enclave_rows, ("people", "enclave", "target")),
    "drives": Part(drive_figures, ("people", "campus_drive")),
    "programmes": Part(programme_figures, ("people", "co_supervision", "appointment", "enclave", "agreement")),
    "declarations": Part(declaration_figures, ("declaration",)),
    "events": Part(event_figures, ("people", "talent_event")),
    "targets": Part(targets, ("target",)),
    "agreements": Part(lambda cur, actor, year: agreement_status(cur, actor), ("agreement", "today")),  # on today
}


def overview(cur: Cursor, actor: User, year: int) -> Overview:
    return assemble({name: part.compute(cur, actor, year) for name, part in OVERVIEW_PARTS.items()})


def assemble(parts: Mapping[str, Any]) -> Overview:
    """The Overview from its parts (OVERVIEW_PARTS' names → what each computed)."""
    hires = _hires_of(parts["monthly"])
    return Overview(
        headline=_headline(hires, parts["drives"], parts["programmes"], parts["declarations"], parts["events"]),
        hires=hires,
        targets=parts["targets"],
        drives=parts["drives"],
        agreements=parts["agreements"],
        monthly=parts["monthly"],
        funnel=_funnel_of(parts["funnel"]),
        enclaves=_with_progress(_enclaves_of(parts["enclaves"], parts["funnel"])),
    )


def data_version(cur: Cursor) -> tuple:
    """Changes whenever data the dashboards count changes (every command audits; bulk loads add
    events or candidates), so cached figures can be keyed on it. Cheap: max() of key columns."""
    return tuple(rows(cur, """
        select (select max(id) from audit_log), (select max(id) from stage_event),
               (select max(id) from candidate), (select max(id) from target)
    """)[0])


def report_text(h: Headline, *, year: int, scope_name: str = "全市") -> str:
    """The headline in the city's reporting style, built from the figures themselves."""
    this_year = clock.today().year
    when = "今年以来" if year == this_year else f"{year}年"
    parts = [
        f"{when}，{scope_name}已引进青年博士{h.hires_young_phd}人、青年大学生{h.hires_young_graduate}人、"
        f"培育高能人才{h.hires_high_skill}人",
    ]
    if h.drive_universities:
        parts.append(
            f"组织{h.drive_employers}家企业赴{h.drive_universities}所高校开展校园招聘，"
            f"提供岗位{h.drive_positions}个，达成签约意向{h.drive_intents}人"
        )
    if h.co_supervised:
        parts.append(f"联合培养研究生{h.co_supervised}名")
    if h.tech_vp or h.flexible_high_level:
        parts.append(f"选派科技副总{h.tech_vp}名，柔性引进高层次人才{h.flexible_high_level}名")
    if h.enclaves or h.agreement_universities:
        parts.append(f"依托{h.enclaves}个人才飞地，与{h.agreement_universities}所高校建立校地合作")
    # Declarations and talent events name no enclave: an enclave's sentence leaves out the city's figures.
    if scope_name == "全市" and (h.declaration_applicants_national or h.declaration_applicants_provincial):
        parts.append("组织" + "、".join(
            text for text, shown in ((f"国家级人才项目申报{h.declaration_batches_national}批次{h.declaration_applicants_national}人",
                                      h.declaration_applicants_national),
                                     (f"省级人才项目申报{h.declaration_applicants_provincial}人",
                                      h.declaration_applicants_provincial)) if shown))
    if scope_name == "全市" and (h.talent_classes or h.matching_events):
        parts.append("，".join(
            text for text, shown in ((f"举办产业人才班{h.talent_classes}期、培训学员{h.talent_class_trainees}人",
                                      h.talent_classes), (f"开展产才对接活动{h.matching_events}场", h.matching_events))
            if shown))
    return "；".join(parts) + "。"
