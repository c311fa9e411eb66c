"""The 扫码报名 section of a drive's detail (校园招聘) and an event's (人才活动): the link and its QR code (PNG, SVG, an A4 poster),
when it opens and closes, how many have signed up, and the way to the review."""
from __future__ import annotations

import os
from datetime import date, datetime, time, timedelta
from urllib.parse import urlsplit

import streamlit as st

from db import clock, signups
from db.permissions import Action, User, can
from db.sql import Cursor
from loaders import signups as signup_files
from pages._text import md
from pages._widgets import flash, fresh_key, renew_form, show_error

LOCAL_HOSTS = ("localhost", "127.0.0.1", "0.0.0.0", "[::1]")


def base_url() -> str:
    """The address phones reach the app at: CRM_PUBLIC_URL, else the one this browser uses."""
    configured = os.environ.get("CRM_PUBLIC_URL", "").strip()
    if configured:
        return configured.rstrip("/")
    parts = urlsplit(st.context.url or "http://localhost:8501")
    return f"{parts.scheme}://{parts.netloc}"


def signup_panel(cur: Cursor, user: User, at: signups.Occasion) -> None:
    """The section for one drive (signups.drive(id)) or event (signups.event(id))."""
    about = signups.describe(cur, at)
    link = signups.link_of(cur, user, at)
    figures = signups.counts(cur, user, at)
    columns = st.columns(4)
    for column, (label, key) in zip(columns, [("报名", "total"), ("待审核", "pending"), ("已入库", "committed"),
                                              ("已拒绝", "rejected")]):
        column.metric(label, f"{figures[key]:,} 条")
    if figures["last_at"]:
        st.caption(f"最近一条报名：{figures['last_at']:%Y-%m-%d %H:%M}。报名先进入待审核区，审核入库后才成为候选人"
                   + ("，并成为本活动的参加人员。" if at.kind == "event" else "。"))
    if signups.may_review(user, about.enclave_id) and figures["total"]:
        st.page_link("pages/signup_review.py", label="审核这里的报名", icon=":material/fact_check:",
                     query_params=at.query)
    if link is None:
        st.caption("这里还没有开通扫码报名。")
        if can(user, Action.EDIT_PROGRAMMES):
            _times_form(cur, user, about, None)
        return
    _link_view(about, link)
    if can(user, Action.EDIT_PROGRAMMES):
        _times_form(cur, user, about, link)
        _rotate(cur, user, at)


def _link_view(about: signups.Described, link: signups.SignupLink) -> None:
    now = clock.now()
    state = ("尚未开放" if link.opens_at and now < link.opens_at else "已截止" if now >= link.closes_at else "开放中")
    opens = f"{link.opens_at:%Y-%m-%d %H:%M}" if link.opens_at else "开通即开放"
    st.markdown(f"**报名链接**（{state}；开放：{opens}；截止：{link.closes_at:%Y-%m-%d %H:%M}）")
    url = signup_files.signup_url(base_url(), link.token)
    st.code(url, language=None)
    if urlsplit(url).hostname in LOCAL_HOSTS or urlsplit(url).netloc.split(":")[0] in LOCAL_HOSTS:
        st.warning("链接中的地址是本机地址，手机无法打开：请用手机能访问的地址打开本系统，或设置环境变量 CRM_PUBLIC_URL 后再下载二维码。")
    left, right = st.columns([1, 2])
    left.image(signup_files.qr_png(url), width=180)
    key = f"{about.at.kind}_{about.at.id}"
    stem = f"扫码报名-{'场次' if about.at.kind == 'drive' else '活动'}{about.at.id}"
    with right:
        st.download_button("下载二维码 PNG", lambda: signup_files.qr_png(url), f"{stem}.png", mime="image/png",
                           key=f"signup_png_{key}", icon=":material/qr_code_2:", on_click="ignore")
        st.download_button("下载二维码 SVG", lambda: signup_files.qr_svg(url), f"{stem}.svg", mime="image/svg+xml",
                           key=f"signup_svg_{key}", icon=":material/qr_code_2:", on_click="ignore")
        st.download_button("下载 A4 海报 PDF", lambda: signup_files.poster_pdf(
            url, title=about.title, programme=about.programme, held_on=about.held_on,
            university=about.university or "", city=about.city, closes_at=link.closes_at),
            f"{stem}-海报.pdf", mime="application/pdf", key=f"signup_pdf_{key}", icon=":material/print:",
            on_click="ignore")
        st.caption("海报含名称、日期、地点或高校、二维码和截止时间，A4 打印。")


def _times_form(cur: Cursor, user: User, about: signups.Described, link: signups.SignupLink | None) -> None:
    """Open the sign-up, or change when it opens and closes."""
    held: date = about.held_on
    default_close = (datetime.combine(held, time(23, 59)) if held >= clock.today()
                     else datetime.combine(clock.today() + timedelta(days=7), time(23, 59)))
    opens, closes = (link.opens_at, link.closes_at) if link else (None, default_close)
    title = "开通扫码报名" if link is None else "修改开放 / 截止时间"
    name = f"signup_times_{about.at.kind}_{about.at.id}"
    base = fresh_key(name)
    with st.expander(title, expanded=link is None), st.form(base, clear_on_submit=False):
        a, b = st.columns(2)
        open_day = a.date_input("开放日期（空 = 立即开放）", value=opens.date() if opens else None, key=f"{base}_od")
        open_time = b.time_input("开放时间", value=opens.time() if opens else time(0, 0), key=f"{base}_ot")
        close_day = a.date_input("截止日期 *", value=closes.date(), key=f"{base}_cd")
        close_time = b.time_input("截止时间 *", value=closes.time(), key=f"{base}_ct")
        saved = st.form_submit_button("开通并生成链接" if link is None else "保存", type="primary")
    if not saved:
        return
    try:
        signups.set_up(cur, user, about.at,
                       opens_at=datetime.combine(open_day, open_time or time(0, 0)) if open_day else None,
                       closes_at=datetime.combine(close_day, close_time or time(23, 59)) if close_day else None,
                       expected_version=link.version if link else None)
    except Exception as error:  # noqa: BLE001 — show_error says domain errors as they are, logs the rest
        show_error(error)
        return
    renew_form(name)
    flash("已开通扫码报名，可下载二维码和海报。" if link is None else "已保存报名时间。")
    st.rerun()


def _rotate(cur: Cursor, user: User, at: signups.Occasion) -> None:
    key = f"{at.kind}_{at.id}"
    with st.expander("更换报名链接"):
        st.caption(md("更换后旧链接和已打印的二维码、海报全部失效（例如二维码被转发到了不该去的地方）。"))
        sure = st.checkbox("我确认旧二维码将失效", key=f"signup_rotate_ok_{key}")
        if st.button("更换链接", key=f"signup_rotate_{key}", disabled=not sure):
            try:
                signups.new_token(cur, user, at)
            except Exception as error:  # noqa: BLE001
                show_error(error)
                return
            flash("已更换报名链接：请重新下载二维码和海报。")
            st.rerun()
