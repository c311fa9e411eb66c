"""map_headers → normalise → validate → dedupe: pure polars steps from a sheet's records to people and outcomes.

`normalise`, `validate`, `reject_records` and `row_warnings` look at one record at a time, so they run
batch by batch; `dedupe`, `people` and `merge_warnings` need every row that shares a mobile or e-mail.

Nothing longer than db/limits.py allows is kept: a longer name rejects its row, a longer e-mail is
invalid, other text is cut with a warning (cells.py); a message quotes at most limits.QUOTE characters
of a cell, and a rejected row keeps at most limits.REJECT_CELL of each.
"""
from __future__ import annotations

from collections.abc import Callable

import polars as pl

from db import limits
from db.imports import APPLICATION_FIELDS as APPLICATION_FIELDS  # re-exported: the importer's steps name them
from db.quoting import clipped
from loaders.importer import cells
from loaders.importer import normalise as norm
from loaders.importer.fields import Column, display_names
from loaders.importer.lookup import Resolver
from loaders.importer.normalise import MOBILE_PROBLEMS, NOT_SPACE, PY_SPACE, clean_text

PERSON_FIELDS = ("name", "gender", "mobile", "email", "university_raw",
                 "university_id", "college", "major", "degree", "graduation_year", "graduation_month")
NO_WARNINGS = pl.DataFrame(schema={"row_number": pl.Int32, "field": pl.String, "message": pl.String})
NO_REJECTS = pl.DataFrame(schema={"row_number": pl.Int32, "reasons": pl.String, "reason_codes": pl.String,
                                  "row_json": pl.String})


def data_rows(records: pl.DataFrame, columns: list[Column]) -> pl.DataFrame:
    """The records without the entirely blank ones (they are not counted).

    A record whose name cell holds text is not blank; only the others are checked cell by cell.
    """
    cells = [c for c in records.columns if c != "row_number"]
    if not cells:
        return records
    probe = [f"c{c.index}" for c in columns if c.field == "name" and f"c{c.index}" in cells] or cells[:1]
    has_name = pl.any_horizontal(pl.col(c).str.contains(NOT_SPACE) for c in probe).fill_null(False)
    unsure = records.filter(~has_name)
    if unsure.height == 0:
        return records
    blank = unsure.filter(~pl.any_horizontal(pl.col(c).str.contains(NOT_SPACE) for c in cells).fill_null(False))
    if blank.height == 0:
        return records
    return records.filter(~pl.col("row_number").is_in(blank["row_number"].implode()))


