"""Text a message quotes, or a rejected row keeps, cut to db/limits.py's lengths — for polars frames.

Cells are measured vectorised; only the few longer than the limit are cut, in Python, by limits.clip,
so a frame's quotes read exactly like the forms' and commands' ones.
"""
from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from db import limits


def clipped(frame: pl.DataFrame, columns: Iterable[str], limit: int = limits.QUOTE) -> pl.DataFrame:
    """`frame` with each of `columns` (text) cut to `limit` characters by limits.clip."""
    columns = [c for c in columns if c in frame.columns]
    if not columns or frame.height == 0:
        return frame
    # One pass over every column first: almost always nothing is that long, and then nothing more is done.
    longest = frame.select(pl.col(c).cast(pl.String).str.len_bytes().max() for c in columns).row(0)
    long = [c for c, n in zip(columns, longest) if n is not None and n > limit]
    return frame.with_columns(clip_series(frame[c], limit) for c in long) if long else frame


def clip_series(values: pl.Series, limit: int = limits.QUOTE) -> pl.Series:
    values = values.cast(pl.String)
    maybe = (values.str.len_bytes() > limit).fill_null(False)     # no longer in characters than in bytes
    if not maybe.any():
        return values
    long = maybe & (values.str.len_chars() > limit).fill_null(False)
    if not long.any():
        return values
    at = long.arg_true()
    return values.scatter(at, [limits.clip(v, limit) for v in values.gather(at).to_list()])
