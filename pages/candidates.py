"""候选人: search, filter, sort and page through people; bulk actions; export."""
from __future__ import annotations

import streamlit as st

from db import candidate_commands, candidates
from pages import _bulk
from pages._candidate_list import COLUMNS, SORTS, filters, readable
from pages._widgets import cursor, export_buttons, gate, open_candidate, table

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
event = table(shown.select(*COLUMNS), empty="没有符合条件的候选人。", column_config=COLUMNS, on_select="rerun",
              selection_mode="multi-row", key="candidates_table")
selected = [shown["id"][i] for i in event.selection.rows] if event and event.selection else []

if len(selected) == 1 and st.button("打开所选候选人", type="primary", key="open_selected"):
    open_candidate(selected[0])
if selected:
    _bulk.actions(cur, user, selected)

with st.expander("导出当前筛选结果"):
    st.caption(f"最多导出 {candidate_commands.EXPORT_LIMIT:,} 行，联系方式已脱敏。")
    export_buttons(lambda c: candidate_commands.export_rows(c, user, text, **chosen), file_stem="候选人",
                   key="candidates_export")
    if candidate_commands.may_export_unmasked(user):
        st.markdown("**含完整联系方式**（仅管理者、人事/数据岗和管理员；每次下载都记入审计）")
        export_buttons(lambda c: candidate_commands.export_rows(c, user, text, unmasked=True, **chosen),
                       file_stem="候选人-完整联系方式", key="candidates_export_full")
