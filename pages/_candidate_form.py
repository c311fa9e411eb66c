"""The candidate form shared by 新建候选人 and the detail screen's 编辑 tab."""
from __future__ import annotations

import streamlit as st

from db import candidates, limits, programmes, universities
from db.candidate_commands import CandidateDraft
from db.clock import today
from db.enums import Channel, Degree, TalentCategory
from db.permissions import User
from db.sql import Cursor
from pages._text import md
from pages._widgets import school_picker

NONE = None
AUTO = "自动（按学历和年龄）"


def _pick(label: str, options: dict, value, *, key: str, help: str | None = None):  # type: ignore[no-untyped-def]
    keys = [None, *options]
    return st.selectbox(label, keys, index=keys.index(value) if value in keys else 0, key=key, help=help,
                        format_func=lambda k: "—" if k is None else options[k])


def candidate_form(cur: Cursor, user: User, *, key: str, initial: CandidateDraft | None = None,
                   submit_label: str = "保存") -> CandidateDraft | None:
    """Render the form; returns the draft when submitted (validation happens in db/)."""
    d = initial or CandidateDraft(name="", channel=Channel.OTHER, enclave_id=user.enclave_id,
                                  owner_id=user.id if user.role != "admin" else None)
    school_id = school_picker(cur, key=key, initial=d.university_id)
    enclaves = programmes.list_enclaves(cur)
    enclave_names = dict(zip(enclaves["id"].to_list(), enclaves["name"].to_list()))
    drives = programmes.list_drives(cur)
    agreements = programmes.list_agreements(cur)
    owners = candidates.owners(cur)
    year = today().year
    with st.form(key, clear_on_submit=False):
        st.markdown("**基本信息**")
        a, b, c = st.columns(3)
        name = a.text_input("姓名 *", value=d.name, key=f"{key}_name", max_chars=limits.CANDIDATE_TEXT["name"])
        gender = b.selectbox("性别", [None, "男", "女"], index=[None, "男", "女"].index(d.gender),
                             format_func=lambda g: "—" if g is None else g, key=f"{key}_gender")
        # Years without min/max: Streamlit's own range message is English; db/ says it in Chinese.
        birth_year = c.number_input("出生年份", value=d.birth_year, step=1, placeholder="如 2001", key=f"{key}_birth")
        mobile = a.text_input("手机", value=d.mobile or "", key=f"{key}_mobile",
                              help="可带 +86、空格、横线或全角数字；境外号码请写国家区号，如 +44 20 7946 0958")
        email = b.text_input("邮箱", value=d.email or "", key=f"{key}_email", max_chars=limits.CANDIDATE_TEXT["email"])
        st.markdown("**教育背景**")
        a, b, c = st.columns(3)
        a.markdown(f"学校（在上方查找选择）  \n**{md(universities.name_of(cur, school_id) or '未选')}**")
        school_raw = b.text_input("学校名称（查不到时照原样填写）", value="" if d.university_id else (d.university_raw or ""),
                                  key=f"{key}_school_raw", max_chars=limits.CANDIDATE_TEXT["university_raw"])
        college = c.text_input("学院", value=d.college or "", key=f"{key}_college",
                               max_chars=limits.CANDIDATE_TEXT["college"])
        a, b, c, d2 = st.columns(4)
        major = a.text_input("专业", value=d.major or "", key=f"{key}_major", max_chars=limits.CANDIDATE_TEXT["major"])
        degree_options = [None, *Degree.labels()]
        degree = b.selectbox("学历", degree_options, index=degree_options.index(d.degree),
                             format_func=lambda x: "—" if x is None else x, key=f"{key}_degree")
        # A column each (not two in one): at 1366 px a nested pair cut "2026" to "202".
        grad_year = c.number_input("毕业年份", value=d.graduation_year, step=1, placeholder=f"如 {year}",
                                   key=f"{key}_gy")
        grad_month = d2.selectbox("毕业月份", [None, *range(1, 13)],
                                  index=[None, *range(1, 13)].index(d.graduation_month),
                                  format_func=lambda m: "—" if m is None else f"{m} 月", key=f"{key}_gm")
        st.markdown("**来源与归属**")
        a, b, c = st.columns(3)
        channel = a.selectbox("来源渠道 *", list(Channel.labels()), index=list(Channel.labels()).index(d.channel),
                              format_func=Channel.label_of, key=f"{key}_channel")
        with b:
            category = _pick("人才类别", TalentCategory.labels(), d.talent_category, key=f"{key}_cat",
                             help=f"留空即{AUTO}推算；高能人才、高层次人才需手动指定")
        drive = c.selectbox("来源校园招聘", [None, *drives["id"].to_list()],
                            index=[None, *drives["id"].to_list()].index(d.source_drive_id),
                            format_func=lambda i: "—" if i is None else drives.filter(drives["id"] == i)["title"][0],
                            key=f"{key}_drive")
        a, b, c = st.columns(3)
        with a:
            source_enclave = _pick("来源飞地", enclave_names, d.source_enclave_id, key=f"{key}_senclave")
        with b:
            agreement = _pick("来源协议", dict(zip(agreements["id"].to_list(), agreements["title"].to_list())),
                              d.source_agreement_id, key=f"{key}_agreement")
        with c:
            if user.is_recruiter:
                st.text_input("所属飞地", value=enclave_names.get(user.enclave_id, ""), disabled=True, key=f"{key}_encl_ro")
                enclave = user.enclave_id
            else:
                enclave = _pick("所属飞地（空 = 市本级）", enclave_names, d.enclave_id, key=f"{key}_enclave")
        a, b, c = st.columns(3)
        with a:
            owner = _pick("负责人", dict(zip(owners["id"].to_list(), owners["display_name"].to_list())), d.owner_id,
                          key=f"{key}_owner")
        st.markdown("**个人信息授权（必填）与跟进**")
        a, b, c = st.columns(3)
        consent_method = a.text_input("授权取得方式 *", value=d.consent_method or "", key=f"{key}_cm",
                                      placeholder="如：线上报名表勾选同意 / 纸质登记表签字",
                                      max_chars=limits.CANDIDATE_TEXT["consent_method"])
        consent_purpose = b.text_input("使用目的 *", value=d.consent_purpose or "平湖人才招引与就业服务", key=f"{key}_cp",
                                       max_chars=limits.CANDIDATE_TEXT["consent_purpose"])
        follow_up = c.date_input("下次跟进日期", value=d.next_follow_up_on, key=f"{key}_fu")
        tags = st.multiselect("标签", sorted(set(candidates.tags(cur)) | set(d.tags)), default=list(d.tags),
                              accept_new_options=True, key=f"{key}_tags", placeholder="选择或输入新标签后回车",
                              max_selections=20)
        notes = st.text_area("备注", value=d.notes or "", key=f"{key}_notes", max_chars=limits.CANDIDATE_TEXT["notes"])
        submitted = st.form_submit_button(submit_label, type="primary")
    if not submitted:
        return None
    return CandidateDraft(
        name=name, mobile=mobile or None, email=email or None, gender=gender,
        birth_year=int(birth_year) if birth_year else None, university_id=school_id,
        university_raw=school_raw or None, college=college or None, major=major or None, degree=degree,
        graduation_year=int(grad_year) if grad_year else None, graduation_month=int(grad_month) if grad_month else None,
        talent_category=category, channel=channel, source_enclave_id=source_enclave, source_drive_id=drive,
        source_agreement_id=agreement, enclave_id=enclave, owner_id=owner, consent_method=consent_method or None,
        consent_purpose=consent_purpose or None, next_follow_up_on=follow_up, notes=notes or None, tags=tuple(tags),
    )
