"""Import batches: the one write of an import (match, insert, fill blanks, apply); history and undo are in
db/import_history.py.

Commands check Action.IMPORT and run as one transaction with an audit entry. The importer in
loaders/ hands over its normalised rows staged as Parquet files, which DuckDB reads itself, and
polars frames for the rest; everything here is bulk SQL, never row by row (see BatchInput). The
file's contacts are matched and its rejects written while the importer is still working out who is
who; then the whole-file decisions — who matches whom, which ids new people get, each row's outcome
— are taken; then the contact keys are written while the rows that need Python (merged duplicates,
people matching an existing candidate, drive applications) are worked out; then every new person
goes into `candidate` in one INSERT, and every other table gets its rows in one INSERT too (see
bulk.Deferred). The transaction claims contact keys (db/contact_keys.py).
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl

from db import audit, bulk, clock, national_id, stage_derived
from db.bulk import frame, registered, reserve_ids
from db.connection import run_in_transaction
from db.contact_keys import key_sql
from db.enums import Degree, TalentCategory, derive_talent_category
from db.errors import DomainError, NotFound
from db.import_matches import (
    NOTES,
    SliceContext,
    add_applications,
    applications,
    apply_fills,
    conflict_warnings,
    create_employers,
    fills_for,
    release_stale_keys,
)
from db.permissions import Action, User, require
from db.sql import Cursor, next_id, rows, to_json

Progress = Callable[[float, str], None]
# Blank fields of an existing candidate that a matching row may fill (never overwrite).
PERSON_SCHEMA = {"person": pl.Int32, "name": pl.String, "gender": pl.String, "mobile": pl.String, "email": pl.String,
                 "university_id": pl.Int64, "university_raw": pl.String, "college": pl.String, "major": pl.String,
                 "degree": pl.String, "graduation_year": pl.Int32, "graduation_month": pl.Int32}
APPLICATION_FIELDS = ("employer_raw", "employer_id", "position", "intent")     # of a row, for its drive application


class AlreadyImported(DomainError):
    def __init__(self, message: str, *, batch_id: int) -> None:
        super().__init__(message)
        self.batch_id = batch_id


@dataclass(frozen=True)
class Slice:
    """Rows whose people are handled here in Python: one row per person, the rows' application fields,
    and warnings about them."""

    people: pl.DataFrame            # PERSON_SCHEMA
    applications: pl.DataFrame      # row_number, person, employer_raw, employer_id, position, intent
    warnings: pl.DataFrame          # row_number, field, message


@dataclass(frozen=True)
class StagedParts:
    """A file's normalised rows as the importer set them aside: Parquet files that DuckDB reads directly."""

    rows: list[Path]                # kept rows: row_number, PERSON_SCHEMA's fields, and the application fields
    rejects: list[Path]             # row_number, reasons, row_json
    warnings: list[Path]            # row_number, field, message — each row's own


@dataclass(frozen=True)
class People:
    """Who is who in a file: every row's person, and each person's contact keys."""

    rows: pl.DataFrame              # row_number, person (null: rejected) — every non-blank row
    persons: pl.DataFrame           # person, mobile, email — what each person is matched by


@dataclass(frozen=True)
class BatchInput:
    """What the importer prepared: the staged rows, their contacts, and who is who (`people`).

    `people` may still be being worked out when the write begins: the write first does what does not
    need it — the file's contacts are looked up among existing candidates, its rejects and warnings
    written — and then waits for it. `merged` is called once, inside the transaction, with the row numbers (column `row_number`) of
    rows whose candidate has other rows in the file too — in-file duplicates, or several people
    matching one existing candidate — and gives those rows merged into one row per person. Every
    other kept row is its own person: new ones go from `staged` into `candidate` in one INSERT that
    DuckDB reads from the files, while the contact keys are being written (see _Alongside); only
    rows of people who match an existing candidate, or every row when there is a drive, are read
    back here. `readings` gives the names their pinyin as db.pinyin.readings does (vectorised, it lives
    with the importer, which works it out while deduplicating); it too is called while the keys are
    written. With a `workdir`, rows for the other tables wait there as Parquet until their INSERT.
    """

    file_name: str
    sha256: str
    read: int
    contacts: pl.DataFrame          # mobile, email of every kept row: matched while `people` is worked out
    people: Callable[[], People]
    staged: StagedParts
    merged: Callable[[pl.DataFrame], Slice]
    readings: Callable[[], pl.DataFrame]    # name, name_pinyin, name_initials of every name in staged.rows
    workdir: Path | None = None
    encoding: str | None = None
    header_row: int | None = None
    mapping: list[dict[str, Any]] = field(default_factory=list)
    report: Callable[[], dict[str, Any]] = dict     # called after `merged`: counts by reason and field
    drive_id: int | None = None
    create_employers: tuple[str, ...] = ()
    force: bool = False