def normalise(rows: pl.DataFrame, columns: list[Column], resolver: Resolver | Callable[[], Resolver]) -> pl.DataFrame:
    """One row per data row with every known field in its stored form, plus the raw text messages quote.

    Name, mobile and e-mail are normalised per row; every other field repeats a few hundred
    spellings over a whole file, so each is normalised once per distinct value and joined back.
    """
    by_field: dict[str, list[str]] = {}
    for c in columns:
        if c.field and not c.dropped and f"c{c.index}" in rows.columns:
            by_field.setdefault(c.field, []).append(f"c{c.index}")

    def first(field: str) -> pl.Expr:
        """The first non-blank cell among the field's columns (a sheet may have both 手机 and 联系电话).
        With one column the cell itself: every normaliser treats a blank cell as a missing one."""
        cols = by_field.get(field, [])
        if len(cols) == 1:
            return pl.col(cols[0])
        present = [pl.when(pl.col(c).str.contains(NOT_SPACE)).then(pl.col(c)) for c in cols]
        return pl.coalesce(present) if present else pl.lit(None, dtype=pl.String)

    df = rows.select("row_number", clean_text(first("name")).alias("name"),
                     *{c for f in ("mobile", "email") for c in by_field.get(f, [])},
                     *[first(f).alias(f"{f}_src") for f in by_field if f not in ("name", "mobile", "email")])
    df = pl.concat([_long_name(df), cells.beyond_header(rows, len(columns))], how="horizontal")
    for kind, step in (("mobile", norm.mobile), ("email", norm.email)):
        sources = by_field.get(kind, [])
        for i, source in enumerate(sources):
            df = step(df, source, value=f"_{kind}{i}", problem=f"_{kind}_problem{i}")
            if kind == "email":
                df = _long_email(df, value=f"_{kind}{i}", problem=f"_{kind}_problem{i}", said=f"_email_long{i}")
        none = pl.lit(None, pl.String)
        value = pl.coalesce([f"_{kind}{i}" for i in range(len(sources))]) if sources else none
        problem = pl.coalesce([f"_{kind}_problem{i}" for i in range(len(sources))]) if sources else none
        df = df.with_columns(value.alias(kind)).with_columns(
            pl.when(pl.col(kind).is_null()).then(problem).alias(f"{kind}_problem"))
        # The text as written is quoted only where no valid value was found: cleaned for those rows alone.
        raw_text = clean_text(first(kind)).alias(f"{kind}_raw")
        df = (_where_null(df, kind, raw_text) if sources
              else df.with_columns(pl.lit(None, pl.String).alias(f"{kind}_raw")))
    said = pl.coalesce([f"_email_long{i}" for i in range(len(by_field.get("email", [])))] or [pl.lit(None, pl.String)])
    df = df.with_columns(pl.when(pl.col("email").is_null()).then(said).alias("email_long"))
    df = df.select(pl.exclude(r"^c\d+$", r"^_.*$"))
    sources = [f"{field}_src" for field in _PER_VALUE]
    outputs = []
    for field, build in _PER_VALUE.items():
        source = f"{field}_src"
        if source not in df.columns:     # no such column: the same (empty) outputs as for a blank cell
            blank = build(pl.DataFrame({source: [None]}, schema={source: pl.String})).drop(source)
            outputs.append(df.select("row_number").with_columns(
                pl.lit(None, dtype=dtype).alias(name) for name, dtype in blank.schema.items()).drop("row_number"))
            continue
        # Joined on the one column only, so each join moves a narrow frame, not every column so far.
        values = df.select(pl.col(source).unique()).filter(pl.col(source).is_not_null())
        outputs.append(df.select(source).join(build(values), on=source, how="left", maintain_order="left")
                       .drop(source))
    df = cells.cut_long_text(pl.concat([df.drop(sources, strict=False), *outputs], how="horizontal"))
    if not isinstance(resolver, Resolver):
        resolver = resolver()       # asked for last: the command line opens the database meanwhile
    schools = resolver.universities(df["university_raw"]).select("university_raw", "university_id", "how",
                                                                 "matched_name")
    employers = resolver.employers(df["employer_raw"])
    return pl.concat([df, df.select("university_raw").join(schools, on="university_raw", how="left",
                                                           maintain_order="left").drop("university_raw"),
                      df.select("employer_raw").join(employers, on="employer_raw", how="left",
                                                     maintain_order="left").drop("employer_raw")], how="horizontal")


def _long_name(df: pl.DataFrame) -> pl.DataFrame:
    """Adds `name_long`: why a name longer than limits.CANDIDATE_TEXT allows rejects its row (null for
    the others). Such a name is kept only cut to a quote, for the preview and the messages."""
    said = cells.too_long(df["name"], "name", limits.CANDIDATE_TEXT["name"])
    if said.null_count() == said.len():
        return df.with_columns(said.alias("name_long"))
    return clipped(df, ["name"]).with_columns(said.alias("name_long"))


def _long_email(df: pl.DataFrame, *, value: str, problem: str, said: str) -> pl.DataFrame:
    """An address longer than limits.CANDIDATE_TEXT allows (RFC 5321's 254) is no address: `value` null,
    `problem` 'too_long', and `said` why."""
    too_long = cells.too_long(df[value], "email", limits.CANDIDATE_TEXT["email"])
    if too_long.null_count() == too_long.len():
        return df.with_columns(too_long.alias(said))
    fits = pl.lit(too_long.is_null())
    return df.with_columns(pl.when(fits).then(pl.col(value)).alias(value),
                           pl.when(fits).then(pl.col(problem)).otherwise(pl.lit("too_long")).alias(problem),
                           too_long.alias(said))


def _where_null(df: pl.DataFrame, column: str, expr: pl.Expr) -> pl.DataFrame:
    """Adds `expr`'s column, evaluated only on the rows where `column` is null (null elsewhere)."""
    name = expr.meta.output_name()
    missing = df[column].is_null()
    out = pl.repeat(None, df.height, dtype=pl.String, eager=True).alias(name)
    if missing.any():
        at = missing.arg_true()
        out = out.scatter(at, df[at].select(expr).to_series())
    return df.with_columns(out)


def _graduation(values: pl.DataFrame) -> pl.DataFrame:
    values = values.with_columns(clean_text(pl.col("graduation_src")).alias("graduation_raw"))
    return norm.graduation(values, "graduation_raw", year="graduation_year", month="graduation_month")


