"""`python -m loaders demo`: a deterministic demo world whose 2025 figures are Pinghu's reported ones."""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import polars as pl

from db import audit, bulk, clock, stage_derived
from db.connection import transaction
from db.errors import ValidationError
from db.permissions import SYSTEM
from db.sql import Cursor, reserve_ids, scalar
from loaders import demo_catalogue as cat
from loaders import demo_programmes
from loaders.demo_people import (
    ARRIVED, DAY, GRAD_MONTHS, GRADUATION_AGE, INTERVIEWING, PROFILES, STAGE_CODES, TAGS, day_in_year_by_month,
    epoch, events, fake_names, fix_drive_intents, pick, pinyin_columns, simulate, unique_mobiles,
)
from loaders.demo_programmes import World

FOLLOW_UP_SHARE = 0.08          # of people still in an open pipeline, who have a next follow-up date
CO_SUPERVISION_STAYED = 8     # co-supervised master's students hired in July 2025 (young graduates)
Progress = Callable[[str], None]


@dataclass(frozen=True)
class DemoSummary:
    scale: int
    seed: int
    candidates: int
    applications: int
    stage_events: int
    seconds: float


def generate(cur: Cursor, *, scale: int = 1, seed: int = 2025, events_at_least: int = 0,
             progress: Progress | None = None) -> DemoSummary:
    """Write the demo world in one transaction; refuses a database that already has candidates.

    `events_at_least` (`--events N`): when the world has fewer stage events, people apply to more
    employers — failed side applications, as graduates send several — until it has N (see
    `_more_applications`). Everything else, and every figure the city reports, is the same as without.

    People, applications and their history are bulk-written; the programme registers go through
    their commands (db/programmes/), which join this transaction: one commit, and a failure or a
    kill leaves nothing. (The database is new and this process holds it, so no write can conflict.)
    """
    if scale < 1:
        raise ValidationError("--scale 必须是正整数。")
    if events_at_least < 0:
        raise ValidationError("--events 必须是非负整数。")
    if scalar(cur, "select count(*) from candidate") or scalar(cur, "select count(*) from enclave"):
        raise ValidationError("该数据库已有业务数据：演示数据只能载入新建的空数据库（可用 --db 指定一个新文件）。")
    say = progress or (lambda _msg: None)
    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    with transaction(cur, claims=True):
        say("项目数据：飞地、账号、企业、协议、校园招聘……")
        world = demo_programmes.build(cur, rng)
        say(f"模拟招聘流程（规模 ×{scale}）……")
        people = _people(rng, world, scale)
        people = _assign(rng, world, people)
        say(f"写入 {people.height:,} 名候选人……")
        people = _write_candidates(cur, rng, world, people)
        say("写入投递与阶段记录……")
        apps = _applications(cur, rng, world, people)
        apps, history, checks = _after_arrival(rng, apps)
        stage_events = pl.concat([events(apps, rng), history], how="diagonal")
        if events_at_least > stage_events.height:
            more, more_events = _more_applications(cur, world, people, seed, events_at_least - stage_events.height)
            apps, stage_events = pl.concat([apps, more], how="diagonal"), pl.concat([stage_events, more_events])
        bulk.insert(cur, "application", _application_rows(apps))
        bulk.insert(cur, "stage_event", stage_events.with_columns(pl.from_epoch("occurred_at", time_unit="s")))
        bulk.insert(cur, "retention_check", checks)
        bulk.insert(cur, "activity", _activities(rng, people))
        say("联合培养、科技副总与柔性引进、年度目标、人才项目申报、人才活动……")
        co_counts = _co_supervision(cur, rng, world)
        demo_programmes.appointments_and_targets(cur, rng, world, scale)
        demo_programmes.declarations(cur, rng, world)
        demo_programmes.talent_events(cur, rng, world)
        say("推导停留时长与各年跨过的阶段……")
        stage_derived.refresh(cur)          # everyone's at once: the history above was written in bulk
        audit.record(cur, SYSTEM, "create", entity="demo", detail=f"载入演示数据：规模 ×{scale}，随机种子 {seed}")
    return DemoSummary(scale, seed, people.height + co_counts[0], apps.height + co_counts[1],
                       stage_events.height + co_counts[2], time.perf_counter() - started)


