"""The office's clock: naive timestamps in Beijing time, whatever the server's zone is."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

OFFICE_TZ = ZoneInfo("Asia/Shanghai")


def now() -> datetime:
    # Stored naive: every user is in one zone, and DuckDB/PostgreSQL `timestamp` compare simply.
    return datetime.now(OFFICE_TZ).replace(tzinfo=None, microsecond=0)


def today() -> date:
    return now().date()
