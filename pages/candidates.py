"""候选人: search, filter, sort and page through people; bulk actions; export."""
from __future__ import annotations

import streamlit as st

from db import candidate_commands, candidates
from db.errors import DomainError
from loaders import import_export
from pages import _bulk
from pages._candidate_list import COLUMNS, SORTS, filters, readable
from pages._widgets import cursor, gate, open_candidate, show_error

user = gate(__file__)
cur = cursor()
st.title("候选人")
text = st.text_input("搜索", placeholder="姓名 / 拼音（zhangwei）/ 首字母（zw）/ 手机号或后 4 位 / 邮箱 / 学校",
                     key="candidates_text")
chosen = filters(cur, user, key="candidates")
a, b, c, d = st.columns([2, 1, 2, 2])
sort = a.selectbox("排序", list(SORTS), format_func=SORTS.get, key="candidates_sort")
descending = b.toggle("倒序", value=True, key="candidates_desc")
reveal = (not user.is_recruiter) and d.toggle("显示完整联系方式（记入审计）", key="candidates_reveal")

total = candidates.count(cur, user, text, **chosen)
pages = max(1, -(-total // candidates.PAGE_SIZE))
page_no = c.number_input(f"页码（共 {pages:,} 页）", min_value=1, max_value=pages, value=1, step=1, key="candidates_page")
rows = candidates.search(cur, user, text, offset=(page_no - 1) * candidates.PAGE_SIZE, sort=sort,
                         descending=descending, reveal=reveal, **chosen)
st.caption(f"共 {total:,} 人，本页 {rows.height} 人。" + ("（其他飞地人员的联系方式已脱敏）" if user.is_recruiter else ""))
shown = readable(rows)
event = st.dataframe(shown.select(*COLUMNS), hide_index=True, width="stretch", column_config=COLUMNS,
                     on_select="rerun", selection_mode="multi-row", key="candidates_table")
selected = [shown["id"][i] for i in event.selection.rows] if event and event.selection else []

if len(selected) == 1 and st.button("打开所选候选人", type="primary", key="open_selected"):
    open_candidate(selected[0])
if selected:
    _bulk.actions(cur, user, selected)

with st.expander("导出当前筛选结果"):
    st.caption(f"最多导出 {candidate_commands.EXPORT_LIMIT:,} 行；单元格中的公式字符已转义，可放心用 Excel 打开。")
    masked = candidate_commands.export_rows(cur, user, text, **chosen) if st.toggle("生成导出文件", key="export_go") else None
    if masked is not None:
        st.download_button("下载 CSV（脱敏）", import_export.to_csv(masked), "候选人.csv", "text/csv", key="export_csv")
        st.download_button("下载 Excel（脱敏）", import_export.to_xlsx(masked, sheet="候选人"), "候选人.xlsx", key="export_xlsx")
        if candidate_commands.may_export_unmasked(user) and st.button("生成含完整联系方式的文件（记入审计）"):
            try:
                full = candidate_commands.export_rows(cur, user, text, unmasked=True, **chosen)
                st.download_button("下载 Excel（完整联系方式）", import_export.to_xlsx(full, sheet="候选人"),
                                   "候选人-完整.xlsx", key="export_full")
            except DomainError as error:
                show_error(error)