# field → how one distinct raw value becomes its stored columns (the frame keeps `<field>_src`).
_PER_VALUE = {
    "gender": lambda v: v.with_columns(norm.gender(clean_text(pl.col("gender_src"))).alias("gender")),
    "university": lambda v: v.with_columns(_stripped(pl.col("university_src")).alias("university_raw")),
    "college": lambda v: v.with_columns(clean_text(pl.col("college_src")).alias("college")),
    "major": lambda v: v.with_columns(clean_text(pl.col("major_src")).alias("major")),
    "degree": lambda v: v.with_columns(clean_text(pl.col("degree_src")).alias("degree_raw")).with_columns(
        norm.degree(pl.col("degree_raw")).alias("degree")),
    "graduation": _graduation,
    "position": lambda v: v.with_columns(clean_text(pl.col("position_src")).alias("position")),
    "employer": lambda v: v.with_columns(clean_text(pl.col("employer_src")).alias("employer_raw")),
    "intent": lambda v: v.with_columns(clean_text(pl.col("intent_src")).alias("intent_raw")).with_columns(
        norm.intent(pl.col("intent_raw")).alias("intent")),
}


def validate(rows: pl.DataFrame) -> pl.DataFrame:
    """Adds `rejected`: a row needs a name that fits and a valid mobile or e-mail, and no contact in a cell
    beyond the header (its cells may have shifted: the mobile read may be someone else's)."""
    no_contact = pl.col("mobile").is_null() & pl.col("email").is_null()
    return rows.with_columns((pl.col("name").is_null() | pl.col("name_long").is_not_null() | no_contact
                              | pl.col("extra_contact")).alias("rejected"))


def reject_records(rows: pl.DataFrame, raw: pl.DataFrame, columns: list[Column]) -> pl.DataFrame:
    """(row_number, reasons, reason_codes, row_json) of the rejected rows: the reasons in Chinese ('；'-joined),
    short labels for counting, and the row as written minus dropped columns (national IDs), each cell
    cut to limits.REJECT_CELL characters."""
    bad = clipped(rows.filter(pl.col("rejected")), ("mobile_raw", "email_raw"))
    if bad.height == 0:
        return NO_REJECTS
    no_contact = pl.col("mobile").is_null() & pl.col("email").is_null()
    reasons = pl.concat_list(
        pl.when(pl.col("name").is_null()).then(pl.lit("缺少姓名")),
        pl.col("name_long"),
        pl.when(pl.col("extra_contact")).then(pl.format(
            "本行比表头多出单元格（{}），其中有手机号或邮箱：这一行的内容可能错位了，为免记错人已跳过，请修正该行后重新导入",
            pl.col("extra"))),
        pl.when(no_contact & pl.col("mobile_problem").is_not_null()).then(_mobile_message()),
        pl.when(no_contact & pl.col("email_problem").is_not_null()).then(_email_message()),
        pl.when(no_contact & pl.col("mobile_raw").is_null() & pl.col("email_raw").is_null())
        .then(pl.lit("缺少手机号和邮箱")),
        pl.when(no_contact).then(pl.lit("没有有效的手机号或邮箱，无法识别此人")),
    ).list.drop_nulls()
    codes = pl.concat_list(   # short labels for the "rejects by reason" summary
        pl.when(pl.col("name").is_null()).then(pl.lit("缺少姓名")),
        pl.when(pl.col("name_long").is_not_null()).then(pl.lit("姓名过长")),
        pl.when(pl.col("extra_contact")).then(pl.lit("多出的单元格中有联系方式")),
        pl.when(no_contact).then(pl.col("mobile_problem").replace_strict(
            {"scientific": "手机号被改成科学计数法", "masked": "手机号打码", "invalid": "手机号无效"}, default=None)),
        pl.when(no_contact & pl.col("email_problem").is_not_null()).then(
            pl.when(pl.col("email_problem") == "too_long").then(pl.lit("邮箱过长")).otherwise(pl.lit("邮箱无效"))),
        pl.when(no_contact & pl.col("mobile_raw").is_null() & pl.col("email_raw").is_null())
        .then(pl.lit("缺少手机号和邮箱")),
    ).list.drop_nulls()
    bad = bad.select("row_number", reasons.list.join("；").alias("reasons"), codes.list.join("；").alias("reason_codes"))
    kept = [c for c in columns if not c.dropped and f"c{c.index}" in raw.columns]
    if not kept:
        return bad.with_columns(pl.lit("{}").alias("row_json"))
    names = display_names(kept)
    written = clipped(raw.filter(pl.col("row_number").is_in(bad["row_number"].implode())).select(
        "row_number", *[pl.col(f"c{c.index}").alias(n) for c, n in zip(kept, names)]), names, limits.REJECT_CELL)
    return bad.join(written, on="row_number", how="left", maintain_order="left").select(
        "row_number", "reasons", "reason_codes", pl.struct(names).struct.json_encode().alias("row_json"))


