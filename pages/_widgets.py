"""Widgets and formatting shared by several screens."""
from __future__ import annotations

import streamlit as st

from db import activities
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
    """Go to the detail screen of one person."""
    st.session_state["candidate_id"] = int(candidate_id)
    st.switch_page("pages/candidate.py")


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


def flash(message: str) -> None:
    """A success message that survives the `st.rerun()` after a write; shown by `show_flash()`."""
    st.session_state["flash"] = message


def show_flash() -> None:
    if message := st.session_state.pop("flash", None):
        st.success(message)


__all__ = ["cursor", "gate", "progress_card", "figure", "show_error", "open_candidate", "flash", "show_flash", "due_list"]