def _people(rng: np.random.Generator, world: World, scale: int) -> pl.DataFrame:
    hires = {
        "young_phd": cat.REPORTED["hires_young_phd"] * scale,
        "young_graduate": cat.REPORTED["hires_young_graduate"] * scale - CO_SUPERVISION_STAYED,
        "high_skill": cat.REPORTED["hires_high_skill"] * scale,
        **{k: v * scale for k, v in cat.UNREPORTED_HIRES.items()},
    }
    weight = world.enclaves["weight"].to_numpy()
    factor = rng.uniform(0.94, 1.05, size=weight.size)   # some enclaves convert better than others
    people = pl.concat([simulate(rng, c, h, factor, weight / weight.sum()) for c, h in hires.items()])
    people = people[rng.permutation(people.height)]
    return fix_drive_intents(rng, people, cat.REPORTED["drive_intents"] * scale)


def _assign(rng: np.random.Generator, world: World, people: pl.DataFrame) -> pl.DataFrame:
    """Who they are and where they came from: drive, agreement, enclave, school, timing, exit."""
    n = people.height
    channel = people["channel"].to_numpy()
    final = people["final_rank"].to_numpy()
    hired = final == ARRIVED
    enclave_ids = world.enclaves["id"].to_numpy()
    idx = people["enclave_idx"].to_numpy()
    enclave = np.where(idx >= 0, enclave_ids[np.maximum(idx, 0)], 0).astype(np.int64)

    # Campus drives: hires come from spring drives (they arrive in summer); autumn recruits graduate in 2026.
    is_drive = channel == "campus_drive"
    autumn = is_drive & ~hired & (rng.random(n) < 0.55)
    drive_id = np.zeros(n, dtype=np.int64)
    drive_day = np.zeros(n, dtype=np.int64)
    for season, mask in (("spring", is_drive & ~autumn), ("autumn", autumn)):
        d = world.drives.filter(pl.col("season") == season)
        w = d["n_employers"].to_numpy().astype(float)
        pick = rng.choice(d.height, size=int(mask.sum()), p=w / w.sum())
        drive_id[mask] = d["id"].to_numpy()[pick]
        drive_day[mask] = np.array([epoch(x) for x in d["held_on"].to_list()])[pick]
    drives = world.drives.select("id", "university_id", "enclave_id")
    drive_univ = dict(zip(drives["id"], drives["university_id"]))
    drive_enclave = dict(zip(drives["id"], drives["enclave_id"]))
    for i in np.flatnonzero(is_drive):
        if drive_enclave[drive_id[i]] is not None:
            enclave[i] = drive_enclave[drive_id[i]]

    # Agreements and joint training bring people from the partner university.
    agreement_id = np.zeros(n, dtype=np.int64)
    agreement_univ = np.zeros(n, dtype=np.int64)
    for ch, kinds in (("agreement", None), ("joint_training", ("联合培养",))):
        mask = channel == ch
        a = world.agreements if kinds is None else world.agreements.filter(pl.col("kind").is_in(kinds))
        pick = rng.integers(0, a.height, size=int(mask.sum()))
        agreement_id[mask] = a["id"].to_numpy()[pick]
        agreement_univ[mask] = a["university_id"].to_numpy()[pick]
        own = a["enclave_id"].fill_null(0).to_numpy()[pick]
        enclave[mask] = np.where(own > 0, own, enclave[mask])

    university = _universities(rng, world, people, enclave)
    from_drive_school = is_drive & (rng.random(n) < 0.9)
    university = np.where(from_drive_school, np.vectorize(lambda d: drive_univ.get(d, 0))(drive_id), university)
    university = np.where(agreement_univ > 0, agreement_univ, university)

    t_first, t_last, exit_stage, lost = _timing(rng, people, hired, is_drive, autumn, drive_day)
    grad_year, grad_month = _graduation(rng, people, hired, is_drive, autumn)
    return people.with_columns(
        pl.Series("hired", hired), _nullable("enclave_id", enclave), _nullable("drive_id", drive_id),
        _nullable("agreement_id", agreement_id),
        pl.Series("university_id", university), pl.Series("t_first", t_first), pl.Series("t_last", t_last),
        pl.Series("exit_stage", exit_stage, dtype=pl.String), pl.Series("lost_reason", lost, dtype=pl.String),
        pl.Series("graduation_year", grad_year.tolist(), dtype=pl.Int32),
        pl.Series("graduation_month", grad_month.tolist(), dtype=pl.Int32),
    )


