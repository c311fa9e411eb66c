"""The pattern every programme register shares, written once.

A register (飞地, 企业, 院校协议 …) is described by its fields — column, Chinese label, kind,
whether required, choices, what it refers to, header synonyms for workbooks. From that one
description come the list (search, filters, sort, paging), one row, validation, and the commands:
create, update (optimistic `version`), activate/deactivate and delete (refused, naming who refers
to the row). Every command checks permission (managers, HR and admins edit; everyone reads),
validates, writes in one transaction and audits before/after. A register module adds only what is
its own: cross-field checks, detail figures, special commands (renewal, the targets grid).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import polars as pl

from db import audit, limits, national_id
from db.connection import run_in_transaction
from db.errors import ConcurrentEdit, NotFound, ValidationError
from db.permissions import Action, User, require
from db.sql import Cursor, contains, frame, next_id, rows, scalar

KINDS = ("text", "long_text", "date", "int", "bool", "choice", "ref")
# What a reference field shows instead of an id: table → (display column, the label in messages).
REF_DISPLAY = {
    "enclave": ("name", "飞地"), "employer": ("name", "企业"), "university": ("name", "高校"),
    "candidate": ("name", "候选人"), "app_user": ("display_name", "用户"), "agreement": ("title", "协议"),
    "campus_drive": ("title", "校园招聘"),
}
STALE = "该记录刚被他人修改，请刷新后重试。"
Check = Callable[[Cursor, dict[str, Any], int | None], dict[str, Any]]


@dataclass(frozen=True)
class Field:
    name: str                                   # the column
    label: str                                  # forms, tables, exports, workbook headers, messages
    kind: str = "text"
    required: bool = False
    choices: Mapping[str, str] | None = None    # code → label, for kind "choice"
    ref: str | None = None                      # the table a "ref" field names (REF_DISPLAY)
    max_length: int = 100
    synonyms: tuple[str, ...] = ()              # other header spellings a workbook may use
    help: str | None = None
    listed: bool = True                         # shown as a column of the list
    code: bool = False                          # a code with a checksum of its own (统一社会信用代码): an 18-digit
                                                # one can pass the ID check digit, so it is not scanned for ID numbers

    def __post_init__(self) -> None:
        assert self.kind in KINDS, self.kind
        assert (self.kind == "choice") == (self.choices is not None), self.name
        assert (self.kind == "ref") == (self.ref in REF_DISPLAY), self.name


@dataclass(frozen=True)
class Reference:
    """Rows of another table that refer to this register's rows: a delete is refused while any do."""

    table: str
    column: str
    what: str                                   # "条投递", "个岗位" — counted in the refusal


@dataclass(frozen=True)
class Register:
    table: str
    label: str                                  # 飞地, 企业 …
    sequence: str
    fields: tuple[Field, ...]
    search: tuple[str, ...]                     # columns the search box matches, literally
    order: str                                  # the default sort: a column of `fields`
    referenced_by: tuple[Reference, ...] = ()
    check: Check | None = None                  # cross-field validation and normalisation
    natural_key: tuple[str, ...] = ()           # how a workbook row finds an existing row
    descending: bool = False
    active_column: str | None = "active"        # what 停用 switches off (position: is_open); None: nothing
    unique_key: bool = False                    # refuse a second row with the same natural key

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)


# --- validation ------------------------------------------------------------------------------------

def clean(cur: Cursor, register: Register, raw: Mapping[str, Any], *, row_id: int | None = None) -> dict[str, Any]:
    """The stored values of a submitted row (every field of the register), or ValidationError in
    Chinese naming the field. Text is trimmed and whitespace-folded; blanks are None. A key that is
    no field of the register is a programming error (a typo would otherwise lose the value)."""
    unknown = set(raw) - set(register.columns) - {"id", "version", "active"} - {
        f"{f.name}_name" for f in register.fields if f.kind == "ref"}
    if unknown:
        raise TypeError(f"{register.table} has no fields {sorted(unknown)}")
    values = {f.name: _value(cur, f, raw.get(f.name)) for f in register.fields}
    if register.check is not None:
        values = register.check(cur, values, row_id)
    if register.unique_key:
        _refuse_same_key(cur, register, values, row_id)
    return values


