"""The funnel explorer's counting: distinct people who crossed each pipeline stage in a period, for a
slice (filters) and grouped by one dimension — the one function behind 分析 → 漏斗, 总览's funnel,
分析 → 来源 and `python -m db funnel`.

What counts (the 总览 funnel's rules, db/analytics.py):
- A move from stage a to stage b crosses every open stage in (a, b]; an application's creation
  crosses everything up to its first stage; exits (未通过 / 放弃) and steps back cross nothing.
- A move counts in the period its effective date (`stage_event.occurred_at`) falls in — a backdated
  arrival counts in the month it happened, not when it was typed in.
- A person counts once per stage and group. Merged-away records never count (a merge moves their
  history to the survivor, who counts); people deleted on request still count.
- Recruiters see their own enclave only (`scope_enclave`).

Dimensions are per person (enclave, channel, university, tier, agreement, category, degree: one
value each, so the groups add up to the total) or per application (drive, programme, employer,
industry, 金鹰 tier): a person counts under every group whose applications carried their crossing,
so such groups may add up to more than the total. People without a value form the group「（未填）」.
Category is the talent category a person had when they arrived (the snapshot on their latest arrival
before the period ends, stage_event.talent_category), else — never hired by then — their current one:
editing a person after their hire does not move them between a past year's groups.

Fast path: for a period of whole calendar years (Slice.year, or a range from 1 January to 1 January)
and no per-application dimension in the grouping or the filters, each person's crossed stages are read
from stage_crossing — the same bitmask per person and year that the events path computes, stored by
every command that writes stage_event (db/stage_derived.py, checked by `db check`) — instead of folding
the year's millions of events on every read. Date ranges and per-application dimensions (which need to
know which application carried each move) count from the events.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import polars as pl

from db.candidates import mask_frame
from db.enums import PIPELINE, Channel, TalentCategory
from db.errors import ValidationError
from db.permissions import Action, User, require, scope_enclave
from db.sql import Cursor, frame, scalar, year_bounds
from db.stage_derived import FORWARD_MOVES, MOVE_MASK

NO_VALUE = "（未填）"
ALL = "全部"
PAGE_SIZE = 50
STAGES = tuple(s.value for s in PIPELINE)
RANKS = {s.value: s.rank for s in PIPELINE}
LABELS = {s.value: s.label for s in PIPELINE}


def _case(column: str, labels: dict[str, str]) -> str:
    """A SQL CASE turning our own enum codes into their labels (constants from db/enums.py only)."""
    whens = " ".join(f"when '{code}' then '{label}'" for code, label in labels.items())
    return f"case {column} {whens} else {column} end"


@dataclass(frozen=True)
class Dimension:
    code: str
    label: str
    key: str                    # SQL over a move's rows (c candidate, a application, + joins): the group's key
    name: str = "p.k"           # SQL over the key `p.k` (+ label_joins): the group's label
    joins: tuple[str, ...] = ()
    label_joins: tuple[str, ...] = ()
    per_application: bool = False


_UNI = "left join university u on u.id = c.university_id"
_EMPLOYER = "left join employer em on em.id = a.employer_id"
_DRIVE = "left join campus_drive d on d.id = a.drive_id"
# The category at hire: the snapshot on each person's latest arrival before the period's end.
_HIRED_AS = ("left join (select candidate_id, arg_max(talent_category, occurred_at) as talent_category"
             " from stage_event where to_stage = 'arrived' and occurred_at < $end group by 1) hired_as"
             " on hired_as.candidate_id = c.id")
_TIER = ("case when u.is_985 then '985' when u.is_211 then '211' when u.is_double_first_class then '双一流'"
         " when u.id is not null then '其他院校' end")

# Keys are grouped raw and labelled afterwards (a join on the few groups, not on every move).
DIMENSIONS: dict[str, Dimension] = {d.code: d for d in (
    Dimension("enclave", "飞地", "c.enclave_id", "n.name", label_joins=("left join enclave n on n.id = p.k",)),
    Dimension("channel", "来源渠道", "c.channel", _case("p.k", Channel.labels())),
    Dimension("drive", "校园招聘场次", "a.drive_id", "d.title || '（' || cast(d.held_on as varchar) || '）'",
              label_joins=("left join campus_drive d on d.id = p.k",), per_application=True),
    Dimension("programme", "招聘项目", "d.programme", joins=(_DRIVE,), per_application=True),
    Dimension("university", "院校", "c.university_id", "u.name", label_joins=("left join university u on u.id = p.k",)),
    Dimension("tier", "院校层次", _TIER, joins=(_UNI,)),
    Dimension("agreement", "院校协议", "c.source_agreement_id", "coalesce(ag.title, agu.name || ' · ' || ag.kind)",
              label_joins=("left join agreement ag on ag.id = p.k left join university agu on agu.id = ag.university_id",)),
    Dimension("employer", "企业", "a.employer_id", "em.name", label_joins=("left join employer em on em.id = p.k",),
              per_application=True),
    Dimension("industry", "产业", "em.industry", joins=(_EMPLOYER,), per_application=True),
    Dimension("golden_eagle", "金鹰企业层级", "em.golden_eagle_tier", joins=(_EMPLOYER,), per_application=True),
    Dimension("category", "人才类别", "coalesce(hired_as.talent_category, c.talent_category)",
              _case("p.k", TalentCategory.labels()), joins=(_HIRED_AS,)),
    Dimension("degree", "学历", "c.degree"),
)}


def dimension(code: str) -> Dimension:
    """The dimension named `code`, or a Chinese error listing the ones there are."""
    try:
        return DIMENSIONS[code]
    except KeyError:
        known = "、".join(f"{d.code}（{d.label}）" for d in DIMENSIONS.values())
        raise ValidationError(f"未知的分组维度：{code}。可用的维度：{known}。", field="by") from None


@dataclass(frozen=True)
class Slice:
    """Which moves count: a half-open period [start, end) and, per dimension, the group keys kept."""

    start: date
    end: date
    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @classmethod
    def year(cls, year: int, **filters: list[str] | tuple[str, ...]) -> "Slice":
        bounds = year_bounds(year)
        return cls(bounds["start"], bounds["end"], _filters(filters))

    @classmethod
    def between(cls, start: date, end: date, **filters: list[str] | tuple[str, ...]) -> "Slice":
        if end <= start:
            raise ValidationError(f"结束日期 {end} 须晚于开始日期 {start}。", field="end")
        return cls(start, end, _filters(filters))


def _filters(given: dict[str, Any]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    for code in given:
        dimension(code)
    return tuple(sorted((k, tuple(sorted(str(v) for v in vs))) for k, vs in given.items() if vs))


def key_sql(d: Dimension) -> str:
    """SQL of a dimension's key as text over a move's rows, '' when blank (what filters and groups match)."""
    return f"coalesce(cast({d.key} as varchar), '')"


@dataclass(frozen=True)
class SliceSql:
    """What every query over a slice's rows (c candidate, a application) adds: joins, where, parameters."""

    joins: str
    where: str
    params: dict[str, Any]
    per_application: bool      # some dimension used reads the application (a): join it


