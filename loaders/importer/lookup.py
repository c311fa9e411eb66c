"""Resolving names to reference rows: universities (exact, alias, then a clearly-best fuzzy match) and employers.

Work is done once per distinct spelling, never per row: a million-row file names a few thousand schools.
"""
from __future__ import annotations

import polars as pl
from rapidfuzz import fuzz, process

from loaders.importer.normalise import compact_key

FUZZY_MIN_SCORE = 85.0      # a typo or a dropped character in a 6–10 character name
FUZZY_MIN_MARGIN = 8.0      # …and clearly better than the runner-up (浙江大学 vs 浙江工业大学 is not)


def name_keys(names: pl.Series) -> pl.Series:
    """The same key for '中国石油大学（华东）', '中国石油大学(华东)' and ' 中国石油大学\u3000(华东)'."""
    return names.to_frame("n").select(compact_key(pl.col("n")).alias("key"))["key"]


def universities(raw: pl.Series, reference: pl.DataFrame) -> pl.DataFrame:
    """Per distinct raw spelling in `raw`: key, university_id (or null) and how it was found.

    `reference` has columns name, university_id and kind ('name' or 'alias').
    """
    values = raw.drop_nulls().unique()
    distinct = values.to_frame("university_raw").with_columns(name_keys(values).alias("key"))
    ref = reference.with_columns(name_keys(reference["name"]).alias("key"))
    exact = ref.filter(pl.col("kind") == "name").unique("key", keep="first").select("key", "university_id")
    alias = ref.filter(pl.col("kind") == "alias").unique("key", keep="first").select(
        "key", pl.col("university_id").alias("alias_id"))
    found = (distinct.join(exact, on="key", how="left").join(alias, on="key", how="left")
             .with_columns(pl.coalesce("university_id", "alias_id").alias("university_id"),
                           pl.when(pl.col("university_id").is_not_null()).then(pl.lit("name"))
                           .when(pl.col("alias_id").is_not_null()).then(pl.lit("alias")).alias("how"))
             .drop("alias_id"))
    unmatched = found.filter(pl.col("university_id").is_null() & (pl.col("key").str.len_chars() >= 2))
    if unmatched.height:
        found = found.update(_fuzzy(unmatched, ref), on="university_raw", how="left")
    return found


def _fuzzy(unmatched: pl.DataFrame, ref: pl.DataFrame) -> pl.DataFrame:
    choices = ref["key"].to_list()
    ids = ref["university_id"].to_list()
    out_ids: list[int | None] = []
    for query in unmatched["key"].to_list():
        best = process.extract(query, choices, scorer=fuzz.ratio, limit=8)
        # Several spellings (a name and its alias) may point at the same school: rank schools, not strings.
        by_school: dict[int, float] = {}
        for _choice, score, index in best:
            school = ids[index]
            by_school[school] = max(by_school.get(school, 0.0), score)
        ranked = sorted(by_school.items(), key=lambda kv: -kv[1])
        top = ranked[0] if ranked else (None, 0.0)
        runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
        clear = top[1] >= FUZZY_MIN_SCORE and top[1] - runner_up >= FUZZY_MIN_MARGIN
        out_ids.append(top[0] if clear else None)
    return pl.DataFrame({
        "university_raw": unmatched["university_raw"],
        "university_id": pl.Series(out_ids, dtype=pl.Int64),
        "how": pl.Series(["fuzzy" if i is not None else None for i in out_ids], dtype=pl.String),
    })


def employers(raw: pl.Series, reference: pl.DataFrame) -> pl.DataFrame:
    """Per distinct employer spelling: employer_id (null when unknown). `reference` has id, name."""
    distinct = raw.drop_nulls().unique()
    frame = distinct.to_frame("employer_raw").with_columns(name_keys(distinct).alias("key"))
    ref = reference.with_columns(name_keys(reference["name"]).alias("key")).unique("key", keep="first")
    return frame.join(ref.select("key", pl.col("id").alias("employer_id")), on="key", how="left").drop("key")