@dataclass(frozen=True)
class ImportResult:
    batch_id: int
    read: int
    inserted: int
    matched: int
    duplicate_in_file: int
    rejected: int
    warnings: int
    filled: int
    applications: int
    created_employers: tuple[str, ...]
    earlier_batch: int | None

    def counts(self) -> dict[str, int]:
        return {"batch_id": self.batch_id, "read": self.read, "inserted": self.inserted, "matched": self.matched,
                "duplicate_in_file": self.duplicate_in_file, "rejected": self.rejected, "warnings": self.warnings}


# ---------------------------------------------------------------- reads


def imported(cur: Cursor, sha256: str) -> tuple[int, datetime, str, str] | None:
    """The live (not undone) batch that imported a file with this content, if any."""
    found = rows(cur, "select id, imported_at, imported_by, file_name from import_batch"
                      " where sha256 = $sha and undone_at is null order by id limit 1", {"sha": sha256})
    return found[0] if found else None


def reference_universities(cur: Cursor) -> pl.DataFrame:
    """Names and aliases to match school names against: name, university_id, kind ('name' | 'alias')."""
    return frame(cur, "select name, id as university_id, 'name' as kind from university"
                      " union all select alias, university_id, 'alias' from university_alias")


def employers(cur: Cursor) -> pl.DataFrame:
    return frame(cur, "select id, name from employer order by name")


def drives(cur: Cursor) -> pl.DataFrame:
    """Campus drives to attach an import to, newest first: id, label."""
    return frame(cur, """
        select d.id, strftime(d.held_on, '%Y-%m-%d') || ' · ' || d.programme || ' · ' || d.title || '（' || u.name || '）'
               as label
        from campus_drive d join university u on u.id = d.university_id
        where d.status <> 'cancelled'
        order by d.held_on desc, d.id desc""")


def match(cur: Cursor, people: pl.DataFrame) -> pl.DataFrame:
    """person, by_mobile, by_email: the live candidate holding each person's mobile / e-mail key."""
    return _matched(people.select("person", "mobile", "email"), held_by(cur, people)).select(
        "person", "by_mobile", "by_email").sort("person")


def held_by(cur: Cursor, contacts: pl.DataFrame) -> pl.DataFrame:
    """kind ('mobile' | 'email'), value, candidate_id: the live candidates holding any of the mobiles and
    e-mails in `contacts` (columns mobile, email; repeats and nulls allowed)."""
    with registered(cur, "import_contacts", contacts.select("mobile", "email")):
        return frame(cur, f"""
            with wanted as (
                select distinct 'mobile' as kind, mobile as value, {key_sql('m', 'mobile')} as key
                from import_contacts where mobile is not null
                union all
                select distinct 'email', email, {key_sql('e', 'email')} from import_contacts where email is not null)
            select w.kind, w.value, k.candidate_id from wanted w
            join contact_key k on k.key = w.key
            join candidate c on c.id = k.candidate_id and c.deleted_at is null""")


def _matched(people: pl.DataFrame, held: pl.DataFrame) -> pl.DataFrame:
    """`people` (with mobile and email) and by_mobile, by_email: who holds them, from `held_by`'s answer."""
    for kind, column in (("mobile", "by_mobile"), ("email", "by_email")):
        holders = held.filter(pl.col("kind") == kind).select(pl.col("value").alias(kind),
                                                             pl.col("candidate_id").cast(pl.Int64).alias(column))
        people = people.join(holders, on=kind, how="left", maintain_order="left")
    return people


# ---------------------------------------------------------------- the import


def record(cur: Cursor, actor: User, batch: BatchInput, *, progress: Progress | None = None) -> ImportResult:
    """Write a prepared file as one batch, in one transaction: all of it or, on any failure, none of it."""
    require(actor, Action.IMPORT)
    say = progress or (lambda _f, _m: None)
    return run_in_transaction(cur, lambda c: _write(c, actor, batch, say), attempts=3, claims=True)


@dataclass(frozen=True)
class _Plan:
    """The whole-file decisions, taken before anything is written."""

    persons: pl.DataFrame           # person, mobile, email, by_mobile, by_email, candidate_id, is_new
    outcomes: pl.DataFrame          # row_number, candidate_id, outcome — every kept row
    together: pl.DataFrame          # row_number of rows whose candidate has other rows in the file


