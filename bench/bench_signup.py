"""Sign-up commit speed: 5,000 staged 扫码报名 entries committed as one import batch (loaders/signups.commit),
next to the file importer writing the same rows from a CSV (importer.import_file with the drive) — each
into its own copy of one database, the commit or import alone timed, in a child process of its own.

The database: reference data, a drive with ten employers, 500 people already in the CRM (imported from a
sheet), and BENCH_SIGNUP_ROWS (default 5000) pending entries — a tenth of them people the CRM knows, one
in fifty sharing an e-mail with an earlier entry, schools as people type them, 0–3 employers chosen.
The CSV holds exactly the cells the commit hands the importer (loaders/signups.records). Both sides run
BENCH_SIGNUP_REPEAT times (default 3), taking turns, and the best of each is compared.
"""
from __future__ import annotations

import json
import os
import shutil
import sys
import time
from pathlib import Path

from bench.common import Context, Row, run_process

DRIVE_EMPLOYERS = 10
KNOWN = 500


def rows() -> int:
    return int(os.environ.get("BENCH_SIGNUP_ROWS", "5000"))


def repeats() -> int:
    return max(1, int(os.environ.get("BENCH_SIGNUP_REPEAT", "3")))


def run(ctx: Context) -> list[Row]:
    n = rows()
    folder = ctx.workdir / "signup"
    folder.mkdir(exist_ok=True)
    run_process([ctx.python, "-c", "import sys; from pathlib import Path; from bench.bench_signup import build; "
                 "build(Path(sys.argv[1]), int(sys.argv[2]))", str(folder), str(n)])
    commits, imports = [], []
    for _ in range(repeats()):
        commits.append(_side(ctx, folder, "signup"))
        imports.append(_side(ctx, folder, "file"))
    best, base = min(commits, key=lambda r: r["seconds"]), min(imports, key=lambda r: r["seconds"])
    runs = {side: "、".join(f"{r['seconds']:.2f}" for r in found) for side, found in (("c", commits), ("i", imports))}
    note = (f"各 {len(commits)} 次取最快：入库 {runs['c']} s，文件导入 {runs['i']} s；"
            f"入库 {best['counts']}；文件导入 {base['counts']}")
    shutil.rmtree(folder, ignore_errors=True)
    return [Row("signup", f"扫码报名入库 {n:,} 条（一个导入批次，含意向企业投递与授权）", best["seconds"],
                baseline=f"文件导入同样 {n:,} 行（--drive）", baseline_seconds=base["seconds"],
                peak_rss_mb=max(r["rss"] for r in commits), note=note)]


def _side(ctx: Context, folder: Path, side: str) -> dict:
    db = folder / f"{side}.duckdb"
    shutil.copy(folder / "staged.duckdb", db)
    timed = run_process([ctx.python, "-c", "import sys; from pathlib import Path; from bench.bench_signup import probe; "
                         "probe(sys.argv[1], Path(sys.argv[2]))", side, str(db)])
    db.unlink(missing_ok=True)
    found = json.loads(timed.stdout.strip().splitlines()[-1])
    return {**found, "rss": timed.peak_rss_mb}


