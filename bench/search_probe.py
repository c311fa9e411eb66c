"""Probe for bench_search: times typical candidate searches and a board view on one database.

Run as `python -m bench.search_probe DB`; prints one JSON line. A fresh process so caches are cold.
"""
from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable

from db import candidates, pipeline
from db.connection import open_database
from db.permissions import User


def timed(work: Callable[[], object], repeats: int = 5) -> tuple[float, float]:
    """(first run, median of the next `repeats`) in seconds."""
    start = time.perf_counter()
    work()
    first = time.perf_counter() - start
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        runs.append(time.perf_counter() - start)
    return first, statistics.median(runs)


def main(path: str) -> None:
    conn = open_database(path)
    cur = conn.cursor()
    sh = cur.execute("select id from enclave where code = 'SH'").fetchall()[0][0]
    recruiter = User(id=-1, username="bench", role="recruiter", enclave_id=sh)
    manager = User(id=-2, username="bench-m", role="manager")
    name = cur.execute("select name from candidate group by name order by count(*) desc limit 1").fetchall()[0][0]
    last4 = cur.execute("select right(mobile, 4) from candidate where mobile is not null limit 1").fetchall()[0][0]
    employer = cur.execute("select employer_id from application group by 1 order by count(*) desc limit 1").fetchall()[0][0]
    drive = cur.execute("select drive_id from application where drive_id is not null group by 1 order by count(*) desc"
                        " limit 1").fetchall()[0][0]
    searches = {
        "name": lambda: (candidates.search(cur, recruiter, name), candidates.count(cur, recruiter, name)),
        "initials": lambda: (candidates.search(cur, recruiter, "zw"), candidates.count(cur, recruiter, "zw")),
        "last4": lambda: (candidates.search(cur, recruiter, last4), candidates.count(cur, recruiter, last4)),
        "school_filter": lambda: (candidates.search(cur, manager, "浙江大学", degree="本科"),
                                  candidates.count(cur, manager, "浙江大学", degree="本科")),
        "empty_page_200": lambda: (candidates.search(cur, manager, offset=199 * candidates.PAGE_SIZE),
                                   candidates.count(cur, manager)),
        "board_employer": lambda: pipeline.board(cur, recruiter, employer_id=employer),
        "board_drive": lambda: pipeline.board(cur, manager, drive_id=drive),
    }
    result: dict[str, object] = {"name": name, "last4": last4,
                                 "candidates": cur.execute("select count(*) from candidate").fetchall()[0][0],
                                 "applications": cur.execute("select count(*) from application").fetchall()[0][0]}
    result["count_star_first"], result["count_star"] = timed(
        lambda: cur.execute("select count(*) from candidate").fetchall())
    result["like_scan_first"], result["like_scan"] = timed(
        lambda: cur.execute("select count(*) from candidate where name like ?", [f"%{name}%"]).fetchall())
    for key, work in searches.items():
        result[f"{key}_first"], result[key] = timed(work)
    conn.close()
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1])
