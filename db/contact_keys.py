"""Keys of the uniqueness guard on mobiles and e-mails (table contact_key, migration 009).

A live candidate's mobile and e-mail each hold one row there; its primary key is what stops two
people, or two concurrent saves, from ending up with the same number or address. The key is the MD5
of 'm:13800138000' / 'e:someone@example.com' read as a little-endian 128-bit number: DuckDB keeps a
number key at about half the cost of the text.
"""
from __future__ import annotations

import hashlib

KINDS = {"mobile": "m", "email": "e"}       # candidate column → key prefix


def contact_key(kind: str, value: str) -> int:
    """The key of a mobile (kind 'm') or e-mail ('e'), as `key_sql` makes DuckDB compute it."""
    return int.from_bytes(hashlib.md5(f"{kind}:{value}".encode()).digest(), "little")


def key_sql(kind: str, value: str) -> str:
    """SQL for the key of the mobile ('m') or e-mail ('e') held by the SQL expression `value`."""
    return f"md5_number('{kind}:' || {value})"
