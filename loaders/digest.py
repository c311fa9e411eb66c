"""A file's SHA-256, read block by block (hashlib releases the GIL on large blocks, so it runs beside
other work in a thread). Kept free of polars so the command line can start it before importing it."""
from __future__ import annotations

import hashlib
from pathlib import Path

BLOCK = 1 << 20


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(BLOCK):
            digest.update(block)
    return digest.hexdigest()
