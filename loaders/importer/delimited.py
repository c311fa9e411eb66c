"""Delimited text as polars frames of text cells, block by block: line endings, record ends, and records
longer than the header.

Every physical record is one row whatever its line ending: a bare CR (classic Mac, or a file pieced
together from several) ends a line like LF and CRLF do. A record with more cells than the header keeps
up to EXTRA_CELLS of them as columns beyond the header's (steps.py warns about them, or rejects the row
when one holds a contact). What polars cannot read comes out as `Unparsable`; the reader says why.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import polars as pl

EXTRA_CELLS = 20                # cells beyond the header's width kept of a longer record (to warn about)
# What polars raises for text it cannot read; a panic is a BaseException, not an Exception.
READ_ERRORS = (pl.exceptions.PolarsError, pl.exceptions.PanicException)


class Unparsable(Exception):
    """polars could not read `data`, a block of the file beginning at the file's `line`."""

    def __init__(self, error: BaseException, data: bytes, line: int) -> None:
        super().__init__(str(error))
        self.error, self.data, self.line = error, data, line


def options(delimiter: str, header_index: int) -> dict[str, object]:
    """Every cell as text, from the header row on (the header row's own width is read with these)."""
    return {"has_header": False, "infer_schema": False, "separator": delimiter, "quote_char": '"',
            "skip_rows": header_index, "truncate_ragged_lines": True, "raise_if_empty": False}


def read_block(data: bytes, options: dict[str, object], width: int) -> pl.DataFrame:
    """Records of `data` as columns c0…c(width-1), and beyond those, when some record is longer than the
    header, up to EXTRA_CELLS more that hold something.

    The header's width is tried first: it is the file as it should be, and polars parses it fastest.
    Only when that fails (a longer record, or text polars cannot parse) is the block read again wider,
    keeping what a longer record has beyond the header; if that fails too, its error is raised.
    """
    fixed = {**options, "schema": _schema(width), "missing_columns": "insert", "truncate_ragged_lines": False}
    del fixed["infer_schema"]
    try:
        return pl.read_csv(data, **fixed)  # type: ignore[arg-type]
    except READ_ERRORS:
        pass
    wide = {**fixed, "schema": _schema(width + EXTRA_CELLS), "truncate_ragged_lines": True,
            "extra_columns": "ignore"}
    frame = pl.read_csv(data, **wide)  # type: ignore[arg-type]
    beyond = [c for c in frame.columns[width:] if frame[c].null_count() < frame.height]
    return frame.select(*frame.columns[:width], *beyond)


def _schema(width: int) -> dict[str, pl.DataType]:
    return {f"c{i}": pl.String() for i in range(width)}


def header(path: Path, delimiter: str, header_index: int, head_bytes: int) -> list[str | None]:
    """The header row's cells, parsed from the first block (a path would have polars map the whole file)."""
    with path.open("rb") as f:
        reader = LfReader(f)
        head = reader.read(head_bytes)
        while (end := record_end(head)) == 0 and (more := reader.read(max(head_bytes, len(head)))):
            head += more                      # a title row longer than a block
    try:
        first = pl.read_csv(head[:end] if end else head, n_rows=1,  # type: ignore[arg-type]
                            **options(delimiter, header_index))
    except READ_ERRORS as error:
        raise Unparsable(error, head, 1) from None
    return list(first.row(0)) if first.height else []


def batches(path: Path, delimiter: str, header_index: int, width: int, block_bytes: int, *,
            first_bytes: int) -> Iterator[pl.DataFrame]:
    """The records under the header of a file of `width` columns, about `block_bytes` at a time (the
    first block at least `first_bytes`, reaching past the header), numbered with their 1-based sheet
    row `row_number`. The file is cut into blocks at record ends (a newline outside quotes), so only
    one block is in memory at a time — polars' own batched reader reads ahead unboundedly — and polars
    skips the title rows of the first block exactly as it does when reading a whole file."""
    if width == 0:
        return
    read_options = options(delimiter, header_index)
    next_row = header_index + 2               # the first record under the header
    first = True
    want = max(block_bytes, first_bytes)
    with path.open("rb") as f:
        reader, carry = LfReader(f), b""
        while True:
            block = reader.read(want)
            data = carry + block
            end = record_end(data) if block else len(data)
            if block and end == 0:            # one record longer than a block: read on, twice as far each time
                carry, want = data, max(want, len(data))
                continue
            want = block_bytes
            part, carry = data[:end], data[end:]
            if not part:
                return
            try:
                frame = read_block(part, {**read_options, "skip_rows": header_index if first else 0}, width)
            except READ_ERRORS as error:
                raise Unparsable(error, part, 1 if first else next_row) from None
            if first:
                frame, first = frame.slice(1), False      # the header row itself
            frame = frame.with_columns((pl.int_range(pl.len(), dtype=pl.Int32) + next_row).alias("row_number"))
            next_row += frame.height
            if frame.height:
                yield frame
            if not block:
                return


def lf(data: bytes) -> bytes:
    """`data` with every line ending, CRLF or a bare CR, as LF. Line breaks inside quoted cells become LF
    too, so a cell reads the same whichever block it falls in (clean_text folds them into a space anyway).
    LF text, most files, is only looked through."""
    if b"\r" not in data:
        return data
    return data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")


class LfReader:
    """A binary file read through `lf`, block by block; b"" at its end. A block ending in CR keeps the CR
    for the next one: it may be the first half of a CRLF."""

    def __init__(self, f: BinaryIO) -> None:
        self._f = f
        self._held = b""

    def read(self, size: int) -> bytes:
        while block := self._f.read(size):
            block, self._held = self._held + block, b""
            if block.endswith(b"\r"):
                block, self._held = block[:-1], b"\r"
            if block:
                return lf(block)
        held, self._held = self._held, b""
        return b"\n" if held else b""


def record_end(data: bytes) -> int:
    """Where the last complete record in `data` ends: after its last newline outside quotes (0: none).
    Doubled quotes inside a quoted cell count twice, so they do not change the parity."""
    quotes = data.count(b'"')
    pos = len(data)
    while (newline := data.rfind(b"\n", 0, pos)) >= 0:
        quotes -= data.count(b'"', newline, pos)
        if quotes % 2 == 0:
            return newline + 1
        pos = newline
    return 0


def unpaired_quote_line(data: bytes) -> int | None:
    """The 1-based line (of `data`) whose quote is never closed, if the quotes do not pair up."""
    if data.count(b'"') % 2 == 0:
        return None
    opened, line = 0, None
    for number, text in enumerate(data.split(b"\n"), start=1):
        if opened % 2 == 0 and text.count(b'"') % 2:
            line = number
        opened += text.count(b'"')
    return line
