"""Eight writers and two readers on the same people: no lost write, no traceback, Chinese conflicts."""
from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path

import pytest

from db import candidate_commands as cc, candidates, integrity
from db.candidate_commands import CandidateDraft
from db.connection import open_database
from db.errors import ConcurrentEdit, DuplicateCandidate
from db.permissions import SYSTEM
from tests import factories as f

WRITERS, READERS, EDITS_EACH, PEOPLE = 8, 2, 12, 3


@pytest.mark.slow
def test_concurrent_edits_lose_nothing(db_path: Path) -> None:
    conn = open_database(db_path)
    setup = conn.cursor()
    hr = f.user(setup, "hr1", "hr")
    ids = [cc.add(setup, hr, CandidateDraft(name=f"候选人{i}", mobile=f"1380000000{i}", channel="online",
                                            consent_method="表单", consent_purpose="招聘")) for i in range(PEOPLE)]
    saved: list[tuple[int, str]] = []
    conflicts: list[str] = []
    failures: list[BaseException] = []
    lock = threading.Lock()
    stop = threading.Event()

    def writer(n: int) -> None:
        cur = conn.cursor()   # one cursor per thread, as one per script run in the app
        try:
            for k in range(EDITS_EACH):
                target = ids[(n + k) % PEOPLE]
                for _attempt in range(20):   # what a user does after "请刷新后重试": reload, redo
                    seen = candidates.get(cur, SYSTEM, target, reveal=True)
                    note = f"writer{n}-edit{k}"
                    try:
                        cc.update(cur, hr, target, replace(CandidateDraft.from_candidate(seen), notes=note),
                                  expected_version=seen.version)
                        with lock:
                            saved.append((target, note))
                        break
                    except ConcurrentEdit as conflict:
                        with lock:
                            conflicts.append(str(conflict))
        except BaseException as error:   # noqa: BLE001 — reported below, never swallowed
            failures.append(error)

    def reader() -> None:
        cur = conn.cursor()
        try:
            while not stop.is_set():
                found = candidates.search(cur, SYSTEM, "候选人")
                assert found.height == PEOPLE
        except BaseException as error:   # noqa: BLE001
            failures.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    readers = [threading.Thread(target=reader) for _ in range(READERS)]
    for t in readers + threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    stop.set()
    for t in readers:
        t.join(timeout=60)

    assert failures == []
    assert len(saved) == WRITERS * EDITS_EACH                 # every edit eventually landed
    assert set(conflicts) <= {"该候选人刚被他人修改，请刷新后重试。", "数据刚被他人修改，请刷新后重试。"}
    check = conn.cursor()
    for person in ids:
        mine = [note for target, note in saved if target == person]
        version, notes = check.execute("select version, notes from candidate where id = ?", [person]).fetchall()[0]
        assert version == 1 + len(mine)                      # no write overwrote another unseen
        assert notes == mine[-1] or notes in mine
        audited = check.execute("select count(*) from audit_log where action = 'update' and entity_id = ?",
                                [str(person)]).fetchall()[0][0]
        assert audited == len(mine)
    conn.close()


def test_eight_people_saving_the_same_mobile_at_once_make_one_candidate(db_path: Path) -> None:
    """The claim on contact keys serialises the saves: one wins, the others are told whose number it is."""
    conn = open_database(db_path)
    hr = f.user(conn.cursor(), "hr1", "hr")
    start = threading.Barrier(WRITERS)
    created: list[int] = []
    refused: list[str] = []
    failures: list[BaseException] = []

    def save(n: int) -> None:
        cur = conn.cursor()
        try:
            start.wait()
            created.append(cc.add(cur, hr, CandidateDraft(
                name=f"重复{n}", mobile="13800138000", email=f"p{n}@163.com", channel="online",
                consent_method="表单", consent_purpose="招聘"), duplicate_reason="测试"))
        except DuplicateCandidate as error:
            refused.append(str(error))
        except BaseException as error:   # noqa: BLE001 — reported below
            failures.append(error)

    threads = [threading.Thread(target=save, args=(n,)) for n in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert failures == [] and len(created) == 1 and len(refused) == WRITERS - 1
    assert all("已属于候选人" in message for message in refused)
    check = conn.cursor()
    assert check.execute("select count(*) from candidate where mobile = '13800138000'").fetchall() == [(1,)]
    assert check.execute("select count(*) from contact_key").fetchall() == [(2,)]   # the winner's mobile and e-mail
    assert sum(integrity.dangling(check).values()) == 0
    conn.close()
