"""A file read batch by batch: every batch normalised once and set aside on disk until the write.

Reading keeps only what deduplication needs across batches — each row's mobile and e-mail — so a
million-row file never sits in memory whole. Deduplication then runs over those keys; the write
(db/imports.py) has DuckDB read the set-aside batches directly; only the rows of people who appear
more than once (or match the same existing person) are read back here, by `held`, and merged.
"""
from __future__ import annotations

import os
import shutil
import tempfile
import threading
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import polars as pl

from db import imports
from db.imports import Slice
from loaders.importer import cells, steps
from loaders.importer.fields import Column
from loaders.importer.lookup import Resolver
from loaders.importer.reader import Sheet
from loaders.importer.spoken import pinyin_columns

BATCH_ROWS = 100_000                # records normalised at a time: memory vs per-batch overhead
WORKERS = 2                         # batches normalised at once
WORKDIR_PREFIX = "crm-import-"      # + the importing process's id
SAMPLE = 1000                       # warnings and rejects kept for the report (all of them are written)
PREVIEW = 20                        # first rows kept, rejected ones too, for the screen's preview (check)
ROW_COLUMNS = ("row_number", *steps.PERSON_FIELDS, *steps.APPLICATION_FIELDS)
HEAD_COLUMNS = (*ROW_COLUMNS, "matched_name", "rejected", "reasons")
KEY_COLUMNS = ("row_number", "rejected", "mobile", "email")
NOTHING_HELD = Slice(people=pl.DataFrame(schema=imports.PERSON_SCHEMA),
                     applications=pl.DataFrame(schema={"row_number": pl.Int32, "person": pl.Int32,
                                                       "employer_raw": pl.String, "employer_id": pl.Int64,
                                                       "position": pl.String, "intent": pl.Boolean}),
                     warnings=steps.NO_WARNINGS)
Progress = Callable[[float, str], None]
A = TypeVar("A")
B = TypeVar("B")


@dataclass(frozen=True)
class Normalised:
    """One batch of a sheet's records after normalise and validate."""

    rows: pl.DataFrame              # ROW_COLUMNS of the batch's kept (not rejected) rows
    rejects: pl.DataFrame           # row_number, reasons, reason_codes, row_json
    warnings: pl.DataFrame          # row_number, field, message — each row's own


class Normaliser:
    """normalise → validate for one batch of records, with what every batch of a file shares:
    the column mapping and the remembered school and employer look-ups.

    `resolver` may be a function making one, called once, when the first batch needs it.
    """

    def __init__(self, columns: list[Column], resolver: Resolver | Callable[[], Resolver]) -> None:
        self.columns = columns
        self._resolver = resolver
        self._lock = threading.Lock()

    @property
    def resolver(self) -> Resolver:
        with self._lock:
            if not isinstance(self._resolver, Resolver):
                self._resolver = self._resolver()
            return self._resolver

    def __call__(self, records: pl.DataFrame) -> tuple[pl.DataFrame, Normalised]:
        """(the batch's normalised rows with every column, what is set aside of them).

        Names are read in pinyin later, once per distinct name of the new people, while DuckDB writes
        the contact keys (db/imports.py): here, with both cores busy, it cost a sixth of the reading.
        National ID numbers leave the cells first, so nothing after this sees one (cells.py).
        """
        records, ids = cells.without_national_ids(records, self.columns)
        raw = steps.data_rows(records, self.columns)
        rows = steps.validate(steps.normalise(raw, self.columns, lambda: self.resolver))
        kept_rows = rows.filter(~pl.col("rejected"))
        warnings = steps.row_warnings(rows)
        if ids.height:      # said of the rows that are kept: a rejected row's cells show the marker themselves
            warnings = pl.concat([warnings, ids.join(kept_rows.select("row_number"), on="row_number", how="semi")]
                                 ).sort("row_number", maintain_order=True)
        kept = Normalised(kept_rows.select(ROW_COLUMNS), steps.reject_records(rows, raw, self.columns), warnings)
        return rows, kept