def _refuse_same_key(cur: Cursor, register: Register, values: Mapping[str, Any], row_id: int | None) -> None:
    """A second row meaning the same thing (the same university, kind and start …) is refused, naming the first."""
    clause = " and ".join(f"{c} is not distinct from ${c}" for c in register.natural_key)
    taken = rows(cur, f"select id from {register.table} where {clause} and id is distinct from $id",
                 {**{c: values[c] for c in register.natural_key}, "id": row_id})
    if taken:
        labels = "、".join(register.field(c).label for c in register.natural_key)
        raise ValidationError(f"已有{labels}都相同的{register.label}（编号 {taken[0][0]}），请打开它修改，不要重复登记。",
                              field=register.natural_key[0])


def _value(cur: Cursor, f: Field, value: Any) -> Any:
    if isinstance(value, str):
        value = " ".join(value.split()) if f.kind != "long_text" else value.strip()
        value = value or None
    if value is None:
        if f.required:
            raise ValidationError(f"请填写「{f.label}」。", field=f.name)
        return False if f.kind == "bool" else None
    if f.kind in ("text", "long_text"):
        text = str(value)
        limit = limits.CANDIDATE_TEXT["notes"] if f.kind == "long_text" else f.max_length
        if len(text) > limit:
            raise ValidationError(limits.too_long(f"「{f.label}」", text, limit), field=f.name)
        if not f.code and national_id.contains(text):
            raise ValidationError(f"「{f.label}」中含有身份证号码：本系统不保存身份证号，请删除后再保存。", field=f.name)
        return text
    if f.kind == "date":
        if isinstance(value, datetime):
            return value.date()
        if not isinstance(value, date):
            raise ValidationError(f"「{f.label}」应为日期。", field=f.name)
        return value
    if f.kind == "int":
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise ValidationError(f"「{f.label}」应为整数。", field=f.name) from None
        if number < 0 or number != float(value):
            raise ValidationError(f"「{f.label}」应为不小于 0 的整数。", field=f.name)
        return number
    if f.kind == "bool":
        return bool(value)
    if f.kind == "choice":
        assert f.choices is not None
        if value not in f.choices:
            raise ValidationError(f"「{f.label}」只能是 {'、'.join(f.choices.values())}。", field=f.name)
        return value
    assert f.ref is not None
    if not rows(cur, f"select 1 from {f.ref} where id = $id", {"id": value}):
        raise ValidationError(f"所选{f.label}不存在，请重新选择。", field=f.name)
    return int(value)


# --- reading -------------------------------------------------------------------------------------

def _select(register: Register) -> str:
    """The list's columns: every field, and for each reference its display name as <field>_name."""
    parts = [f"r.{c}" for c in ("id", *register.columns, "version")]
    joins = []
    for i, f in enumerate(register.fields):
        if f.kind == "ref":
            column, _ = REF_DISPLAY[f.ref]  # type: ignore[index]
            parts.append(f"j{i}.{column} as {f.name}_name")
            joins.append(f"left join {f.ref} j{i} on j{i}.id = r.{f.name}")
    if register.active_column and register.active_column not in register.columns:
        parts.append(f"r.{register.active_column} as active")
    return f"select {', '.join(parts)} from {register.table} r {' '.join(joins)}"


def _where(register: Register, text: str, filters: Mapping[str, Any], active_only: bool) -> tuple[str, dict[str, Any]]:
    clauses, params = ["true"], {}
    if text.strip():
        clauses.append("(" + " or ".join(contains(f"lower(cast(r.{c} as varchar))", "$text") for c in register.search) + ")")
        params["text"] = text.strip().lower()
    for i, (name, value) in enumerate(sorted(filters.items())):
        if value is None or value == "":
            continue
        if name not in register.columns:
            raise TypeError(f"unknown filter {name!r} for {register.table}")
        if isinstance(value, tuple):            # (first, last): a range, both ends included
            clauses.append(f"r.{name} between $f{i}a and $f{i}b")
            params[f"f{i}a"], params[f"f{i}b"] = value
        else:
            clauses.append(f"r.{name} = $f{i}")
            params[f"f{i}"] = value
    if active_only and register.active_column:
        clauses.append(f"r.{register.active_column}")
    return " and ".join(clauses), params


