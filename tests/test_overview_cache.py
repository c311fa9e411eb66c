"""总览's cache (pages/_cache.py): every write that changes a figure shows at once, and a write that does
not touch a part leaves it cached — counted by calls of the parts' functions, never by timing."""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest
import streamlit as st

from db import activities, analytics, audit, clock, data_versions, duplicates, erasure, import_history, pipeline
from db.connection import open_database
from db.permissions import SYSTEM, User
from db.programmes import appointments, register, targets
from pages import _cache
from tests import factories as f
from tests.import_support import imported

HR = User(id=0, username="hr_cache", role="hr")
YEAR = clock.today().year
LAST = YEAR - 1
PEOPLE_PARTS = {"monthly", "funnel", "enclaves", "drives", "programmes", "events"}
SIGN_UPS = ("姓名,手机号码,毕业院校,学历,意向企业,签约意向\n"
            "甲一,13800000001,浙江大学,硕士,甲公司,是\n"
            "乙二,13800000002,浙江大学,本科,甲公司,否\n")
UNCOUNTED = dict(analytics.OVERVIEW_PARTS)   # a fresh count for comparison, not a cache miss


@pytest.fixture(autouse=True)
def empty_cache(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """st.cache_data is process-wide: each test starts and ends with nothing cached, and the cache's
    database key (CRM_DB) names this test's file."""
    monkeypatch.setenv("CRM_DB", str(db_path))
    st.cache_data.clear()
    yield
    st.cache_data.clear()


@pytest.fixture
def computed(monkeypatch: pytest.MonkeyPatch) -> Counter:
    """Calls of each 总览 part's function (what a cache miss costs), by part name."""
    calls: Counter = Counter()

    def counting(name: str, part: analytics.Part) -> analytics.Part:
        def compute(cur, actor, year):  # type: ignore[no-untyped-def]
            calls[name] += 1
            return part.compute(cur, actor, year)
        return analytics.Part(compute, part.topics)

    monkeypatch.setattr(analytics, "OVERVIEW_PARTS",
                        {name: counting(name, part) for name, part in analytics.OVERVIEW_PARTS.items()})
    return calls


@pytest.fixture
def world(cur: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """An enclave, a drive this year, two people signed last autumn (to move today and to backdate),
    a person recorded twice and hired twice last year (to merge), and one hired last year (to delete)."""
    sh = f.enclave(cur, "SH")
    f.drive(cur, date(YEAR, 1, 1), employers={f.employer(cur, "甲公司"): 10})
    people = {name: f.candidate(cur, name, enclave_id=sh, created_at=datetime(LAST, 9, 1)) for name in
              ("moved", "backdated", "twin_a", "twin_b", "erased")}
    signed = [(s, datetime(LAST, 10, 1 + i)) for i, s in enumerate(("lead", "contacted", "applied", "interviewing",
                                                                 "intent", "offer", "signed"))]
    apps = {name: f.walk(cur, people[name], *signed) for name in ("moved", "backdated")}
    for name in ("twin_a", "twin_b", "erased"):
        f.hire(cur, people[name], datetime(LAST, 11, 20))
    return {"sh": sh, **people, **{f"app_{k}": v for k, v in apps.items()}}


def visit(cur: duckdb.DuckDBPyConnection, year: int, actor: User = SYSTEM) -> analytics.Overview:
    """What 总览 shows (through its cache), after checking it is what a fresh count gives."""
    shown = _cache.overview(cur, actor, year)
    fresh = analytics.assemble({name: part.compute(cur, actor, year) for name, part in UNCOUNTED.items()})
    for field in ("headline", "hires", "targets", "drives", "agreements"):
        assert getattr(shown, field) == getattr(fresh, field), field
    for field in ("monthly", "funnel", "enclaves"):
        assert getattr(shown, field).equals(getattr(fresh, field)), field
    return shown


def recomputed_by(cur: duckdb.DuckDBPyConnection, computed: Counter, year: int, write) -> set[str]:  # type: ignore[no-untyped-def]
    """The parts a visit recomputes after `write`, on a cache warmed by a visit before it."""
    visit(cur, year)
    computed.clear()
    write()
    visit(cur, year)
    return set(computed)


def test_a_second_visit_recomputes_nothing(cur, world, computed) -> None:  # type: ignore[no-untyped-def]
    visit(cur, YEAR)
    assert set(computed) == set(analytics.OVERVIEW_PARTS)
    computed.clear()
    visit(cur, YEAR)
    assert not computed


def test_a_move_shows_at_once_and_leaves_the_registers_cached(cur, world, computed) -> None:  # type: ignore[no-untyped-def]
    before = visit(cur, YEAR).hires["young_graduate"]
    parts = recomputed_by(cur, computed, YEAR, lambda: pipeline.move_stage(cur, SYSTEM, world["app_moved"], "arrived"))
    assert visit(cur, YEAR).hires["young_graduate"] == before + 1
    assert parts == PEOPLE_PARTS


def test_a_backdated_move_shows_in_its_own_year(cur, world, computed) -> None:  # type: ignore[no-untyped-def]
    before = visit(cur, LAST).hires["young_graduate"]
    parts = recomputed_by(cur, computed, LAST, lambda: pipeline.move_stage(
        cur, SYSTEM, world["app_backdated"], "arrived", effective_on=date(LAST, 12, 1)))
    view = visit(cur, LAST)
    assert view.hires["young_graduate"] == before + 1
    assert view.monthly.filter(month=12, category="young_graduate")["hires"].item() == 1
    assert parts == PEOPLE_PARTS


def test_a_merge_counts_the_two_records_once(cur, world, computed) -> None:  # type: ignore[no-untyped-def]
    assert visit(cur, LAST).hires["young_graduate"] == 3
    versions = tuple(cur.execute("select version from candidate where id = ?", [i]).fetchall()[0][0]
                     for i in (world["twin_a"], world["twin_b"]))
    parts = recomputed_by(cur, computed, LAST, lambda: duplicates.merge(
        cur, SYSTEM, world["twin_a"], world["twin_b"], take_from_merged=set(), versions=versions))
    assert visit(cur, LAST).hires["young_graduate"] == 2
    assert parts == PEOPLE_PARTS


def test_an_import_and_its_undo_show_at_once(cur, world, computed) -> None:  # type: ignore[no-untyped-def]
    drive = cur.execute("select id from campus_drive").fetchall()[0][0]
    before = visit(cur, YEAR)
    result = imported(cur, HR, SIGN_UPS.encode(), "报名.csv", drive_id=drive)
    assert visit(cur, YEAR).drives["drive_intents"] == before.drives["drive_intents"] + 1
    parts = recomputed_by(cur, computed, YEAR, lambda: import_history.undo(cur, HR, result.batch_id))
    after = visit(cur, YEAR)
    assert after.drives == before.drives and after.funnel.equals(before.funnel)
    assert parts == PEOPLE_PARTS


def test_a_deletion_on_request_recomputes_and_keeps_the_counts(cur, world, computed) -> None:  # type: ignore[no-untyped-def]
    before = visit(cur, LAST)
    parts = recomputed_by(cur, computed, LAST, lambda: erasure.delete_on_request(
        cur, SYSTEM, world["erased"], reason="本人书面要求删除"))
    assert visit(cur, LAST).hires == before.hires
    assert parts == PEOPLE_PARTS


def test_a_register_edit_recomputes_its_own_part_only(cur, world, computed) -> None:  # type: ignore[no-untyped-def]
    assert visit(cur, YEAR).headline.tech_vp == 0
    parts = recomputed_by(cur, computed, YEAR, lambda: register.create(
        cur, SYSTEM, appointments.REGISTER, {"person_name": "王五", "kind": "tech_vp", "starts_on": date(YEAR, 1, 2)}))
    assert visit(cur, YEAR).headline.tech_vp == 1
    assert parts == {"programmes"}


def test_a_target_edit_recomputes_the_targets_and_the_enclaves(cur, world, computed) -> None:  # type: ignore[no-untyped-def]
    cells = [targets.Cell(None, "young_graduate", 100), targets.Cell(world["sh"], "young_graduate", 40)]
    parts = recomputed_by(cur, computed, YEAR, lambda: targets.save(cur, SYSTEM, YEAR, cells))
    view = visit(cur, YEAR)
    assert view.targets["young_graduate"] == 100 and view.enclaves["target"].to_list() == [40]
    assert parts == {"targets", "enclaves"}


def test_a_note_or_a_look_at_contacts_recomputes_nothing(cur, world, computed) -> None:  # type: ignore[no-untyped-def]
    def unrelated() -> None:
        activities.log(cur, SYSTEM, world["moved"], kind="call", occurred_on=clock.today(), body="电话沟通到岗时间",
                       follow_up_on=clock.today())
        audit.record_view(cur, SYSTEM, entity="candidate", entity_id=world["moved"], detail="查看完整联系方式")

    assert recomputed_by(cur, computed, YEAR, unrelated) == set()


def test_the_analysis_screens_version_moves_on_a_move_and_not_on_a_note_or_a_look(cur, world, db_path) -> None:  # type: ignore[no-untyped-def]
    # The 分析 screens key their caches on data_versions.figures: a login, a look at contacts or a note
    # must not empty them (in a busy office every visit would recompute), a move must.
    before = data_versions.figures(cur, str(db_path))
    activities.log(cur, SYSTEM, world["moved"], kind="call", occurred_on=clock.today(), body="电话沟通")
    audit.record_view(cur, SYSTEM, entity="candidate", entity_id=world["moved"], detail="查看完整联系方式")
    audit.record(cur, SYSTEM, "login", entity="app_user", entity_id=0, detail="登录")
    assert data_versions.figures(cur, str(db_path)) == before
    pipeline.move_stage(cur, SYSTEM, world["app_moved"], "arrived")
    assert data_versions.figures(cur, str(db_path)) != before


def test_a_recruiter_is_cached_apart_from_the_city(cur, world, computed) -> None:  # type: ignore[no-untyped-def]
    recruiter = f.user(cur, "rec_sh", "recruiter", world["sh"])
    visit(cur, LAST)
    computed.clear()
    assert visit(cur, LAST, recruiter).enclaves["name"].to_list() == ["SH 飞地"]
    assert set(computed) == set(analytics.OVERVIEW_PARTS)


def test_the_year_picker_follows_an_unaudited_load(cur, world) -> None:  # type: ignore[no-untyped-def]
    assert _cache.years(cur, SYSTEM) == ([YEAR, LAST], LAST)
    f.walk(cur, world["moved"], ("arrived", datetime(LAST - 3, 3, 1)))   # written without an audit entry
    assert _cache.years(cur, SYSTEM) == ([YEAR, LAST, LAST - 3], LAST)


@pytest.mark.parametrize(("entity", "action", "topics"), [
    ("candidate", "log_activity", ()),
    ("candidate", "view_unmasked", ()),
    ("app_user", "login", ()),
    ("candidate", "merge", ("people",)),
    ("application", "move_stage", ("people",)),
    ("import_batch", "undo_import", ("people",)),
    ("application", "retention_check", ("retention",)),
    ("target", "update", ("target",)),
    ("campus_drive", "update", ("campus_drive",)),
    ("campus_drive", "commit_signups", data_versions.TOPICS),    # writes people too
    ("registers", "import", data_versions.TOPICS),
    ("something_new", "create", data_versions.TOPICS),            # unknown: assume everything changed
])
def test_audit_entries_name_their_topics(entity: str, action: str, topics: tuple[str, ...]) -> None:
    assert data_versions.topics_of(entity, action) == topics


def test_every_audited_action_is_either_quiet_or_moves_a_topic() -> None:
    """A new action label that changes figures must not be filed as quiet by mistake: the quiet ones
    are all known actions, and none of them writes a counted table."""
    assert data_versions.QUIET_ACTIONS <= set(audit.ACTION_LABELS)
    assert not data_versions.QUIET_ACTIONS & {"create", "update", "delete", "merge", "move_stage", "bulk_update",
                                              "import", "undo_import", "commit_signups", "restore"}


def test_the_remembered_audit_sum_notices_a_late_commit_and_a_new_file(cur, world, db_path: Path) -> None:  # type: ignore[no-untyped-def]
    """data_versions reads only the audit entries after the last one it summed; an entry that took a
    smaller id but committed later, or another database at the same path, must still move versions."""
    where = str(db_path)
    first = data_versions.current(cur, where)
    assert data_versions.current(cur, where) == first
    pipeline.move_stage(cur, SYSTEM, world["app_moved"], "arrived")
    moved = data_versions.current(cur, where)
    assert moved["people"] != first["people"] and moved["target"] == first["target"]
    assert moved == data_versions.current(cur)                      # the same as summing everything
    # A target entry with an id below the last one seen (its transaction committed late).
    cur.execute("insert into audit_log (id, occurred_at, actor, actor_role, action, entity)"
                " values (0, now(), 'late', 'admin', 'update', 'target')")
    late = data_versions.current(cur, where)
    assert late["target"] != moved["target"] and late["people"] == moved["people"]
    assert late == data_versions.current(cur)
    # Another database at the same path: nothing of the remembered sum is trusted.
    other = open_database(db_path.parent / "other.duckdb")
    assert data_versions.current(other.cursor(), where) == data_versions.current(other.cursor())
    other.close()
