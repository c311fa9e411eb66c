"""Demo people and their pipelines: candidates, applications and stage history, N times over.

Each talent category is simulated stage by stage with pass rates that differ by channel, enclave
and degree, until exactly the reported number of hires has arrived; the people who fell out on
the way are kept, so funnels narrow realistically and every figure is counted from rows.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import polars as pl
from faker.providers.person.zh_CN import Provider as ZhNames

from db.enums import Stage
from db.pinyin import readings
from loaders import demo_catalogue as cat
from loaders.demo_programmes import World

DAY = 86_400
STAGE_CODES = np.array([s.value for s in Stage], dtype=object)   # index = rank - 1
ARRIVED, INTENT, APPLIED, INTERVIEWING = Stage.ARRIVED.rank, Stage.INTENT.rank, Stage.APPLIED.rank, Stage.INTERVIEWING.rank
# Pass rate of each move lead→contacted, …, signed→arrived before channel/enclave/degree factors.
BASE_PASS = np.array([0.80, 0.85, 0.80, 0.75, 0.90, 0.92, 0.93])
CHANNEL_FACTOR = {"enclave": 1.00, "campus_drive": 1.02, "agreement": 1.04, "joint_training": 1.06,
                  "referral": 1.07, "online": 0.93, "walk_in": 0.97, "other": 0.95}
DEGREE_FACTOR = {"大专": 0.98, "本科": 1.00, "硕士": 1.02, "博士": 1.03, "博士后": 1.03, None: 0.97}


@dataclass(frozen=True)
class Profile:
    degrees: dict[str | None, float]
    ages: tuple[int, int]
    channels: dict[str, float]
    university: str            # 'top' (211), 'any' (本科 by degree), 'vocational' (专科)
    arrival_months: tuple[float, ...]
    manual: bool               # category set by hand rather than derived from degree and age


GRAD_MONTHS = (3, 3, 4, 4, 5, 9, 22, 16, 8, 6, 5, 5)
FLAT_MONTHS = (7, 7, 9, 9, 8, 8, 9, 9, 9, 8, 8, 9)
PROFILES = {
    "young_phd": Profile({"博士": 0.9, "博士后": 0.1}, (27, 35),
                         {"agreement": 0.3, "enclave": 0.32, "referral": 0.15, "online": 0.17, "campus_drive": 0.06},
                         "top", FLAT_MONTHS, False),
    "young_graduate": Profile({"本科": 0.55, "硕士": 0.25, "大专": 0.2}, (21, 30),
                              {"campus_drive": 0.075, "enclave": 0.31, "online": 0.27, "agreement": 0.11,
                               "referral": 0.12, "walk_in": 0.085, "other": 0.03}, "any", GRAD_MONTHS, False),
    "high_skill": Profile({"大专": 0.6, None: 0.4}, (22, 45),
                          {"walk_in": 0.25, "online": 0.3, "enclave": 0.2, "referral": 0.15, "other": 0.1},
                          "vocational", FLAT_MONTHS, True),
    "high_level": Profile({"博士": 0.7, "硕士": 0.3}, (38, 58),
                          {"referral": 0.4, "enclave": 0.3, "agreement": 0.3}, "top", FLAT_MONTHS, True),
    "other": Profile({"本科": 0.7, "硕士": 0.3}, (36, 48),
                     {"online": 0.4, "walk_in": 0.2, "referral": 0.2, "enclave": 0.2}, "any", FLAT_MONTHS, False),
}
GRADUATION_AGE = {"大专": 21, "本科": 22, "硕士": 25, "博士": 29, "博士后": 31, None: 20}
TAGS = ("重点关注", "应届生", "意向落户", "已享受人才补贴", "海归", "需跟进三方")


def _surname_table() -> tuple[np.ndarray, np.ndarray]:
    names = np.array(list(ZhNames.last_names.keys()), dtype=object)
    weights = np.array(list(ZhNames.last_names.values()), dtype=float)
    return names, weights / weights.sum()


def fake_names(rng: np.random.Generator, n: int, genders: np.ndarray | None = None) -> list[str]:
    """Chinese names from faker's zh_CN surname frequencies and given-name characters, vectorised."""
    surnames, weights = _surname_table()
    genders = genders if genders is not None else rng.choice(np.array(["男", "女"], dtype=object), size=n)
    male = np.array(ZhNames.first_names_male, dtype=object)
    female = np.array(ZhNames.first_names_female, dtype=object)
    is_male = genders == "男"
    first = np.where(is_male, male[rng.integers(0, male.size, n)], female[rng.integers(0, female.size, n)])
    second = np.where(is_male, male[rng.integers(0, male.size, n)], female[rng.integers(0, female.size, n)])
    # faker's lists mix one- and two-character given names; join two only when both are single.
    single = np.vectorize(len)(first) + np.vectorize(len)(second) == 2
    given = np.where((rng.random(n) < 0.55) & single, first + second, first)
    return (rng.choice(surnames, size=n, p=weights) + given).tolist()


