"""Fresh databases are copies of a cached empty one, as PostgreSQL creates databases from template1.

Creating a database from nothing runs every migration and loads the reference data: about 0.2 s,
most of what a small import on a fresh database costs. The first creation on a machine builds the
empty database once — migrated, with reference data, checkpointed — under a name derived from
everything it is made of (the migrations, the reference files and the code loading them, the DuckDB
version), so a changed migration, reference file or alias, or another DuckDB, simply makes a new one. Every later creation copies
it and then migrates as usual, which finds nothing to do. Templates live in $CRM_CACHE_DIR (default
~/.cache/feidi-crm); where that cannot be written, databases are created from nothing as before.
"""
from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import duckdb

from db import migrate, reference


def cache_dir() -> Path:
    configured = os.environ.get("CRM_CACHE_DIR")
    return Path(configured) if configured else Path.home() / ".cache" / "feidi-crm"


def key() -> str:
    """What an empty database is made of, as one digest."""
    digest = hashlib.sha256(f"duckdb {duckdb.__version__}\n".encode())
    for m in migrate.discover():
        digest.update(f"{m.name} {m.checksum}\n".encode())
    # The reference files, and the code that loads them (aliases are listed in db/reference.py).
    code = [Path(module.__file__) for module in (reference, migrate) if module.__file__] + [Path(__file__)]
    for path in [*sorted(reference.REFERENCE_DIR.glob("*.csv")), *code]:
        digest.update(path.name.encode() + b"\n" + path.read_bytes())
    return digest.hexdigest()[:20]


def create(path: Path) -> bool:
    """Make `path` (which must not exist) a copy of the empty database; False when no template can be had.

    The copy is made under a temporary name and linked into place only if `path` still does not exist,
    so a copy cut short (a kill) or a second process creating the same database leaves no half file.
    """
    copy = path.with_name(f".{path.name}.{os.getpid()}.copying")
    try:
        shutil.copyfile(_template(), copy)
        os.link(copy, path)
    except (OSError, duckdb.Error):
        return False
    finally:
        copy.unlink(missing_ok=True)
    return True


def _template() -> Path:
    folder = cache_dir()
    template = folder / f"empty-{key()}.duckdb"
    if template.exists():
        return template
    folder.mkdir(parents=True, exist_ok=True)
    building = folder / f".building-{os.getpid()}-{template.name}"
    building.unlink(missing_ok=True)
    conn = duckdb.connect(str(building))
    try:
        migrate.migrate(conn)
        reference.ensure_loaded(conn)
        conn.execute("checkpoint").fetchall()
    finally:
        conn.close()
    Path(f"{building}.wal").unlink(missing_ok=True)     # empty after the checkpoint
    os.replace(building, template)       # atomic: a process building the same one at once is harmless
    for old in folder.glob("empty-*.duckdb"):
        if old != template:
            old.unlink(missing_ok=True)
    return template
