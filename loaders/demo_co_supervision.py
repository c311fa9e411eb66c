"""Demo co-supervised graduate students (双导师制): fixed in number, whatever the scale. The students
are candidates written in bulk like everyone else; their co-supervision rows go through the register."""
from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import polars as pl

from db import bulk
from db.programmes import co_supervision
from db.sql import Cursor, reserve_ids
from loaders import demo_catalogue as cat
from loaders.demo_people import DAY, epoch, events, fake_names, pinyin_columns, unique_mobiles
from loaders.demo_programmes import World, create_rows

# (how many, outcome, expected graduation, stage walk start→final, exit, start of the walk)
COHORTS = (
    ("stayed", date(2025, 6, 30), 1, 8, None, date(2024, 9, 10)),
    ("left", date(2025, 6, 30), 1, 5, "withdrawn", date(2024, 10, 15)),
    ("pending", date(2026, 6, 30), 1, 4, None, date(2025, 3, 5)),
    ("pending", date(2027, 6, 30), 1, 2, None, date(2025, 9, 8)),
)


def write(cur: Cursor, rng: np.random.Generator, world: World, *, stayed: int, total: int) -> tuple[int, int, int]:
    """Students as candidates with one application at their company; returns (people, applications, events)."""
    sizes = [stayed, 4, 22, total - stayed - 4 - 22]
    cohort = np.repeat(np.arange(len(COHORTS)), sizes)
    n = cohort.size
    partners = world.agreements.filter(pl.col("kind") == "联合培养")
    pick = rng.integers(0, partners.height, size=n)
    degree = np.where((cohort == 0) | (rng.random(n) < 0.85), "硕士", "博士")
    gender = rng.choice(np.array(["男", "女"], dtype=object), size=n)
    names = pl.Series("name", fake_names(rng, n, gender))
    pinyin, initials = pinyin_columns(names)
    ids = reserve_ids(cur, "seq_candidate", n)
    enclave = [partners["enclave_id"][int(i)] for i in pick]
    recruiter = world.recruiter_of()
    owner = [recruiter.get(e, "hr") for e in enclave]
    user_id = dict(zip(world.users["username"], world.users["id"]))
    graduation = [COHORTS[c][1] for c in cohort]
    walk_start = np.array([epoch(COHORTS[c][5]) for c in cohort]) + rng.integers(0, 20, n) * DAY + 10 * 3600
    school = dict(zip(world.universities["id"], world.universities["name"]))
    university = partners["university_id"].to_numpy()[pick]
    people = pl.DataFrame({
        "id": ids, "name": names, "name_pinyin": pinyin, "name_initials": initials, "gender": gender,
        "birth_year": cat.DEMO_YEAR - np.where(degree == "博士", rng.integers(27, 32, n), rng.integers(23, 27, n)),
        "mobile": unique_mobiles(rng, n), "university_id": university,
        "university_raw": [school[u] for u in university], "major": [str(rng.choice(cat.MAJORS[d])) for d in degree],
        "degree": degree, "graduation_year": [g.year for g in graduation], "graduation_month": 6,
        "talent_category": np.where(degree == "博士", "young_phd", "young_graduate"),
        "talent_category_manual": False, "channel": "joint_training",
        "source_agreement_id": partners["id"].to_numpy()[pick], "enclave_id": enclave,
        "owner_id": [user_id[o] for o in owner], "consent_method": "联合培养协议签署时书面同意",
        "consent_purpose": "平湖人才招引与就业服务", "created_by": owner, "updated_by": owner,
    }, schema_overrides={"gender": pl.String, "degree": pl.String})
    # 147 is a segment the main population never uses, so these numbers cannot collide with it.
    people = people.with_columns(("147" + pl.col("mobile").str.slice(3)).alias("mobile"))
    created = pl.from_epoch(pl.Series(walk_start), time_unit="s")
    people = people.with_columns(created.alias("consent_at"), created.alias("created_at"), created.alias("updated_at"))
    bulk.insert(cur, "candidate", people)
    bulk.insert_contact_keys(cur, people)

    employers = world.employers["id"].to_numpy()
    employer = employers[rng.integers(0, employers.size, n)]
    final = np.array([COHORTS[c][3] for c in cohort])
    exit_stage = [COHORTS[c][4] for c in cohort]
    arrival = epoch(date(2025, 7, 1)) + rng.integers(0, 14, n) * DAY + 9 * 3600
    t_last = np.where(cohort == 0, arrival, np.where(cohort == 1, epoch(date(2025, 6, 30)) + 15 * 3600,
                                                      walk_start + rng.integers(20, 90, n) * DAY))
    apps = pl.DataFrame({
        "application_id": reserve_ids(cur, "seq_application", n), "candidate_id": ids, "employer_id": employer,
        "start_rank": np.ones(n, dtype=np.int64), "final_rank": final, "exit_stage": exit_stage,
        "lost_reason": [None if e is None else cat.CO_SUPERVISION_LEFT for e in exit_stage],
        "lost_code": [None if e is None else cat.LOST_CODES[cat.CO_SUPERVISION_LEFT] for e in exit_stage],
        "t_first": walk_start, "t_last": t_last, "actor": owner, "talent_category": people["talent_category"],
    }, schema_overrides={"exit_stage": pl.String, "lost_reason": pl.String, "lost_code": pl.String})
    history = events(apps, rng).with_columns(pl.from_epoch("occurred_at", time_unit="s"))
    from loaders.demo_people import STAGE_CODES

    bulk.insert(cur, "application", apps.select(
        pl.col("application_id").alias("id"), "candidate_id", "employer_id",
        pl.coalesce("exit_stage", pl.Series(STAGE_CODES[final - 1], dtype=pl.String)).alias("stage"),
        "lost_reason", "lost_code", pl.col("actor").alias("created_by"),
        pl.from_epoch("t_first", time_unit="s").alias("created_at"),
        pl.from_epoch("t_last", time_unit="s").alias("updated_at"),
    ))
    bulk.insert(cur, "stage_event", history)     # stays and crossings: loaders/demo.generate refreshes everyone

    mentors = fake_names(rng, 2 * n)
    outcome = np.array([COHORTS[c][0] for c in cohort], dtype=object)
    starts = [date(g.year - (3 if d == "博士" else 2), 9, 1) for g, d in zip(graduation, degree)]
    rows = pl.DataFrame({
        "candidate_id": ids, "university_id": university,
        "employer_id": employer, "enterprise_mentor": [f"{m}（高级工程师）" for m in mentors[:n]],
        "university_mentor": [f"{m}（{rng.choice(['教授', '副教授'])}）" for m in mentors[n:]],
        "kind": np.where(rng.random(n) < 0.85, "联培", "委培"),
        "topic": rng.choice(np.array(cat.PROJECT_TOPICS, dtype=object), size=n).tolist(),
        "starts_on": starts, "expected_graduation": graduation,
        "outcome": outcome.tolist(), "outcome_employer_id": np.where(cohort == 0, employer, None).tolist(),
    }, schema_overrides={"kind": pl.String, "outcome_employer_id": pl.Int64})
    rows = rows.with_columns(_milestones(starts, graduation, degree))
    create_rows(cur, co_supervision.REGISTER, rows)
    return n, n, history.height


def _milestones(starts: list[date], graduation: list[date], degree: np.ndarray) -> pl.DataFrame:
    """开题, 中期 and 答辩 dates, those reached by the day the demo is observed (cat.AS_OF). Spread by
    the row's position, not drawn: the students and everything after them stay as the seed made them."""
    def reached(day: date) -> date | None:
        return day if day <= cat.AS_OF else None

    spread = [timedelta(days=i % 17) for i in range(len(starts))]
    midterm = [timedelta(days=760 if d == "博士" else 400) for d in degree]
    return pl.DataFrame({
        "proposal_on": [reached(s + timedelta(days=180) + k) for s, k in zip(starts, spread)],
        "midterm_on": [reached(s + m + k) for s, m, k in zip(starts, midterm, spread)],
        "defence_on": [reached(g - timedelta(days=45) + k) for g, k in zip(graduation, spread)],
    }, schema={"proposal_on": pl.Date, "midterm_on": pl.Date, "defence_on": pl.Date})
