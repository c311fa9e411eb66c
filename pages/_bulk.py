"""Bulk actions on the people selected in the 候选人 list: owner, tag, stage."""
from __future__ import annotations

import streamlit as st

from db import candidate_commands, candidates, clock, pipeline
from db.enums import Stage
from db.errors import DomainError
from db.permissions import Action, User, can
from db.sql import Cursor
from pages._pipeline_panel import lost_reason_inputs
from pages._widgets import show_error
from pages._text import md


def actions(cur: Cursor, user: User, selected: list[int]) -> None:
    if not can(user, Action.EDIT_CANDIDATES):
        st.caption(f"已选 {len(selected)} 人。您的角色只能查看，不能批量修改。")
        return
    st.markdown(f"**批量操作：已选 {len(selected)} 人**")
    owner_tab, tag_tab, stage_tab = st.tabs(["指定负责人", "添加标签", "变更阶段"])
    with owner_tab, st.form("bulk_owner"):
        owners = candidates.owners(cur)
        labels = dict(zip(owners["id"].to_list(), owners["display_name"].to_list()))
        owner = st.selectbox("负责人", list(labels), format_func=labels.get)
        if st.form_submit_button("指定"):
            _run(lambda: candidate_commands.bulk_assign_owner(cur, user, selected, owner), "负责人")
    with tag_tab, st.form("bulk_tag"):
        tag = st.text_input("标签", max_chars=candidate_commands.MAX_TAG_LENGTH)
        if st.form_submit_button("添加"):
            _run(lambda: candidate_commands.bulk_add_tag(cur, user, selected, tag), "标签")
    with stage_tab, st.form("bulk_stage"):
        target = st.selectbox("目标阶段", [s.value for s in Stage], format_func=Stage.label_of)
        note = st.text_input("备注（退回上一阶段时必填）")
        code, lost = lost_reason_inputs()
        effective_on = st.date_input("生效日期（实际发生的日期）", value=clock.today())
        if st.form_submit_button("变更"):
            try:
                result = pipeline.bulk_move(cur, user, selected, target, note=note or None, lost_reason=lost or None,
                                            lost_code=code, effective_on=effective_on)
                st.success(result.summary)
                for skip in result.skipped:
                    st.caption(f"跳过 {md(skip.name)}（编号 {skip.candidate_id}）：{md(skip.reason)}")
            except DomainError as error:
                show_error(error)


def _run(command, what: str) -> None:  # type: ignore[no-untyped-def]
    try:
        changed, skipped = command()
        st.success(f"已更新 {changed} 人的{what}。")
        if skipped:
            st.warning(f"{len(skipped)} 人不在您的权限范围内，未修改（编号 {', '.join(map(str, skipped[:20]))}）。")
    except DomainError as error:
        show_error(error)
