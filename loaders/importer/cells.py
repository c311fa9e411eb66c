"""What the cells of a batch of records go through before they mean anything: national ID numbers taken
out wherever they are, cells beyond the header noted, and text longer than the CRM stores cut.

ID numbers are found by content (db/national_id.py), in every column whatever its header says —
a column headed 身份证 is dropped whole already (fields.DROPPED). A cheap vectorised pre-filter
(national_id.HINT) finds the few cells that may hold one; only those are looked at in Python.
"""
from __future__ import annotations

import re

import polars as pl

from db import limits, national_id
from db.quoting import clipped
from loaders.importer.fields import LABELS, Column, display_names
from loaders.importer.normalise import NOT_SPACE, clean_text, nfkc

# What warnings are counted by in a report: the fields, and cells beyond the header (not a field to map).
WARNING_LABELS = {**LABELS, "extra": "多出的单元格"}
NO_IDS = pl.DataFrame(schema={"row_number": pl.Int32, "field": pl.String, "message": pl.String})
CUT = pl.List(pl.Struct({"field": pl.String, "message": pl.String}))
# stored column → the warning's field (LABELS) and the limit of db/limits.py it is cut to
CUT_FIELDS = {"university_raw": "university", "college": "college", "major": "major", "position": "position",
              "employer_raw": "employer"}
_CELL = re.compile(r"c(\d+)")
_SHORTEST_ID = 12               # bytes: national_id.HINT needs 12 digits
# What makes a cell beyond the header look like someone's contact: 11 mobile digits or an address.
_CONTACT = r"(?:^|[^0-9])1[3-9][0-9]{9}(?:[^0-9]|$)|[^@\s]@[^@\s]+\.[A-Za-z]{2,}"


