"""What an import's rows add beyond new people: the blanks they fill on people who already exist, the
differences they are warned about, and a drive's applications (with the employers HR chose to create).
db/imports.py calls these inside its one transaction."""
from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime

import polars as pl

from db import bulk
from db.bulk import frame, registered, reserve_ids
from db.contact_keys import key_sql
from db.permissions import User
from db.quoting import clipped
from db.sql import Cursor, rows

FILLABLE = ("gender", "mobile", "email", "university_id", "university_raw", "college", "major", "degree",
            "graduation_year", "graduation_month")
# Filled on existing people by a sign-up commit (db/signups.py) where blank, in import_fill like the others.
CONSENT = ("consent_at", "consent_method", "consent_purpose")
COMPARED = {"gender": "性别", "mobile": "手机号", "email": "邮箱", "university_id": "学校", "college": "学院",
            "major": "专业", "degree": "学历", "graduation_year": "毕业年份"}
NOTES = {"row_number": pl.Int32, "field": pl.String, "message": pl.String}


@dataclass(frozen=True)
class SliceContext:
    """What the parts of one import's write share."""

    actor: User
    batch_id: int
    drive_id: int | None
    enclave_id: int | None
    now: datetime
    created_employers: dict[str, int]
    persons: pl.DataFrame
    connection: threading.Lock          # held while using the connection (see imports._Alongside)


def conflict_warnings(people: pl.DataFrame) -> pl.DataFrame:
    """Warnings for people whose mobile belongs to one existing candidate and e-mail to another."""
    both = people.filter(pl.col("by_mobile").is_not_null() & pl.col("by_email").is_not_null()
                         & (pl.col("by_mobile") != pl.col("by_email")))
    return both.select(pl.col("person").alias("row_number"), pl.lit("email").alias("field"), pl.format(
        "手机号属于已有人员 #{}，邮箱却属于另一人员 #{}：按手机号匹配，邮箱未写入，请核对是否为同一人",
        pl.col("by_mobile"), pl.col("by_email")).alias("message"))


