"""扫码报名: the public phone form a drive's QR code opens — no login, and nothing of the CRM behind it.

crm_app.py routes any address carrying `?signup=` here, alone (no sidebar, no navigation). The page
shows only what the poster shows — the drive's name, date, university and its employers — and says
the same "已收到" whatever became of a submission (db/signups.py). A refused submit keeps everything
typed (clear_on_submit=False) and puts each message next to its field; a stored one blanks the form
(a new copy, pages/_widgets.renew_form). The browser session's limit counts by a random key held in
this session's state, which db/signups.py stores hashed.
"""
from __future__ import annotations

import logging
import secrets

import streamlit as st

from db import clock, signups
from db.connection import shared_connection
from db.enums import Degree
from db.errors import DomainError
from db.limits import CANDIDATE_TEXT
from db.sql import Cursor
from pages import _locale
from pages._text import md
from pages._widgets import fresh_key, renew_form

FORM = "signup"
DONE = "signup_done"
# Phone-sized, nothing of the app around it; the honeypot field off screen (scripts fill it, people never see it).
STYLE = """<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stSidebarNav"],
[data-testid="stToolbar"], [data-testid="stHeader"], [data-testid="stDecoration"] { display: none !important; }
[class*="st-key-"][class*="_website"] { position: absolute !important; left: -10000px !important; top: 0;
  width: 1px !important; height: 1px !important; overflow: hidden !important; }
[data-testid="stMainBlockContainer"] { padding-top: 1.5rem; padding-left: 1rem; padding-right: 1rem; max-width: 640px; }
[data-testid="stMainBlockContainer"] h1 { font-size: 1.75rem; }
</style>"""
log = logging.getLogger("crm.signup")


def _cursor() -> Cursor:
    """A cursor, or a plain apology: a stranger's phone hears nothing about the server."""
    try:
        return shared_connection().cursor()
    except DomainError:
        log.exception("sign-up form: database unusable")
        st.error("报名系统暂时无法使用，请稍后再试，或直接联系现场工作人员。")
        st.stop()
        raise   # not reached


def _session_key() -> str:
    return st.session_state.setdefault("signup_session_key", secrets.token_urlsafe(16))


def signup_form(public: signups.PublicForm, token: str) -> None:
    key = fresh_key(FORM)
    year = clock.today().year
    employers = dict(public.employers)
    slots = {}
    with st.form(key, clear_on_submit=False):
        name = st.text_input("姓名 *", key=f"{key}_name", max_chars=CANDIDATE_TEXT["name"], autocomplete="name")
        slots["name"] = st.empty()
        mobile = st.text_input("手机号 *", key=f"{key}_mobile", max_chars=20, placeholder="11 位手机号",
                               autocomplete="tel")
        slots["mobile"] = st.empty()
        email = st.text_input("邮箱", key=f"{key}_email", max_chars=CANDIDATE_TEXT["email"], autocomplete="email",
                              placeholder="选填")
        slots["email"] = st.empty()
        school = st.text_input("学校 *", key=f"{key}_school", max_chars=CANDIDATE_TEXT["university_raw"],
                               placeholder="学校全称，如：浙江大学")
        slots["school"] = st.empty()
        major = st.text_input("专业", key=f"{key}_major", max_chars=CANDIDATE_TEXT["major"], placeholder="选填")
        slots["major"] = st.empty()
        degree = st.selectbox("学历", [None, *Degree.labels()], key=f"{key}_degree",
                              format_func=lambda d: "—" if d is None else d)
        slots["degree"] = st.empty()
        grad_year = st.selectbox("毕业年份", [None, *range(year - 6, year + 6)], key=f"{key}_gy",
                                 format_func=lambda y: "—" if y is None else f"{y} 年")
        grad_month = st.selectbox("毕业月份", [None, *range(1, 13)], key=f"{key}_gm",
                                  format_func=lambda m: "—" if m is None else f"{m} 月")
        slots["graduation"] = st.empty()
        chosen = st.multiselect("意向企业（可多选）", list(employers), key=f"{key}_employers",
                                format_func=employers.get) if employers else []
        slots["employers"] = st.empty()
        website = st.text_input("请勿填写此项", key=f"{key}_website")
        st.caption(md(signups.CONSENT_NOTICE))
        consent = st.checkbox(md(signups.CONSENT_BOX), key=f"{key}_consent")
        slots["consent"] = st.empty()
        submitted = st.form_submit_button("提交报名", type="primary", width="stretch")
    said = st.empty()
    if not submitted:
        return
    form = signups.SignupForm(
        name=name, mobile=mobile, email=email, school=school, major=major, degree=degree, graduation_year=grad_year,
        graduation_month=grad_month, employer_ids=tuple(chosen), consent=consent, honeypot=website)
    try:
        signups.submit(_cursor(), token, form, session_key=_session_key())
    except signups.SignupInvalid as bad:
        for field, message in bad.problems.items():
            slots[field].error(md(message))
        said.error(md(bad))
    except DomainError as refused:      # closed meanwhile, too busy, this session's limit
        said.warning(md(refused))
    except Exception:
        log.exception("sign-up submission failed")
        said.error("提交失败：系统暂时出错，请稍后再试，已填写的内容都还在。")
    else:
        st.session_state[DONE] = signups.RECEIVED
        renew_form(FORM)
        st.rerun()


st.set_page_config(page_title="扫码报名", page_icon=":material/qr_code_2:", layout="centered",
                   initial_sidebar_state="collapsed")
st.html(STYLE)
_locale.apply()
token = st.query_params.get("signup")
public = signups.public_form(_cursor(), token)
if public is None:
    st.title("扫码报名")
    st.error(signups.INVALID_LINK)
    st.stop()
st.title(md(f"{public.programme} · 扫码报名"))
st.markdown(f"**{md(public.title)}**")
st.caption(md(" · ".join(p for p in (f"{public.held_on:%Y-%m-%d}", public.university, public.city) if p)))
if (closed := public.refusal(clock.now())) is not None:
    st.info(md(closed))
    st.stop()
if (done := st.session_state.get(DONE)) is not None:
    st.success(md(done))
    if st.button("再填一份报名", key="signup_again"):
        st.session_state.pop(DONE, None)
        st.rerun()
    st.stop()
st.caption(f"带 * 的为必填项；报名截止：{public.closes_at:%Y-%m-%d %H:%M}。")
signup_form(public, token or "")
