"""流失原因: coded exit reasons — the refusal of an exit without a code, migration 014's mapping of the old
free texts, and the breakdowns by reason × stage left and by source, on a hand-made world."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from db import candidate_commands, lost_reasons, migrate, pipeline
from db.errors import ValidationError
from db.stage_rules import check_move
from loaders import demo_catalogue as cat
from tests import factories as f
from tests.conftest import PipelineWorld

D = datetime
NOW = D(2025, 12, 1, 10, 0)


@pytest.fixture
def at(monkeypatch: pytest.MonkeyPatch) -> Callable[[datetime], None]:
    """Freeze the office clock: moves are stamped with it."""
    return f.freeze_clock(monkeypatch, NOW)


# --- the rule ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("exit_stage", ["rejected", "withdrawn"])
def test_an_exit_without_a_code_is_refused_in_chinese(exit_stage: str) -> None:
    with pytest.raises(ValidationError, match="必须选择流失原因（薪资、地域、岗位不匹配") as caught:
        check_move("applied", exit_stage, lost_reason="薪资未达预期")
    assert caught.value.field == "lost_code"
    with pytest.raises(ValidationError, match="未知的流失原因"):
        check_move("applied", exit_stage, lost_code="bored")
    with pytest.raises(ValidationError, match="选「其他」时，请填写具体原因"):
        check_move("applied", exit_stage, lost_code="other")
    check_move("applied", exit_stage, lost_code="salary")                       # the text is optional then
    check_move("applied", exit_stage, lost_code="other", lost_reason="家里有事")


def test_move_and_bulk_move_store_the_code_and_refuse_without_one(cur, world: PipelineWorld, at) -> None:  # type: ignore[no-untyped-def]
    hr = world.users["hr"]
    a = pipeline.open_application(cur, hr, world.alice, employer_id=world.employer, stage="applied")
    with pytest.raises(ValidationError, match="必须选择流失原因"):
        pipeline.move_stage(cur, hr, a, "withdrawn", lost_reason="薪资未达预期")
    pipeline.move_stage(cur, hr, a, "withdrawn", lost_code="salary", lost_reason="期望月薪一万二")
    assert cur.execute("select stage, lost_code, lost_reason from application where id = ?", [a]).fetchall() == [
        ("withdrawn", "salary", "期望月薪一万二")]
    assert cur.execute("select note from stage_event where application_id = ? and to_stage = 'withdrawn'",
                       [a]).fetchall() == [("薪资；期望月薪一万二",)]
    pipeline.open_application(cur, hr, world.bob, employer_id=world.employer, stage="contacted")
    with pytest.raises(ValidationError, match="必须选择流失原因"):
        pipeline.bulk_move(cur, hr, [world.bob], "rejected", lost_reason="面试未通过")
    moved = pipeline.bulk_move(cur, hr, [world.bob], "rejected", lost_code="job_mismatch")
    assert moved.moved == (world.bob,)
    assert cur.execute("select lost_code from application where candidate_id = ?", [world.bob]).fetchall() == [
        ("job_mismatch",)]


# --- migration 014 ---------------------------------------------------------------------------------------

MAPPED = {
    "失联": "unreachable", "电话一直联系不上": "unreachable",
    "考公考编": "civil_service", "准备考公务员": "civil_service",
    "继续深造/考研": "further_study", "出国留学": "further_study",
    "薪资未达预期": "salary", "嫌工资低": "salary",
    "毕业后离开平湖": "other_city", "去其他城市发展": "other_city", "离职离开平湖": "other_city",
    "家庭原因不愿离开原籍": "location", "对通勤距离有顾虑": "location",
    "专业不匹配": "job_mismatch", "学历不符合岗位要求": "job_mismatch", "面试未通过": "job_mismatch",
    "已接受其他单位录用": "other", "岗位已招满": "other", "背景调查未通过": "other", "笔试未通过": "job_mismatch",
}


def test_the_demo_catalogue_codes_its_texts_as_the_migration_does() -> None:
    """The demo writes codes from its catalogue; the migration's rules would have coded the same texts so."""
    assert {text: MAPPED[text] for text in cat.LOST_CODES} == cat.LOST_CODES