def slice_sql(actor: User, where: Slice, *also: Dimension) -> SliceSql:
    """The slice's filters, the actor's scope and the merged-record rule, for the dimensions in the
    slice and `also` (the grouping). Filter values are bound parameters; keys and joins are ours."""
    require(actor, Action.VIEW_DASHBOARD)
    params: dict[str, Any] = {"start": where.start, "end": where.end, "enclave": scope_enclave(actor)}
    used = [DIMENSIONS[code] for code, _ in where.filters] + list(also)
    clauses = ["c.merged_into is null", "($enclave is null or c.enclave_id = $enclave)"]
    for i, (code, keys) in enumerate(where.filters):
        params[f"f{i}"] = list(keys)
        clauses.append(f"list_contains($f{i}, {key_sql(DIMENSIONS[code])})")
    return SliceSql(" ".join(dict.fromkeys(j for d in used for j in d.joins)), " and ".join(clauses), params,
                    any(d.per_application for d in used))


def whole_years(where: Slice) -> tuple[int, int] | None:
    """(first year, year after the last) when the slice's period is whole calendar years, else None."""
    def new_year(d: date) -> bool:
        return (d.month, d.day) == (1, 1) and (not isinstance(d, datetime) or d.time() == datetime.min.time())
    return (where.start.year, where.end.year) if new_year(where.start) and new_year(where.end) else None