def without_national_ids(records: pl.DataFrame, columns: list[Column]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """`records` with every national ID number in a cell replaced by national_id.REDACTED, and a warning
    (row_number, field, message) for each row that held one, naming the columns but never the number.

    Dropped columns (headed 身份证…) are left alone: nothing ever reads them.
    """
    dropped = {f"c{c.index}" for c in columns if c.dropped}
    cells = [c for c in records.columns if _CELL.fullmatch(c) and c not in dropped]
    if not cells or records.height == 0:
        return records, NO_IDS
    # A column whose cells are all shorter than an ID number's first 12 digits is not searched at all.
    longest = records.select(pl.col(c).str.len_bytes().max() for c in cells).row(0)
    cells = [c for c, n in zip(cells, longest) if n is not None and n >= _SHORTEST_ID]
    hinted = records.select(pl.col(c).str.contains(national_id.HINT).fill_null(False) for c in cells)
    found: list[tuple[int, str]] = []
    replaced = []
    names = _names(columns)
    for cell in (c for c in cells if hinted[c].any()):
        at = hinted[cell].arg_true()
        before = records[cell].gather(at).to_list()
        after = [national_id.redact(v) for v in before]
        changed = [i for i, (b, a) in enumerate(zip(before, after)) if a != b]
        if changed:
            replaced.append(records[cell].scatter(at.gather(changed), [after[i] for i in changed]))
            numbers = records["row_number"].gather(at.gather(changed)).to_list()
            found += [(n, names.get(cell, f"第 {int(cell[1:]) + 1} 列")) for n in numbers]
    if not found:
        return records, NO_IDS
    where = pl.DataFrame(found, schema={"row_number": pl.Int32, "column": pl.String}, orient="row")
    warnings = where.group_by("row_number", maintain_order=True).agg(pl.col("column")).sort("row_number").select(
        "row_number", pl.lit("national_id").alias("field"),
        pl.format("{}中的身份证号已移除，不会保存", pl.col("column").list.eval(pl.format("「{}」", pl.element()))
                  .list.join("、")).alias("message"))
    return records.with_columns(replaced), warnings


def _names(columns: list[Column]) -> dict[str, str]:
    return dict(zip((f"c{c.index}" for c in columns), display_names(columns)))


def beyond_header(records: pl.DataFrame, width: int) -> pl.DataFrame:
    """`extra` (the cells a record has beyond the header's `width`, quoted: 第 13 列「x」、第 14 列「y」;
    null for a record that has none) and `extra_contact` (one of them looks like a mobile or e-mail:
    the record's cells may have shifted, so its contact columns cannot be trusted)."""
    beyond = [c for c in records.columns if (m := _CELL.fullmatch(c)) and int(m.group(1)) >= width]
    if not beyond:
        return pl.DataFrame({"extra": pl.repeat(None, records.height, dtype=pl.String, eager=True),
                             "extra_contact": pl.repeat(False, records.height, eager=True)})
    given = [pl.col(c).str.contains(NOT_SPACE).fill_null(False) for c in beyond]
    quoted = clipped(records.select(clean_text(pl.col(c)) for c in beyond), beyond)
    looks = pl.any_horizontal(nfkc(pl.col(c)).str.replace_all(r"[\s\-]", "").str.contains(_CONTACT).fill_null(False)
                              for c in beyond)
    listed = pl.concat_list(pl.when(g).then(pl.format(f"第 {int(c[1:]) + 1} 列「{{}}」", pl.col(f"q_{c}")))
                            for g, c in zip(given, beyond)).list.drop_nulls().list.join("、")
    frame = pl.concat([records.select(beyond), quoted.rename({c: f"q_{c}" for c in beyond})], how="horizontal")
    return frame.select(pl.when(pl.any_horizontal(given)).then(listed).alias("extra"),
                        (pl.any_horizontal(given) & looks).alias("extra_contact"))


def too_long(values: pl.Series, field: str, limit: int) -> pl.Series:
    """limits.too_long's sentence for each value longer than `limit` (null for the others)."""
    out = pl.repeat(None, values.len(), dtype=pl.String, eager=True)
    values = values.cast(pl.String)
    # A character is 1–4 bytes in UTF-8: only a value of more than `limit` bytes can be too long, and the
    # byte length polars knows without reading the text.
    maybe = (values.str.len_bytes() > limit).fill_null(False)
    if not maybe.any():
        return out
    long = maybe & (values.str.len_chars() > limit).fill_null(False)
    if long.any():
        at = long.arg_true()
        label = LABELS.get(field, field)
        out = out.scatter(at, [limits.too_long(label, v, limit).rstrip("。") for v in values.gather(at).to_list()])
    return out


def cut_long_text(df: pl.DataFrame) -> pl.DataFrame:
    """The CUT_FIELDS longer than db/limits.py allows cut to their limit, and `cut`: for each row, what was
    cut and how long it was (field, message), null where nothing was — most rows, most files."""
    notes = []
    maybe = df.select(pl.any_horizontal(pl.col(c).str.len_bytes() > limits.CANDIDATE_TEXT[c] for c in CUT_FIELDS)
                      .fill_null(False)).to_series()
    if not maybe.any():      # the usual file: nothing near a limit (see too_long)
        return df.with_columns(pl.lit(None, dtype=CUT).alias("cut"))
    for column, field in CUT_FIELDS.items():
        limit = limits.CANDIDATE_TEXT[column]
        said = too_long(df[column], field, limit)
        if said.null_count() == said.len():
            continue
        at = said.is_not_null().arg_true()
        notes.append(pl.DataFrame({"at": at, "field": field, "message": said.gather(at) + f"，已截断为前 {limit} 个字"}))
        df = df.with_columns(df[column].scatter(at, df[column].gather(at).str.slice(0, limit)))
    if not notes:
        return df.with_columns(pl.lit(None, dtype=CUT).alias("cut"))
    per_row = pl.concat(notes).group_by("at").agg(pl.struct("field", "message").alias("cut"))
    return (df.with_row_index("at").join(per_row, on="at", how="left", maintain_order="left").drop("at")
            .with_columns(pl.col("cut").cast(CUT)))
