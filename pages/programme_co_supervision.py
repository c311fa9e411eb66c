"""联合培养: co-supervised graduate students (双导师制), milestones, and whether they stayed in Pinghu."""
from __future__ import annotations

import streamlit as st

from db import candidate_commands
from db.candidate_commands import CandidateDraft
from db.enums import Channel, CoSupervisionKind, CoSupervisionOutcome
from db.errors import DomainError
from db.permissions import Action, can
from db.programmes import co_supervision
from pages import _register as reg
from pages._widgets import cursor, flash, fresh_key, gate, open_candidate, renew_form, show_error, show_flash

REG = co_supervision.REGISTER

user = gate(__file__)
cur = cursor()
st.title("联合培养")
show_flash()
rate = co_supervision.stay_rate(cur, user)
a, b, c, d = st.columns(4)
a.metric("在培", f"{rate['pending']:,} 名")
b.metric("已结业", f"{rate['finished']:,} 名")
c.metric("留平就业", f"{rate['stayed']:,} 名")
d.metric("留平率", f"{rate['stayed'] / rate['finished']:.0%}" if rate["finished"] else "—",
         help="已结业学生中留在平湖企业就业的比例（去向待定的不计入）")
st.caption("学生须是候选人：先在下方「查找学生」中按姓名、学校或完整手机号查找；查不到时请先在「新建候选人」中建档"
           "（按查重规则）。企业导师和高校导师都必须填写。")
if reg.may_edit(user) and can(user, Action.EDIT_CANDIDATES):
    with st.expander("学生还不是候选人？先在这里建档", key="cosup_student_panel"):
        k = fresh_key("cosup_student")
        with st.form(f"{k}_form"):
            a, b, c = st.columns(3)
            name = a.text_input("姓名 *", key=f"{k}_name")
            mobile = b.text_input("手机", key=f"{k}_mobile")
            email = c.text_input("邮箱", key=f"{k}_email")
            school = a.text_input("学校", key=f"{k}_school")
            consent = b.text_input("授权取得方式 *", key=f"{k}_consent", placeholder="如：联培协议附件签字")
            reason = c.text_input("疑似重复时：不是同一人的依据", key=f"{k}_reason")
            if st.form_submit_button("建档", type="primary"):
                draft = CandidateDraft(name=name, mobile=mobile or None, email=email or None, university_raw=school or None,
                                       channel=Channel.JOINT_TRAINING, consent_method=consent or None,
                                       consent_purpose="平湖市联合培养与人才招引", owner_id=user.id)
                try:
                    created = candidate_commands.add(cur, user, draft, duplicate_reason=reason or None)
                except DomainError as error:
                    show_error(error)
                else:
                    # The student picker of the 新建 form then finds and preselects the new person.
                    st.session_state[f"{fresh_key('cosup_new')}_candidate_id_q"] = mobile or email or name
                    renew_form("cosup_student")
                    flash(f"已为学生建档（候选人编号 {created}），请在「新建联合培养」中选择。")
                    st.rerun()
reg.create_panel(cur, user, REG, key="cosup", initial={"outcome": "pending", "kind": "联培"})
a, b = st.columns(2)
outcome = a.selectbox("去向", [None, *CoSupervisionOutcome.labels()], key="cosups_outcome",
                      format_func=lambda x: "全部" if x is None else CoSupervisionOutcome.label_of(x))
kind = b.selectbox("类型", [None, *CoSupervisionKind.labels()], format_func=lambda x: "全部" if x is None else x,
                   key="cosups_kind")
row = reg.selected_row(cur, user, REG, reg.pick_from_list(cur, user, REG, key="cosups",
                                                         filters={"outcome": outcome, "kind": kind}))
if row is None:
    st.stop()

reg.heading(f"{row['candidate_id_name']} · {row['employer_id_name']}")
reg.details(REG, row)
if st.button("打开学生的候选人详情", key="cosup_open"):
    open_candidate(row["candidate_id"])
reg.edit_panel(cur, user, REG, row, key="cosup")
