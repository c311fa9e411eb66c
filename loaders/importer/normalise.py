"""Vectorised normalisers: polars expressions turning what people type into stored values.

Mobile and e-mail agree with the scalar reference in db/contacts.py (tests/test_import_normalise.py
proves it with hypothesis); the import accepts Chinese mainland mobiles only.
"""
from __future__ import annotations

from collections.abc import Callable

import polars as pl

# Python's str.strip()/`\s` whitespace (includes U+001C–U+001F, which Rust's does not): the scalar
# reference strips with Python, so the vectorised version must strip exactly the same characters.
PY_SPACE = "".join(ch for ch in map(chr, range(0x3001)) if ch.isspace())
_SPACE_CLASS = "".join(f"\\x{{{ord(ch):x}}}" for ch in PY_SPACE)
SPACES = f"[{_SPACE_CLASS}]+"
NOT_SPACE = f"[^{_SPACE_CLASS}]"              # a cell holding this is not blank
_SEPARATORS = f"[{_SPACE_CLASS}\\-.()（）]"
CN_MOBILE = r"^1[3-9][0-9]{9}$"
EMAIL = r"^[a-z0-9._%+\-]+@[a-z0-9\-]+(\.[a-z0-9\-]+)*\.[a-z]{2,}$"
SCIENTIFIC = r"(?i)^[0-9](\.[0-9]+)?e\+?[0-9]+$"

MOBILE_PROBLEMS = {
    "scientific": "手机号 {raw} 被 Excel 改成了科学计数法，后几位已丢失，无法恢复",
    "masked": "手机号 {raw} 是打码后的号码，无法使用",
    "invalid": "手机号 {raw} 不是有效的 11 位中国大陆手机号",
}

DEGREES: dict[str, str] = {
    **dict.fromkeys(("大专", "专科", "高职", "高职高专", "高专", "大学专科", "associate", "associatedegree"), "大专"),
    **dict.fromkeys(("本科", "学士", "大学本科", "本科生", "全日制本科", "bachelor", "bachelors", "undergraduate"),
                    "本科"),
    **dict.fromkeys(("硕士", "硕士研究生", "研究生", "专硕", "学硕", "硕士生", "全日制硕士", "master", "masters",
                     "msc", "mba"), "硕士"),
    **dict.fromkeys(("博士", "博士研究生", "博士生", "phd", "doctor", "doctorate"), "博士"),
    **dict.fromkeys(("博士后", "postdoc", "postdoctoral"), "博士后"),
}
GENDERS: dict[str, str] = {**dict.fromkeys(("男", "男性", "m", "male"), "男"),
                           **dict.fromkeys(("女", "女性", "f", "female"), "女")}
INTENT_YES = ("是", "有", "有意向", "意向", "签约", "已签约", "愿意", "同意", "y", "yes", "true", "1", "√", "✓", "✔")
INTENT_NO = ("否", "无", "没有", "暂无", "不", "未签约", "不愿意", "n", "no", "false", "0", "×", "✗")
# Excel day 0 is 1899-12-30 (Lotus' 1900 leap-year bug included); serials of plausible graduation dates.
EXCEL_EPOCH_SERIALS = (20_000, 80_000)
GRADUATION_YEARS = (1950, 2100)


def nfkc(expr: pl.Expr) -> pl.Expr:
    return expr.str.normalize("NFKC")


def clean_text(expr: pl.Expr) -> pl.Expr:
    """NFKC, trimmed, inner whitespace collapsed to one space; blank → null."""
    return nfkc(expr).str.replace_all(SPACES, " ").str.strip_chars(" ").replace("", None)


def compact_key(expr: pl.Expr) -> pl.Expr:
    """A lookup key: NFKC, lower-case, no whitespace at all (full-width parentheses already folded by NFKC)."""
    return nfkc(expr).str.to_lowercase().str.replace_all(SPACES, "")