def test_the_demo_codes_every_exit(demo_cur: duckdb.DuckDBPyConnection) -> None:
    assert demo_cur.execute("select count(*) from application where stage in ('rejected', 'withdrawn')"
                            " and lost_code is null").fetchall() == [(0,)]
    assert demo_cur.execute("select count(*) from application where stage not in ('rejected', 'withdrawn')"
                            " and lost_code is not null").fetchall() == [(0,)]
    codes = {r[0] for r in demo_cur.execute("select distinct lost_code from application").fetchall()}
    assert codes == set(lost_reasons.LostReason.labels()) | {None}       # every code of the list occurs


def test_migration_014_codes_the_old_free_texts_once_and_keeps_them(tmp_path: Path) -> None:
    conn, coded = f.database_before(tmp_path / "old.duckdb", "014_")
    assert coded.version == 14
    texts = [*MAPPED, None]
    for i, text in enumerate(texts, start=1):
        conn.execute("insert into application (id, candidate_id, stage, lost_reason, created_at, updated_at)"
                     " values (?, 1, ?, ?, now(), now())", [i, "withdrawn" if i % 2 else "rejected", text])
    conn.execute("insert into application (id, candidate_id, stage, created_at, updated_at) values (999, 1, 'offer', now(), now())")
    assert 14 in migrate.migrate(conn)
    found = dict(conn.execute("select id, lost_code from application").fetchall())
    assert {text: found[i] for i, text in enumerate(texts, start=1)} == MAPPED | {None: "other"}
    assert found[999] is None                                                  # only exits carry a code
    kept = [r[0] for r in conn.execute("select lost_reason from application where id < 999 order by id").fetchall()]
    assert kept == texts
    conn.close()


# --- the breakdowns ----------------------------------------------------------------------------------------

@pytest.fixture
def exits(cur: duckdb.DuckDBPyConnection, world: PipelineWorld, at) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """2025's exits by construction:
    alice (SH, channel enclave): 已投递 → 放弃, 薪资, effective 2025-03-10 though entered in December
    bob (CD, campus drive): 已联系 → 未通过, 岗位不匹配
    dan (SH, channel enclave, later deleted on request): 面试中 → 放弃, 薪资
    a record merged into alice: 已投递 → 放弃, 考公考编 — never counts
    bob's 2024 exit: 联系不上 — another year
    """
    hr = world.users["hr"]
    cur.execute("update candidate set channel = 'enclave' where id = ?", [world.alice])
    cur.execute("update candidate set channel = 'campus_drive', source_drive_id = ? where id = ?",
                [world.drive, world.bob])
    a = pipeline.open_application(cur, hr, world.alice, employer_id=world.employer, stage="applied",
                                  effective_on=date(2025, 3, 1))
    pipeline.move_stage(cur, hr, a, "withdrawn", lost_code="salary", effective_on=date(2025, 3, 10))
    b = f.walk(cur, world.bob, ("lead", D(2025, 2, 1)), ("contacted", D(2025, 2, 5)), ("rejected", D(2025, 2, 25)))
    old = f.walk(cur, world.bob, ("lead", D(2024, 2, 1)), ("withdrawn", D(2024, 3, 1)))
    dan = f.candidate(cur, "丁一", enclave_id=world.sh)
    cur.execute("update candidate set channel = 'enclave', owner_id = ?, mobile = '13700137000' where id = ?",
                [world.users["recruiter_sh"].id, dan])
    d = f.walk(cur, dan, ("applied", D(2025, 5, 1)), ("interviewing", D(2025, 5, 9)), ("withdrawn", D(2025, 6, 1)))
    merged = f.candidate(cur, "李娜", enclave_id=world.sh, merged_into=world.alice)
    m = f.walk(cur, merged, ("applied", D(2025, 4, 1)), ("withdrawn", D(2025, 4, 2)))
    for app_id, code in ((b, "job_mismatch"), (old, "unreachable"), (d, "salary"), (m, "civil_service")):
        cur.execute("update application set lost_code = ? where id = ?", [code, app_id])
    candidate_commands.delete_on_request(cur, world.users["admin"], dan, reason="本人来电要求删除")
    return {"dan": dan}


