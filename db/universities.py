"""The school picker: 2,756 MoE universities by name, old name, short name or a close spelling."""
from __future__ import annotations

import unicodedata

import polars as pl
from rapidfuzz import fuzz, process

from db.sql import Cursor, frame, rows

FUZZY_MIN = 80      # rapidfuzz WRatio a fuzzy match must reach …
FUZZY_MARGIN = 8    # … and beat the runner-up by, to count as "clearly best"


def fold(text: str) -> str:
    """NFKC (full-width → half-width), no spaces of any kind, half-width parentheses → full-width
    as the MoE list writes them: '中国石油大学(华东)' and '中国石油大学（华东）' compare equal."""
    folded = unicodedata.normalize("NFKC", text)
    folded = "".join(folded.split())
    return folded.replace("(", "（").replace(")", "）")


def _names(cur: Cursor) -> pl.DataFrame:
    """Every spelling we know: official names and aliases, each with its university id."""
    return frame(
        cur,
        """
        select id as university_id, name as spelling, 'name' as kind from university
        union all
        select university_id, alias, kind from university_alias
        """,
    )


def search(cur: Cursor, text: str, *, limit: int = 20) -> pl.DataFrame:
    """Universities for a picker: exact and alias hits first, then substring, then fuzzy matches.
    Columns: id, name, province, city, level, is_985, is_211, matched (how it matched)."""
    query = fold(text or "")
    if not query:
        return frame(cur, "select id, name, province, city, level, is_985, is_211, '' as matched from university"
                          " where false")
    spellings = _names(cur).with_columns(pl.col("spelling").map_elements(fold, return_dtype=pl.String).alias("folded"))
    exact = spellings.filter(pl.col("folded") == query).with_columns(
        pl.when(pl.col("kind") == "name").then(pl.lit("名称")).otherwise(pl.lit("曾用名/简称")).alias("matched"),
        pl.lit(100.0).alias("score"))
    contains = spellings.filter(pl.col("folded").str.contains(query, literal=True)).with_columns(
        pl.lit("包含").alias("matched"), (90 - pl.col("folded").str.len_chars() / 10).alias("score"))
    fuzzy = process.extract(query, spellings["folded"].to_list(), scorer=fuzz.WRatio, limit=limit)
    fuzzy_rows = spellings[[i for _, score, i in fuzzy if score >= 60]].with_columns(
        pl.lit("相近").alias("matched"),
        pl.Series("score", [float(score) * 0.8 for _, score, _ in fuzzy if score >= 60], dtype=pl.Float64))
    ranked = (
        pl.concat([exact, contains, fuzzy_rows], how="vertical_relaxed")
        .sort("score", descending=True)
        .unique("university_id", keep="first", maintain_order=True)
        .head(limit)
    )
    details = frame(cur, "select id, name, province, city, level, is_985, is_211 from university")
    return ranked.join(details, left_on="university_id", right_on="id", how="left", maintain_order="left").select(
        pl.col("university_id").alias("id"), "name", "province", "city", "level", "is_985", "is_211", "matched")


def resolve(cur: Cursor, raw: str | None) -> int | None:
    """The university a typed school name means: exact name or alias after folding, else a fuzzy
    match only when one candidate is clearly best; None when unsure (keep the raw text)."""
    query = fold(raw or "")
    if not query:
        return None
    spellings = _names(cur)
    folded = [fold(s) for s in spellings["spelling"].to_list()]
    ids = spellings["university_id"].to_list()
    for spelling, uid in zip(folded, ids):
        if spelling == query:
            return uid
    best = process.extract(query, folded, scorer=fuzz.WRatio, limit=5)
    if not best or best[0][1] < FUZZY_MIN:
        return None
    runner_up = next((score for _, score, i in best[1:] if ids[i] != ids[best[0][2]]), 0)
    return ids[best[0][2]] if best[0][1] - runner_up >= FUZZY_MARGIN else None


def name_of(cur: Cursor, university_id: int | None) -> str | None:
    if university_id is None:
        return None
    found = rows(cur, "select name from university where id = $id", {"id": university_id})
    return found[0][0] if found else None


def options(cur: Cursor) -> pl.DataFrame:
    """Picker entries: every university under its name, and again under each old/short name.
    Columns: id, label (what the user types against)."""
    return frame(
        cur,
        """
        select id, name || '（' || province || '）' as label, 0 as alias from university
        union all
        select u.id, a.alias || ' → ' || u.name, 1 from university_alias a join university u on u.id = a.university_id
        order by alias, label
        """,
    )