def search(cur: Cursor, actor: User, register: Register, text: str = "", *, filters: Mapping[str, Any] | None = None,
           sort: str | None = None, descending: bool | None = None, active_only: bool = False, offset: int = 0,
           limit: int = 200) -> pl.DataFrame:
    """One page of the register matching `text` (literal, in its search columns) and the filters."""
    require(actor, Action.READ_PROGRAMMES)
    where, params = _where(register, text, filters or {}, active_only)
    column = sort if sort in (*register.columns, "id") else register.order
    direction = "desc" if (register.descending if descending is None else descending) else "asc"
    return frame(cur, f"{_select(register)} where {where} order by r.{column} {direction} nulls last, r.id"
                      " limit $limit offset $offset", {**params, "limit": limit, "offset": offset})


def count(cur: Cursor, actor: User, register: Register, text: str = "", *, filters: Mapping[str, Any] | None = None,
          active_only: bool = False) -> int:
    require(actor, Action.READ_PROGRAMMES)
    where, params = _where(register, text, filters or {}, active_only)
    return int(scalar(cur, f"select count(*) from {register.table} r where {where}", params))


def get(cur: Cursor, actor: User, register: Register, row_id: int) -> dict[str, Any] | None:
    """One row with its references' names, or None."""
    require(actor, Action.READ_PROGRAMMES)
    found = frame(cur, f"{_select(register)} where r.id = $id", {"id": row_id})
    return found.row(0, named=True) if found.height else None


def require_row(cur: Cursor, actor: User, register: Register, row_id: int) -> dict[str, Any]:
    found = get(cur, actor, register, row_id)
    if found is None:
        raise NotFound(f"该{register.label}不存在（编号 {row_id}）。")
    return found


# --- commands --------------------------------------------------------------------------------------

def create(cur: Cursor, actor: User, register: Register, raw: Mapping[str, Any]) -> int:
    """Add a row; returns its id."""
    require(actor, Action.EDIT_PROGRAMMES)
    values = clean(cur, register, raw)

    def work(cur: Cursor) -> int:
        row_id = next_id(cur, register.sequence)
        columns = ["id", *values]
        cur.execute(f"insert into {register.table} ({', '.join(columns)}) values ({', '.join('$' + c for c in columns)})",
                    {"id": row_id, **values})
        audit.record(cur, actor, "create", entity=register.table, entity_id=row_id,
                     after=_labelled(register, values), detail=f"新建{register.label}：{_title(register, values)}")
        return row_id

    return run_in_transaction(cur, work)


def update(cur: Cursor, actor: User, register: Register, row_id: int, raw: Mapping[str, Any], *,
           expected_version: int) -> bool:
    """Save an edit made on `expected_version`; returns whether anything changed. Someone else's
    newer save raises ConcurrentEdit. Only the fields given in `raw` change."""
    require(actor, Action.EDIT_PROGRAMMES)
    before = require_row(cur, actor, register, row_id)
    merged = {**{c: before[c] for c in register.columns}, **{k: v for k, v in raw.items() if k in register.columns}}
    values = clean(cur, register, merged, row_id=row_id)
    changed = {k: v for k, v in values.items() if before[k] != v}
    if not changed:
        if before["version"] != expected_version:
            raise ConcurrentEdit(STALE)
        return False
    _versioned_write(cur, actor, register, row_id, changed, expected_version, before=before,
                     detail=f"修改{register.label}：{_title(register, values)}")
    return True


