"""扫码报名审核: a drive's sign-ups waiting in the staging area — committed through the importer's rules as
one import batch (undone here too), or rejected with a reason. HR and admins see every drive; a
recruiter the drives of their own enclave."""
from __future__ import annotations

import polars as pl
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


def pending_view(drive_id: int, pending: int, reveal: bool) -> None:
    found = signups.entries(cur, user, drive_id, state="pending", reveal=reveal)
    event = table(found.select(*COLUMNS), column_config=COLUMNS, on_select="rerun", selection_mode="multi-row",
                  key=f"signup_pending_{drive_id}", empty="没有待审核的报名。")
    if found.height == 0:
        return
    if pending > found.height:
        st.caption(f"列出最早的 {found.height} 条，共 {pending} 条待审核。")
    chosen = [int(found["id"][i]) for i in event.selection.rows] if event is not None else []
    label = f"入库选中的 {len(chosen)} 条" if chosen else f"全部入库（{pending} 条）"
    st.caption("不勾选时入库全部待审核报名；勾选表格左侧的行只处理这些。行号即报名编号：导入批次的拒绝与警告按它指认。")
    if st.button(label, type="primary", key=f"signup_commit_{drive_id}", icon=":material/input:"):
        try:
            with st.spinner("正在按导入规则入库……"):
                result = signup_commit.commit(cur, user, drive_id, chosen or None)
        except DomainError as error:
            show_error(error)
        else:
            flash(result.summary())
            st.rerun()
    with st.expander("拒绝选中的报名"):
        reason = st.text_input("拒绝原因 *", key=f"signup_reject_reason_{drive_id}", max_chars=200,
                               placeholder="如：测试数据；非本场学生")
        if st.button(f"拒绝选中的 {len(chosen)} 条", key=f"signup_reject_{drive_id}", disabled=not chosen):
            try:
                n = signups.reject(cur, user, drive_id, chosen, reason=reason)
            except DomainError as error:
                show_error(error)
            else:
                flash(f"已拒绝 {n} 条报名。")
                st.rerun()


def decided_view(drive_id: int, state: str, reveal: bool) -> None:
    found = signups.entries(cur, user, drive_id, state=state, reveal=reveal)
    extra = {"reasons": "原因", "batch_id": "导入批次"}
    table(found.select(*COLUMNS, *extra), column_config=COLUMNS | extra, empty=f"没有{STATES[state]}的报名。")


def batches_view(drive_id: int) -> None:
    batches = import_history.batches_of_drive(cur, user, drive_id)
    batches = batches.filter(pl.col("file_name").str.starts_with("扫码报名"))
    table(batches.rename({"id": "批次", "file_name": "名称", "imported_by": "入库人", "imported_at": "时间",
                          "read_rows": "报名", "inserted": "新增", "matched": "匹配", "rejected": "拒绝"}),
          empty="本场还没有扫码报名入库的批次。")
    if batches.height == 0 or not can(user, Action.IMPORT):
        return
    with st.expander("撤销一个入库批次"):
        st.caption("撤销删除该批次新增的人员和投递、还原补全的空白（含个人信息授权）；之后已有其他工作依赖的批次不能撤销。"
                   "撤销后这些报名回到待审核。")
        batch = st.selectbox("批次", batches["id"].to_list(), format_func=lambda b: f"#{b}", key=f"signup_undo_{drive_id}")
        sure = st.checkbox("我确认撤销该批次", key=f"signup_undo_ok_{drive_id}")
        if st.button("撤销", key=f"signup_undo_go_{drive_id}", disabled=not sure):
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
drives = signups.reviewable_drives(cur, user)
if drives.height == 0:
    st.info("没有可审核的扫码报名：请先在「校园招聘」某一场的「扫码报名」页开通报名链接。")
    st.stop()
ids = drives["id"].to_list()
labels = {r["id"]: f"{r['label']}（待审核 {r['pending']} 条）" for r in drives.iter_rows(named=True)}
asked = str(st.query_params.get("drive", ""))
drive_id = st.selectbox("校园招聘场次", ids, format_func=labels.get, key="signup_review_drive",
                        index=ids.index(int(asked)) if asked.isdigit() and int(asked) in ids else 0)
st.query_params["drive"] = str(drive_id)
figures = signups.counts(cur, user, drive_id)
for column, (label, key) in zip(st.columns(4), [("报名", "total"), *((v, k) for k, v in STATES.items())]):
    column.metric(label, f"{figures[key]:,} 条")
reveal = False
if can(user, Action.VIEW_ALL_CONTACTS) and not user.is_recruiter:
    reveal = st.toggle("显示完整联系方式（记入审计日志）", key="signup_reveal")
pending_tab, committed_tab, rejected_tab, batches_tab = st.tabs([*STATES.values(), "入库批次"])
with pending_tab:
    pending_view(drive_id, figures["pending"], reveal)
with committed_tab:
    decided_view(drive_id, "committed", reveal)
with rejected_tab:
    decided_view(drive_id, "rejected", reveal)
with batches_tab:
    batches_view(drive_id)
