"""The screens of the programme registers, written once: list → detail → form, from the register's
own field description (db/programmes/register.py). A register's screen adds only what is its own."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import polars as pl
import streamlit as st

from db import candidates, exports
from db.errors import DomainError
from db.permissions import Action, User, can
from db.programmes import register
from db.programmes.register import Field, Register
from db.sql import Cursor
from pages._text import md
from pages._widgets import export_buttons, facts, flash, fresh_key, renew_form, school_picker, show_error, table

PAGE_SIZE = 50


def may_edit(user: User) -> bool:
    return can(user, Action.EDIT_PROGRAMMES)


def shown(reg: Register, rows: pl.DataFrame) -> pl.DataFrame:
    """The listed fields as people read them: references by name, choices by label, 是/否, 状态."""
    columns = []
    for f in reg.fields:
        if not f.listed:
            continue
        if f.kind == "ref":
            columns.append(pl.col(f"{f.name}_name").alias(f.label))
        elif f.kind == "choice":
            columns.append(pl.col(f.name).replace_strict(dict(f.choices or {}), default=pl.col(f.name)).alias(f.label))
        elif f.kind == "bool":
            columns.append(pl.when(pl.col(f.name)).then(pl.lit("是")).otherwise(pl.lit("否")).alias(f.label))
        else:
            columns.append(pl.col(f.name).alias(f.label))
    if reg.active_column:
        columns.append(pl.when(pl.col("active")).then(pl.lit("有效")).otherwise(pl.lit("已停用")).alias(active_label(reg)))
    return rows.select(pl.col("id").alias("编号"), *columns)


def active_label(reg: Register) -> str:
    """What the 有效/已停用 column is called (申报 has a 状态 of its own)."""
    return "记录状态" if any(f.label == "状态" for f in reg.fields) else "状态"


def pick_from_list(cur: Cursor, user: User, reg: Register, *, key: str, filters: dict[str, Any] | None = None,
                   extra: Callable[[pl.DataFrame], pl.DataFrame] | None = None) -> int | None:
    """Search, sort, paging and the table; a row picked there (or ?id= in the address) is returned.
    `extra` may add columns to the page shown (derived status, counts)."""
    a, b, c, d = st.columns([3, 2, 1, 1])
    text = a.text_input("搜索", key=f"{key}_q", placeholder="、".join(reg.field(n).label for n in reg.search
                                                                       if n in reg.columns) or "关键字")
    sortable = {f.name: f.label for f in reg.fields if f.listed and f.kind != "ref"}
    sort = b.selectbox("排序", list(sortable), index=list(sortable).index(reg.order), format_func=sortable.get,
                       key=f"{key}_sort")
    descending = c.toggle("倒序", value=reg.descending, key=f"{key}_desc")
    inactive = bool(reg.active_column) and d.toggle("含已停用", key=f"{key}_inactive")
    total = register.count(cur, user, reg, text, filters=filters, active_only=not inactive)
    pages = max(1, -(-total // PAGE_SIZE))
    page_no = st.number_input(f"页码（共 {pages:,} 页，{total:,} 条）", min_value=1, max_value=pages, value=1,
                              key=f"{key}_page") if pages > 1 else 1
    rows = register.search(cur, user, reg, text, filters=filters, sort=sort, descending=descending,
                           active_only=not inactive, offset=(int(page_no) - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    view = shown(reg, rows)
    if extra is not None:
        view = extra(view)
    event = table(view, empty=f"没有符合条件的{reg.label}。", on_select="rerun", selection_mode="single-row",
                  key=f"{key}_table")
    if event is not None and event.selection.rows:
        st.query_params["id"] = str(view["编号"][event.selection.rows[0]])
    with st.expander(f"导出{reg.label}列表"):
        export_buttons(lambda cur_: exports.prepare(
            cur_, user, shown(reg, register.search(cur_, user, reg, text, filters=filters, active_only=not inactive,
                                                   limit=100_000)),
            what=f"{reg.label}列表", headers=None, filters={"搜索": text, **(filters or {})}),
            file_stem=f"{reg.label}列表", key=f"{key}_export")
    raw = st.query_params.get("id")
    return int(raw) if raw is not None and str(raw).isdigit() else None


def details(reg: Register, row: dict[str, Any], *, columns: int = 3) -> None:
    """Every field of the row as label：value lines, in `columns` columns."""
    values: dict[str, object] = {}
    for f in reg.fields:
        value = row[f.name]
        if f.kind == "ref":
            value = row[f"{f.name}_name"]
        elif f.kind == "choice" and value is not None:
            value = (f.choices or {}).get(value, value)
        elif f.kind == "bool":
            value = "是" if value else "否"
        values[f.label] = value
    if reg.active_column:
        values[active_label(reg)] = "有效" if row["active"] else "已停用"
    items = list(values.items())
    per = -(-len(items) // columns)
    for where, start in zip(st.columns(columns), range(0, len(items), per)):
        facts(where, dict(items[start:start + per]))


def form(cur: Cursor, user: User, reg: Register, *, key: str, initial: dict[str, Any] | None = None,
         fixed: dict[str, Any] | None = None, submit: str = "保存") -> dict[str, Any] | None:
    """The register's form (live pickers for schools and people above it); the submitted values, or None.
    `fixed` fields are not shown and keep their value (an employer's positions: the employer)."""
    initial, fixed = initial or {}, fixed or {}
    shown_fields = [f for f in reg.fields if f.name not in fixed and f.name != "predecessor_id"]
    live = {f.name: _live_picker(cur, user, f, key=f"{key}_{f.name}", initial=initial.get(f.name))
            for f in shown_fields if f.ref in ("university", "candidate")}
    with st.form(key, clear_on_submit=False):
        values: dict[str, Any] = {}
        fields = [f for f in shown_fields if f.name not in live]
        for i in range(0, len(fields), 3):
            for column, f in zip(st.columns(3), fields[i:i + 3]):
                with column:
                    values[f.name] = _input(cur, f, key=f"{key}_{f.name}", initial=initial.get(f.name))
        submitted = st.form_submit_button(submit, type="primary")
    return {**values, **live, **fixed} if submitted else None


def _label(f: Field) -> str:
    return f"{f.label}{' *' if f.required else ''}"


def _input(cur: Cursor, f: Field, *, key: str, initial: Any) -> Any:
    """One form input; no min/max on numbers and dates (Streamlit's own range messages are English:
    db/ checks and says it in Chinese)."""
    if f.kind == "text":
        return st.text_input(_label(f), value=initial or "", key=key, max_chars=f.max_length, help=f.help)
    if f.kind == "long_text":
        return st.text_area(_label(f), value=initial or "", key=key, help=f.help)
    if f.kind == "date":
        return st.date_input(_label(f), value=initial, key=key, help=f.help)
    if f.kind == "int":
        return st.number_input(_label(f), value=initial, step=1, key=key, help=f.help, placeholder="—")
    if f.kind == "bool":
        return st.checkbox(f.label, value=bool(initial), key=key, help=f.help)
    options: dict[Any, str] = dict(f.choices or {}) if f.kind == "choice" else register.options(
        cur, f.ref or "", include=initial)   # type: ignore[arg-type]
    keys = ([] if f.required and options else [None]) + list(options)
    index = keys.index(initial) if initial in keys else 0
    return st.selectbox(_label(f), keys, index=index, key=key, help=f.help,
                        format_func=lambda k: "—" if k is None else options.get(k, str(k)))


def _live_picker(cur: Cursor, user: User, f: Field, *, key: str, initial: Any) -> Any:
    """Schools and people are found by typing (outside the form: a form reruns only on submit)."""
    if f.ref == "university":
        return school_picker(cur, key=key, initial=initial, label=_label(f), help="输入名称、曾用名或简称后选择")
    return candidate_picker(cur, user, key=key, initial=initial, label=_label(f))


def candidate_picker(cur: Cursor, user: User, *, key: str, initial: int | None, label: str) -> int | None:
    """A person found by name, pinyin, school or whole mobile/e-mail (the search box's rules)."""
    a, b = st.columns([2, 3])
    query = a.text_input(f"查找{label.rstrip(' *')}", key=f"{key}_q", placeholder="姓名、拼音、学校或完整手机号")
    labels: dict[int, str] = {}
    if initial is not None:
        person = candidates.get(cur, user, initial)
        labels[initial] = f"{person.name}（编号 {initial}）" if person else f"编号 {initial}"
    if query.strip():
        for row in candidates.search(cur, user, query, limit=20).iter_rows(named=True):
            labels[row["id"]] = f"{row['name']}（编号 {row['id']}）· {row['university'] or '—'} · {row['mobile'] or '—'}"
    options = [None, *labels]
    default = 1 if query.strip() and len(options) > 1 else options.index(initial) if initial in options else 0
    return b.selectbox(label, options, index=default, key=f"{key}::{query.strip()}",
                       format_func=lambda i: "—（不选）" if i is None else labels[i])


def edit_panel(cur: Cursor, user: User, reg: Register, row: dict[str, Any], *, key: str,
               fixed: dict[str, Any] | None = None, selected: bool = True) -> None:
    """修改 / 停用 / 删除 of one row, for those who may edit programmes. `selected`: the row is the
    screen's ?id= (a deleted one is then unselected)."""
    if not may_edit(user):
        st.caption(f"您的角色只能查看{reg.label}，不能修改。")
        return
    with st.expander(f"修改{reg.label}", key=f"{key}_edit_panel_{row['id']}"):
        values = form(cur, user, reg, key=f"{key}_edit_{row['id']}_{row['version']}", initial=row, fixed=fixed,
                      submit="保存修改")
        if values is not None:
            run(lambda: register.update(cur, user, reg, row["id"], values, expected_version=row["version"]),
                f"已保存{reg.label}的修改。")
    left, right = st.columns(2)
    if reg.active_column:
        label = "停用" if row["active"] else "重新启用"
        if left.button(f"{label}{reg.label}", key=f"{key}_active_{row['id']}"):
            run(lambda: register.set_active(cur, user, reg, row["id"], not row["active"],
                                            expected_version=row["version"]), f"已{label}。")
    with right.popover(f"删除{reg.label}"):
        st.caption(f"只有没有任何记录引用的{reg.label}可以删除；否则请停用。删除记入审计日志。")
        if st.button("确认删除", key=f"{key}_delete_{row['id']}", type="primary"):
            if run(lambda: register.delete(cur, user, reg, row["id"]), f"已删除{reg.label}。", rerun=False):
                if selected:
                    st.query_params.pop("id", None)
                st.rerun()


def create_panel(cur: Cursor, user: User, reg: Register, *, key: str, fixed: dict[str, Any] | None = None,
                 initial: dict[str, Any] | None = None, select: bool = True) -> int | None:
    """新建 for those who may edit programmes; with `select`, the new row becomes the screen's ?id=."""
    if not may_edit(user):
        return None
    # Keyed: the panel stays open (with any error in it) when a message above it comes or goes.
    with st.expander(f"新建{reg.label}", key=f"{key}_new_panel"):
        values = form(cur, user, reg, key=fresh_key(f"{key}_new"), fixed=fixed, initial=initial,
                      submit=f"新建{reg.label}")
        if values is not None:
            try:
                new_id = register.create(cur, user, reg, values)
            except DomainError as error:
                show_error(error)
                return None
            renew_form(f"{key}_new")          # the next 新建 form starts blank
            flash(f"已新建{reg.label}（编号 {new_id}）。")
            if select:
                st.query_params["id"] = str(new_id)
            st.rerun()
    return None


def run(command: Callable[[], object], message: str, *, rerun: bool = True) -> bool:
    """Run a command: a Chinese error on failure; on success a message that survives the rerun."""
    try:
        command()
    except DomainError as error:          # ConcurrentEdit among them: "刷新后重试"
        show_error(error)
        return False
    flash(message)
    if rerun:
        st.rerun()
    return True


def selected_row(cur: Cursor, user: User, reg: Register, selected: int | None) -> dict[str, Any] | None:
    if selected is None:
        return None
    row = register.get(cur, user, reg, selected)
    if row is None:
        st.warning(f"编号 {selected} 的{reg.label}不存在。")
    return row


def heading(text: object) -> None:
    st.subheader(md(text), anchor=False)


__all__ = ["pick_from_list", "details", "form", "edit_panel", "create_panel", "run", "selected_row", "heading",
           "may_edit", "candidate_picker", "shown"]