def mobile(df: pl.DataFrame, source: str, *, value: str, problem: str) -> pl.DataFrame:
    """Adds `value` (the 11 digits or null) and `problem` (code or null) for column `source`.

    Cells that already are 11 plain digits (most of a file) are their own value; only the others go
    through the steps of normalise_mobile, whose order this mirrors.
    """
    return _with_slow_path(df, source, value, problem, pl.col(source).str.contains(CN_MOBILE), _mobile_slow)


def _mobile_slow(df: pl.DataFrame, source: str, value: str, problem: str) -> pl.DataFrame:
    # Intermediate results are materialised column by column: as one expression polars would
    # recompute the NFKC'd text for every branch.
    df = df.with_columns(
        nfkc(pl.col(source)).str.strip_chars(PY_SPACE).str.strip_chars_start("'").alias("_t"),
        (pl.col(source).str.strip_chars(PY_SPACE).str.len_chars() > 0).fill_null(False).alias("_given"),
    )
    text = pl.col("_t")
    df = df.with_columns(
        text.str.contains(SCIENTIFIC).alias("_sci"), text.str.contains("*", literal=True).alias("_mask"),
        text.str.strip_suffix(".0").str.replace_all(_SEPARATORS, "").alias("_c"),
    )
    compact, n = pl.col("_c"), pl.col("_c").str.len_chars()
    df = df.with_columns(
        pl.when(compact.str.starts_with("+86") & (n == 14)).then(compact.str.slice(3))
        .when(compact.str.starts_with("0086") & (n == 15)).then(compact.str.slice(4))
        .when(compact.str.starts_with("86") & (n == 13)).then(compact.str.slice(2))
        .otherwise(compact).alias("_d"))
    df = df.with_columns((pl.col("_given") & ~pl.col("_sci") & ~pl.col("_mask") & pl.col("_d").str.contains(CN_MOBILE))
                         .alias("_ok"))
    return df.select(
        pl.when(pl.col("_ok")).then(pl.col("_d")).alias(value),
        pl.when(~pl.col("_given")).then(None)
        .when(pl.col("_sci")).then(pl.lit("scientific"))
        .when(pl.col("_mask")).then(pl.lit("masked"))
        .when(~pl.col("_ok")).then(pl.lit("invalid")).alias(problem),
    )


def email(df: pl.DataFrame, source: str, *, value: str, problem: str) -> pl.DataFrame:
    """Adds `value` (the lower-cased address or null) and `problem` ('invalid' or null) — mirrors normalise_email.

    An address already written lower-case and well-formed is its own value (NFKC leaves ASCII alone).
    """
    return _with_slow_path(df, source, value, problem, pl.col(source).str.contains(EMAIL), _email_slow)


def _email_slow(df: pl.DataFrame, source: str, value: str, problem: str) -> pl.DataFrame:
    df = df.with_columns(
        nfkc(pl.col(source)).str.strip_chars(PY_SPACE).str.to_lowercase().str.replace_all("＠", "@", literal=True)
        .str.strip_prefix("mailto:").alias("_t"),
        (pl.col(source).str.strip_chars(PY_SPACE).str.len_chars() > 0).fill_null(False).alias("_given"),
    )
    df = df.with_columns((pl.col("_given") & pl.col("_t").str.contains(EMAIL)).alias("_ok"))
    return df.select(
        pl.when(pl.col("_ok")).then(pl.col("_t")).alias(value),
        pl.when(pl.col("_given") & ~pl.col("_ok")).then(pl.lit("invalid")).alias(problem),
    )