@dataclass
class _Written:
    """What the write has counted so far."""

    rows: int = 0
    warnings: int = 0
    filled: int = 0
    applications: int = 0


def _write(cur: Cursor, actor: User, b: BatchInput, say: Progress) -> ImportResult:
    now = clock.now()
    earlier = imported(cur, b.sha256)
    if earlier and not b.force:
        batch_id, at, who, name = earlier
        raise AlreadyImported(
            f"这个文件已于 {at:%Y-%m-%d %H:%M} 由 {who} 导入过（批次 #{batch_id}，文件名「{name}」），未重复导入。"
            "如确需再次导入，请勾选“仍然导入”（命令行加 --force）：已有的人员只会被匹配，不会重复新增。",
            batch_id=batch_id)
    enclave_id = None
    if b.drive_id is not None:
        found = rows(cur, "select enclave_id from campus_drive where id = $id", {"id": b.drive_id})
        if not found:
            raise NotFound(f"校园招聘场次 #{b.drive_id} 不存在：请确认场次编号（--drive）。")
        enclave_id = found[0][0]
    batch_id = next_id(cur, "seq_import_batch")
    created = create_employers(cur, b.create_employers, b.drive_id, now)
    _insert_batch(cur, actor, b, batch_id, now)      # its counts, warnings and report follow at the end
    say(0.05, "匹配已有人员……")
    held = held_by(cur, b.contacts)
    written = _Written()
    if b.staged.rejects:
        _run(cur, "insert into import_reject (id, batch_id, row_number, reasons, row_json) select"
                  " nextval('seq_import_reject'), $b, row_number, reasons, row_json from read_parquet($files)",
             {"b": batch_id, "files": [str(p) for p in b.staged.rejects]})
    if b.staged.warnings:
        written.warnings += int(rows(cur, "insert into import_warning (batch_id, row_number, field, message)"
                                          " select $b, row_number, field, message from read_parquet($files)",
                                     {"b": batch_id, "files": [str(p) for p in b.staged.warnings]})[0][0])
    people = b.people()
    plan = _plan(cur, people, held)
    count = dict(plan.outcomes.group_by("outcome").len().iter_rows())
    inserted, matched, duplicates = count.get("inserted", 0), count.get("matched", 0), count.get("duplicate_in_file", 0)
    rejected = people.rows.height - plan.outcomes.height
    say(0.1, "登记联系方式……")
    pending = bulk.Deferred(b.workdir, {"batch_id": batch_id})
    written.warnings += pending.add("import_warning", conflict_warnings(plan.persons))

    def keys_and_outcomes() -> None:
        _claim_keys(cur, plan.persons.filter(pl.col("is_new")))
        bulk.insert(cur, "import_row", plan.outcomes.with_columns(pl.lit(batch_id).alias("batch_id")))

    # DuckDB writes the keys (a million of them take a second, in its own code, outside the GIL)
    # while the merged people and the rows that need Python are worked out; anything else that needs
    # the connection meanwhile waits.
    with _Alongside(keys_and_outcomes) as connection:
        context = SliceContext(actor, batch_id, b.drive_id, enclave_id, now, created, plan.persons, connection)
        fresh = [_write_slice(cur, context, b.merged(plan.together), written, pending)]
        for part in _rows_to_read(b, plan):
            fresh.append(_write_slice(cur, context, part, written, pending))
            say(0.15 + 0.4 * written.rows / max(b.read, 1), f"整理了 {written.rows:,} / {b.read:,} 行……")
        merged = pl.concat(fresh, how="vertical_relaxed")
        spoken = b.readings()
    say(0.6, f"写入 {inserted:,} 名新人员……")
    _insert_candidates(cur, context, b.staged.rows, plan, merged, spoken)
    say(0.8, "写入投递和导入明细……")
    for table in ("application", "stage_event", "import_fill", "import_warning"):
        pending.insert(cur, table)
    stage_derived.refresh(cur, candidate_ids=stage_derived.batch_people(cur, batch_id))
    _run(cur, "update import_batch set inserted = $inserted, matched = $matched, duplicate_in_file = $duplicates,"
              " rejected = $rejected, warnings = $w, report_json = $report where id = $id",
         {"inserted": inserted, "matched": matched, "duplicates": duplicates, "rejected": rejected,
          "w": written.warnings, "report": to_json({**b.report(), "created_employers": created}), "id": batch_id})
    result = ImportResult(batch_id, b.read, inserted, matched, duplicates, rejected, written.warnings, written.filled,
                          written.applications, tuple(created), earlier[0] if earlier else None)
    audit.record(cur, actor, "import", entity="import_batch", entity_id=batch_id, after=result.counts(),
                 detail=f"导入「{_stored_name(b)}」：读取 {b.read} 行，新增 {inserted}，匹配 {matched}，"
                        f"文件内重复 {duplicates}，拒绝 {rejected}，警告 {written.warnings}")
    say(0.95, "提交……")
    return result