def _nullable(name: str, ids: np.ndarray) -> pl.Series:
    """Ids where 0 means none, as a nullable Int64 column."""
    return pl.Series(name, ids, dtype=pl.Int64).replace(0, None)


def _universities(rng: np.random.Generator, world: World, people: pl.DataFrame, enclave: np.ndarray) -> np.ndarray:
    """A school per person by profile (211 / 本科 / 专科), often in their enclave's province."""
    u = world.universities
    pools = {"top": u.filter(pl.col("is_211")), "本科": u.filter(pl.col("level") == "本科"),
             "专科": u.filter(pl.col("level") == "专科")}
    kind = np.array([
        "top" if PROFILES[c].university == "top" else "专科" if PROFILES[c].university == "vocational" or d == "大专" else "本科"
        for c, d in zip(people["category"], people["degree"])
    ], dtype=object)
    province_of = dict(zip(world.enclaves["id"], world.enclaves["province"]))
    province = np.array([province_of.get(e, "浙江省") for e in enclave], dtype=object)
    local = rng.random(people.height) < 0.55
    chosen = np.zeros(people.height, dtype=np.int64)
    for k, pool in pools.items():
        ids = pool["id"].to_numpy()
        mask = kind == k
        chosen[mask] = ids[rng.integers(0, ids.size, size=int(mask.sum()))]
        for prov in np.unique(province[mask]):
            sub = pool.filter(pl.col("province") == prov)["id"].to_numpy()
            m = mask & local & (province == prov)
            if sub.size and m.any():
                chosen[m] = sub[rng.integers(0, sub.size, size=int(m.sum()))]
    return chosen


def _timing(rng: np.random.Generator, people: pl.DataFrame, hired: np.ndarray, is_drive: np.ndarray,
            autumn: np.ndarray, drive_day: np.ndarray) -> tuple[np.ndarray, np.ndarray, list, list]:
    n = people.height
    category = people["category"].to_numpy()
    final = people["final_rank"].to_numpy()
    start = people["start_rank"].to_numpy()
    hours = rng.integers(9 * 3600, 17 * 3600, size=n)
    arrival = np.zeros(n, dtype=np.int64)
    for c, profile in PROFILES.items():
        m = category == c
        arrival[m] = day_in_year_by_month(rng, profile.arrival_months, int(m.sum()), cat.DEMO_YEAR)
    summer = epoch(date(cat.DEMO_YEAR, 7, 1)) + rng.integers(0, 62, size=n) * DAY + hours
    arrival = np.where(is_drive, summer, arrival)
    young = np.isin(category, ["young_graduate", "young_phd"])
    lead_time = np.where(young, rng.integers(45, 240, size=n), rng.integers(20, 120, size=n)) * DAY
    as_of = epoch(cat.AS_OF)
    drive_start = drive_day + hours
    ends_in_year = day_in_year_by_month(rng, GRAD_MONTHS, n, cat.DEMO_YEAR)
    t_first = np.where(is_drive, drive_start, np.where(hired, arrival - lead_time, ends_in_year - rng.integers(2, 120, size=n) * DAY))
    t_last = np.where(hired, arrival, np.where(is_drive, np.minimum(drive_start + rng.integers(3, 150, size=n) * DAY, as_of), ends_in_year))
    # People still open (no exit) in autumn drives wait for their 2026 graduation.
    exits = ~hired & (rng.random(n) < np.where(autumn, 0.35, 0.8))
    reject = np.where(final <= INTERVIEWING, rng.random(n) < 0.7, rng.random(n) < 0.2)
    exit_stage = np.where(exits, np.where(reject, "rejected", "withdrawn"), None).tolist()
    reason = np.where(reject, pick(rng, cat.REJECT_REASONS, n), pick(rng, cat.WITHDRAW_REASONS, n))
    lost = np.where(exits, reason, None).tolist()
    single = (final == start) & ~exits
    t_last = np.where(single, t_first, np.maximum(t_last, t_first + DAY))
    return t_first, t_last, exit_stage, lost


