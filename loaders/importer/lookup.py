"""Resolving names to reference rows: universities (exact, alias, then a clearly-best fuzzy match) and employers.

Work is done once per distinct spelling, never per row: a million-row file names a few thousand schools.
A Resolver also remembers its fuzzy matches, so a file read batch by batch (even in several threads)
matches each spelling once.
"""
from __future__ import annotations

import threading

import polars as pl
from rapidfuzz import fuzz, process

from loaders.importer.normalise import compact_key

FUZZY_MIN_SCORE = 85.0      # a typo or a dropped character in a 6–10 character name
FUZZY_MIN_MARGIN = 8.0      # …and clearly better than the runner-up (浙江大学 vs 浙江工业大学 is not)
_FOUND = {"university_raw": pl.String, "key": pl.String, "university_id": pl.Int64, "how": pl.String}


def name_keys(names: pl.Series) -> pl.Series:
    """The same key for '中国石油大学（华东）', '中国石油大学(华东)' and ' 中国石油大学\u3000(华东)'."""
    return names.to_frame("n").select(compact_key(pl.col("n")).alias("key"))["key"]


class Resolver:
    """Universities (`reference`: name, university_id, kind 'name' | 'alias') and employers (id, name)."""

    def __init__(self, universities: pl.DataFrame, employers: pl.DataFrame) -> None:
        ref = universities.with_columns(name_keys(universities["name"]).alias("key"))
        self._exact = ref.filter(pl.col("kind") == "name").unique("key", keep="first").select("key", "university_id")
        self._alias = ref.filter(pl.col("kind") == "alias").unique("key", keep="first").select(
            "key", pl.col("university_id").alias("alias_id"))
        self._names = ref.filter(pl.col("kind") == "name").select("university_id", pl.col("name").alias("matched_name"))
        self._choices = ref["key"].to_list()
        self._choice_ids = ref["university_id"].to_list()
        self._fuzzy: dict[str, int | None] = {}
        self._lock = threading.Lock()
        keyed = employers.with_columns(name_keys(employers["name"]).alias("key")).unique("key", keep="first")
        self._employers = keyed.select("key", pl.col("id").alias("employer_id"))

    def universities(self, raw: pl.Series) -> pl.DataFrame:
        """Per distinct raw spelling: university_raw, key, university_id (or null), how, matched_name."""
        values = raw.drop_nulls().unique()
        distinct = values.to_frame("university_raw").with_columns(name_keys(values).alias("key"))
        found = (distinct.join(self._exact, on="key", how="left").join(self._alias, on="key", how="left")
                 .with_columns(pl.coalesce("university_id", "alias_id").alias("university_id"),
                               pl.when(pl.col("university_id").is_not_null()).then(pl.lit("name"))
                               .when(pl.col("alias_id").is_not_null()).then(pl.lit("alias")).alias("how"))
                 .drop("alias_id").cast(_FOUND))    # type: ignore[arg-type]
        unmatched = found.filter(pl.col("university_id").is_null() & (pl.col("key").str.len_chars() >= 2))
        if unmatched.height:
            ids = self._fuzzy_matches(unmatched["key"].to_list())
            fuzzy = unmatched.select("university_raw").with_columns(
                pl.Series("university_id", ids, dtype=pl.Int64),
                pl.Series("how", ["fuzzy" if i is not None else None for i in ids], dtype=pl.String))
            found = found.update(fuzzy, on="university_raw", how="left")
        return found.join(self._names, on="university_id", how="left")

    def employers(self, raw: pl.Series) -> pl.DataFrame:
        """Per distinct employer spelling: employer_raw, employer_id (null when unknown)."""
        distinct = raw.drop_nulls().unique()
        frame = distinct.to_frame("employer_raw").with_columns(name_keys(distinct).alias("key"))
        return frame.join(self._employers, on="key", how="left").drop("key")

    def _fuzzy_matches(self, keys: list[str]) -> list[int | None]:
        # One thread at a time: batches normalised side by side meet the same misspellings, and a
        # second thread waiting for the first's answers is cheaper than both working them out.
        with self._lock:
            for key in keys:
                if key not in self._fuzzy:
                    self._fuzzy[key] = self._clearly_best(key)
            return [self._fuzzy[key] for key in keys]

    def _clearly_best(self, key: str) -> int | None:
        # Below the cutoff a spelling can only be a runner-up too far behind to matter, so skipping it
        # changes no decision and spares rapidfuzz most of the comparisons.
        best = process.extract(key, self._choices, scorer=fuzz.ratio, limit=8,
                               score_cutoff=FUZZY_MIN_SCORE - FUZZY_MIN_MARGIN)
        # Several spellings (a name and its alias) may point at the same school: rank schools, not strings.
        by_school: dict[int, float] = {}
        for _choice, score, index in best:
            school = self._choice_ids[index]
            by_school[school] = max(by_school.get(school, 0.0), score)
        ranked = sorted(by_school.items(), key=lambda kv: -kv[1])
        top = ranked[0] if ranked else (None, 0.0)
        runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
        clear = top[1] >= FUZZY_MIN_SCORE and top[1] - runner_up >= FUZZY_MIN_MARGIN
        return top[0] if clear else None


def universities(raw: pl.Series, reference: pl.DataFrame) -> pl.DataFrame:
    """Per distinct raw spelling in `raw`: key, university_id (or null) and how it was found."""
    return Resolver(reference, pl.DataFrame(schema={"id": pl.Int64, "name": pl.String})).universities(raw)


def employers(raw: pl.Series, reference: pl.DataFrame) -> pl.DataFrame:
    """Per distinct employer spelling: employer_id (null when unknown). `reference` has id, name."""
    empty = pl.DataFrame(schema={"name": pl.String, "university_id": pl.Int64, "kind": pl.String})
    return Resolver(empty, reference).employers(raw)
