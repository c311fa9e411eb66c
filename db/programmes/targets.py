"""目标: the year's targets for the city and each enclave, metric by metric, edited as one grid.

A target row is (year, enclave or the whole city, metric) → value. Saves take turns inside the
process (one process writes the file), so the same cell cannot be added twice by two people at once.
"""
from __future__ import annotations

import numbers
import threading
from collections.abc import Iterable
from dataclasses import dataclass

import polars as pl

from db import audit
from db.connection import run_in_transaction
from db.errors import ValidationError
from db.permissions import Action, User, require
from db.sql import Cursor, frame, next_id, rows

# metric code → label. The talent categories count hires; the rest count what their names say.
METRICS = {
    "young_phd": "青年博士", "young_graduate": "青年大学生", "high_skill": "高能人才", "high_level": "高层次人才",
    "tech_vp": "科技副总", "flexible": "柔性引进", "drive_intents": "校园招聘签约意向", "co_supervised": "联合培养",
    "declarations": "人才项目申报",
}
CITY = "全市"
_SAVES = threading.Lock()


@dataclass(frozen=True)
class Cell:
    enclave_id: int | None        # None: the whole city
    metric: str
    value: int | None             # None: no target (the row is removed)


def grid(cur: Cursor, actor: User, year: int) -> pl.DataFrame:
    """One row per scope (全市 first, then each active enclave by code), one column per metric, the
    values of `year` (null: no target). Columns: enclave_id, scope, <metric>…"""
    require(actor, Action.READ_PROGRAMMES)
    scopes = frame(cur, "select null::bigint as enclave_id, $city as scope, '' as code union all"
                        " select id, name, code from enclave where active or id in (select enclave_id from target"
                        " where year = $year) order by code", {"city": CITY, "year": year})
    values = frame(cur, "select enclave_id, metric, value from target where year = $year", {"year": year})
    wide = values.pivot(on="metric", index="enclave_id", values="value") if values.height else pl.DataFrame(
        schema={"enclave_id": pl.Int64})
    table = scopes.join(wide, on="enclave_id", how="left", nulls_equal=True, maintain_order="left")
    return table.select("enclave_id", "scope", *[
        (pl.col(m) if m in table.columns else pl.lit(None)).cast(pl.Int64).alias(m) for m in METRICS])


def save(cur: Cursor, actor: User, year: int, cells: Iterable[Cell]) -> int:
    """Write the given cells of `year` (a value, or None to remove a target); returns how many
    changed. Negative values, unknown metrics and enclaves are refused before anything is written."""
    require(actor, Action.EDIT_PROGRAMMES)
    cells = list(cells)
    _validate(cur, year, cells)

    def work(cur: Cursor) -> int:
        changed = 0
        for cell in cells:
            found = rows(cur, "select id, value from target where year = $y and enclave_id is not distinct from $e"
                              " and metric = $m", {"y": year, "e": cell.enclave_id, "m": cell.metric})
            before = found[0][1] if found else None
            if before == cell.value:
                continue
            if cell.value is None:
                cur.execute("delete from target where id = $id", {"id": found[0][0]})
            elif found:
                cur.execute("update target set value = $v where id = $id", {"v": int(cell.value), "id": found[0][0]})
            else:
                cur.execute("insert into target values ($id, $y, $e, $m, $v)",
                            {"id": next_id(cur, "seq_target"), "y": year, "e": cell.enclave_id, "m": cell.metric,
                             "v": int(cell.value)})
            scope = _scope_name(cur, cell.enclave_id)
            action = "create" if before is None else "delete" if cell.value is None else "update"
            audit.record(cur, actor, action, entity="target", entity_id=f"{year}:{cell.enclave_id or 'city'}:{cell.metric}",
                         before={"年度": year, "范围": scope, "指标": METRICS[cell.metric], "目标值": before},
                         after={"年度": year, "范围": scope, "指标": METRICS[cell.metric], "目标值": cell.value},
                         detail=f"{year} 年目标 · {scope} · {METRICS[cell.metric]}：{before if before is not None else '未设'}"
                                f" → {cell.value if cell.value is not None else '未设'}")
            changed += 1
        return changed

    with _SAVES:
        return run_in_transaction(cur, work)


def _validate(cur: Cursor, year: int, cells: list[Cell]) -> None:
    if not 2000 <= year <= 2100:
        raise ValidationError(f"年度 {year} 不合理。", field="year")
    enclaves = {r[0] for r in rows(cur, "select id from enclave")}
    for cell in cells:
        if cell.metric not in METRICS:
            raise ValidationError(f"未知的目标指标：{cell.metric}（可选：{'、'.join(METRICS.values())}）。", field="metric")
        if cell.enclave_id is not None and cell.enclave_id not in enclaves:
            raise ValidationError(f"飞地编号 {cell.enclave_id} 不存在。", field="enclave_id")
        if cell.value is not None and (not isinstance(cell.value, numbers.Integral) or isinstance(cell.value, bool)
                                       or cell.value < 0):
            raise ValidationError(f"{_scope_name(cur, cell.enclave_id)}「{METRICS[cell.metric]}」的目标值应为不小于 0 的整数"
                                  f"（现为 {cell.value}）。", field="value")


def copy_from(cur: Cursor, actor: User, year: int, *, source_year: int | None = None) -> int:
    """Copy `source_year`'s targets (default: the year before) into `year` where `year` has none;
    returns how many cells were added."""
    source_year = source_year or year - 1
    existing = {(e, m) for e, m in rows(cur, "select enclave_id, metric from target where year = $y", {"y": year})}
    cells = [Cell(e, m, v) for e, m, v in rows(cur, "select enclave_id, metric, value from target where year = $y",
                                               {"y": source_year}) if (e, m) not in existing]
    if not cells:
        raise ValidationError(f"{source_year} 年没有可复制的目标（或 {year} 年已全部设置）。")
    return save(cur, actor, year, cells)


def over_city(cur: Cursor, actor: User, year: int) -> list[str]:
    """Metrics whose enclave targets add up to more than the city's — a warning, not an error
    (offices do set stretch targets for enclaves); each sentence names the metric and both sums."""
    require(actor, Action.READ_PROGRAMMES)
    found = rows(cur, """
        select metric, sum(value) filter (where enclave_id is not null) as enclaves,
               max(value) filter (where enclave_id is null) as city
        from target where year = $y group by 1 order by 1""", {"y": year})
    return [f"「{METRICS.get(m, m)}」各飞地目标合计 {e:,}，高于全市目标 {c:,}。" for m, e, c in found
            if c is not None and e is not None and e > c]


def _scope_name(cur: Cursor, enclave_id: int | None) -> str:
    if enclave_id is None:
        return CITY
    found = rows(cur, "select name from enclave where id = $id", {"id": enclave_id})
    return found[0][0] if found else f"飞地 #{enclave_id}"
