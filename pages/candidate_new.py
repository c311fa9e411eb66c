"""新建候选人: create with validation; exact duplicates blocked, likely ones need a reason."""
from __future__ import annotations

import streamlit as st

from db import candidate_commands, duplicates
from db.errors import DomainError, DuplicateCandidate
from pages._candidate_form import candidate_form
from pages._text import md
from pages._widgets import cursor, fresh_key, gate, open_candidate, renew_form, show_error, table

user = gate(__file__)
cur = cursor()
st.title("新建候选人")
st.caption("手机号或邮箱与已有人员相同时不能保存；疑似重复（同名同校同届、姓名相近且手机尾号相同）需先核对并说明原因。")

if (created := st.session_state.get("new_candidate_created")) is not None:
    st.success(f"已保存，候选人编号 {created}。下面的表单已清空，可继续新建。")
    if st.button("查看该候选人", key="open_created", type="primary"):
        st.session_state.pop("new_candidate_created", None)
        open_candidate(created)

# A saved person gets a blank copy of the form (a new key: the browser would keep the old values).
draft = candidate_form(cur, user, key=fresh_key("new_candidate"), submit_label="保存候选人")
if draft is not None:
    st.session_state["new_candidate_draft"] = draft
    for stale in ("new_candidate_likely", "new_candidate_exact", "new_candidate_created"):
        st.session_state.pop(stale, None)
    try:
        created = candidate_commands.add(cur, user, draft)
        st.session_state["new_candidate_created"] = created
        st.session_state.pop("new_candidate_draft", None)
        renew_form("new_candidate")
        st.rerun()
    except duplicates.LikelyDuplicate as likely:
        st.session_state["new_candidate_likely"] = likely.found
    except DuplicateCandidate as exact:
        st.session_state["new_candidate_exact"] = (str(exact), exact.existing_id)
    except DomainError as error:
        show_error(error)

if (exact := st.session_state.get("new_candidate_exact")) is not None:
    st.error(md(exact[0]))
    if st.button("打开已有候选人", key="open_existing"):
        st.session_state.pop("new_candidate_exact", None)
        open_candidate(exact[1])

if (found := st.session_state.get("new_candidate_likely")) is not None:
    st.warning("可能与以下已有候选人重复，请先核对。若确认不是同一人，填写原因后仍可保存。")
    table(found, width="content", column_config={
        "id": "编号", "name": "姓名", "university": "学校", "graduation_year": "毕业年份",
        "mobile_last4": "手机尾号", "why": "疑似原因"})
    with st.form("duplicate_reason"):
        reason = st.text_input("不是同一人的依据 *", placeholder="如：出生年份不同；已电话核实为两人")
        go_on = st.form_submit_button("仍然保存")
    if go_on:
        try:
            created = candidate_commands.add(cur, user, st.session_state["new_candidate_draft"], duplicate_reason=reason)
            st.session_state["new_candidate_created"] = created
            st.session_state.pop("new_candidate_likely", None)
            st.session_state.pop("new_candidate_draft", None)
            renew_form("new_candidate")
            st.rerun()
        except DomainError as error:
            show_error(error)
