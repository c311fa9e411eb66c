"""扫码报名审核: the sign-ups of a drive or an event waiting in the staging area — committed through the
importer's rules as one import batch (undone here too), or rejected with a reason. HR and admins see
every drive and event; a recruiter the drives of their own enclave."""
from __future__ import annotations

import streamlit as st

from db import import_history, signups
from db.errors import DomainError
from db.permissions import Action, can
from loaders import signups as signup_commit
from pages._widgets import cursor, flash, gate, show_error, show_flash, table

COLUMNS = {"id": "报名编号", "submitted_at": "提交时间", "name": "姓名", "mobile": "手机", "email": "邮箱",
           "school": "学校（填写）", "matched": "匹配高校", "major": "专业", "degree": "学历", "graduation": "毕业",
           "employers": "意向企业"}
STATES = {"pending": "待审核", "committed": "已入库", "rejected": "已拒绝"}


def pending_view(at: signups.Occasion, pending: int, reveal: bool) -> None:
    key = f"{at.kind}_{at.id}"
    found = signups.entries(cur, user, at, state="pending", reveal=reveal)
    event = table(found.select(*COLUMNS), column_config=COLUMNS, on_select="rerun", selection_mode="multi-row",
                  key=f"signup_pending_{key}", empty="没有待审核的报名。")
    if found.height == 0:
        return
    if pending > found.height:
        st.caption(f"列出最早的 {found.height} 条，共 {pending} 条待审核。")
    chosen = [int(found["id"][i]) for i in event.selection.rows] if event is not None else []
    label = f"入库选中的 {len(chosen)} 条" if chosen else f"全部入库（{pending} 条）"
    st.caption("不勾选时入库全部待审核报名；勾选表格左侧的行只处理这些。行号即报名编号：导入批次的拒绝与警告按它指认。")
    if st.button(label, type="primary", key=f"signup_commit_{key}", icon=":material/input:"):
        try:
            with st.spinner("正在按导入规则入库……"):
                result = signup_commit.commit(cur, user, at, chosen or None)
        except DomainError as error:
            show_error(error)
        else:
            flash(result.summary())
            st.rerun()
    with st.expander("拒绝选中的报名"):
        reason = st.text_input("拒绝原因 *", key=f"signup_reject_reason_{key}", max_chars=200,
                               placeholder="如：测试数据；非本场学生")
        if st.button(f"拒绝选中的 {len(chosen)} 条", key=f"signup_reject_{key}", disabled=not chosen):
            try:
                n = signups.reject(cur, user, at, chosen, reason=reason)
            except DomainError as error:
                show_error(error)
            else:
                flash(f"已拒绝 {n} 条报名。")
                st.rerun()


def decided_view(at: signups.Occasion, state: str, reveal: bool) -> None:
    found = signups.entries(cur, user, at, state=state, reveal=reveal)
    extra = {"reasons": "原因", "batch_id": "导入批次"}
    table(found.select(*COLUMNS, *extra), column_config=COLUMNS | extra, empty=f"没有{STATES[state]}的报名。")


def batches_view(at: signups.Occasion) -> None:
    key = f"{at.kind}_{at.id}"
    batches = signups.batches(cur, user, at)
    table(batches.rename({"id": "批次", "file_name": "名称", "imported_by": "入库人", "imported_at": "时间",
                          "read_rows": "报名", "inserted": "新增", "matched": "匹配", "rejected": "拒绝"}),
          empty="这里还没有扫码报名入库的批次。")
    if batches.height == 0 or not can(user, Action.IMPORT):
        return
    with st.expander("撤销一个入库批次"):
        st.caption("撤销删除该批次新增的人员和投递、还原补全的空白（含个人信息授权）；之后已有其他工作依赖的批次不能撤销。"
                   "撤销后这些报名回到待审核。")
        batch = st.selectbox("批次", batches["id"].to_list(), format_func=lambda b: f"#{b}", key=f"signup_undo_{key}")
        sure = st.checkbox("我确认撤销该批次", key=f"signup_undo_ok_{key}")
        if st.button("撤销", key=f"signup_undo_go_{key}", disabled=not sure):
            try:
                done = import_history.undo(cur, user, batch)
            except DomainError as error:
                show_error(error)
            else:
                flash(f"已撤销批次 #{batch}：删除 {done.deleted_candidates} 名新增人员、{done.deleted_applications} 份投递。")
                st.rerun()


user = gate(__file__)
cur = cursor()
st.title("扫码报名审核")
show_flash()
st.caption("手机扫码提交的报名先在这里等待审核。入库按文件导入的同一套规则：规范化，不合格的拒绝并写明原因，批内和库内去重，"
           "已有人员只补空白、不覆盖；每次入库是一个导入批次，可以整体撤销。")
found = signups.reviewable(cur, user)
if found.height == 0:
    st.info("没有可审核的扫码报名：请先在「校园招聘」某一场或「人才活动」某一场的「扫码报名」页开通报名链接。")
    st.stop()
occasions = [signups.Occasion(k, i) for k, i in zip(found["kind"].to_list(), found["id"].to_list())]
labels = {o: f"{label}（待审核 {n} 条）" for o, label, n in zip(occasions, found["label"], found["pending"])}
asked = next((signups.Occasion(k, int(v)) for k in ("drive", "event")
              if (v := str(st.query_params.get(k, ""))).isdigit()), None)
at = st.selectbox("校园招聘场次或人才活动", occasions, format_func=labels.get, key="signup_review_at",
                  index=occasions.index(asked) if asked in occasions else 0)
for other in ("drive", "event"):
    st.query_params.pop(other, None)
st.query_params.update(at.query)
figures = signups.counts(cur, user, at)
for column, (label, key) in zip(st.columns(4), [("报名", "total"), *((v, k) for k, v in STATES.items())]):
    column.metric(label, f"{figures[key]:,} 条")
reveal = False
if can(user, Action.VIEW_ALL_CONTACTS) and not user.is_recruiter:
    reveal = st.toggle("显示完整联系方式（记入审计日志）", key="signup_reveal")
pending_tab, committed_tab, rejected_tab, batches_tab = st.tabs([*STATES.values(), "入库批次"])
with pending_tab:
    pending_view(at, figures["pending"], reveal)
with committed_tab:
    decided_view(at, "committed", reveal)
with rejected_tab:
    decided_view(at, "rejected", reveal)
with batches_tab:
    batches_view(at)
