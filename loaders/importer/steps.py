"""map_headers → normalise → validate → dedupe: pure polars steps from a read sheet to people and outcomes."""
from __future__ import annotations

import polars as pl

from loaders.importer import lookup
from loaders.importer import normalise as norm
from loaders.importer.fields import Column, display_names
from loaders.importer.normalise import MOBILE_PROBLEMS, PY_SPACE, clean_text

PERSON_FIELDS = ("name", "gender", "mobile", "email", "university_raw", "university_id", "college", "major",
                 "degree", "graduation_year", "graduation_month")
NO_ROWS = pl.DataFrame(schema={"row_number": pl.Int32, "field": pl.String, "message": pl.String})


def data_rows(body: pl.DataFrame) -> pl.DataFrame:
    """The records under the header, without the entirely blank ones (they are not counted)."""
    cells = [c for c in body.columns if c != "row_number"]
    rows = body.slice(1)
    if not cells:
        return rows
    blank = pl.all_horizontal(pl.col(c).is_null() | (pl.col(c).str.strip_chars(PY_SPACE) == "") for c in cells)
    return rows.filter(~blank)


def normalise(rows: pl.DataFrame, columns: list[Column], universities: pl.DataFrame) -> pl.DataFrame:
    """One row per data row with every known field in its stored form, plus the raw text messages quote.

    Name, mobile and e-mail are normalised per row; every other field repeats a few hundred
    spellings over a whole file, so each is normalised once per distinct value and joined back.
    """
    by_field: dict[str, list[str]] = {}
    for c in columns:
        if c.field and not c.dropped and f"c{c.index}" in rows.columns:
            by_field.setdefault(c.field, []).append(f"c{c.index}")

    def first(field: str) -> pl.Expr:
        """The first non-blank cell among the field's columns (a sheet may have both 手机 and 联系电话)."""
        cols = by_field.get(field, [])
        present = [pl.when(pl.col(c).str.strip_chars(PY_SPACE).str.len_chars() > 0).then(pl.col(c)) for c in cols]
        return pl.coalesce(present) if present else pl.lit(None, dtype=pl.String)

    per_row = ("name", "mobile", "email")
    df = rows.select("row_number", *{c for f in per_row for c in by_field.get(f, [])},
                     *[first(f).alias(f"{f}_src") for f in by_field if f not in per_row])
    df = df.with_columns(clean_text(first("name")).alias("name"), clean_text(first("mobile")).alias("mobile_raw"),
                         clean_text(first("email")).alias("email_raw"))
    for kind, step in (("mobile", norm.mobile), ("email", norm.email)):
        sources = by_field.get(kind, [])
        for i, source in enumerate(sources):
            df = step(df, source, value=f"_{kind}{i}", problem=f"_{kind}_problem{i}")
        none = pl.lit(None, pl.String)
        value = pl.coalesce([f"_{kind}{i}" for i in range(len(sources))]) if sources else none
        problem = pl.coalesce([f"_{kind}_problem{i}" for i in range(len(sources))]) if sources else none
        df = df.with_columns(value.alias(kind)).with_columns(
            pl.when(pl.col(kind).is_null()).then(problem).alias(f"{kind}_problem"))
    df = df.select(pl.exclude(r"^c\d+$", r"^_.*$"))
    for field, build in _PER_VALUE.items():
        source = f"{field}_src"
        if source not in df.columns:     # no such column: the same (empty) outputs as for a blank cell
            blank = build(pl.DataFrame({source: [None]}, schema={source: pl.String})).drop(source)
            df = df.with_columns(pl.lit(None, dtype=dtype).alias(name) for name, dtype in blank.schema.items())
            continue
        values = df.select(pl.col(source).unique()).filter(pl.col(source).is_not_null())
        df = df.join(build(values), on=source, how="left", maintain_order="left").drop(source)
    schools = lookup.universities(df["university_raw"], universities)
    names = universities.filter(pl.col("kind") == "name").select("university_id", pl.col("name").alias("matched_name"))
    schools = schools.join(names, on="university_id", how="left").select(
        "university_raw", "university_id", "how", "matched_name")
    return df.join(schools, on="university_raw", how="left", maintain_order="left")


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
    """Adds `rejected` and, for rejected rows, `reasons` (Chinese, '；'-joined) and `reason_codes` (for counting).

    A row needs a name and a valid mobile or e-mail.
    """
    no_contact = pl.col("mobile").is_null() & pl.col("email").is_null()
    rows = rows.with_columns((pl.col("name").is_null() | no_contact).alias("rejected"))
    bad = rows.filter(pl.col("rejected"))     # messages are built for the few rejected rows only
    reasons = pl.concat_list(
        pl.when(pl.col("name").is_null()).then(pl.lit("缺少姓名")),
        pl.when(no_contact & pl.col("mobile_problem").is_not_null()).then(_mobile_message()),
        pl.when(no_contact & pl.col("email_problem").is_not_null()).then(
            pl.format("邮箱 {} 格式不正确", pl.col("email_raw"))),
        pl.when(no_contact & pl.col("mobile_raw").is_null() & pl.col("email_raw").is_null())
        .then(pl.lit("缺少手机号和邮箱")),
        pl.when(no_contact).then(pl.lit("没有有效的手机号或邮箱，无法识别此人")),
    ).list.drop_nulls()
    codes = pl.concat_list(   # short labels for the "rejects by reason" summary
        pl.when(pl.col("name").is_null()).then(pl.lit("缺少姓名")),
        pl.when(no_contact).then(pl.col("mobile_problem").replace_strict(
            {"scientific": "手机号被改成科学计数法", "masked": "手机号打码", "invalid": "手机号无效"}, default=None)),
        pl.when(no_contact & pl.col("email_problem").is_not_null()).then(pl.lit("邮箱无效")),
        pl.when(no_contact & pl.col("mobile_raw").is_null() & pl.col("email_raw").is_null())
        .then(pl.lit("缺少手机号和邮箱")),
    ).list.drop_nulls()
    bad = bad.select("row_number", reasons.list.join("；").alias("reasons"), codes.list.join("；").alias("reason_codes"))
    return rows.join(bad, on="row_number", how="left", maintain_order="left")


