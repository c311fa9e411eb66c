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

from collections.abc import Iterable

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
PEOPLE_TABLES = ("candidate", "application", "stage_event")


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


def current(cur: Cursor) -> dict[str, object]:
    """Topic → version, for every topic (and `today`). One pass over the audit log, grouped by
    (entity, action) — a few dozen groups — plus the row count and largest id of the people tables,
    which a write that forgot to audit would still move (cheap: DuckDB answers them from metadata)."""
    found = rows(cur, "select entity, action, max(id) from audit_log group by entity, action")
    versions: dict[str, object] = dict.fromkeys(TOPICS, 0)
    for entity, action, last in found:
        for topic in topics_of(entity, action):
            versions[topic] = max(versions[topic], int(last))  # type: ignore[call-overload]
    counts = rows(cur, "select " + ", ".join(f"(select count(*) from {t}), (select max(id) from {t})"
                                             for t in PEOPLE_TABLES))[0]
    versions["people"] = (versions["people"], *counts)
    versions["today"] = clock.today()
    return versions


def key(versions: dict[str, object], topics: Iterable[str]) -> tuple:
    """The part of `versions` a figure counting `topics` is keyed on."""
    return tuple(versions[t] for t in topics)