def fills_for(cur: Cursor, matched: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Per matched candidate, the blank fields this file fills; and warnings where the file differs."""
    empty_notes = pl.DataFrame(schema=NOTES)
    if matched.height == 0:
        return pl.DataFrame(), empty_notes
    with registered(cur, "import_matched", matched.select("candidate_id").unique()):
        existing = frame(cur, f"""
            select c.id as candidate_id, c.name as old_name, u.name as old_school, {', '.join('c.' + f + ' as old_' + f for f in FILLABLE)}
            from candidate c left join university u on u.id = c.university_id
            where c.id in (select candidate_id from import_matched)""")
    joined = matched.join(existing, on="candidate_id", how="inner").sort("person")
    # Only the first person (file order) matched to a candidate fills its blanks; a mobile or e-mail
    # fills only when nobody else holds it.
    first = joined.unique("candidate_id", keep="first", maintain_order=True)
    free = {"mobile": pl.col("by_mobile").is_null(), "email": pl.col("by_email").is_null()}
    fills = first.select("candidate_id", *[
        pl.when(pl.col(f"old_{f}").is_null() & pl.col(f).is_not_null() & free.get(f, pl.lit(True))).then(pl.col(f)).alias(f)
        for f in FILLABLE])
    fills = fills.filter(pl.any_horizontal(pl.col(f).is_not_null() for f in FILLABLE))
    notes = [empty_notes]
    for f, label in COMPARED.items():
        old, new = (("old_school", "university_raw") if f == "university_id" else (f"old_{f}", f))
        differs = pl.col(f"old_{f}").is_not_null() & pl.col(f).is_not_null() & (pl.col(f"old_{f}") != pl.col(f))
        different = joined.filter(differs.fill_null(False))     # what the message quotes is cut to a quote
        notes.append(clipped(different.with_columns(pl.col(old, new).cast(pl.String)), ("old_name", old, new)).select(
            pl.col("person").alias("row_number"), pl.lit(f).alias("field"),
            pl.format("与已有人员 #{}（{}）的{}不同：已有「{}」，文件为「{}」，未覆盖，请核对", pl.col("candidate_id"),
                      pl.col("old_name"), pl.lit(label), pl.col(old).cast(pl.String), pl.col(new).cast(pl.String))
            .alias("message")))
    return fills, pl.concat(notes, how="vertical_relaxed")


def create_employers(cur: Cursor, names: tuple[str, ...], drive_id: int | None, now: datetime) -> dict[str, int]:
    """Employers HR confirmed to create (names still unknown in the file): name → new id."""
    wanted = [n for n in dict.fromkeys(names) if n and n.strip()]
    if not wanted or drive_id is None:
        return {}
    known = {name for (name,) in rows(cur, "select name from employer where name in (select unnest($names))",
                                      {"names": wanted})}
    new = [n for n in wanted if n not in known]
    if not new:
        return {}
    ids = reserve_ids(cur, "seq_employer", len(new))
    table = pl.DataFrame({"id": ids, "name": new, "created_at": [now] * len(new)})
    with registered(cur, "import_employers", table):
        rows(cur, "insert into employer (id, name, created_at) select id, name, created_at from import_employers")
    return dict(zip(new, ids.to_list()))


def applications(cur: Cursor, rows_: pl.DataFrame, person_to_candidate: pl.DataFrame, drive_id: int | None,
                  created: dict[str, int]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """One application per person and employer for the drive (or of no drive: an event's sign-up, db/signups.py),
    unless that application already exists."""
    apps = rows_.join(person_to_candidate, on="person", how="inner")
    if created:
        made = pl.DataFrame({"employer_raw": list(created), "created_id": list(created.values())},
                            schema={"employer_raw": pl.String, "created_id": pl.Int64})
        apps = apps.join(made, on="employer_raw", how="left").with_columns(
            pl.coalesce("employer_id", "created_id").alias("employer_id")).drop("created_id")
    unknown = clipped(apps.filter(pl.col("employer_raw").is_not_null() & pl.col("employer_id").is_null()),
                      ("employer_raw",))
    notes = unknown.select("row_number", pl.lit("employer").alias("field"), pl.format(
        "意向企业「{}」不在企业名录中：投递未关联企业（可在导入页确认新建该企业后重新导入）", pl.col("employer_raw"))
        .alias("message"))
    apps = apps.sort("row_number").group_by("candidate_id", "employer_id", maintain_order=True).agg(
        pl.col("intent").fill_null(False).any().alias("intent"), pl.col("position").drop_nulls().first(),
        pl.col("row_number").first())
    with registered(cur, "import_apps", apps.select("candidate_id", pl.col("employer_id").cast(pl.Int64))):
        existing = frame(cur, """
            select a.candidate_id, a.employer_id from application a
            join import_apps i on i.candidate_id = a.candidate_id and i.employer_id is not distinct from a.employer_id
            where a.drive_id is not distinct from $drive""", {"drive": drive_id})
    if existing.height:
        apps = apps.join(existing.with_columns(pl.lit(True).alias("exists")), on=["candidate_id", "employer_id"],
                         how="left", nulls_equal=True).filter(pl.col("exists").is_null()).drop("exists")
    return apps, notes


def release_stale_keys(cur: Cursor, people: pl.DataFrame) -> None:
    """Keys still held by deleted candidates do not make anyone a match; a new person takes them over."""
    with registered(cur, "import_new_keys", people.select("mobile", "email")):
        rows(cur, f"""
            delete from contact_key
            where key in (select {key_sql('m', 'mobile')} from import_new_keys where mobile is not null
                          union all select {key_sql('e', 'email')} from import_new_keys where email is not null)
              and candidate_id not in (select id from candidate where deleted_at is null)""")


def apply_fills(cur: Cursor, actor: User, fills: pl.DataFrame, pending: bulk.Deferred, now: datetime) -> int:
    if fills.height == 0:
        return 0
    release_stale_keys(cur, fills)
    with registered(cur, "import_fills", fills):
        sets = ", ".join(f"{f} = coalesce(c.{f}, x.{f})" for f in FILLABLE)   # names from FILLABLE, not input
        rows(cur, f"update candidate c set {sets}, version = c.version + 1, updated_by = $who, updated_at = $at"
                    " from import_fills x where c.id = x.candidate_id", {"who": actor.username, "at": now})
    trail = fills.with_columns(pl.col(f).cast(pl.String) for f in FILLABLE).unpivot(
        index="candidate_id", on=list(FILLABLE), variable_name="field", value_name="value").drop_nulls("value")
    pending.add("import_fill", trail)
    bulk.insert_contact_keys(cur, fills.select(pl.col("candidate_id").alias("id"), "mobile", "email"))
    return trail.height


def add_applications(cur: Cursor, c: SliceContext, apps: pl.DataFrame, pending: bulk.Deferred) -> int:
    """The drive's applications with their first stage event (created: from_stage null)."""
    if apps.height == 0:
        return 0
    apps = apps.with_columns(reserve_ids(cur, "seq_application", apps.height).alias("id"),
                             pl.when(pl.col("intent")).then(pl.lit("intent")).otherwise(pl.lit("applied")).alias("stage"))
    pending.add("application", apps.select(
        "id", "candidate_id", "employer_id", pl.lit(c.drive_id).alias("drive_id"), "stage",
        pl.lit(c.batch_id).alias("import_batch_id"), pl.lit(c.actor.username).alias("created_by"),
        pl.lit(c.now).alias("created_at"), pl.lit(c.now).alias("updated_at")))
    pending.add("stage_event", apps.select(
        pl.col("id").alias("application_id"), "candidate_id", pl.lit(None, dtype=pl.String).alias("from_stage"),
        pl.col("stage").alias("to_stage"), pl.lit(c.now).alias("occurred_at"), pl.lit(c.actor.username).alias("actor"),
        pl.concat_str(pl.lit(f"导入批次 #{c.batch_id}"), pl.format("；意向岗位：{}", pl.col("position")),
                      ignore_nulls=True).alias("note")))
    return apps.height