def dedupe(rows: pl.DataFrame) -> pl.DataFrame:
    """Adds `person`: the row number of the earliest row sharing a mobile or e-mail with this one, transitively.

    `rows` needs row_number, rejected, mobile and email only (a million rows of keys fit in memory).
    """
    kept = rows.filter(~pl.col("rejected")).select(
        "row_number", pl.col("mobile").cast(pl.Int64).alias("m"),        # 11 digits: integer keys hash faster
        pl.col("email").alias("e"),
    ).with_columns(pl.col("row_number").alias("person"))
    # E-mails are compared by hash here (half the time of comparing the text): a collision only lets
    # a row into `linked`, where the real addresses decide.
    shared = ((pl.col("m").is_duplicated() & pl.col("m").is_not_null())
              | (pl.col("e").hash().is_duplicated() & pl.col("e").is_not_null()))
    linked = kept.filter(shared)      # most rows share nothing: only the others need label propagation
    while linked.height:   # each pass lets the smallest row number travel one shared key further
        step = linked.with_columns(pl.min_horizontal(
            "person",
            pl.when(pl.col("m").is_not_null()).then(pl.col("person").min().over("m")),
            pl.when(pl.col("e").is_not_null()).then(pl.col("person").min().over("e")),
        ).alias("person"))
        if step["person"].equals(linked["person"]):
            break
        linked = step
    kept = kept.select("row_number", "person").update(linked.select("row_number", "person"), on="row_number")
    # `kept` is `rows` without the rejected ones, in the same order: put each person back in place.
    place = (~rows["rejected"]).arg_true()
    return rows.with_columns(pl.repeat(None, rows.height, dtype=kept["person"].dtype, eager=True)
                             .scatter(place, kept["person"]).alias("person"))


def people(rows: pl.DataFrame) -> pl.DataFrame:
    """One row per person: each field is the first non-empty value among that person's rows, in file order."""
    kept = rows.filter(pl.col("person").is_not_null())
    merged_persons = kept.filter(pl.col("person") != pl.col("row_number"))["person"].unique()
    in_merge = pl.col("person").is_in(merged_persons.implode())
    single = kept.filter(~in_merge)
    merged = kept.filter(in_merge).sort("row_number").group_by("person").agg(
        # Every kept row has a name, so a person's name is its first row's.
        *[pl.col(f).drop_nulls().first() for f in ("name", "gender", "mobile", "email", "university_raw", "college",
                                                    "major", "degree")],
        pl.col("university_id").filter(pl.col("university_raw").is_not_null()).first(),
        pl.col("graduation_year").drop_nulls().first(),
        pl.col("graduation_month").filter(pl.col("graduation_year").is_not_null()).first(),
    )
    columns = ["person", *PERSON_FIELDS]
    return pl.concat([single.select(columns), merged.select(columns)], how="vertical_relaxed").sort("person")


def contacts(rows: pl.DataFrame) -> pl.DataFrame:
    """person, mobile, email: each person's first mobile and first e-mail in file order (what `people` keeps)."""
    kept = rows.filter(pl.col("person").is_not_null())
    in_merge = pl.col("person").is_in(kept.filter(pl.col("person") != pl.col("row_number"))["person"].implode())
    merged = kept.filter(in_merge).sort("row_number").group_by("person").agg(
        pl.col("mobile").drop_nulls().first(), pl.col("email").drop_nulls().first())
    return pl.concat([kept.filter(~in_merge).select("person", "mobile", "email"), merged]).sort("person")