class _Alongside:
    """Runs `job` in a thread; `lock` (what `with` gives) is held by the job while it runs and must be
    held by anyone else using the connection until the block ends. The job's error is re-raised."""

    def __init__(self, job: Callable[[], None]) -> None:
        self.lock = threading.Lock()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(job,), name="import-keys")

    def _run(self, job: Callable[[], None]) -> None:
        with self.lock:
            try:
                job()
            except BaseException as error:     # handed to the caller in __exit__
                self._error = error

    def __enter__(self) -> threading.Lock:
        self._thread.start()
        return self.lock

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        self._thread.join()
        if self._error is not None and error is None:
            raise self._error


def _plan(cur: Cursor, people: People, held: pl.DataFrame) -> _Plan:
    """Match every person (`held`: held_by's answer for the file's contacts), give the new ones ids
    (in file order), and decide each kept row's outcome."""
    persons = people.persons.select(pl.col("person").cast(pl.Int32), pl.col("mobile").cast(pl.String),
                                    pl.col("email").cast(pl.String)).sort("person")
    persons = _matched(persons, held).with_columns(pl.coalesce("by_mobile", "by_email").alias("candidate_id"))
    is_new = persons["candidate_id"].is_null()
    ids = persons["candidate_id"].scatter(is_new.arg_true(), reserve_ids(cur, "seq_candidate", int(is_new.sum())))
    persons = persons.with_columns(ids.alias("candidate_id"), is_new.alias("is_new"))
    kept = people.rows.filter(pl.col("person").is_not_null()).select("row_number", pl.col("person").cast(pl.Int32)).join(
        persons.select("person", "candidate_id", "is_new"), on="person", how="left")
    outcomes = kept.select(
        "row_number", "candidate_id",
        pl.when(pl.col("row_number") != pl.col("person")).then(pl.lit("duplicate_in_file"))
        .when(pl.col("is_new")).then(pl.lit("inserted")).otherwise(pl.lit("matched")).alias("outcome"))
    together = kept.filter(pl.col("candidate_id").is_duplicated()).select("row_number")
    return _Plan(persons, outcomes, together)


def _write_slice(cur: Cursor, c: SliceContext, part: Slice, written: _Written, pending: bulk.Deferred) -> pl.DataFrame:
    """The fills, applications and warnings of a slice; returns its new people (with candidate_id),
    whose candidate rows `_insert_candidates` writes."""
    people = part.people.cast(PERSON_SCHEMA).join(  # type: ignore[arg-type]
        c.persons.select("person", "candidate_id", "is_new", "by_mobile", "by_email"), on="person", how="left")
    matched = people.filter(~pl.col("is_new"))
    notes = pl.DataFrame(schema=NOTES)
    if matched.height:
        with c.connection:
            fills, notes = fills_for(cur, matched)
            written.filled += apply_fills(cur, c.actor, fills, pending, c.now)
    if c.drive_id is not None and part.applications.height:
        ids = part.applications.select("person").unique().join(c.persons.select("person", "candidate_id"), on="person")
        with c.connection:
            apps, employer_notes = applications(cur, part.applications, ids, c.drive_id, c.created_employers)
            written.applications += add_applications(cur, c, apps, pending)
        notes = pl.concat([notes, employer_notes], how="vertical_relaxed")
    written.warnings += pending.add("import_warning", pl.concat([part.warnings.select(*NOTES).cast(NOTES),
                                                                 notes.cast(NOTES)]))
    written.rows += part.applications.height
    return people.filter(pl.col("is_new")).select("candidate_id", *PERSON_SCHEMA)


def _rows_to_read(b: BatchInput, plan: _Plan) -> Iterator[Slice]:
    """The staged rows outside `plan.together` that need Python, file by file: those of people who
    match an existing candidate (their blanks and differences) and, with a drive, every one (its
    application). Each such row is its own person."""
    alone = plan.outcomes.join(plan.together, on="row_number", how="anti")
    matched = alone.filter(pl.col("outcome") == "matched").select("row_number")
    wanted = alone.select("row_number") if b.drive_id is not None else matched
    if wanted.height == 0:
        return
    listed = pl.col("row_number").is_in(wanted["row_number"].implode())     # applied by the Parquet reader
    for path in b.staged.rows:
        found = pl.scan_parquet(path).filter(listed).collect().with_columns(pl.col("row_number").alias("person"))
        if found.height:
            people = found.join(matched, on="row_number", how="semi")
            yield Slice(people=people.select(*PERSON_SCHEMA),
                        applications=found.select("row_number", "person", *APPLICATION_FIELDS),
                        warnings=pl.DataFrame(schema=NOTES))


