"""候选人详情: profile, applications and stages, activities, timeline, edit, deletion on request."""
from __future__ import annotations

import polars as pl
import streamlit as st

from db import candidate_commands, candidates, timeline
from db.candidate_commands import CandidateDraft
from db.enums import Channel, CoSupervisionOutcome, TalentCategory
from db.programmes import co_supervision
from db.errors import DomainError
from db.permissions import Action, can
from pages import _pipeline_panel
from pages._candidate_form import candidate_form
from pages._widgets import cursor, facts, flash, gate, open_candidate, selected_candidate, show_error, show_flash, table
from pages._text import md

user = gate(__file__)
cur = cursor()
# The id lives in the address (?id=…), so a refresh or a shared link opens the same person.
candidate_id = selected_candidate()
if candidate_id is None:
    st.title("候选人详情")
    st.info("请先在「候选人」列表中选择一位候选人。")
    st.page_link("pages/candidates.py", label="前往候选人列表", icon=":material/group:")
    st.stop()

reveal = st.session_state.get(f"reveal_{candidate_id}", False)
person = candidates.get(cur, user, candidate_id, reveal=reveal)
if person is None:
    st.title("候选人详情")
    st.error(f"编号 {candidate_id} 的候选人不存在。")
    st.stop()
st.title(md(person.name), anchor=False)
show_flash()
if person.merged_into:
    st.warning(f"该记录已合并到编号 {person.merged_into}。")
    if st.button("打开合并后的记录"):
        open_candidate(person.merged_into)
    st.stop()
if person.deleted_at:
    st.warning(f"该候选人已于 {person.deleted_at:%Y-%m-%d} 按本人要求删除（匿名化），仅保留统计所需的阶段记录。")
editable = candidates.may_edit(user, person.enclave_id) and person.deleted_at is None

head = st.columns([3, 2])
head[0].markdown(" · ".join(md(x) for x in (TalentCategory.label_of(person.talent_category), person.degree,
                                            person.university or person.university_raw, person.enclave or "市本级") if x))
if person.tags:
    head[0].markdown("标签：" + "、".join(md(t) for t in person.tags))
with head[1]:
    st.text(f"手机：{person.mobile or '—'}　邮箱：{person.email or '—'}")   # plain text: copied as it reads
    if person.contacts_masked and can(user, Action.VIEW_ALL_CONTACTS) and st.button("显示完整联系方式（记入审计）"):
        st.session_state[f"reveal_{candidate_id}"] = True
        st.rerun()

tabs = st.tabs(["概况", "投递与阶段", "跟进记录", "时间线", "编辑", "删除"])
with tabs[0]:
    a, b, c = st.columns(3)
    graduation = f"{person.graduation_year} 年" + (f" {person.graduation_month} 月" if person.graduation_month else "")
    facts(a, {"性别": person.gender, "出生年份": person.birth_year, "学院": person.college, "专业": person.major,
              "毕业": graduation if person.graduation_year else None})
    facts(b, {"来源渠道": Channel.label_of(person.channel), "来源飞地": person.source_enclave,
              "来源校招": person.source_drive, "来源协议": person.source_agreement})
    facts(c, {"负责人": person.owner, "下次跟进": person.next_follow_up_on,
              "建档": f"{person.created_at:%Y-%m-%d} · {person.created_by or '—'}"})
    facts(st, {"个人信息授权": person.consent_method or "未记录", "使用目的": person.consent_purpose,
               "授权时间": f"{person.consent_at:%Y-%m-%d}" if person.consent_at else None})
    if person.notes:
        st.markdown(f"**备注**：{md(person.notes)}")
    supervised = co_supervision.for_candidate(cur, user, candidate_id)
    if supervised.height:
        st.markdown("**联合培养**")
        table(supervised.with_columns(pl.col("outcome").replace_strict(CoSupervisionOutcome.labels()))
              .select("university", "employer", "kind", "enterprise_mentor", "university_mentor", "topic", "starts_on",
                      "expected_graduation", "proposal_on", "midterm_on", "defence_on", "outcome", "outcome_employer")
              .rename({"university": "高校", "employer": "企业", "kind": "类型", "enterprise_mentor": "企业导师",
                       "university_mentor": "高校导师", "topic": "课题", "starts_on": "开始", "expected_graduation": "预计毕业",
                       "proposal_on": "开题", "midterm_on": "中期", "defence_on": "答辩", "outcome": "去向",
                       "outcome_employer": "留平就业企业"}))
with tabs[1]:
    _pipeline_panel.applications_panel(cur, user, person)
with tabs[2]:
    _pipeline_panel.activity_panel(cur, user, person)
with tabs[3]:
    table(timeline.for_candidate(cur, user, candidate_id), empty="暂无记录。", column_config={
        "at": st.column_config.DatetimeColumn("时间", format="YYYY-MM-DD HH:mm"), "kind": "类型", "actor": "操作人",
        "text": "内容"})
with tabs[4]:
    editing = f"editing_{candidate_id}"
    if not editable:
        st.info("您只能查看该候选人：招才专员只能修改本飞地人员，管理者只读。")
    elif person.contacts_masked and not st.session_state.get(editing):
        # The form holds the real mobile and e-mail: showing them is a reveal, audited once, on request.
        st.caption("修改资料时表单会显示完整的手机号和邮箱，此次查看记入审计。")
        if st.button("修改资料", key=f"start_{editing}", type="primary"):
            st.session_state[editing] = True
            st.rerun()
    else:
        full = candidates.get(cur, user, candidate_id, reveal=True, purpose="修改资料时显示完整联系方式")
        draft = candidate_form(cur, user, key=f"edit_{candidate_id}", initial=CandidateDraft.from_candidate(full),
                               submit_label="保存修改")
        reason = st.text_input("若提示疑似重复，填写不是同一人的依据后再保存", key=f"dup_reason_{candidate_id}")
        if draft is not None:
            try:
                candidate_commands.update(cur, user, candidate_id, draft, expected_version=person.version,
                                          duplicate_reason=reason or None)
                flash("已保存修改。")
                st.rerun()
            except DomainError as error:
                show_error(error)
with tabs[5]:
    st.markdown("按《个人信息保护法》第四十七条，本人要求删除时：姓名替换、联系方式和个人信息清除、跟进内容删除，"
                "投递与阶段记录保留（统计口径不变）。此操作不可撤销。")
    if editable:
        with st.form(f"delete_{candidate_id}"):
            why = st.text_input("删除依据 *", placeholder="如：本人于 2026-11-20 电话要求删除")
            sure = st.checkbox("我确认已核实本人身份，且该操作不可撤销")
            if st.form_submit_button("按本人要求删除", type="primary"):
                if not sure:
                    st.error("请先勾选确认。")
                else:
                    try:
                        candidate_commands.delete_on_request(cur, user, candidate_id, reason=why)
                        flash("已按本人要求删除（匿名化）。")
                        st.rerun()
                    except DomainError as error:
                        show_error(error)