class Store:
    """Normalised batches in order, as Parquet files in `folder`: what the write (db/imports.py) has
    DuckDB read directly, and what `held` reads the few rows it needs back from."""

    PARTS = ("rows", "rejects", "warnings")

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._count = 0
        self._lock = threading.Lock()

    def add(self, batch: Normalised) -> None:
        self.put(self._count, batch)

    def put(self, index: int, batch: Normalised) -> None:
        """Batch number `index` (from 0; batches may be put out of order, from several threads)."""
        for part in self.PARTS:
            frame = getattr(batch, part)
            frame.with_columns(pl.col(pl.Null).cast(pl.String)).write_parquet(
                self._folder / f"{index:06d}-{part}.parquet", compression="uncompressed", statistics=False)
        with self._lock:
            self._count = max(self._count, index + 1)

    def clear(self) -> None:
        for path in self._folder.glob("*-*.parquet"):
            path.unlink()
        self._count = 0

    def paths(self, part: str) -> list[Path]:
        return [self._folder / f"{i:06d}-{part}.parquet" for i in range(self._count)]

    def staged(self) -> imports.StagedParts:
        return imports.StagedParts(*(self.paths(part) for part in self.PARTS))


@dataclass
class Staged:
    """What reading a whole sheet found, batch by batch: the keys to deduplicate, what the report and the
    preview need, and the store the batches were set aside in (by `stage`)."""

    store: Store
    sample: Sample = field(default_factory=lambda: Sample())
    keys: list[pl.DataFrame] = field(default_factory=list)
    unknown_employers: dict[str, None] = field(default_factory=dict)
    reject_sample: list[pl.DataFrame] = field(default_factory=list)
    rejects: int = 0
    reasons: Counter[str] = field(default_factory=Counter)     # short reject reason → rows
    head: pl.DataFrame | None = None    # the first PREVIEW rows, HEAD_COLUMNS (a rejected row's reasons)

    def add(self, rows: pl.DataFrame, batch: Normalised) -> None:
        self.sample(batch.warnings)
        if self.head is None or self.head.height < PREVIEW:
            more = rows.head(PREVIEW - (0 if self.head is None else self.head.height)).join(
                batch.rejects.select("row_number", "reasons"), on="row_number", how="left", maintain_order="left")
            more = more.select(HEAD_COLUMNS)
            self.head = more if self.head is None else pl.concat([self.head, more], how="vertical_relaxed")
        self.keys.append(rows.select(KEY_COLUMNS))
        unknown = rows.filter(~pl.col("rejected") & pl.col("employer_raw").is_not_null()
                              & pl.col("employer_id").is_null())
        self.unknown_employers.update(dict.fromkeys(unknown["employer_raw"].unique(maintain_order=True).to_list()))
        if self.rejects < SAMPLE:
            self.reject_sample.append(batch.rejects.head(SAMPLE - self.rejects))
        self.rejects += batch.rejects.height
        self.reasons.update(code for codes in batch.rejects["reason_codes"].to_list()
                            for code in codes.split("；") if code)


@contextmanager
def workdir() -> Iterator[Path]:
    """A temporary folder for one import's staged batches, removed after it. Its name carries this
    process's id, so folders left by an import that was killed are removed by the next one."""
    _sweep(Path(tempfile.gettempdir()))
    with tempfile.TemporaryDirectory(prefix=f"{WORKDIR_PREFIX}{os.getpid()}-") as folder:
        yield Path(folder)