def row_warnings(rows: pl.DataFrame) -> pl.DataFrame:
    """(row_number, field, message) for everything in a kept row that was not kept as written."""
    kept = rows.filter(~pl.col("rejected"))
    checks = [
        ("mobile", pl.col("mobile_problem").is_not_null(), pl.format("{}，已跳过该手机号（邮箱有效，保留该行）", _mobile_message())),
        ("email", pl.col("email_problem").is_not_null(), pl.format("{}，已跳过（手机号有效，保留该行）", _email_message())),
        ("degree", pl.col("degree_raw").is_not_null() & pl.col("degree").is_null(),
         pl.format("学历「{}」无法识别，已留空", pl.col("degree_raw"))),
        ("graduation", pl.col("graduation_raw").is_not_null() & pl.col("graduation_year").is_null(),
         pl.format("毕业时间「{}」无法识别，已留空", pl.col("graduation_raw"))),
        ("university", pl.col("university_raw").is_not_null() & pl.col("university_id").is_null(),
         pl.format("学校「{}」未能匹配到高校名录，已保留原文", pl.col("university_raw"))),
        ("university", pl.col("how") == "fuzzy",
         pl.format("学校「{}」按近似名称匹配为「{}」，请核对", pl.col("university_raw"), pl.col("matched_name"))),
        ("intent", pl.col("intent_raw").is_not_null() & pl.col("intent").is_null(),
         pl.format("签约意向「{}」无法识别，按“已投递”处理", pl.col("intent_raw"))),
        ("extra", pl.col("extra").is_not_null(),
         pl.format("本行比表头多出单元格（{}），多出的内容未导入：请核对这一行是否多了分隔符", pl.col("extra"))),
    ]
    quoted = ("mobile_raw", "email_raw", "degree_raw", "graduation_raw", "university_raw", "matched_name", "intent_raw")
    # Narrow first: most rows have nothing to warn about, and each check below filters what is left.
    flagged = kept.select("row_number", "mobile_problem", "mobile_raw", "email_problem", "email_raw", "email_long",
                          "degree_raw", "degree", "graduation_raw", "graduation_year", "university_raw",
                          "university_id", "how", "matched_name", "intent_raw", "intent", "extra",
                          *[cond.fill_null(False).alias(f"_{i}") for i, (_, cond, _) in enumerate(checks)])
    flagged = clipped(flagged.filter(pl.any_horizontal(f"_{i}" for i in range(len(checks)))), quoted)
    parts = [flagged.filter(pl.col(f"_{i}")).select("row_number", pl.lit(field).alias("field"), msg.alias("message"))
             for i, (field, _, msg) in enumerate(checks)]
    cut = kept.filter(pl.col("cut").is_not_null()).select("row_number", "cut").explode("cut").unnest("cut")
    return pl.concat([NO_WARNINGS, *parts, cut], how="vertical_relaxed").sort("row_number", maintain_order=True)


def merge_warnings(rows: pl.DataFrame, persons: pl.DataFrame) -> pl.DataFrame:
    """(row_number, field, message) for merged rows whose name, mobile or e-mail differ from their person's."""
    dups = rows.filter(pl.col("person").is_not_null() & (pl.col("row_number") != pl.col("person"))).join(
        persons.select("person", *[pl.col(f).alias(f"p_{f}") for f in ("name", "mobile", "email")]), on="person")
    parts = []
    for field, label in (("name", "姓名"), ("mobile", "手机号"), ("email", "邮箱")):
        differs = pl.col(field).is_not_null() & (pl.col(field) != pl.col(f"p_{field}"))
        parts.append(clipped(dups.filter(differs.fill_null(False)), (field, f"p_{field}")).select(
            "row_number", pl.lit(field).alias("field"),
            pl.format("与第 {} 行是同一人（手机号或邮箱相同），但{}不同：保留第 {} 行的「{}」，本行的「{}」未导入",
                      pl.col("person"), pl.lit(label), pl.col("person"), pl.col(f"p_{field}"), pl.col(field))
            .alias("message")))
    return pl.concat([NO_WARNINGS, *parts], how="vertical_relaxed").sort("row_number", maintain_order=True)


def warnings(rows: pl.DataFrame, persons: pl.DataFrame) -> pl.DataFrame:
    """Every warning of a whole file: each row's own, then those of merged rows, by row."""
    return pl.concat([row_warnings(rows), merge_warnings(rows, persons)]).sort("row_number", maintain_order=True)


def _stripped(expr: pl.Expr) -> pl.Expr:
    return expr.str.strip_chars(PY_SPACE).replace("", None)


def _email_message() -> pl.Expr:
    return (pl.when(pl.col("email_problem") == "too_long").then(pl.col("email_long"))
            .otherwise(pl.format("邮箱 {} 格式不正确", pl.col("email_raw"))))


def _mobile_message() -> pl.Expr:
    return (pl.when(pl.col("mobile_problem") == "scientific")
            .then(pl.format(MOBILE_PROBLEMS["scientific"].replace("{raw}", "{}"), pl.col("mobile_raw")))
            .when(pl.col("mobile_problem") == "masked")
            .then(pl.format(MOBILE_PROBLEMS["masked"].replace("{raw}", "{}"), pl.col("mobile_raw")))
            .otherwise(pl.format(MOBILE_PROBLEMS["invalid"].replace("{raw}", "{}"), pl.col("mobile_raw"))))