def _with_slow_path(df: pl.DataFrame, source: str, value: str, problem: str, as_is: pl.Expr,
                    slow: Callable[[pl.DataFrame, str, str, str], pl.DataFrame]) -> pl.DataFrame:
    """`value`/`problem` columns: the cell itself where `as_is` holds, else what `slow` makes of it,
    computed for those other cells only and put back in place."""
    fine = df.select(as_is.fill_null(False)).to_series()
    values = df[source].set(~fine, None).alias(value)
    problems = pl.repeat(None, df.height, dtype=pl.String, eager=True).alias(problem)
    others = (~fine).arg_true()
    if others.len():
        fixed = slow(df.select(df[source].gather(others)), source, value, problem)
        values = values.scatter(others, fixed[value])
        problems = problems.scatter(others, fixed[problem])
    return df.with_columns(values, problems)


def degree(raw: pl.Expr) -> pl.Expr:
    key = compact_key(raw).str.replace_all(r"[.'’()]", "")
    return key.replace_strict(DEGREES, default=None, return_dtype=pl.String)


def gender(raw: pl.Expr) -> pl.Expr:
    return compact_key(raw).replace_strict(GENDERS, default=None, return_dtype=pl.String)


def intent(raw: pl.Expr) -> pl.Expr:
    """True (says intent), False (says no), null (blank or not understood)."""
    key = compact_key(raw)
    return pl.when(key.is_in(INTENT_YES)).then(True).when(key.is_in(INTENT_NO)).then(False)


_DATE = (r"^(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*(?:月\s*(?:\d{1,2}\s*日?)?|[-/.]\s*\d{1,2}\s*日?)?"
         r"(?:[\sT]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?\s*(?:毕业)?$")
_COMPACT = r"^(?P<y>\d{4})(?P<m>\d{2})(?:\d{2})?$"
_YEAR = r"^(?P<y>\d{4})\s*(?:年|届|年毕业|届毕业生?)?$"
_SERIAL = r"^\d{5}(?:\.\d+)?$"


def graduation(df: pl.DataFrame, source: str, *, year: str, month: str) -> pl.DataFrame:
    """Adds `year`, `month` from '2025/6/30', '2025.6', '2025年6月', '202506', '2026届' (month null),
    Excel date cells ('2025-06-30 00:00:00') and Excel serial numbers (45838 → 2025-06)."""
    df = df.with_columns(nfkc(pl.col(source)).str.strip_chars(PY_SPACE).alias("_t"))
    text = pl.col("_t")
    serial = pl.when(text.str.contains(_SERIAL)).then(text.cast(pl.Float64, strict=False))
    df = df.with_columns(
        text.str.extract_groups(_DATE).alias("_dated"), text.str.extract_groups(_COMPACT).alias("_compact"),
        text.str.extract(_YEAR, 1).cast(pl.Int32, strict=False).alias("_year_only"),
        pl.when(serial.is_between(*EXCEL_EPOCH_SERIALS)).then(serial).alias("_serial"),
    )
    from_serial = pl.date(1899, 12, 30) + pl.duration(days=pl.col("_serial").floor().cast(pl.Int64))
    df = df.with_columns(
        pl.coalesce(
            pl.col("_dated").struct.field("y").cast(pl.Int32, strict=False),
            pl.col("_compact").struct.field("y").cast(pl.Int32, strict=False),
            pl.col("_year_only"), from_serial.dt.year().cast(pl.Int32)).alias("_y"),
        pl.coalesce(
            pl.col("_dated").struct.field("m").cast(pl.Int32, strict=False),
            pl.col("_compact").struct.field("m").cast(pl.Int32, strict=False),
            pl.when(pl.col("_year_only").is_not_null()).then(pl.lit(0, dtype=pl.Int32)),   # year known, month not
            from_serial.dt.month().cast(pl.Int32)).alias("_m"),
    )
    ok = pl.col("_y").is_between(*GRADUATION_YEARS) & pl.col("_m").is_between(0, 12)
    return df.with_columns(
        pl.when(ok).then(pl.col("_y")).alias(year), pl.when(ok & (pl.col("_m") > 0)).then(pl.col("_m")).alias(month),
    ).drop("_t", "_dated", "_compact", "_year_only", "_serial", "_y", "_m")