def build(folder: Path, n: int) -> None:
    """staged.duckdb (the drive, the known people, n pending entries) and entries.csv (the same rows)."""
    import numpy as np
    import polars as pl

    from bench.bench_import import GIVEN, MAJORS, SURNAMES, _school_spellings
    from db import signups
    from db.bulk import registered
    from db.connection import open_database
    from db.enums import Degree
    from db import signups
    from db.permissions import SYSTEM
    from loaders import importer
    from loaders import signups as signup_commit

    rng = np.random.default_rng(2025)
    db = folder / "staged.duckdb"
    conn = open_database(db)
    cur = conn.cursor()
    cur.execute("insert into employer (id, name) select nextval('seq_employer'), '平湖参会企业' || i::varchar"
                " from range(?) t(i)", [DRIVE_EMPLOYERS]).fetchall()
    cur.execute("insert into campus_drive (id, programme, title, university_id, held_on, status)"
                " values (nextval('seq_campus_drive'), '扬帆计划', '基准专场', 1, date '2025-10-15', 'held')").fetchall()
    drive = cur.execute("select max(id) from campus_drive").fetchall()[0][0]
    cur.execute("insert into drive_employer select ?, id, 5 from employer", [drive]).fetchall()

    def pick(options: list[str], size: int) -> list[str]:
        return [options[i] for i in rng.integers(0, len(options), size)]

    mobiles = (13_900_000_000 + rng.choice(99_999_999, size=n, replace=False)).astype(str).tolist()
    known = folder / "known.csv"
    pl.DataFrame({"姓名": pick(SURNAMES, KNOWN), "手机号": mobiles[:: max(1, n // KNOWN)][:KNOWN]}).write_csv(known)
    importer.import_file(cur, SYSTEM, known)
    emails = [f"s{i}@163.com" if rng.random() < 0.5 else None for i in range(n)]
    for i in range(1, n):
        if rng.random() < 0.02:
            emails[i] = emails[int(rng.integers(0, i))] or emails[i]
    names = [s + g for s, g in zip(pick(SURNAMES, n), pick(GIVEN, n))]
    years = rng.choice([2025, 2026, 2027], size=n).tolist()
    entries = pl.DataFrame({
        "id": range(1, n + 1), "drive_id": drive, "name": names, "mobile": mobiles, "email": emails,
        "school": pick(_school_spellings(), n), "major": pick(MAJORS, n), "degree": pick(list(Degree.labels()), n),
        "graduation_year": years, "graduation_month": rng.choice([6, 7, 12], size=n).tolist(),
        "consent_text": f"{signups.CONSENT_NOTICE}\n☑ {signups.CONSENT_BOX}", "session_hash": "bench",
    })
    choices = pl.DataFrame({"entry_id": np.repeat(np.arange(1, n + 1), 3),
                            "employer_id": rng.integers(1, DRIVE_EMPLOYERS + 1, 3 * n)})
    choices = choices.filter(pl.Series(rng.random(3 * n) < 0.5)).unique()
    with registered(cur, "bench_entries", entries), registered(cur, "bench_choices", choices):
        cur.execute("""
            insert into signup_entry (id, drive_id, submitted_at, name, mobile, email, school, major, degree,
                                      graduation_year, graduation_month, consent_text, consent_at, session_hash)
            select id, drive_id, timestamp '2025-10-15 10:00:00' + to_seconds(id), name, mobile, email, school, major,
                   degree, graduation_year, graduation_month, consent_text,
                   timestamp '2025-10-15 10:00:00' + to_seconds(id), session_hash from bench_entries""").fetchall()
        cur.execute("insert into signup_choice select entry_id, employer_id from bench_choices").fetchall()
    staged = signup_commit.records(signups.for_commit(cur, SYSTEM, signups.drive(drive)))
    staged.drop("row_number").rename(dict(zip(staged.columns, signup_commit.HEADERS))).write_csv(folder / "entries.csv")
    cur.execute("checkpoint").fetchall()
    conn.close()
    (folder / "drive.json").write_text(json.dumps({"drive": drive}))


def probe(side: str, db: Path) -> None:
    """Open the copy, time the commit (or the file import) alone, print its seconds and counts as JSON."""
    from db.connection import open_database
    from db.permissions import SYSTEM
    from loaders import importer
    from loaders import signups as signup_commit

    drive = json.loads((db.parent / "drive.json").read_text())["drive"]
    conn = open_database(db)
    cur = conn.cursor()
    started = time.perf_counter()
    if side == "signup":
        done = signup_commit.commit(cur, SYSTEM, signups.drive(drive))
        counts = f"新增 {done.inserted}，匹配 {done.matched}，重复 {done.duplicate_in_file}，拒绝 {done.rejected}，投递 {done.applications}"
    else:
        _, result = importer.import_file(cur, SYSTEM, db.parent / "entries.csv", drive_id=drive)
        counts = (f"新增 {result.inserted}，匹配 {result.matched}，重复 {result.duplicate_in_file}，"
                  f"拒绝 {result.rejected}，投递 {result.applications}")
    seconds = time.perf_counter() - started
    conn.close()
    print(json.dumps({"seconds": seconds, "counts": counts}, ensure_ascii=False))
    sys.stdout.flush()
