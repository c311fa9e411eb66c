"""Pinyin readings for a column of names, vectorised: exactly db.pinyin.readings, built in polars from a
per-character table (a few thousand characters) instead of name by name.

readings(surname + given) is the surname's one reading prefixed to each reading of the given name, and
the given name's readings are the first distinct combinations of its characters' readings in order.
Those combinations are enumerated per distinct given name, one character position at a time; a
pathological name whose combinations outnumber PRODUCT_LIMIT falls back to db.pinyin itself.
"""
from __future__ import annotations

import threading
from itertools import product

import polars as pl

from db.pinyin import MAX_READINGS, SURNAME_READINGS, char_readings, first_distinct, surname_reading
from loaders.importer.normalise import SPACES

PRODUCT_LIMIT = 243                      # combinations enumerated in polars per given name (3 ** 5)
_COMPOUND_SURNAMES = [s for s in SURNAME_READINGS if len(s) == 2]
_GIVEN = {"g": pl.String, "g_full": pl.String, "g_init": pl.String}


def pinyin_columns(names: pl.Series) -> tuple[pl.Series, pl.Series]:
    """(name_pinyin, name_initials) for each name, equal to db.pinyin.readings(name); null names give ''."""
    return Readings().columns(names)


class Readings:
    """pinyin_columns that remembers the surnames and given names it has read: a file read batch by
    batch meets most of them again in every batch. Safe to share between threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._surnames = pl.DataFrame(schema={"s": pl.String, "s_full": pl.String, "s_init": pl.String})
        self._givens = pl.DataFrame(schema=_GIVEN)

    def columns(self, names: pl.Series) -> tuple[pl.Series, pl.Series]:
        frame = names.to_frame("name").select(pl.col("name").str.replace_all(SPACES, "").fill_null("").alias("c"))
        compound = pl.col("c").str.slice(0, 2).is_in(_COMPOUND_SURNAMES)
        frame = frame.with_columns(
            pl.when(compound).then(pl.col("c").str.slice(0, 2)).otherwise(pl.col("c").str.slice(0, 1)).alias("s"),
            pl.when(compound).then(pl.col("c").str.slice(2)).otherwise(pl.col("c").str.slice(1)).alias("g"),
        )
        surnames, givens = self._surnames, self._givens
        new_surnames = frame.select(pl.col("s").unique()).join(surnames, on="s", how="anti")["s"].to_list()
        new_givens = frame.select(pl.col("g").unique()).join(givens, on="g", how="anti")["g"]
        if new_surnames or new_givens.len():
            s_full = [surname_reading(s) if s else "" for s in new_surnames]
            more_surnames = pl.DataFrame({"s": new_surnames, "s_full": s_full, "s_init": [r[:1] for r in s_full]},
                                         schema=surnames.schema)
            more_givens = given_readings(new_givens) if new_givens.len() else givens.clear()
            with self._lock:     # another thread may have added some of the same meanwhile: harmless
                self._surnames = surnames = pl.concat([self._surnames, more_surnames]).unique("s", keep="first")
                self._givens = givens = pl.concat([self._givens, more_givens]).unique("g", keep="first")
        out = (frame.join(surnames, on="s", how="left", maintain_order="left")
               .join(givens, on="g", how="left", maintain_order="left"))
        # Readings hold no spaces: 'zeng' + 'le yue' with ' ' → ' zeng' is 'zengle zengyue'.
        out = out.select(
            (pl.col("s_full") + pl.col("g_full").str.replace_all(" ", pl.lit(" ") + pl.col("s_full"), literal=True))
            .alias("name_pinyin"),
            (pl.col("s_init") + pl.col("g_init").str.replace_all(" ", pl.lit(" ") + pl.col("s_init"), literal=True))
            .alias("name_initials"),
        )
        return out["name_pinyin"], out["name_initials"]


def given_readings(givens: pl.Series) -> pl.DataFrame:
    """g, g_full, g_init: each distinct given name's readings and initials (space-separated), '' for ''.

    Most names have no 多音字: their one reading is each character replaced by its reading. The
    others are enumerated combination by combination.
    """
    names = givens.to_frame("g").filter(pl.col("g").is_not_null() & (pl.col("g") != "")).with_row_index("gid")
    empty = pl.DataFrame({"g": [""], "g_full": [""], "g_init": [""]}, schema=_GIVEN)
    if names.height == 0:
        return empty
    chars = names.select("gid", pl.col("g").str.extract_all(r"(?s).").alias("ch")).explode("ch")
    table = _char_table(chars["ch"].unique())
    several = table.filter(pl.col("k") > 1)["ch"]
    plain = names.filter(~pl.col("g").str.contains_any(several.to_list())) if several.len() else names
    first = table["opt"].list.first()
    found = [plain.select(
        "gid", pl.col("g").str.replace_many(table["ch"].to_list(), first.to_list()).alias("g_full"),
        pl.col("g").str.replace_many(table["ch"].to_list(), first.str.slice(0, 1).to_list()).alias("g_init"))]
    if plain.height < names.height:
        chars = chars.filter(~pl.col("gid").is_in(plain["gid"].implode())).with_columns(
            pl.int_range(pl.len(), dtype=pl.Int32).over("gid").alias("pos")).join(table, on="ch", how="left")
        size = chars.group_by("gid").agg(pl.col("k").cast(pl.Float64).product().alias("size"))
        small = size.filter(pl.col("size") <= PRODUCT_LIMIT)["gid"].implode()
        found += [_enumerate(chars.filter(pl.col("gid").is_in(small))),
                  _enumerate_in_python(names.filter(pl.col("gid").is_in(size["gid"].implode())
                                                    & ~pl.col("gid").is_in(small)))]
    readings = pl.concat([f.cast({"gid": pl.UInt32}) for f in found])
    return pl.concat([names.join(readings, on="gid", how="left").select("g", "g_full", "g_init"), empty])


def _char_table(chars: pl.Series) -> pl.DataFrame:
    """ch → its readings (`opt`), their position (`i`) and how many there are (`k`)."""
    options = [char_readings(ch) for ch in chars.to_list()]
    return pl.DataFrame({
        "ch": chars, "opt": [list(o) for o in options], "i": [list(range(len(o))) for o in options],
        "k": [len(o) for o in options],
    }, schema={"ch": pl.String, "opt": pl.List(pl.String), "i": pl.List(pl.Int64), "k": pl.Int64})


def _enumerate(chars: pl.DataFrame) -> pl.DataFrame:
    """gid, g_full, g_init by enumerating every combination, one character position at a time.

    `key` numbers each combination in itertools.product order (mixed radix: position p has k options),
    so sorting by it lists combinations in the order db.pinyin.readings meets them.
    """
    if chars.height == 0:
        return pl.DataFrame(schema={"gid": pl.UInt32, "g_full": pl.String, "g_init": pl.String})
    combos = chars.select(pl.col("gid").unique()).with_columns(
        pl.lit(0, dtype=pl.Int64).alias("key"), pl.lit("").alias("full"), pl.lit("").alias("init"))
    for position in range(int(chars["pos"].max()) + 1):   # type: ignore[arg-type]
        here = chars.filter(pl.col("pos") == position).select("gid", "opt", "i", "k")
        grown = combos.join(here, on="gid", how="inner").explode("opt", "i").select(
            "gid", (pl.col("key") * pl.col("k") + pl.col("i")).alias("key"),
            (pl.col("full") + pl.col("opt")).alias("full"),
            (pl.col("init") + pl.col("opt").str.slice(0, 1)).alias("init"))
        combos = pl.concat([combos.join(here, on="gid", how="anti"), grown])
    return combos.sort("gid", "key").group_by("gid", maintain_order=True).agg(
        pl.col("full").unique(maintain_order=True).head(MAX_READINGS).str.join(" ").alias("g_full"),
        pl.col("init").unique(maintain_order=True).head(MAX_READINGS).str.join(" ").alias("g_init"))


def _enumerate_in_python(names: pl.DataFrame) -> pl.DataFrame:
    """The same for the rare given names with more than PRODUCT_LIMIT combinations (long junk cells)."""
    out: dict[str, list] = {"gid": [], "g_full": [], "g_init": []}
    for gid, given in names.select("gid", "g").iter_rows():
        per_char = [char_readings(ch) for ch in given]
        out["gid"].append(gid)
        out["g_full"].append(" ".join(first_distinct("".join(c) for c in product(*per_char))))
        out["g_init"].append(" ".join(first_distinct("".join(p[:1] for p in c) for c in product(*per_char))))
    return pl.DataFrame(out, schema={"gid": pl.UInt32, "g_full": pl.String, "g_init": pl.String})