def _sweep(parent: Path) -> None:
    for folder in parent.glob(f"{WORKDIR_PREFIX}*-*"):
        pid = folder.name[len(WORKDIR_PREFIX):].split("-", 1)[0]
        if pid.isdigit() and not _running(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:         # another user's process
        return True
    return True


def stage(sheet: Sheet, normalise: Normaliser, store: Store, *, batch_rows: int = BATCH_ROWS,
          progress: Progress | None = None) -> Staged:
    """Read, normalise and validate every batch of `sheet` into `store`, WORKERS batches at a time."""
    say = progress or (lambda _f, _m: None)
    staged = Staged(store)
    read = 0

    def work(numbered: tuple[int, pl.DataFrame]) -> tuple[pl.DataFrame, Normalised]:
        rows, kept = normalise(numbered[1])
        store.put(numbered[0], kept)        # written by the worker: the reading thread reads on meanwhile
        return rows, kept

    for rows, kept in in_order(work, enumerate(sheet.records(batch_rows, parts=WORKERS))):
        staged.add(rows, kept)
        read += rows.height
        say(0.0, f"读取并检查了 {read:,} 行……")
    return staged


def in_order(work: Callable[[A], B], items: Iterable[A], *, workers: int = WORKERS) -> Iterator[B]:
    """work(item) for every item, `workers` at a time in threads, results in the items' order.

    Normalising is polars work, outside the GIL, and much of it runs on one core: two batches at
    once use both. At most `workers` items are in hand beyond the one being read (reading further
    ahead was measured: more threads at once cost more CPU than the waits they save).
    """
    with ThreadPoolExecutor(max_workers=workers) as pool:
        running: deque[Future[B]] = deque()
        for item in items:
            running.append(pool.submit(work, item))
            if len(running) >= workers:
                yield running.popleft().result()
        while running:
            yield running.popleft().result()


@dataclass(frozen=True)
class Deduplicated:
    """Every row's person (the first row sharing its mobile or e-mail) and each person's contact keys."""

    rows: pl.DataFrame              # row_number, person (null: rejected), sorted by row_number
    persons: pl.DataFrame           # person, mobile, email

    @property
    def rejected(self) -> int:
        return self.rows["person"].null_count()

    @property
    def duplicate_in_file(self) -> int:
        return self.rows.filter(pl.col("person") != pl.col("row_number")).height


def deduplicate(keys: list[pl.DataFrame]) -> Deduplicated:
    if not keys:
        keys = [pl.DataFrame(schema={"row_number": pl.Int32, "rejected": pl.Boolean, "mobile": pl.String,
                                     "email": pl.String})]
    rows = steps.dedupe(pl.concat(keys, how="vertical_relaxed").sort("row_number"))
    return Deduplicated(rows.select("row_number", "person"), steps.contacts(rows))


def held(store: Store, people_of: pl.DataFrame, together: pl.DataFrame,
         on_warnings: Callable[[pl.DataFrame], None] | None = None) -> Slice:
    """The rows listed in `together` (their candidate has several rows in the file) read back from
    `store` and merged into one row per person, with warnings where the merged rows differ.

    `people_of` is Deduplicated.rows; `on_warnings` sees the merge warnings.
    """
    paths = store.paths("rows")
    # A filter the Parquet reader applies as it reads (1M staged rows, 97k wanted: 0.04 s; as a
    # semi-join 0.09 s, file by file 0.17 s).
    wanted = pl.col("row_number").is_in(together["row_number"].cast(pl.Int32).implode())
    rows = pl.scan_parquet(paths).filter(wanted).collect() if paths and together.height else pl.DataFrame()
    if rows.height == 0:
        return NOTHING_HELD
    rows = rows.join(people_of, on="row_number", how="left", maintain_order="left")
    persons = steps.people(rows)
    merged = steps.merge_warnings(rows, persons)
    if on_warnings:
        on_warnings(merged)
    return Slice(people=persons, applications=rows.select("row_number", "person", *steps.APPLICATION_FIELDS),
                 warnings=merged)


def spoken(store: Store) -> pl.DataFrame:
    """name, name_pinyin, name_initials for every distinct name of the staged rows (a merged person's
    name is one of its rows' names, so these are all the names new people can have)."""
    paths = store.paths("rows")
    names = (pl.scan_parquet(paths).select("name").unique().collect()["name"] if paths
             else pl.Series("name", [], dtype=pl.String))
    pinyin, initials = pinyin_columns(names)
    return pl.DataFrame({"name": names, "name_pinyin": pinyin, "name_initials": initials})


class Sample:
    """The first SAMPLE warnings by row number, and how many there were (all of them are written)."""

    def __init__(self) -> None:
        self.count = 0
        self.fields: Counter[str] = Counter()
        self.first = steps.NO_WARNINGS

    def copy(self) -> Sample:
        other = Sample()
        other.count, other.fields, other.first = self.count, self.fields.copy(), self.first
        return other

    def __call__(self, warnings: pl.DataFrame) -> None:
        self.count += warnings.height
        self.fields.update(dict(warnings["field"].value_counts().iter_rows()))
        if warnings.height:
            merged = pl.concat([self.first, warnings.head(SAMPLE)])
            self.first = merged.sort("row_number", maintain_order=True).head(SAMPLE)


def first_rejects(staged: Staged) -> pl.DataFrame:
    return pl.concat([steps.NO_REJECTS, *staged.reject_sample]).head(SAMPLE)

