"""Eight writers and two readers on the same applications and the same person, each thread with its own
cursor on one real DuckDB file: no write is lost, no reader sees half a move, and every conflict is
either retried or reported as ConcurrentEdit in Chinese — never another exception."""
from __future__ import annotations

import random
import threading
from collections import Counter
from datetime import date, timedelta

import duckdb
import polars as pl

from db import activities, clock, pipeline
from db.connection import transaction
from db.enums import PIPELINE, Stage
from db.errors import ConcurrentEdit, ValidationError
from tests.conftest import PipelineWorld

WRITERS, READERS, ROUNDS = 8, 2, 20
CONFLICT_MESSAGES = {"该投递刚被他人修改，请刷新后重试。", "该候选人刚被他人修改，请刷新后重试。"}


def next_move(stage: str) -> tuple[str, str | None]:
    """Up the pipeline to 已签约, then back one (with the note the rule demands), forever."""
    rank = Stage(stage).rank
    if rank < Stage.SIGNED.rank:
        return PIPELINE[rank].value, None
    return PIPELINE[rank - 2].value, "并发测试：退回上一阶段"


def test_eight_writers_two_readers_lose_nothing(conn: duckdb.DuckDBPyConnection, world: PipelineWorld) -> None:
    setup = conn.cursor()
    hr = world.users["hr"]
    apps = [pipeline.open_application(setup, hr, world.alice, employer_id=e) for e in (world.employer, world.other_employer)]
    actors = [world.users[u] for u in ("recruiter_sh", "hr", "admin", "recruiter_sh")] * 2
    start = threading.Barrier(WRITERS + READERS)
    writers_done = threading.Event()
    lock = threading.Lock()
    moves_ok: Counter[int] = Counter()
    outcome: Counter[str] = Counter()
    logs_ok = [0]
    unexpected: list[str] = []
    torn_reads: list[str] = []
    reads = [0]

    def writer(n: int) -> None:
        cur, actor, rng = conn.cursor(), actors[n], random.Random(n)
        start.wait()
        for i in range(ROUNDS):
            app_id = rng.choice(apps)
            try:
                row = pipeline.applications(cur, actor, world.alice).filter(pl.col("id") == app_id).row(0, named=True)
                to_stage, note = next_move(row["stage"])
                # Half the writers hold the version they read (a form on screen); half let the retry decide.
                version = row["version"] if n % 2 == 0 else None
                pipeline.move_stage(cur, actor, app_id, to_stage, note=note, expected_version=version)
                with lock:
                    moves_ok[app_id] += 1
                if i % 3 == 0:
                    activities.log(cur, actor, world.alice, kind="call", occurred_on=clock.today(), body=f"写入者 {n} 第 {i} 次",
                                   follow_up_on=clock.today() + timedelta(days=1 + i))
                    with lock:
                        logs_ok[0] += 1
            except ConcurrentEdit as error:
                with lock:
                    outcome["conflict" if str(error) in CONFLICT_MESSAGES else f"bad message: {error}"] += 1
            except ValidationError:
                with lock:        # another writer moved it first, so this move no longer applies
                    outcome["no longer applies"] += 1
            except Exception as error:  # noqa: BLE001 — anything else is the failure this test looks for
                with lock:
                    unexpected.append(repr(error))

    def reader() -> None:
        cur = conn.cursor()
        start.wait()
        while not writers_done.is_set():
            try:
                with transaction(cur):       # one snapshot: an application and its history agree
                    apps_now = pipeline.applications(cur, world.users["manager"], world.alice)
                    trail = pipeline.history(cur, world.users["manager"], world.alice)
                    pipeline.board(cur, world.users["recruiter_cd"], employer_id=world.employer)
                    activities.follow_ups(cur, hr, scope="all", today=date(2030, 1, 1))
                for row in apps_now.iter_rows(named=True):
                    events = trail.filter(trail["application_id"] == row["id"])
                    if events.height != row["version"] or events["to_stage"][0] != row["stage"]:
                        torn_reads.append(f"{row['id']}: version {row['version']}, {events.height} events")
                with lock:
                    reads[0] += 1
            except Exception as error:  # noqa: BLE001
                with lock:
                    unexpected.append(f"reader: {error!r}")

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    threads += [threading.Thread(target=reader) for _ in range(READERS)]
    for t in threads:
        t.start()
    for t in threads[:WRITERS]:
        t.join()
    writers_done.set()
    for t in threads[WRITERS:]:
        t.join()

    assert unexpected == []
    assert torn_reads == []
    assert not [k for k in outcome if k.startswith("bad message")]
    assert reads[0] > 0 and sum(moves_ok.values()) > 0
    assert outcome["conflict"] > 0, "the writers never collided: the test proved nothing"
    check = conn.cursor()
    for app_id in apps:
        stage, version = check.execute("select stage, version from application where id = ?", [app_id]).fetchall()[0]
        chain = check.execute("select from_stage, to_stage from stage_event where application_id = ? order by id",
                              [app_id]).fetchall()
        # Every successful move is one event and one version step; the events form one unbroken chain.
        assert version == 1 + moves_ok[app_id] == len(chain)
        assert all(prev[1] == cur_[0] for prev, cur_ in zip(chain, chain[1:]))
        assert chain[-1][1] == stage
        assert check.execute("select count(*) from audit_log where action = 'move_stage' and entity_id = ?",
                             [str(app_id)]).fetchall()[0][0] == moves_ok[app_id]
    assert check.execute("select count(*) from activity").fetchall()[0][0] == logs_ok[0]
    assert check.execute("select version from candidate where id = ?", [world.alice]).fetchall()[0][0] == 1 + logs_ok[0]