def set_active(cur: Cursor, actor: User, register: Register, row_id: int, active: bool, *,
               expected_version: int) -> None:
    """Deactivate (kept, no longer offered in pickers) or reactivate a row."""
    require(actor, Action.EDIT_PROGRAMMES)
    assert register.active_column, register.table
    before = require_row(cur, actor, register, row_id)
    if before["active"] == active:
        return
    _versioned_write(cur, actor, register, row_id, {register.active_column: active}, expected_version,
                     before={register.active_column: before["active"]},
                     detail=f"{'启用' if active else '停用'}{register.label}：{_title(register, before)}")


def _versioned_write(cur: Cursor, actor: User, register: Register, row_id: int, changed: dict[str, Any],
                     expected_version: int, *, before: Mapping[str, Any], detail: str) -> None:
    """UPDATE … WHERE version = expected, as the first statement of its transaction (DuckDB takes the
    snapshot there, so a save committed by someone else in between is seen and refused), then audit."""
    assignments = ", ".join(f"{k} = ${k}" for k in changed)

    def work(cur: Cursor) -> None:
        done = rows(cur, f"update {register.table} set {assignments}, version = version + 1"
                         " where id = $id and version = $version", {**changed, "id": row_id, "version": expected_version})
        if not done or done[0][0] != 1:
            raise ConcurrentEdit(STALE)
        audit.record(cur, actor, "update", entity=register.table, entity_id=row_id, detail=detail,
                     before=_labelled(register, {k: before[k] for k in changed}),
                     after=_labelled(register, changed))

    run_in_transaction(cur, work)


def delete(cur: Cursor, actor: User, register: Register, row_id: int) -> None:
    """Delete a row nobody refers to; otherwise refused, naming what refers to it (deactivate instead)."""
    require(actor, Action.EDIT_PROGRAMMES)
    before = require_row(cur, actor, register, row_id)

    def work(cur: Cursor) -> None:
        users = references(cur, register, row_id)
        if users:
            raise ValidationError(f"不能删除{register.label}「{_title(register, before)}」：仍有 "
                                  + "、".join(f"{n:,} {what}" for what, n in users.items())
                                  + "引用它。请改为停用：停用后它保留在历史记录中，但不再出现在选择列表里。")
        cur.execute(f"delete from {register.table} where id = $id", {"id": row_id})
        audit.record(cur, actor, "delete", entity=register.table, entity_id=row_id,
                     before=_labelled(register, {c: before[c] for c in register.columns}),
                     detail=f"删除{register.label}：{_title(register, before)}")

    run_in_transaction(cur, work)


def references(cur: Cursor, register: Register, row_id: int) -> dict[str, int]:
    """What refers to the row: "条投递" → 12 (only the non-zero ones)."""
    found = {}
    for ref in register.referenced_by:
        n = int(scalar(cur, f"select count(*) from {ref.table} where {ref.column} = $id", {"id": row_id}))
        if n:
            found[ref.what] = found.get(ref.what, 0) + n
    return found


def _title(register: Register, values: Mapping[str, Any]) -> str:
    """The row's name in messages: its first field."""
    return str(values.get(register.fields[0].name) or "")


def _labelled(register: Register, values: Mapping[str, Any]) -> dict[str, Any]:
    """Audit entries name fields as people do."""
    labels = {f.name: f.label for f in register.fields}
    return {labels.get(k, "启用" if k in ("active", "is_open") else k): v for k, v in values.items()}


# --- options for pickers -----------------------------------------------------------------------------

def options(cur: Cursor, table: str, *, active_only: bool = True, include: int | None = None) -> dict[int, str]:
    """id → display name of a referable table, for pickers; `include` keeps a current value that is
    no longer active."""
    column, _ = REF_DISPLAY[table]
    has_active = bool(rows(cur, "select 1 from information_schema.columns where table_name = $t and column_name = 'active'",
                           {"t": table}))
    where = "(active or id = $include)" if active_only and has_active else "true"
    found = rows(cur, f"select id, {column} from {table} where {where} order by {column}", {"include": include})
    return {i: name for i, name in found}