def simulate(rng: np.random.Generator, category: str, hires: int, enclave_factor: np.ndarray,
             enclave_weight: np.ndarray) -> pl.DataFrame:
    """People of one category, simulated until exactly `hires` of them have arrived."""
    profile = PROFILES[category]
    n = int(hires / 0.28 * 1.3) + 64
    while True:
        degree = rng.choice(np.array(list(profile.degrees), dtype=object), size=n, p=list(profile.degrees.values()))
        channel = rng.choice(np.array(list(profile.channels), dtype=object), size=n, p=list(profile.channels.values()))
        # -1 is 市本级: people handled by the office itself rather than by an enclave.
        enclave = np.where(rng.random(n) < 0.15, -1, rng.choice(enclave_weight.size, size=n, p=enclave_weight))
        enclave = np.where((channel == "enclave") & (enclave < 0), rng.choice(enclave_weight.size, size=n), enclave)
        factor = (np.vectorize(CHANNEL_FACTOR.get)(channel) * np.vectorize(DEGREE_FACTOR.get)(degree)
                  * np.where(enclave >= 0, enclave_factor[np.maximum(enclave, 0)], 0.98))
        p = np.clip(BASE_PASS[None, :] * factor[:, None], 0, 0.985)
        start = np.where(channel == "campus_drive", APPLIED, 1)   # a fair sign-up is already an application
        p[start == APPLIED, :2] = 1.0
        passed = np.cumprod(rng.random((n, BASE_PASS.size)) < p, axis=1).sum(axis=1)
        final = 1 + passed
        cumulative = np.cumsum(final == ARRIVED)
        if cumulative[-1] >= hires:
            cut = int(np.searchsorted(cumulative, hires)) + 1
            break
        n *= 2
    age = rng.integers(profile.ages[0], profile.ages[1] + 1, size=cut)
    return pl.DataFrame({
        "category": [category] * cut, "degree": degree[:cut].tolist(), "channel": channel[:cut].tolist(),
        "enclave_idx": enclave[:cut], "start_rank": start[:cut], "final_rank": final[:cut],
        "birth_year": cat.DEMO_YEAR - age, "manual": [profile.manual] * cut,
    }, schema_overrides={"degree": pl.String})


def fix_drive_intents(rng: np.random.Generator, people: pl.DataFrame, target: int) -> pl.DataFrame:
    """Move just enough people into or out of the campus-drive channel that exactly `target` of
    them reach intent or later (the city reports this figure; simulation alone only gets close)."""
    reached = people["final_rank"] >= INTENT
    drive = people["channel"] == "campus_drive"
    surplus = int((reached & drive).sum()) - target
    channel = people["channel"].to_numpy().copy()
    start = people["start_rank"].to_numpy().copy()
    hired = (people["final_rank"] == ARRIVED).to_numpy()
    if surplus > 0:
        pool = np.flatnonzero((reached & drive).to_numpy())
        pool = np.concatenate([pool[~hired[pool]], pool[hired[pool]]])[:surplus]   # non-hires first
        channel[pool] = rng.choice(np.array(["enclave", "online", "referral"], dtype=object), size=pool.size)
        start[pool] = 1
    elif surplus < 0:
        young = people["category"].is_in(["young_graduate", "young_phd"]).to_numpy()
        pool = np.flatnonzero(reached.to_numpy() & ~drive.to_numpy() & young)
        pool = np.concatenate([pool[~hired[pool]], pool[hired[pool]]])[: -surplus]
        channel[pool] = "campus_drive"
        start[pool] = APPLIED
    return people.with_columns(pl.Series("channel", channel), pl.Series("start_rank", start))


def epoch(d: date) -> int:
    return int(datetime(d.year, d.month, d.day).timestamp() - datetime(1970, 1, 1).timestamp())