def dedupe(rows: pl.DataFrame) -> pl.DataFrame:
    """Adds `person`: the row number of the earliest row sharing a mobile or e-mail with this one, transitively."""
    kept = rows.filter(~pl.col("rejected")).select(
        "row_number", pl.col("mobile").cast(pl.Int64).alias("m"),        # 11 digits: integer keys hash faster
        pl.col("email").cast(pl.Categorical).to_physical().alias("e"),
    ).with_columns(pl.col("row_number").alias("person"))
    shared = pl.col("m").is_duplicated() & pl.col("m").is_not_null() | pl.col("e").is_duplicated() & pl.col("e").is_not_null()
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
    return rows.join(kept, on="row_number", how="left", maintain_order="left")


def people(rows: pl.DataFrame) -> pl.DataFrame:
    """One row per person: each field is the first non-empty value among that person's rows, in file order."""
    kept = rows.filter(pl.col("person").is_not_null())
    merged_persons = kept.filter(pl.col("person") != pl.col("row_number"))["person"].unique()
    in_merge = pl.col("person").is_in(merged_persons.implode())
    single = kept.filter(~in_merge)
    merged = kept.filter(in_merge).sort("row_number").group_by("person").agg(
        *[pl.col(f).drop_nulls().first() for f in ("name", "gender", "mobile", "email", "university_raw", "college",
                                                    "major", "degree")],
        pl.col("university_id").filter(pl.col("university_raw").is_not_null()).first(),
        pl.col("graduation_year").drop_nulls().first(),
        pl.col("graduation_month").filter(pl.col("graduation_year").is_not_null()).first(),
    )
    columns = ["person", *PERSON_FIELDS]
    return pl.concat([single.select(columns), merged.select(columns)], how="vertical_relaxed").sort("person")


def warnings(rows: pl.DataFrame, persons: pl.DataFrame) -> pl.DataFrame:
    """(row_number, field, message) for everything kept but not as written, and for merged rows that disagree."""
    kept = rows.filter(~pl.col("rejected"))
    checks = [
        ("mobile", pl.col("mobile_problem").is_not_null(), pl.format("{}，已跳过该手机号（邮箱有效，保留该行）", _mobile_message())),
        ("email", pl.col("email_problem").is_not_null(), pl.format("邮箱 {} 格式不正确，已跳过（手机号有效，保留该行）",
                                                                  pl.col("email_raw"))),
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
    ]
    parts = [kept.filter(cond.fill_null(False)).select("row_number", pl.lit(field).alias("field"), msg.alias("message"))
             for field, cond, msg in checks]
    dups = kept.filter(pl.col("row_number") != pl.col("person")).join(
        persons.select("person", *[pl.col(f).alias(f"p_{f}") for f in ("name", "mobile", "email")]), on="person")
    for field, label in (("name", "姓名"), ("mobile", "手机号"), ("email", "邮箱")):
        differs = pl.col(field).is_not_null() & (pl.col(field) != pl.col(f"p_{field}"))
        parts.append(dups.filter(differs.fill_null(False)).select(
            "row_number", pl.lit(field).alias("field"),
            pl.format("与第 {} 行是同一人（手机号或邮箱相同），但{}不同：保留第 {} 行的「{}」，本行的「{}」未导入",
                      pl.col("person"), pl.lit(label), pl.col("person"), pl.col(f"p_{field}"), pl.col(field))
            .alias("message")))
    return pl.concat([NO_ROWS, *parts], how="vertical_relaxed").sort("row_number", maintain_order=True)


def reject_records(rows: pl.DataFrame, raw: pl.DataFrame, columns: list[Column]) -> pl.DataFrame:
    """(row_number, reasons, row_json): the row as written, minus dropped columns (national IDs)."""
    rejected = rows.filter(pl.col("rejected")).select("row_number", "reasons", "reason_codes")
    kept = [c for c in columns if not c.dropped and f"c{c.index}" in raw.columns]
    names = display_names(kept)
    if not kept:
        return rejected.with_columns(pl.lit("{}").alias("row_json"))
    cells = raw.select("row_number", *[pl.col(f"c{c.index}").alias(n) for c, n in zip(kept, names)])
    return rejected.join(cells, on="row_number", how="left", maintain_order="left").select(
        "row_number", "reasons", "reason_codes", pl.struct(names).struct.json_encode().alias("row_json"))


def _stripped(expr: pl.Expr) -> pl.Expr:
    out = expr.str.strip_chars(PY_SPACE)
    return pl.when(out.str.len_chars() > 0).then(out)


def _mobile_message() -> pl.Expr:
    return (pl.when(pl.col("mobile_problem") == "scientific")
            .then(pl.format(MOBILE_PROBLEMS["scientific"].replace("{raw}", "{}"), pl.col("mobile_raw")))
            .when(pl.col("mobile_problem") == "masked")
            .then(pl.format(MOBILE_PROBLEMS["masked"].replace("{raw}", "{}"), pl.col("mobile_raw")))
            .otherwise(pl.format(MOBILE_PROBLEMS["invalid"].replace("{raw}", "{}"), pl.col("mobile_raw"))))
