"""Demo programme entities, fixed whatever the scale: enclaves, users, employers, agreements, drives,
appointments, targets, declarations, talent events — each row written by its register's own command
(db/programmes/) as the SYSTEM actor, so generating the demo exercises the commands screens and workbooks use."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import polars as pl

from db import users as db_users
from db.enums import Role
from db.permissions import SYSTEM
from db.programmes import agreements as db_agreements
from db.programmes import appointments as db_appointments
from db.programmes import declarations as db_declarations
from db.programmes import drives as db_drives
from db.programmes import employers as db_employers
from db.programmes import enclaves as db_enclaves
from db.programmes import events as db_events
from db.programmes import register, targets
from db.programmes.register import Register
from db.sql import Cursor, frame, reserve_ids
from db.validation import credit_code_check_char, organisation_code_check_char
from loaders import demo_catalogue as cat


@dataclass
class World:
    """What the people generator needs to know about the programme entities just written."""

    enclaves: pl.DataFrame        # id, code, name, city, province, weight
    users: pl.DataFrame           # id, username, role, enclave_id
    universities: pl.DataFrame    # id, name, province, level, is_985, is_211
    employers: pl.DataFrame       # id, name, industry
    positions: pl.DataFrame       # id, employer_id, title, skilled
    agreements: pl.DataFrame      # id, university_id, enclave_id, kind
    drives: pl.DataFrame          # id, university_id, enclave_id, held_on, season, n_employers
    drive_employers: pl.DataFrame  # drive_id, employer_id

    def recruiter_of(self) -> dict[int, str]:
        r = self.users.filter(pl.col("role") == Role.RECRUITER)
        return dict(zip(r["enclave_id"].to_list(), r["username"].to_list()))


def build(cur: Cursor, rng: np.random.Generator) -> World:
    enclaves = _enclaves(cur)
    users = _users(cur, enclaves)
    universities = frame(cur, "select id, name, province, city, level, is_985, is_211 from university order by id")
    employers, positions = _employers(cur, rng)
    agreements = _agreements(cur, universities, enclaves, users)
    drives, drive_employers = _drives(cur, rng, universities, enclaves, employers)
    return World(enclaves, users, universities, employers, positions, agreements, drives, drive_employers)


def create_rows(cur: Cursor, of: Register, rows: pl.DataFrame | list[Mapping[str, Any]]) -> pl.Series:
    """Each row through the register's create command, in order (so ids follow the rows, as the
    seed fixes them); returns the new ids. Rows are small and fixed in number whatever the scale.
    Only the register's own fields are handed over: the frames carry helpers of the generator
    (weights, seasons) too."""
    found = rows.iter_rows(named=True) if isinstance(rows, pl.DataFrame) else rows
    return pl.Series("id", [register.create(cur, SYSTEM, of, {k: v for k, v in row.items() if k in of.columns})
                            for row in found], dtype=pl.Int64)


def _enclaves(cur: Cursor) -> pl.DataFrame:
    rows = cat.ENCLAVES
    df = pl.DataFrame(
        {
            "code": [r[0] for r in rows], "name": [r[1] for r in rows], "city": [r[2] for r in rows],
            "province": [r[3] for r in rows], "host_organisation": [r[4] for r in rows],
            "opened_on": [r[5] for r in rows],
        }
    )
    df = df.with_columns(create_rows(cur, db_enclaves.REGISTER, df))
    return df.with_columns(pl.Series("weight", [r[6] for r in rows]))


def _users(cur: Cursor, enclaves: pl.DataFrame) -> pl.DataFrame:
    specs = [("admin", "系统管理员", Role.ADMIN, None), ("manager", "人才办 王主任", Role.MANAGER, None),
             ("hr", "人事数据 陈老师", Role.HR, None)]
    specs += [(f"recruiter_{code.lower()}", f"{city.removesuffix('市')}飞地招才专员", Role.RECRUITER, eid)
              for code, city, eid in zip(enclaves["code"], enclaves["city"], enclaves["id"])]
    existing = dict(cur.execute("select username, id from app_user").fetchall())
    demo_hash = db_users.hash_password(cat.DEMO_PASSWORD)   # one argon2id hash serves every demo account
    for username, display, role, enclave_id in specs:
        if username in existing:   # the bootstrap admin: demo databases share one demo password
            cur.execute("update app_user set password_hash = $h where id = $id",
                        {"h": demo_hash, "id": existing[username]})
            continue
        uid = reserve_ids(cur, "seq_app_user", 1)[0]
        cur.execute(
            "insert into app_user (id, username, display_name, role, enclave_id, password_hash, created_at)"
            " values ($id, $u, $d, $r, $e, $h, now())",
            {"id": uid, "u": username, "d": display, "r": role, "e": enclave_id,
             "h": demo_hash},
        )
    return frame(cur, "select id, username, role, enclave_id from app_user order by id")


def credit_code(rng: np.random.Generator) -> str:
    """A valid 统一社会信用代码 for a Pinghu (330482) enterprise."""
    body = "".join(str(d) for d in rng.integers(0, 10, size=8))
    first17 = "91330482" + body + organisation_code_check_char(body)
    return first17 + credit_code_check_char(first17)


def _employers(cur: Cursor, rng: np.random.Generator) -> tuple[pl.DataFrame, pl.DataFrame]:
    industries = list(cat.INDUSTRIES)
    names, rows_industry = [], []
    brands = list(rng.permutation(cat.BRANDS))
    for i in range(120):
        industry = industries[i % len(industries)]
        noun = cat.INDUSTRIES[industry][(i // len(industries)) % len(cat.INDUSTRIES[industry])]
        prefix = ("浙江", "平湖市", "嘉兴")[i % 3]
        suffix = "股份有限公司" if i % 5 == 0 else "有限公司"
        names.append(f"{prefix}{brands[i % len(brands)]}{noun}{suffix}")
        rows_industry.append(industry)
    n = len(names)
    tiers = rng.choice(np.array([None, *cat.TIERS], dtype=object), size=n, p=[0.55, 0.15, 0.15, 0.15])
    employers = pl.DataFrame(
        {
            "name": names, "industry": rows_industry,
            "credit_code": [credit_code(rng) for _ in range(n)],
            "park": rng.choice(np.array(cat.PARKS, dtype=object), size=n).tolist(),
            "golden_eagle_tier": tiers.tolist(), "is_high_tech": (rng.random(n) < 0.45).tolist(),
        }
    )
    employers = employers.with_columns(create_rows(cur, db_employers.REGISTER, employers))
    pos_rows = []
    for eid, industry in zip(employers["id"], employers["industry"]):
        titles = list(cat.POSITIONS[industry][: int(rng.integers(3, 6))])
        skilled = list(rng.choice(np.array(cat.SKILLED_POSITIONS, dtype=object), size=2, replace=False))
        pos_rows += [(eid, t, False) for t in titles] + [(eid, t, True) for t in skilled]
    positions = pl.DataFrame(pos_rows, schema=["employer_id", "title", "skilled"], orient="row")
    positions = positions.with_columns(
        pl.when(pl.col("skilled")).then(pl.lit("大专")).otherwise(pl.lit("本科")).alias("degree_required"),
    )
    positions = positions.with_columns(create_rows(cur, db_employers.POSITIONS, positions))
    return employers.select("id", "name", "industry"), positions.select("id", "employer_id", "title", "skilled")


def _agreements(cur: Cursor, universities: pl.DataFrame, enclaves: pl.DataFrame, users: pl.DataFrame) -> pl.DataFrame:
    by_name = dict(zip(universities["name"], universities["id"]))
    by_code = dict(zip(enclaves["code"], enclaves["id"]))
    manager = users.filter(pl.col("username") == "manager")["id"][0]
    rows = [
        (by_name[u], by_code.get(e), kind, f"平湖市与{u}{kind}", start - timedelta(days=14), start, end, manager)
        for u, kind, e, start, end in cat.AGREEMENTS
    ]
    df = pl.DataFrame(rows, schema=["university_id", "enclave_id", "kind", "title", "signed_on", "starts_on",
                                    "ends_on", "owner_id"], orient="row")
    df = df.with_columns(pl.Series("quota", [30, 0, 20, 15, 40, 0, 0, 25, 30, 0, 20, 10, 0, 25, 0, 0]))
    df = df.with_columns(create_rows(cur, db_agreements.REGISTER, df))
    # A renewal (the successor keeps the predecessor's university, kind, enclave and owner). People are
    # drawn from the agreements above only, so the renewal leaves the rest of the world as it was.
    by_title = dict(zip(df["title"], df["id"]))
    for university, kind, signed_on, starts_on, ends_on in cat.AGREEMENT_RENEWALS:
        db_agreements.renew(cur, SYSTEM, by_title[f"平湖市与{university}{kind}"], signed_on=signed_on,
                            starts_on=starts_on, ends_on=ends_on)
    return df.select("id", "university_id", "enclave_id", "kind")


def _drives(
    cur: Cursor, rng: np.random.Generator, universities: pl.DataFrame, enclaves: pl.DataFrame,
    employers: pl.DataFrame,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """扬帆计划 2025: 34 universities (4 visited in both seasons), 82 employers, 1,500 positions."""
    n_univ, n_emp, n_pos = (cat.REPORTED[k] for k in ("drive_universities", "drive_employers", "drive_positions"))
    pool = universities.filter(pl.col("level") == "本科", pl.col("province").is_in(cat.DRIVE_PROVINCES))
    weights = (1 + 4 * pool["is_211"].cast(pl.Float64) + pl.Series([
        3.0 if p in cat.DRIVE_PROVINCES[:3] else 1.0 for p in pool["province"]])).to_numpy()
    picked = rng.choice(pool.height, size=n_univ + 1, replace=False, p=weights / weights.sum())
    chosen = pool[picked[:n_univ]]
    cancelled_university = pool[int(picked[n_univ])]
    enclave_by_province = dict(zip(enclaves["province"], enclaves["id"]))
    spring = [date(2025, 3, 3) + timedelta(days=int(d)) for d in rng.integers(0, 55, size=n_univ)]
    autumn_idx = rng.choice(n_univ, size=18, replace=False)   # 4 of these were also visited in spring
    drives = []
    for i in range(n_univ):
        row = chosen.row(i, named=True)
        seasons = []
        if i not in autumn_idx[4:]:
            seasons.append(("spring", spring[i]))
        if i in autumn_idx:
            seasons.append(("autumn", date(2025, 9, 15) + timedelta(days=int(rng.integers(0, 70)))))
        for season, held_on in seasons:
            drives.append((row["id"], enclave_by_province.get(row["province"]), held_on, season, row["city"],
                           f"2025年扬帆计划·{row['name']}{'春季' if season == 'spring' else '秋季'}专场", "held"))
    drives.append((cancelled_university["id"][0], None, date(2025, 5, 20), "spring", cancelled_university["city"][0],
                   f"2025年扬帆计划·{cancelled_university['name'][0]}专场（因故取消）", "cancelled"))
    df = pl.DataFrame(drives, schema=["university_id", "enclave_id", "held_on", "season", "city", "title", "status"],
                      orient="row")
    df = df.with_columns(pl.lit("扬帆计划").alias("programme"))
    df = df.with_columns(create_rows(cur, db_drives.REGISTER, df))

    held = df.filter(pl.col("status") == "held")
    visiting = rng.choice(employers["id"].to_numpy(), size=n_emp, replace=False)
    sizes = rng.integers(8, 19, size=held.height)
    pairs: set[tuple[int, int]] = set()
    for k, employer_id in enumerate(rng.permutation(visiting)):   # every visitor goes at least once
        pairs.add((int(held["id"][k % held.height]), int(employer_id)))
    for drive_id, size in zip(held["id"], sizes):
        for employer_id in rng.choice(visiting, size=int(size), replace=False):
            pairs.add((int(drive_id), int(employer_id)))
    pair_list = sorted(pairs)
    offered = _split_exactly(rng, n_pos, len(pair_list))
    drive_employers = pl.DataFrame({"drive_id": [p[0] for p in pair_list], "employer_id": [p[1] for p in pair_list],
                                    "positions_offered": offered})
    cancelled_id = int(df.filter(pl.col("status") == "cancelled")["id"][0])
    cancelled_rows = pl.DataFrame({"drive_id": [cancelled_id] * 5, "employer_id": visiting[:5].tolist(),
                                   "positions_offered": [6, 4, 8, 3, 5]})
    for (drive_id,), group in pl.concat([drive_employers, cancelled_rows]).group_by("drive_id", maintain_order=True):
        db_drives.set_employers(cur, SYSTEM, drive_id, dict(zip(group["employer_id"], group["positions_offered"])))
    counts = drive_employers.group_by("drive_id").len("n_employers")
    held = held.join(counts, left_on="id", right_on="drive_id", maintain_order="left").select(
        "id", "university_id", "enclave_id", "held_on", "season", "n_employers")
    return held, drive_employers.select("drive_id", "employer_id")


def _split_exactly(rng: np.random.Generator, total: int, parts: int) -> list[int]:
    """`parts` positive integers summing to exactly `total` (largest-remainder rounding)."""
    raw = rng.gamma(2.0, 1.0, size=parts)
    share = raw / raw.sum() * (total - parts)
    whole = np.floor(share).astype(int)
    remainder = total - parts - whole.sum()
    whole[np.argsort(-(share - whole))[:remainder]] += 1
    return (whole + 1).tolist()


def appointments_and_targets(cur: Cursor, rng: np.random.Generator, world: World, scale: int) -> None:
    """Appointments (科技副总, 柔性引进) for 2025 and the year before; the 2025 targets."""
    from loaders.demo_people import fake_names   # shared name generator

    rows = []
    plan = [(cat.DEMO_YEAR, "tech_vp", cat.REPORTED["tech_vp"]), (cat.DEMO_YEAR, "flexible", cat.REPORTED["flexible_high_level"]),
            (cat.DEMO_YEAR - 1, "tech_vp", cat.PREVIOUS_YEAR_APPOINTMENTS["tech_vp"]),
            (cat.DEMO_YEAR - 1, "flexible", cat.PREVIOUS_YEAR_APPOINTMENTS["flexible"])]
    levels = [lvl for lvl, n in cat.FLEXIBLE_LEVELS for _ in range(n)]
    top_universities = world.universities.filter(pl.col("is_211"))["name"].to_list()
    for year, kind, n in plan:
        names = fake_names(rng, n)
        for i in range(n):
            start = date(year, 1, 1) + timedelta(days=int(rng.integers(0, 330)))
            employer = int(rng.choice(world.employers["id"].to_numpy()))
            enclave = None if rng.random() < 0.4 else int(rng.choice(world.enclaves["id"].to_numpy()))
            if kind == "tech_vp":
                home = str(rng.choice(top_universities))
                rows.append((kind, names[i], str(rng.choice(cat.TECH_VP_TITLES)), "市级", home, employer, enclave,
                             start, start + timedelta(days=365 * 2)))
            else:
                home = str(rng.choice(cat.INSTITUTES + tuple(top_universities[:20])))
                rows.append((kind, names[i], "研究员" if "研究" in home else "教授", levels[i % len(levels)], home,
                             employer, enclave, start, start + timedelta(days=365 * 3)))
    df = pl.DataFrame(rows, schema=["kind", "person_name", "title", "level", "home_institution", "employer_id",
                                    "enclave_id", "starts_on", "ends_on"], orient="row")
    create_rows(cur, db_appointments.REGISTER, df)

    city = {"young_phd": 40 * scale, "young_graduate": 9000 * scale, "high_skill": 1250 * scale,
            "high_level": 30 * scale, "tech_vp": 12, "flexible": 45, "drive_intents": 1300 * scale}
    cells = [targets.Cell(None, metric, value) for metric, value in city.items()]
    weights = world.enclaves["weight"].to_numpy() / world.enclaves["weight"].sum()
    for metric in ("young_phd", "young_graduate", "high_skill", "high_level"):
        shares = np.round(weights * city[metric]).astype(int)
        cells += [targets.Cell(int(eid), metric, int(v)) for eid, v in zip(world.enclaves["id"], shares)]
    targets.save(cur, SYSTEM, cat.DEMO_YEAR, cells)


def declarations(cur: Cursor, rng: np.random.Generator, world: World) -> int:
    """The year's talent-programme declarations, batch by batch (cat.DECLARATION_BATCHES). Some
    applicants are hired young PhDs or high-level talents, declared by the company that hired them;
    the others are named only. Returns how many declarations were written."""
    hired = frame(cur, """
        select c.id as candidate_id, c.name, arg_min(a.employer_id, e.occurred_at) as employer_id
        from stage_event e join application a on a.id = e.application_id join candidate c on c.id = e.candidate_id
        where e.to_stage = 'arrived' and c.talent_category in ('young_phd', 'high_level')
        group by c.id, c.name order by c.id""")
    # One person per name, and no named-only applicant shares a name with one: a name identifies them.
    hired = hired.unique("name", keep="first", maintain_order=True)
    employer_ids = world.employers["id"].to_numpy()
    rows = []
    for level, linked in cat.DECLARATIONS_LINKED.items():
        batches = [b for b in cat.DECLARATION_BATCHES if b[0] == level]
        total = cat.DECLARATION_APPLICANTS[level]
        if sum(b[3] for b in batches) != total:
            raise ValueError(f"demo_catalogue: the {level} batches do not add up to {total} applicants")
        picked = hired[np.sort(rng.choice(hired.height, size=linked, replace=False))]
        people = [{"candidate_id": c, "employer_id": e} for c, e in zip(picked["candidate_id"], picked["employer_id"])]
        names = _unique_names(rng, total - linked, taken=set(hired["name"]))
        people += [{"applicant_name": n, "employer_id": int(rng.choice(employer_ids))} for n in names]
        people = [people[i] | {"programme": str(rng.choice(cat.DECLARATION_PROGRAMMES[level]))}
                  for i in rng.permutation(len(people))]
        not_selected: list[dict[str, Any]] = []
        for _, batch, submitted_on, new, again, selected, others, result_on in batches:
            fresh, people = people[:new], people[new:]
            repeats = [not_selected.pop(int(rng.integers(len(not_selected)))) for _ in range(again)]
            entrants = fresh + [p | {"notes": cat.DECLARATION_AGAIN} for p in repeats]
            chosen_ones = set(rng.choice(len(entrants), size=selected, replace=False).tolist())
            for i, person in enumerate(entrants):
                status = "selected" if i in chosen_ones else others
                early = timedelta(days=int(rng.integers(0, 12)))   # companies submit before the deadline
                rows.append(person | {
                    "level": level, "batch": batch, "status": status,
                    "submitted_on": None if submitted_on is None else submitted_on - early,
                    "result_on": result_on if status in ("selected", "not_selected") else None,
                })
                if status == "not_selected":
                    not_selected.append({k: v for k, v in person.items() if k != "notes"})
    return len(create_rows(cur, db_declarations.REGISTER, rows))


def _unique_names(rng: np.random.Generator, n: int, *, taken: set[str]) -> list[str]:
    """`n` different names, none of them in `taken`."""
    from loaders.demo_people import fake_names   # shared name generator

    names: list[str] = []
    seen = set(taken)
    while len(names) < n:
        for name in fake_names(rng, n - len(names)):
            if name not in seen:
                seen.add(name)
                names.append(name)
    return names


def talent_events(cur: Cursor, rng: np.random.Generator, world: World) -> None:
    """The year's 产业人才班 and 星耀南湖·菁英荟 (cat.TALENT_CLASSES, cat.MATCHING_EVENTS), with their partner
    employers and attendees drawn from the demo's people: a class's trainees are young graduates (大专,
    本科) and skilled workers whose first application went to a company of the class's industry around
    the class's time; a matching event's are graduates (本科, 硕士), PhDs above all. Some had applied before
    they came, most after — so each event's conversion (events.conversion) is its own. One add_attendees
    call per event."""
    if sum(c[4] for c in cat.TALENT_CLASSES) != cat.REPORTED["talent_class_trainees"]:
        raise ValueError("demo_catalogue: TALENT_CLASSES' new trainees do not add up to talent_class_trainees")
    people = frame(cur, """
        select c.id, c.talent_category as category, c.degree, arg_min(e.industry, a.created_at) as industry,
               cast(min(a.created_at) as date) as first_applied
        from candidate c join application a on a.candidate_id = c.id join employer e on e.id = a.employer_id
        where c.merged_into is null and c.deleted_at is null
        group by c.id, c.talent_category, c.degree order by c.id""")
    school = dict(zip(world.universities["name"], world.universities["id"]))
    employers_of = {k[0]: g["id"].to_numpy() for k, g in world.employers.group_by("industry", maintain_order=True)}
    rows: list[dict[str, Any]] = []
    lists: list[list[int]] = []
    partners: list[list[int]] = []

    def around(pool: pl.DataFrame, day: date, before: int, after: int) -> pl.DataFrame:
        return pool.filter(pl.col("first_applied").is_between(day - timedelta(days=before), day + timedelta(days=after)))

    trainees = people.filter(pl.col("category").is_in(["young_graduate", "high_skill"])
                             & (pl.col("degree").is_null() | pl.col("degree").is_in(["大专", "本科"])))
    taken: set[int] = set()
    previous: dict[str, np.ndarray] = {}
    for industry, phase, starts_on, days, new, back, university, capacity in cat.TALENT_CLASSES:
        near = around(trainees.filter(pl.col("industry") == industry), starts_on, 60, 150)
        near = near.filter(~pl.col("id").is_in(list(taken)))
        picked = near["id"].to_numpy()[np.sort(rng.choice(near.height, size=new, replace=False))]
        returning = rng.choice(previous[industry], size=back, replace=False) if back else np.array([], dtype=np.int64)
        taken |= set(picked.tolist())
        previous[industry] = picked
        rows.append({"name": f"{cat.DEMO_YEAR} {industry}产业人才班（第{'一二三四'[phase - 1]}期）", "kind": "talent_class",
                     "starts_on": starts_on, "ends_on": starts_on + timedelta(days=days - 1),
                     "place": str(rng.choice(cat.TALENT_CLASS_PLACES)), "organiser": cat.TALENT_CLASS_ORGANISER,
                     "industry": industry, "university_id": school.get(university), "capacity": capacity})
        lists.append([*picked.tolist(), *returning.tolist()])
        partners.append(rng.choice(employers_of[industry], size=int(rng.integers(3, 6)), replace=False).tolist())

    graduates = people.filter(((pl.col("category") == "young_graduate") & pl.col("degree").is_in(["本科", "硕士"]))
                              | pl.col("category").is_in(["young_phd", "high_level"]))
    for session, held_on, place, university, capacity, n in cat.MATCHING_EVENTS:
        near = around(graduates, held_on, 45, 120)
        weight = np.where(near["degree"].is_in(["博士", "博士后"]).to_numpy(), 8.0, 1.0)
        picked = near["id"].to_numpy()[np.sort(rng.choice(near.height, size=n, replace=False, p=weight / weight.sum()))]
        rows.append({"name": f"{cat.MATCHING_EVENT_NAME} 第{session}场", "kind": "matching", "starts_on": held_on,
                     "place": place, "organiser": cat.MATCHING_EVENT_ORGANISER, "university_id": school.get(university),
                     "capacity": capacity})
        lists.append(picked.tolist())
        partners.append(rng.choice(world.employers["id"].to_numpy(), size=int(rng.integers(8, 15)), replace=False).tolist())

    for event_id, attendees, employer_ids in zip(create_rows(cur, db_events.REGISTER, rows), lists, partners):
        db_events.set_employers(cur, SYSTEM, event_id, employer_ids)
        db_events.add_attendees(cur, SYSTEM, event_id, attendees, source="list")
