"""Widgets and formatting shared by several screens."""
from __future__ import annotations

from collections.abc import Callable

import polars as pl
import streamlit as st

from db import activities, universities
from db.connection import shared_connection
from db.sql import Cursor
from loaders import import_export
from pages._session import cursor, gate
from pages._text import md

NO_TARGET = "未设目标"


def progress_card(label: str, value: int, target: int | None, *, unit: str = "人") -> None:
    """A figure against its target: the number, the target, and a progress bar."""
    with st.container(border=True):
        st.metric(label, f"{value:,} {unit}")
        if target:
            share = value / target
            st.progress(min(share, 1.0), text=f"目标 {target:,} {unit} · 完成 {share:.0%}")
        else:
            st.caption(NO_TARGET)


def figure(label: str, value: int, *, unit: str = "", help: str | None = None) -> None:
    st.metric(label, f"{value:,}{(' ' + unit) if unit else ''}", help=help)


def show_error(error: Exception) -> None:
    """A domain error's own Chinese sentence; anything else a short apology (the log has the rest)."""
    from db.errors import DomainError

    if isinstance(error, DomainError):
        st.error(md(error))   # messages quote what the user typed
    else:
        import logging

        logging.getLogger("crm.pages").exception("unexpected error on screen")
        st.error("操作失败：发生内部错误，数据未被修改。请稍后重试或联系管理员。")



def open_candidate(candidate_id: int) -> None:
    """Go to the detail screen of one person; the id goes into the address (?id=…), so a refresh
    or a shared link opens the same person."""
    st.session_state["candidate_id"] = int(candidate_id)
    st.switch_page("pages/candidate.py", query_params={"id": str(int(candidate_id))})


def selected_candidate() -> int | None:
    """The person the detail screen shows: the address's ?id=…, else the last one opened here."""
    raw = st.query_params.get("id")
    if raw is not None and str(raw).strip().isdigit():
        st.session_state["candidate_id"] = int(raw)
        return int(raw)
    chosen = st.session_state.get("candidate_id")
    if chosen is not None:
        st.query_params["id"] = str(chosen)
    return chosen


def facts(where, values: dict[str, object]) -> None:  # type: ignore[no-untyped-def]
    """Label：value lines (blank values as "—"), user text escaped."""
    where.markdown("  \n".join(f"**{label}**：{md('—' if value is None or value == '' else value)}"
                               for label, value in values.items()))


def table(frame: pl.DataFrame, *, empty: str = "暂无记录。", column_config: dict | None = None,
          **options: object):  # type: ignore[no-untyped-def]
    """A read-only table: blanks show as "—" (never "None"), an empty list says so in Chinese instead
    of an empty grid. The grid's own CSV download is off app-wide (client.disableDataExport): lists
    are exported through `export_buttons`, which escapes formulas, masks and audits."""
    if frame.height == 0:
        st.caption(empty)
        return None
    options.setdefault("hide_index", True)
    options.setdefault("width", "stretch")
    return st.dataframe(frame, column_config=_dated(frame, column_config), placeholder="—", **options)


def _dated(frame: pl.DataFrame, column_config: dict | None) -> dict:
    """Dates as 2026-12-31 and times to the minute, unless a column says otherwise (left alone, the grid
    shows a date as "2026-12-31 00:00:00")."""
    config = dict(column_config or {})
    for name, dtype in frame.schema.items():
        given = config.get(name)
        if given is not None and not isinstance(given, str):
            continue
        if dtype == pl.Date:
            config[name] = st.column_config.DateColumn(given or name, format="YYYY-MM-DD")
        elif isinstance(dtype, pl.Datetime):
            config[name] = st.column_config.DatetimeColumn(given or name, format="YYYY-MM-DD HH:mm")
    return config


def due_list(cur, user, *, shown: int = 5) -> None:  # type: ignore[no-untyped-def]
    """The home block of people who make recruiters' days: follow-ups due today and overdue."""
    due = activities.follow_ups(cur, user, scope="mine", limit=200)
    with st.container(border=True):
        if due.height == 0:
            st.markdown("**待跟进**：今天没有到期的跟进。")
            return
        overdue = due.filter(due["days_overdue"] > 0).height
        st.markdown(f"**待跟进：{due.height} 人**" + (f"，其中 :red[{overdue} 人已逾期]" if overdue else ""))
        for row in due.head(shown).iter_rows(named=True):
            late = f"逾期 {row['days_overdue']} 天" if row["days_overdue"] > 0 else "今天"
            st.markdown(f"- {md(row['name'])}（{row['stage_label'] or '无进行中的投递'}）· {late} · {md(row['mobile'])}")
        st.page_link("pages/follow_ups.py", label="查看全部待跟进", icon=":material/notifications_active:")


