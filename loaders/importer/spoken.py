"""Pinyin readings for a column of names, vectorised: db.pinyin.readings computed per distinct surname
and per distinct given name (a few thousand each), then put together per row by polars.

readings(surname + given) is the surname's one reading followed by the given name's readings, so
pinyin = surname + given readings with each ' ' replaced by ' ' + surname; tests check equality with readings().
"""
from __future__ import annotations

import polars as pl

from db.pinyin import SURNAME_READINGS, readings
from loaders.importer.normalise import SPACES

_PROBE = "赵"                                  # a one-reading surname not in SURNAME_READINGS
_PROBE_FULL, _PROBE_INITIAL = readings(_PROBE)
_TWO_CHAR_SURNAMES = [s for s in SURNAME_READINGS if len(s) == 2]


def pinyin_columns(names: pl.Series) -> tuple[pl.Series, pl.Series]:
    """(name_pinyin, name_initials) for each name, equal to db.pinyin.readings(name)."""
    frame = names.to_frame("name").with_columns(pl.col("name").str.replace_all(SPACES, "").alias("compact"))
    two = pl.col("compact").str.slice(0, 2).is_in(_TWO_CHAR_SURNAMES)
    frame = frame.with_columns(
        pl.when(two).then(pl.col("compact").str.slice(0, 2)).otherwise(pl.col("compact").str.slice(0, 1)).alias("s"),
        pl.when(two).then(pl.col("compact").str.slice(2)).otherwise(pl.col("compact").str.slice(1)).alias("g"),
    )
    surnames = frame["s"].drop_nulls().unique()
    s_read = [readings(s) for s in surnames.to_list()]
    givens = frame["g"].drop_nulls().unique()
    g_read = [_given(g) for g in givens.to_list()]
    s_table = pl.DataFrame({"s": surnames, "s_full": [r[0] for r in s_read], "s_init": [r[1] for r in s_read]},
                           schema={"s": pl.String, "s_full": pl.String, "s_init": pl.String})
    g_table = pl.DataFrame({"g": givens, "g_full": [r[0] for r in g_read], "g_init": [r[1] for r in g_read]},
                           schema={"g": pl.String, "g_full": pl.String, "g_init": pl.String})
    out = frame.join(s_table, on="s", how="left", maintain_order="left").join(
        g_table, on="g", how="left", maintain_order="left").with_columns(
        pl.col("s_full", "s_init", "g_full", "g_init").fill_null(""))    # null names: every branch is evaluated
    # Readings hold no spaces, so 'surname' + 'a b' with ' ' → ' surname' gives 'surnamea surnameb'.
    # (An empty or missing name has empty parts, hence '' — as readings('') gives.)
    out = out.select(
        (pl.col("s_full") + pl.col("g_full").str.replace_all(" ", pl.lit(" ") + pl.col("s_full"), literal=True))
        .alias("name_pinyin"),
        (pl.col("s_init") + pl.col("g_init").str.replace_all(" ", pl.lit(" ") + pl.col("s_init"), literal=True))
        .alias("name_initials"),
    )
    return out["name_pinyin"], out["name_initials"]


def _given(given: str) -> tuple[str, str]:
    """The given name's part of every reading (space-separated): readings() behind a one-reading probe surname."""
    full, initials = readings(_PROBE + given)
    return (" ".join(f[len(_PROBE_FULL):] for f in full.split(" ")),
            " ".join(i[len(_PROBE_INITIAL):] for i in initials.split(" ")))