def test_exits_by_reason_and_by_stage_left(cur, world, exits) -> None:  # type: ignore[no-untyped-def]
    manager = world.users["manager"]
    assert lost_reasons.total(cur, manager, 2025) == 3
    reasons = dict(lost_reasons.by_reason(cur, manager, 2025).select("reason_label", "exits").rows())
    assert reasons == {"薪资": 2, "地域": 0, "岗位不匹配": 1, "继续深造": 0, "考公考编": 0, "去其他城市": 0,
                       "联系不上": 0, "其他": 0}
    grid = lost_reasons.by_reason_and_stage(cur, manager, 2025)
    assert grid.select("from_label", "reason_label", "exits").rows() == [
        ("已联系", "岗位不匹配", 1), ("已投递", "薪资", 1), ("面试中", "薪资", 1)]
    assert lost_reasons.total(cur, manager, 2024) == 1
    mine = dict(lost_reasons.by_reason(cur, world.users["recruiter_sh"], 2025).select("reason", "exits").rows())
    assert mine["salary"] == 2 and mine["job_mismatch"] == 0                  # bob is in CD


def test_exits_by_source(cur, world, exits) -> None:  # type: ignore[no-untyped-def]
    manager = world.users["manager"]
    by_channel = lost_reasons.by_source(cur, manager, 2025, source="channel")
    assert by_channel.select("source", "reason_label", "exits").rows() == [("人才飞地", "薪资", 2),
                                                                            ("校园招聘", "岗位不匹配", 1)]
    by_enclave = lost_reasons.by_source(cur, manager, 2025, source="enclave")
    assert by_enclave.select("source", "exits").rows() == [("SH 飞地", 2), ("CD 飞地", 1)]
    by_drive = lost_reasons.by_source(cur, manager, 2025, source="drive")
    assert by_drive.select("source", "exits").rows() == [("（非校园招聘）", 2), ("专场（2025-10-15）", 1)]


def test_the_people_behind_a_figure_are_masked_per_role(cur, world, exits) -> None:  # type: ignore[no-untyped-def]
    manager, recruiter = world.users["manager"], world.users["recruiter_sh"]
    salary = lost_reasons.people(cur, manager, 2025, reason="salary")
    assert salary.select("candidate_id", "from_label", "left_on").rows() == [
        (exits["dan"], "面试中", date(2025, 6, 1)), (world.alice, "已投递", date(2025, 3, 10))]
    assert salary["mobile"].to_list() == [None, "138****8000"]                 # dan's contacts are gone; masked
    assert salary["name"][0].startswith("已删除")
    assert lost_reasons.people(cur, recruiter, 2025, reason="salary")["mobile"].to_list() == [None, "13800138000"]
    assert lost_reasons.people(cur, recruiter, 2025, from_stage="contacted").height == 0     # bob: not theirs
    assert lost_reasons.count_people(cur, manager, 2025, from_stage="contacted") == 1


def test_after_a_merge_an_exit_counts_once_under_the_survivor(cur, world: PipelineWorld, at) -> None:  # type: ignore[no-untyped-def]
    """王强's duplicate record sat in 成都 and withdrew (考公考编); merged into 李娜's SH record — a deliberately
    odd pair, so the enclave shows whose the exit is — it counts once, now in SH."""
    from db import duplicates

    hr = world.users["hr"]
    app_id = pipeline.open_application(cur, hr, world.bob, employer_id=world.employer, effective_on=date(2025, 5, 1))
    pipeline.move_stage(cur, hr, app_id, "withdrawn", lost_code="civil_service", effective_on=date(2025, 5, 20))
    assert lost_reasons.total(cur, world.users["recruiter_cd"], 2025) == 1
    versions = dict(cur.execute("select id, version from candidate where id in (?, ?)",
                                [world.alice, world.bob]).fetchall())
    duplicates.merge(cur, hr, world.alice, world.bob, take_from_merged=set(),
                     versions=(versions[world.alice], versions[world.bob]))
    assert lost_reasons.total(cur, world.users["manager"], 2025) == 1
    assert lost_reasons.total(cur, world.users["recruiter_cd"], 2025) == 0
    assert lost_reasons.people(cur, world.users["recruiter_sh"], 2025)["candidate_id"].to_list() == [world.alice]