def _graduation(rng: np.random.Generator, people: pl.DataFrame, hired: np.ndarray, is_drive: np.ndarray,
                autumn: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = people.height
    degree = people["degree"].to_list()
    by_age = people["birth_year"].to_numpy() + np.array([GRADUATION_AGE[d] for d in degree]) + rng.integers(0, 2, n)
    young = people["category"].is_in(["young_graduate", "young_phd"]).to_numpy()
    recent = cat.DEMO_YEAR - rng.choice(3, size=n, p=[0.7, 0.2, 0.1])
    year = np.where(young, np.where(hired, recent, cat.DEMO_YEAR), by_age)
    year = np.where(is_drive, np.where(autumn, cat.DEMO_YEAR + 1, cat.DEMO_YEAR), year)
    year = np.where(np.array([d is None for d in degree]), None, year)
    month = rng.choice(np.array([6, 7, 12, 1], dtype=object), size=n, p=[0.7, 0.2, 0.05, 0.05])
    month = np.where((rng.random(n) < 0.15) | (year == None), None, month)  # noqa: E711 — elementwise
    return year, month


def _write_candidates(cur: Cursor, rng: np.random.Generator, world: World, people: pl.DataFrame) -> pl.DataFrame:
    n = people.height
    gender = rng.choice(np.array(["男", "女"], dtype=object), size=n, p=[0.56, 0.44])
    names = pl.Series("name", fake_names(rng, n, gender))
    pinyin, initials = pinyin_columns(names)
    ids = reserve_ids(cur, "seq_candidate", n)
    recruiter = world.recruiter_of()
    owner_name = [recruiter.get(e, "hr") for e in people["enclave_id"].to_list()]
    user_id = dict(zip(world.users["username"], world.users["id"]))
    domains = np.array(["qq.com", "163.com", "126.com", "outlook.com", "foxmail.com", "sina.com", "gmail.com"], dtype=object)
    has_email = rng.random(n) < 0.65
    email = [f"{p.split(' ')[0]}{i}@{d}" if e else None
             for p, i, d, e in zip(pinyin.to_list(), ids.to_list(), rng.choice(domains, size=n), has_email)]
    degree = people["degree"].fill_null("").replace("博士后", "博士").to_numpy()
    majors = np.full(n, None, dtype=object)
    for level, options in cat.MAJORS.items():
        mask = degree == level
        majors[mask] = pick(rng, options, int(mask.sum()))
    school = dict(zip(world.universities["id"], world.universities["name"]))
    consent = np.where(people["channel"].is_in(["campus_drive", "online"]).to_numpy(), "线上报名表勾选同意",
                       np.where(people["channel"].to_numpy() == "walk_in", "纸质登记表签字", "电话沟通中口头同意并记录"))
    created = pl.from_epoch(people["t_first"], time_unit="s")
    # Follow-ups are about the day the demo is used: dates relative to the day it is generated
    # (a few overdue, some today, most ahead), for people still in an open pipeline.
    still_open = (people["exit_stage"].is_null() & ~people["hired"]).to_numpy()
    follow = still_open & (rng.random(n) < FOLLOW_UP_SHARE)
    offsets = rng.integers(-20, 31, size=n)
    today = clock.today()
    next_follow_up = [today + timedelta(days=int(o)) if f else None for f, o in zip(follow, offsets)]
    people = people.with_columns(
        ids.alias("id"), names, pl.Series("gender", gender, dtype=pl.String), pinyin, initials,
        pl.Series("mobile", unique_mobiles(rng, n)), pl.Series("email", email, dtype=pl.String),
        pl.Series("major", majors.tolist(), dtype=pl.String), pl.Series("owner", owner_name),
        pl.Series("owner_id", [user_id[o] for o in owner_name]),
        pl.Series("university_raw", [school[u] for u in people["university_id"].to_list()]),
        pl.Series("consent_method", consent, dtype=pl.String), created.alias("created_at"),
        pl.Series("next_follow_up_on", next_follow_up, dtype=pl.Date),
    )
    rows = people.select(
        "id", "name", "name_pinyin", "name_initials", "gender", "birth_year", "mobile", "email", "university_id",
        "university_raw", "major", "degree", "graduation_year", "graduation_month",
        pl.col("category").alias("talent_category"), pl.col("manual").alias("talent_category_manual"), "channel",
        pl.when(pl.col("channel") == "enclave").then(pl.col("enclave_id")).alias("source_enclave_id"),
        pl.col("drive_id").alias("source_drive_id"), pl.col("agreement_id").alias("source_agreement_id"),
        "enclave_id", "owner_id", pl.col("created_at").alias("consent_at"), "consent_method",
        pl.lit("平湖人才招引与就业服务").alias("consent_purpose"), "next_follow_up_on",
        pl.col("owner").alias("created_by"), "created_at", pl.col("owner").alias("updated_by"),
        pl.from_epoch("t_last", time_unit="s").alias("updated_at"),
    )
    bulk.insert(cur, "candidate", rows)
    bulk.insert_contact_keys(cur, rows)
    tagged = rng.random(n) < 0.12
    tags = pl.DataFrame({"candidate_id": ids.filter(pl.Series(tagged)),
                         "tag": rng.choice(np.array(TAGS, dtype=object), size=int(tagged.sum())).tolist()})
    bulk.insert(cur, "candidate_tag", tags)
    return people


def _applications(cur: Cursor, rng: np.random.Generator, world: World, people: pl.DataFrame, *,
                  side_only: np.ndarray | None = None) -> pl.DataFrame:
    """One primary application per person (their outcome) plus failed side applications — or, given
    `side_only` (a count per person), just that many more side applications (`_more_applications`)."""
    n = people.height
    is_drive = (people["channel"] == "campus_drive").to_numpy()
    if side_only is None:
        # Graduates apply to several companies: at a fair they talk to two or three, elsewhere one or two.
        extra = np.minimum(rng.poisson(np.where(is_drive, 2.2, 1.0)), np.where(is_drive, 4, 3))
        first = np.arange(n)
    else:
        extra, first = side_only, np.zeros(0, dtype=np.int64)
    rows = np.concatenate([first, np.repeat(np.arange(n), extra)])
    nth = np.concatenate([np.zeros(first.size, dtype=np.int64),
                          np.arange(extra.sum()) - np.repeat(np.cumsum(extra) - extra, extra) + 1])
    p = people[rows]
    primary = nth == 0
    start = p["start_rank"].to_numpy()
    final = p["final_rank"].to_numpy()
    cap = np.maximum(np.minimum(final, INTERVIEWING), start)
    side_final = start + (rng.random(rows.size) * (cap - start + 1)).astype(np.int64)
    hired = p["hired"].to_numpy()
    side_exit = np.where(hired | (rng.random(rows.size) < 0.4), "withdrawn", "rejected")
    side_reason = np.where(hired, "已接受其他单位录用", np.where(side_exit == "rejected",
                           pick(rng, cat.REJECT_REASONS, rows.size), pick(rng, cat.WITHDRAW_REASONS, rows.size)))
    t_first, t_last = p["t_first"].to_numpy(), p["t_last"].to_numpy()
    side_first = np.minimum(t_first + rng.integers(0, 10, size=rows.size) * DAY, t_last)
    side_last = np.maximum(np.minimum(side_first + rng.integers(1, 60, size=rows.size) * DAY, t_last), side_first)
    employer, position = _employers_for(rng, world, p, nth)
    return pl.DataFrame({
        "application_id": reserve_ids(cur, "seq_application", rows.size),
        "candidate_id": p["id"], "employer_id": employer, "position_id": position, "drive_id": p["drive_id"],
        "start_rank": start, "final_rank": np.where(primary, final, side_final),
        "exit_stage": np.where(primary, p["exit_stage"].to_numpy(), side_exit).tolist(),
        "lost_reason": np.where(primary, p["lost_reason"].to_numpy(), side_reason).tolist(),
        "t_first": np.where(primary, t_first, side_first), "t_last": np.where(primary, t_last, side_last),
        "actor": p["owner"], "primary": primary, "talent_category": p["category"],
    }, schema_overrides={"exit_stage": pl.String, "lost_reason": pl.String})


def _more_applications(cur: Cursor, world: World, people: pl.DataFrame, seed: int,
                       wanted: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """At least `wanted` more stage events (`--events`): people apply to further employers, each such
    application walking as the side ones do (never past 面试, ending 未通过 / 放弃) — no new people, no
    stage that did not happen, no hire, intent or retention check, so every reported figure stays.
    They come from a random stream of their own: the world generated before them is the same row for row."""
    rng = np.random.default_rng([seed, wanted])
    found: list[pl.DataFrame] = []
    short = wanted
    while short > 0:
        # About 3.3 events per side application (a step or two, and the exit): ask for a little more.
        per_person = rng.poisson(min(short / 3.0 / people.height * 1.1, 50.0), size=people.height)
        apps = _applications(cur, rng, world, people, side_only=per_person)
        steps = (apps["final_rank"] - apps["start_rank"] + 2).to_numpy()   # the walk's events and the exit
        taken = int(np.searchsorted(np.cumsum(steps), short)) + 1          # stop at the one that reaches it
        found.append(apps.head(taken))
        short -= int(steps[:taken].sum())
    more = pl.concat(found)
    return more, events(more, rng)


def _employers_for(rng: np.random.Generator, world: World, p: pl.DataFrame, nth: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Drive applicants talk to companies at their drive; others apply anywhere. A fitting position each."""
    de = world.drive_employers.sort("drive_id", "employer_id")
    counts = de.group_by("drive_id").len().sort("drive_id")
    lengths = counts["len"].to_numpy().astype(np.int64)
    starts = np.cumsum(lengths) - lengths
    de_emp = de["employer_id"].to_numpy()
    all_emp = world.employers["id"].to_numpy()
    drive = p["drive_id"].fill_null(0).to_numpy()
    slot = np.searchsorted(counts["drive_id"].to_numpy(), drive)
    slot = np.minimum(slot, lengths.size - 1)
    base = rng.integers(0, 1 << 30, size=p.height)
    at_drive = de_emp[starts[slot] + (base + nth) % lengths[slot]]
    anywhere = all_emp[(base + 7 * nth) % all_emp.size]
    employer = np.where(drive > 0, at_drive, anywhere).astype(np.int64)
    # Positions: per (employer, skilled) group, contiguous after sorting; pick one by offset.
    pos = world.positions.sort("employer_id", "skilled", "id")
    keys = pos["employer_id"].to_numpy() * 2 + pos["skilled"].cast(pl.Int64).to_numpy()
    group_keys, group_start, group_len = np.unique(keys, return_index=True, return_counts=True)
    wanted = employer * 2 + (p["category"] == "high_skill").cast(pl.Int64).to_numpy()
    g = np.searchsorted(group_keys, wanted)
    position = pos["id"].to_numpy()[group_start[g] + base % group_len[g]]
    return employer, position


def _after_arrival(rng: np.random.Generator, apps: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """What happened after arrival: 6- and 12-month retention checks, then retained or left."""
    hires = apps.filter(pl.col("primary") & (pl.col("final_rank") == ARRIVED))
    as_of = epoch(cat.AS_OF)
    arrival = hires["t_last"].to_numpy()
    six, twelve = arrival + 182 * DAY, arrival + 365 * DAY
    left6 = (six <= as_of) & (rng.random(hires.height) < 0.04)
    due12 = (twelve <= as_of) & ~left6
    left12 = due12 & (rng.random(hires.height) < 0.07)

    def check(months: int, at: np.ndarray, left: np.ndarray, due: np.ndarray) -> pl.DataFrame:
        return pl.DataFrame({
            "application_id": hires["application_id"], "months": months,
            "checked_on": pl.from_epoch(pl.Series(at), time_unit="s").dt.date(),
            "still_employed": ~left, "still_in_pinghu": ~left,
            "note": np.where(left, cat.LEFT_REASON, "在岗，留平意愿稳定"), "checked_by": hires["actor"],
        }).filter(pl.Series(due))

    checks = pl.concat([check(6, six, left6, six <= as_of), check(12, twelve, left12, due12)])
    left = left6 | left12
    moved = pl.DataFrame({
        "application_id": hires["application_id"], "candidate_id": hires["candidate_id"],
        "from_stage": "arrived", "to_stage": np.where(left, "withdrawn", "retained"),
        "occurred_at": np.where(left6, six, twelve), "actor": hires["actor"],
        "note": np.where(left, cat.LEFT_REASON, None).tolist(),
    }, schema_overrides={"note": pl.String}).filter(pl.Series(left6 | due12))
    after = moved.select("application_id", pl.col("to_stage").alias("after"), pl.col("note").alias("left_note"),
                         pl.col("occurred_at").alias("after_at"))
    return apps.join(after, on="application_id", how="left", maintain_order="left"), moved, checks


def _application_rows(apps: pl.DataFrame) -> pl.DataFrame:
    """Current stage: after-arrival outcome, else the exit, else where the walk stopped."""
    walked = pl.Series(STAGE_CODES[apps["final_rank"].to_numpy() - 1], dtype=pl.String)
    return apps.select(
        pl.col("application_id").alias("id"), "candidate_id", "employer_id", "position_id", "drive_id",
        pl.coalesce("after", "exit_stage", walked).alias("stage"),
        pl.coalesce("left_note", "lost_reason").alias("lost_reason"),
        pl.coalesce("left_note", "lost_reason").replace_strict(cat.LOST_CODES, default=None).alias("lost_code"),
        pl.col("actor").alias("created_by"),
        pl.from_epoch("t_first", time_unit="s").alias("created_at"),
        pl.from_epoch(pl.max_horizontal("t_last", "after_at"), time_unit="s").alias("updated_at"),
    )


def _activities(rng: np.random.Generator, people: pl.DataFrame) -> pl.DataFrame:
    count = np.minimum(rng.poisson(0.7, size=people.height), 4)
    rows = np.repeat(np.arange(people.height), count)
    kinds = np.array(list(cat.ACTIVITY_TEXTS), dtype=object)
    kind = rng.choice(kinds, size=rows.size, p=[0.1, 0.35, 0.35, 0.1, 0.1][: kinds.size])
    body = np.full(rows.size, None, dtype=object)
    for k, texts in cat.ACTIVITY_TEXTS.items():
        mask = kind == k
        body[mask] = pick(rng, texts, int(mask.sum()))
    first, last = people["t_first"].to_numpy()[rows], people["t_last"].to_numpy()[rows]
    at = first + (rng.random(rows.size) * (last - first)).astype(np.int64)
    created = pl.from_epoch(pl.Series(at), time_unit="s")
    return pl.DataFrame({"candidate_id": people["id"].to_numpy()[rows], "kind": kind.tolist(), "body": body.tolist(),
                         "created_by": people["owner"].to_numpy()[rows]}, schema_overrides={"kind": pl.String}
                        ).with_columns(created.dt.date().alias("occurred_on"), created.alias("created_at"))


def _co_supervision(cur: Cursor, rng: np.random.Generator, world: World) -> tuple[int, int]:
    """53 co-supervised students (fixed), 8 of whom stayed and were hired in July 2025."""
    from loaders.demo_co_supervision import write

    return write(cur, rng, world, stayed=CO_SUPERVISION_STAYED, total=cat.REPORTED["co_supervised"])