def day_in_year_by_month(rng: np.random.Generator, months: tuple[float, ...], n: int, year: int) -> np.ndarray:
    """Epoch seconds of `n` working-hours moments in `year`, months weighted by `months`."""
    weights = np.array(months, dtype=float) / sum(months)
    month = rng.choice(12, size=n, p=weights)
    month_start = np.array([epoch(date(year, m + 1, 1)) for m in range(12)] + [epoch(date(year + 1, 1, 1))])
    length = month_start[month + 1] - month_start[month]
    day = (rng.random(n) * (length // DAY)).astype(np.int64)
    return month_start[month] + day * DAY + rng.integers(9 * 3600, 18 * 3600, size=n)


def events(apps: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """Stage events of applications walking start_rank → final_rank (+ an exit), spread in time.

    `apps` has application_id, candidate_id, start_rank, final_rank, exit_stage (or null),
    lost_reason, t_first, t_last (epoch seconds), actor and talent_category (which an arrival keeps).
    """
    start = apps["start_rank"].to_numpy()
    final = apps["final_rank"].to_numpy()
    has_exit = apps["exit_stage"].is_not_null().to_numpy()
    k = final - start + 1 + has_exit
    app_of = np.repeat(np.arange(apps.height), k)
    offsets = np.cumsum(k) - k
    step = np.arange(k.sum()) - np.repeat(offsets, k)        # 0 … k-1 within each application
    is_exit = has_exit[app_of] & (step == k[app_of] - 1)
    to_rank = np.where(is_exit, 0, start[app_of] + step)
    from_rank = np.where(step == 0, 0, np.where(is_exit, final[app_of], to_rank - 1))
    # Times: cumulative random gaps, scaled so the first event is at t_first and the last at t_last.
    gaps = np.where(step == 0, 0.0, rng.exponential(1.0, size=step.size))
    cum = np.cumsum(gaps)
    cum = cum - np.repeat(cum[offsets], k)
    total = np.repeat(cum[offsets + k - 1], k)
    fraction = np.divide(cum, total, out=np.zeros_like(cum), where=total > 0)
    t_first = apps["t_first"].to_numpy()[app_of]
    span = apps["t_last"].to_numpy()[app_of] - t_first
    at = t_first + (fraction * span).astype(np.int64)
    exit_stage = apps["exit_stage"].to_numpy()[app_of]
    to_code = np.where(is_exit, exit_stage, STAGE_CODES[np.maximum(to_rank, 1) - 1])
    from_code = np.where(from_rank == 0, None, STAGE_CODES[np.maximum(from_rank, 1) - 1])
    note = np.where(is_exit, apps["lost_reason"].to_numpy()[app_of], None)
    category = np.where(to_code == "arrived", apps["talent_category"].to_numpy()[app_of], None)
    return pl.DataFrame({
        "application_id": apps["application_id"].to_numpy()[app_of],
        "candidate_id": apps["candidate_id"].to_numpy()[app_of],
        "from_stage": from_code.tolist(), "to_stage": to_code.tolist(),
        "occurred_at": at, "actor": apps["actor"].to_numpy()[app_of].tolist(), "note": note.tolist(),
        "talent_category": category.tolist(),
    }, schema={"application_id": pl.Int64, "candidate_id": pl.Int64, "from_stage": pl.String,
               "to_stage": pl.String, "occurred_at": pl.Int64, "actor": pl.String, "note": pl.String,
               "talent_category": pl.String})


def pick(rng: np.random.Generator, options: tuple[str, ...] | list[str], n: int) -> np.ndarray:
    """`n` uniform picks from `options`, vectorised (rng.choice per row costs microseconds each)."""
    return np.array(options, dtype=object)[rng.integers(0, len(options), size=n)]


def pinyin_columns(names: pl.Series) -> tuple[pl.Series, pl.Series]:
    """Pinyin readings, computed once per distinct name (names repeat a lot)."""
    distinct = names.unique()
    computed = [readings(n) for n in distinct.to_list()]
    table = pl.DataFrame({"name": distinct, "name_pinyin": [c[0] for c in computed],
                          "name_initials": [c[1] for c in computed]})
    joined = pl.DataFrame({"name": names}).join(table, on="name", how="left", maintain_order="left")
    return joined["name_pinyin"], joined["name_initials"]


def unique_mobiles(rng: np.random.Generator, n: int) -> list[str]:
    prefixes = np.array([130, 131, 132, 133, 135, 136, 137, 138, 139, 150, 151, 152, 155, 156, 157, 158, 159,
                         166, 173, 176, 177, 180, 181, 182, 183, 185, 186, 187, 188, 189, 191, 198, 199])
    found: np.ndarray = np.array([], dtype=np.int64)
    while found.size < n:
        more = prefixes[rng.integers(0, prefixes.size, n)] * 10**8 + rng.integers(0, 10**8, n)
        found = np.unique(np.concatenate([found, more]))
    return rng.permutation(found)[:n].astype(str).tolist()


def world_arrays(world: World) -> dict[str, np.ndarray]:
    return {"enclave_id": world.enclaves["id"].to_numpy()}
