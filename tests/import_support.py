"""Importing bytes in tests as the import screen does: an upload staged (importer.staged_upload), then
checked or written (not fixtures: plain functions tests import)."""
from __future__ import annotations

from typing import Any

import polars as pl

from db.imports import ImportResult
from db.permissions import User
from db.sql import Cursor
from loaders.importer import Checked, References, check, references, staged_upload, write_file


def checked(data: bytes, name: str, refs: References, **options: Any) -> Checked:
    """What the screen shows of an upload before writing it (`options`: overrides, header_row)."""
    with staged_upload(data, name, refs, **options) as file:
        return check(file)


def read_back(data: bytes, name: str, refs: References, **options: Any) -> tuple[Checked, pl.DataFrame]:
    """The check, and every kept row as the upload's staging set it aside (with its person)."""
    with staged_upload(data, name, refs, **options) as file:
        return check(file), file.rows()


def imported(cur: Cursor, actor: User, data: bytes, name: str, **write: Any) -> ImportResult:
    """An upload written as the screen writes it (`write`: drive_id, force, create_employers)."""
    with staged_upload(data, name, references(cur)) as file:
        return write_file(cur, actor, file, **write)[1]