def _people_sql(actor: User, where: Slice, by: Dimension | None, *, derived: bool = True) -> tuple[str, dict[str, Any]]:
    """CTEs ending in `people(k, candidate_id, crossed)`: per group key (raw) and person the bitmask of
    crossed stage ranks (bit r = rank r), OR-ed over their forward moves of the period — one pass over
    the events, no range join, no count(distinct). (An application walks the pipeline continuously, so
    the union of its moves' (from, to] is (lowest from, highest to]: what 总览 counted before.)
    With `derived` and whole years, per-person slices read the stored masks (module docstring)."""
    q = slice_sql(actor, where, *([by] if by else []))
    key = by.key if by else "'*'"
    years = whole_years(where) if derived else None
    if years and not q.per_application:
        folded = ("select candidate_id, crossed from stage_crossing where year = $first_year" if years[1] == years[0] + 1
                  else "select candidate_id, bit_or(crossed) as crossed from stage_crossing"
                       " where year >= $first_year and year < $end_year group by 1")
        sql = f"""with folded as ({folded}), people as (
            select {key} as k, p.candidate_id, p.crossed
            from folded p join candidate c on c.id = p.candidate_id {q.joins}
            where {q.where}
        )"""
        return sql, q.params | {"first_year": years[0], "end_year": years[1]}
    moves = f"""
        moves as (   -- forward moves of the period, each with the bitmask of the ranks it crosses
            select e.application_id, e.candidate_id, {MOVE_MASK} as mask
            {FORWARD_MOVES} and e.occurred_at >= $start and e.occurred_at < $end
        )"""
    if q.per_application:   # fold per application first: the joins then see one row per application
        sql = f"""with {moves}, apps as (
            select application_id, any_value(candidate_id) as candidate_id, bit_or(mask) as mask
            from moves group by application_id
        ), people as (
            select {key} as k, m.candidate_id, bit_or(m.mask) as crossed
            from apps m join application a on a.id = m.application_id join candidate c on c.id = m.candidate_id
            {q.joins}
            where {q.where}
            group by 1, 2
        )"""
    else:   # one value per person: fold each person's moves first, then join the person once
        sql = f"""with {moves}, folded as (
            select candidate_id, bit_or(mask) as crossed from moves group by 1
        ), people as (
            select {key} as k, p.candidate_id, p.crossed
            from folded p join candidate c on c.id = p.candidate_id {q.joins}
            where {q.where}
        )"""
    return sql, q.params


def _labelled(by: Dimension | None, inner: str) -> str:
    """`inner` (selecting a raw key k and figures) with the group's key as text ('' when blank) and label."""
    if by is None:
        return f"select '*' as key, '{ALL}' as \"group\", p.* exclude (k) from ({inner}) p"
    return (f"select coalesce(cast(p.k as varchar), '') as key, coalesce({by.name}, '{NO_VALUE}') as \"group\","
            f" p.* exclude (k) from ({inner}) p {' '.join(by.label_joins)}")


def crossings(cur: Cursor, actor: User, where: Slice, *, by: str | None = None, derived: bool = True) -> pl.DataFrame:
    """Per group and stage, the distinct people who crossed it: columns key, group, stage, stage_label,
    rank, people — every pipeline stage for every group (zero where none), groups by their first stage's
    people (descending), stages in pipeline order. Without `by`, one group 全部.
    `derived=False` counts from the events even where the fast path applies (tests and the bench
    compare the two)."""
    d = dimension(by) if by else None
    ctes, params = _people_sql(actor, where, d, derived=derived)
    sums = ", ".join(f"cast(sum((crossed >> {RANKS[s]}) & 1) as bigint) as \"{s}\"" for s in STAGES)
    wide = frame(cur, f"{ctes} {_labelled(d, f'select k, {sums} from people group by k')}", params)
    if d is None and wide.height == 0:
        wide = pl.DataFrame({"key": ["*"], "group": [ALL], **{s: [0] for s in STAGES}})
    long = wide.unpivot(index=["key", "group"], on=list(STAGES), variable_name="stage", value_name="people")
    return (
        long.with_columns(
            pl.col("stage").replace_strict(LABELS).alias("stage_label"),
            pl.col("stage").replace_strict(RANKS, return_dtype=pl.Int32).alias("rank"),
            pl.col("people").cast(pl.Int64),
        )
        .with_columns(pl.col("people").filter(pl.col("rank") == 1).first().over("key").alias("_first"))
        .sort(["_first", "group", "key", "rank"], descending=[True, False, False, False])
        .select("key", "group", "stage", "stage_label", "rank", "people")
    )


