"""Per-topic data versions: what a cache of counted figures is keyed on, so a write recomputes only
the figures that count what it changed.

Every command writes its audit entry inside its own transaction (db/audit.py) — updates and deletes
included, bulk loads and imports as one entry per batch, the demo as one entry — so the largest audit
id among the entries that can change a topic is a version of that topic: it moves on every such write,
and on no other. `max(id)` of a table would not: an update or a delete leaves it as it was.

Topics: `people` (candidates, applications, stage events — the big tables), one per programme register
(its table name: campus_drive, agreement, …, target), `retention`, and `today` (figures that depend on
the date, like agreements expiring within 90 days). An entry names its topics by entity and action
(`topics_of`); an entry this module does not recognise counts for every topic, so a new command is
at worst too eager, never stale.
"""
from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass

from db import clock
from db.sql import Cursor, rows

# Actions that change nothing any figure counts: sessions, looks, exports, timeline notes, accounts.
QUIET_ACTIONS = frozenset({
    "login", "login_failed", "login_locked", "logout", "session_timeout", "password_change", "password_reset",
    "unlock", "view_unmasked", "export", "backup", "log_activity", "follow_up", "reject_signups",
})
# Registers written through db/programmes/register.py (or its own commands, e.g. a drive's employers or
# the targets grid): their create/update/delete entries change their own table only. Other actions on
# them (commit_signups on a drive or an event writes people) fall through to "everything".
REGISTERS = ("campus_drive", "agreement", "co_supervision", "appointment", "enclave", "declaration",
             "talent_event", "employer", "position", "target", "stage_threshold", "app_user")
REGISTER_ACTIONS = frozenset({"create", "update", "delete"})
# Entities whose entries write candidates, applications or stage events (and nothing a register counts).
PEOPLE_ENTITIES = frozenset({"candidate", "application", "import_batch"})
TOPICS = ("people", *REGISTERS, "retention")


def topics_of(entity: str | None, action: str) -> tuple[str, ...]:
    """The topics an audit entry (entity, action) may have changed."""
    if action in QUIET_ACTIONS:
        return ()
    if action == "retention_check":
        return ("retention",)
    if entity in REGISTERS and action in REGISTER_ACTIONS:
        return (entity,)
    if entity in PEOPLE_ENTITIES:
        return ("people",)
    return TOPICS


def current(cur: Cursor, database: str | None = None) -> dict[str, object]:
    """Topic → version, for every topic (and `today`). A topic's version is (largest audit id, number
    of entries) over the entries that can change it — the count moves too when a transaction that took
    its id earlier commits later than another's — and the people topic adds the row count and largest
    id of the people tables, which a write that forgot to audit would still move (DuckDB answers those
    from metadata). `database` (the file's path) lets the process remember the audit log's sum: see
    `_read`."""
    with _lock:
        known = _tallies.get(database) if database else None
    tally, people = _read(cur, known)
    if tally is None:
        tally, people = _read(cur, None)
        assert tally is not None
    if database:
        with _lock:
            _tallies[database] = tally
    versions: dict[str, object] = dict.fromkeys(TOPICS, (0, 0))
    for (entity, action), (last, entries) in tally.groups.items():
        for topic in topics_of(entity, action):
            top, n = versions[topic]  # type: ignore[misc]
            versions[topic] = (max(top, last), n + entries)
    versions["people"] = (versions["people"], *people)
    versions["today"] = clock.today()
    return versions


@dataclass(frozen=True)
class _Tally:
    """The audit log summed up to `last`: (entity, action) → (largest id, entries)."""

    total: int
    last: int
    groups: dict[tuple[str | None, str], tuple[int, int]]


_tallies: dict[str, _Tally] = {}     # database file → its audit log's sum at the last look, this process
_lock = threading.Lock()
# The people tables' row counts and largest ids, a row each in this order. Union rows, not a row of
# scalar subqueries: DuckDB plans those as joins, several ms each.
_PEOPLE = """
    select 1 as n, count(*), max(id) from candidate
    union all select 2, count(*), max(id) from application
    union all select 3, count(*), max(id) from stage_event
    order by n
"""


def _read(cur: Cursor, known: _Tally | None) -> tuple[_Tally | None, tuple]:
    """`known` brought up to date (None when it no longer adds up) or, without it, the whole audit log
    summed; and the people tables' counts and largest ids. Summing the whole log on every visit would
    grow with it (an office adds thousands of entries a week; 2M rows take ~50 ms), so a process keeps
    the sum it saw last and reads only the entries after it (ids only grow: DuckDB skips the older row
    groups). The sum is trusted only while the counts add up: an entry committed late with a smaller
    id (or another file at the same path, as in tests) means summing anew. Nothing deletes audit
    entries."""
    after = known.last if known else -1
    # One statement, so the totals and the new entries come from one snapshot.
    found = rows(cur, """
        select 'new', entity, action, max(id), count(*) from audit_log where id > $after group by entity, action
        union all select 'all', null, null, coalesce(max(id), 0), count(*) from audit_log
        """, {"after": after})
    people = tuple(v for _, *counts in rows(cur, _PEOPLE) for v in counts)
    new = [(entity, action, top, n) for kind, entity, action, top, n in found if kind == "new"]
    last, total = next((top, n) for kind, _, _, top, n in found if kind == "all")
    if known is not None and known.total + sum(n for *_, n in new) != total:
        return None, people
    groups = dict(known.groups) if known else {}
    for entity, action, top, n in new:
        before_top, before_n = groups.get((entity, action), (0, 0))
        groups[(entity, action)] = (max(before_top, int(top)), before_n + int(n))
    return _Tally(int(total), int(last), groups), people


def figures(cur: Cursor, database: str | None = None) -> tuple:
    """One version for a screen that counts across topics (the 分析 screens): every topic's version but
    `today`, so logins, looks at contacts, exports and notes leave its cached figures alone."""
    versions = current(cur, database)
    return key(versions, TOPICS)


def key(versions: dict[str, object], topics: Iterable[str]) -> tuple:
    """The part of `versions` a figure counting `topics` is keyed on."""
    return tuple(versions[t] for t in topics)