def school_picker(cur: Cursor, *, key: str, initial: int | None, label: str = "学校",
                  help: str = "找不到时可不选，在下方表单中照原样填写学校名称") -> int | None:
    """Live school search outside the form (a form only reruns on submit): official names, old
    and short names (上海体育学院, 浙大) and near spellings, best first."""
    a, b = st.columns([2, 3])
    query = a.text_input("查找学校", key=f"{key}_school_q", placeholder="名称、曾用名、简称或近似写法，如：浙大、上海体育学院")
    found = universities.search(cur, query, limit=20) if query.strip() else None
    labels: dict[int, str] = {}
    if initial is not None:
        labels[initial] = universities.name_of(cur, initial) or str(initial)
    if found is not None:
        for row in found.iter_rows(named=True):
            tag = "（985）" if row["is_985"] else "（211）" if row["is_211"] else ""
            labels[row["id"]] = f"{row['name']}{tag} · {row['province']} · {row['level']} · {row['matched']}"
    options = [None, *labels]
    default = options.index(initial) if initial in labels and found is None else (1 if found is not None and len(options) > 1 else 0)
    with b:
        # Keyed by the query: each search is a new widget, so its best match shows preselected
        # (resetting one widget's state does not reach a browser that already drew it).
        chosen = st.selectbox(label, options, index=default, key=f"{key}_school::{query.strip()}",
                              format_func=lambda i: "—（不选）" if i is None else labels[i], help=help)
        if query.strip() and found is not None and found.height == 0:
            st.caption("没有找到匹配的学校，请换个写法（全称、曾用名或简称）再试。")
    return chosen


def export_buttons(build: Callable[[Cursor], pl.DataFrame], *, file_stem: str, key: str, note: str = "") -> None:
    """CSV and Excel downloads of a list. `build(cursor)` returns the table through db/exports.prepare
    (masked unless allowed, Chinese headers, audited); it runs when a button is clicked — not when the
    screen is drawn — so each download is one audit entry. Cells a spreadsheet would run as formulas
    are escaped when the file is written."""
    connection = shared_connection()

    def file(writer: Callable[[pl.DataFrame], bytes]) -> Callable[[], bytes]:
        # Streamlit calls this on its own thread, after the click: it takes a cursor of its own.
        return lambda: writer(build(connection.cursor()))

    left, right = st.columns(2)
    left.download_button("下载 Excel", file(import_export.to_xlsx), f"{file_stem}.xlsx", key=f"{key}_xlsx",
                         mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                         icon=":material/download:", width="stretch")
    right.download_button("下载 CSV", file(import_export.to_csv), f"{file_stem}.csv", key=f"{key}_csv",
                          mime="text/csv", icon=":material/download:", width="stretch")
    st.caption(note or "导出记入审计日志；单元格中的公式字符已转义，可放心用 Excel 打开。")


def file_picker(label: str, *, key: str, help: str | None = None):  # type: ignore[no-untyped-def]
    """A file uploader that speaks Chinese (pages/_locale.py restyles its English). It accepts any file:
    the importer tells what a wrong one really is, in Chinese, where Streamlit's own type check would
    answer in English."""
    return st.file_uploader(label, key=key, help=help)


def fresh_key(key: str) -> str:
    """The key of the current copy of a form: `key` at first, `key~N` after N saves (`renew_form`).
    A new key is the only way to blank a form in a browser that already drew it: dropping the widgets'
    state does not reach the browser, which would draw — and send — the old values again."""
    n = st.session_state.get(f"{key}__copies", 0)
    return f"{key}~{n}" if n else key


def renew_form(key: str) -> None:
    """After a save: the next run draws a blank copy of the form."""
    st.session_state[f"{key}__copies"] = st.session_state.get(f"{key}__copies", 0) + 1


def flash(message: str) -> None:
    """A success message that survives the `st.rerun()` after a write; shown by `show_flash()`."""
    st.session_state["flash"] = message


def show_flash() -> None:
    if message := st.session_state.pop("flash", None):
        st.success(md(message))   # messages quote names and other user text


__all__ = ["cursor", "gate", "progress_card", "figure", "show_error", "open_candidate", "selected_candidate", "flash",
           "show_flash", "due_list", "facts", "table", "export_buttons", "file_picker", "school_picker",
           "fresh_key", "renew_form"]