def table(counts: pl.DataFrame) -> pl.DataFrame:
    """`crossings` as one row per group: key, group, a column per stage code, and conv_<stage> — the
    share of the previous stage's people who crossed it (None where the previous stage had nobody)."""
    if counts.height == 0:
        return pl.DataFrame(schema={"key": pl.String, "group": pl.String, **{s: pl.Int64 for s in STAGES}})
    wide = counts.pivot(on="stage", index=["key", "group"], values="people", maintain_order=True)
    rates = [
        pl.when(pl.col(prev) > 0).then(pl.col(cur) / pl.col(prev)).otherwise(None).alias(f"conv_{cur}")
        for prev, cur in zip(STAGES, STAGES[1:])
    ]
    return wide.select("key", "group", *STAGES).with_columns(rates)


def people(cur: Cursor, actor: User, where: Slice, *, stage: str, by: str | None = None, key: str | None = None,
           offset: int = 0, limit: int = PAGE_SIZE, reveal: bool = False) -> tuple[pl.DataFrame, int]:
    """The people behind one figure (group `key` of `by` × `stage`), 50 a page, contacts masked as the
    candidate list masks them; with the total."""
    if stage not in RANKS:
        raise ValidationError(f"未知的阶段：{stage}。", field="stage")
    d = dimension(by) if by else None
    ctes, params = _people_sql(actor, where, d)
    params |= {"key": key if d else "*", "bit": RANKS[stage], "offset": max(int(offset), 0),
               "limit": max(min(int(limit), 200), 1)}
    group = "true" if d is None else "coalesce(cast(k as varchar), '') = $key"
    chosen = f"select distinct candidate_id from people where {group} and (crossed >> $bit) & 1 = 1"
    total = scalar(cur, f"{ctes} select count(*) from ({chosen})", params)
    found = frame(cur, f"""{ctes}
        select c.id, c.name, c.mobile, c.email, c.enclave_id, n.name as enclave, u.name as university, c.degree,
               {_case('c.talent_category', TalentCategory.labels())} as category,
               {_case('c.channel', Channel.labels())} as channel
        from ({chosen}) x join candidate c on c.id = x.candidate_id
        left join enclave n on n.id = c.enclave_id left join university u on u.id = c.university_id
        order by c.id limit $limit offset $offset""", params)
    return mask_frame(found, actor, reveal=reveal), int(total or 0)


def cohorts(cur: Cursor, actor: User, where: Slice) -> pl.DataFrame:
    """People by month of first contact — the effective date of their earliest stage move (within the
    slice's applications) — for first contacts in the period, and how far each cohort got by now: per
    month and stage, the people whose furthest open stage ever reached is that stage or later.
    Columns month (date, first of the month), people, stage, stage_label, rank, reached, share."""
    q = slice_sql(actor, where)
    app_join = "join application a on a.id = e.application_id" if q.per_application else ""
    sums = ", ".join(f"cast(count(*) filter (where reached >= {RANKS[s]}) as bigint) as \"{s}\"" for s in STAGES)
    wide = frame(cur, f"""
        with per as (
            select e.candidate_id, min(e.occurred_at) as first_at, max(t.rank) filter (where not t.is_exit) as reached
            from stage_event e join stage t on t.code = e.to_stage join candidate c on c.id = e.candidate_id
            {app_join} {q.joins}
            where {q.where}
            group by e.candidate_id
        )
        select cast(date_trunc('month', first_at) as date) as month, cast(count(*) as bigint) as people, {sums}
        from per where first_at >= $start and first_at < $end
        group by 1 order by 1
    """, q.params)
    long = wide.unpivot(index=["month", "people"], on=list(STAGES), variable_name="stage", value_name="reached")
    return long.with_columns(
        pl.col("stage").replace_strict(LABELS).alias("stage_label"),
        pl.col("stage").replace_strict(RANKS, return_dtype=pl.Int32).alias("rank"),
        (pl.col("reached") / pl.col("people")).alias("share"),
    ).sort("month", "rank").select("month", "people", "stage", "stage_label", "rank", "reached", "share")


def options(cur: Cursor, actor: User, code: str) -> pl.DataFrame:
    """The values a slice filter on dimension `code` can take: key, label (blank as「（未填）」), over
    every person and application in the actor's scope, by label."""
    d = dimension(code)
    require(actor, Action.VIEW_DASHBOARD)
    source = ("application a join candidate c on c.id = a.candidate_id" if d.per_application else "candidate c")
    inner = (f"select distinct {d.key} as k from {source} {' '.join(d.joins)}"
             " where c.merged_into is null and ($enclave is null or c.enclave_id = $enclave)")
    # Any value a person ever had counts as an option: the category at hire as of no particular end.
    found = frame(cur, _labelled(d, inner), {"enclave": scope_enclave(actor), "end": date.max})
    return found.select("key", pl.col("group").alias("label")).sort("label")
