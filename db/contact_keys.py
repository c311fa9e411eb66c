"""Keys of the uniqueness guard on mobiles and e-mails (table contact_key, migration 009), and the claim
lock that makes them unique.

A live candidate's mobile and e-mail each hold one row there. The key is the MD5 of 'm:13800138000' /
'e:someone@example.com' read as a little-endian 128-bit number.

The table has no primary key (DuckDB maintains one at about a second per million keys, the largest
cost of a large import); uniqueness comes from how keys are added instead. DuckDB lets one process
at a time write the database file, and in this process every transaction that adds keys runs with
`claims=True` (db.connection.transaction): it takes CLAIMS before its first read and lets go after
its commit. So its snapshot holds every key committed before, it checks the keys it adds against
them, and no other transaction adds keys until it has committed. Code that inserts keys calls
`require_claim`; `python -m db check` counts keys held twice.
"""
from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager

KINDS = {"mobile": "m", "email": "e"}       # candidate column → key prefix
CLAIMS = threading.Lock()                   # held by the one transaction adding keys, begin to commit


def contact_key(kind: str, value: str) -> int:
    """The key of a mobile (kind 'm') or e-mail ('e'), as `key_sql` makes DuckDB compute it."""
    return int.from_bytes(hashlib.md5(f"{kind}:{value}".encode()).digest(), "little")


def key_sql(kind: str, value: str) -> str:
    """SQL for the key of the mobile ('m') or e-mail ('e') held by the SQL expression `value`."""
    return f"md5_number('{kind}:' || {value})"


_holder: int | None = None                  # thread holding CLAIMS


@contextmanager
def claim() -> Iterator[None]:
    """Hold CLAIMS for the block (transaction(claims=True) does, around begin … commit)."""
    global _holder
    if _holder == threading.get_ident():    # a second claiming transaction in the same thread would wait forever
        raise RuntimeError("this thread already holds the contact-key claim (in another transaction)")
    with CLAIMS:
        _holder = threading.get_ident()
        try:
            yield
        finally:
            _holder = None


def require_claim() -> None:
    """Refuse to add keys outside a claiming transaction (a programming error, never a user's)."""
    if not CLAIMS.locked():
        raise RuntimeError("contact keys may only be added in a transaction begun with claims=True")