def _insert_candidates(cur: Cursor, c: SliceContext, staged_rows: list[Path], plan: _Plan,
                       merged: pl.DataFrame, spoken: pl.DataFrame) -> None:
    """Every new person into `candidate` in one INSERT: those with one row straight from the staged
    files, the merged ones from `merged` (candidate_id + PERSON_SCHEMA's fields), their pinyin from
    `spoken` (BatchInput.readings); their contact keys are `_claim_keys`'."""
    fields = [f for f in PERSON_SCHEMA if f != "person"]
    alone = plan.persons.filter(pl.col("is_new")).join(plan.together.rename({"row_number": "person"}), on="person",
                                                       how="anti").select("person", "candidate_id")
    categories = pl.DataFrame(
        [(d.value, derive_talent_category(d.value, None, c.now.year).value) for d in Degree],
        schema={"degree": pl.String, "talent_category": pl.String}, orient="row")
    sources = [f"select candidate_id, {', '.join(fields)} from import_merged"]
    if staged_rows and alone.height:
        sources.append(f"select a.candidate_id, {', '.join('r.' + f for f in fields)}"
                       " from read_parquet($files) r join import_alone a on a.person = r.row_number")
    params = {"channel": "campus_drive" if c.drive_id is not None else "other", "drive": c.drive_id,
              "enclave": c.enclave_id, "owner": c.actor.id if c.actor.id > 0 else None, "batch": c.batch_id,
              "who": c.actor.username, "now": c.now, "files": [str(p) for p in staged_rows]}
    with registered(cur, "import_alone", alone), registered(cur, "import_merged", merged.select("candidate_id", *fields)), \
            registered(cur, "import_categories", categories), registered(cur, "import_spoken", spoken):
        _run(cur, f"""
            insert into candidate (id, {', '.join(fields)}, name_pinyin, name_initials, talent_category,
                                   talent_category_manual, channel, source_drive_id, enclave_id, owner_id,
                                   import_batch_id, created_by, created_at, updated_by, updated_at)
            select p.candidate_id, {', '.join('p.' + f for f in fields)}, s.name_pinyin, s.name_initials,
                   coalesce(t.talent_category, $other), false,
                   $channel, $drive, $enclave, $owner, $batch, $who, $now, $who, $now
            from ({' union all '.join(sources)}) p
            left join import_spoken s on s.name = p.name
            left join import_categories t on t.degree = p.degree""",
             {**params, "other": TalentCategory.OTHER.value})


def _insert_batch(cur: Cursor, actor: User, b: BatchInput, batch_id: int, now: datetime) -> None:
    """The batch's row, its outcome counts still zero (set in the same transaction once known)."""
    _run(cur, """
        insert into import_batch (id, file_name, sha256, imported_by, imported_at, drive_id, encoding, header_row,
                                  mapping_json, read_rows, inserted, matched, duplicate_in_file, rejected, warnings)
        values ($id, $file, $sha, $who, $at, $drive, $enc, $header, $mapping, $read_rows, 0, 0, 0, 0, 0)""",
                {"id": batch_id, "file": _stored_name(b), "sha": b.sha256, "who": actor.username, "at": now,
                 "drive": b.drive_id, "enc": b.encoding, "header": b.header_row, "mapping": to_json(b.mapping),
                 "read_rows": b.read})


def _stored_name(b: BatchInput) -> str:
    """The file's name as the batch keeps it: people name files after a person, ID number and all."""
    return national_id.redact(b.file_name)[:255]


def _claim_keys(cur: Cursor, fresh: pl.DataFrame) -> None:
    """The new people's mobiles and e-mails into contact_key (keys of deleted candidates are released)."""
    if fresh.height == 0:
        return
    release_stale_keys(cur, fresh)
    bulk.insert_contact_keys(cur, fresh.select(pl.col("candidate_id").alias("id"), "mobile", "email"))


def _run(cur: Cursor, query: str, params: dict[str, Any] | None = None) -> None:
    """Execute a statement and fetch its (count) result, so the cursor is never left with one pending."""
    rows(cur, query, params)
