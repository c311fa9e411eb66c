"""审计日志 (admin): who did what and when, filtered and paged in SQL."""
from __future__ import annotations

from datetime import timedelta

import streamlit as st

from db import audit, clock, exports, users
from pages._widgets import cursor, export_buttons, gate, table

PAGE = 50
actor = gate(__file__)
cur = cursor()
st.title("审计日志")

a, b, c, d = st.columns([2, 1, 1, 2])
text = a.text_input("搜索（详情、对象编号、修改前后内容）")
action = b.selectbox("操作", [None, *audit.actions(cur, actor)],
                     format_func=lambda x: "全部" if x is None else audit.ACTION_LABELS.get(x, x))
who = c.selectbox("操作人", [None, "system", *users.usernames(cur)], format_func=lambda x: "全部" if x is None else x)
period = d.date_input("日期范围", value=(clock.today() - timedelta(days=30), clock.today()))
since, until = (period + (None,))[:2] if isinstance(period, tuple) else (period, None)
filters = dict(text=text, action=action, username=who, since=since, until=until)

total = audit.count(cur, actor, **filters)
pages = max(1, -(-total // PAGE))
page = st.number_input(f"页码（共 {pages} 页，{total:,} 条）", min_value=1, max_value=pages, value=1, step=1)
log = audit.readable(audit.search(cur, actor, **filters, offset=(page - 1) * PAGE, limit=PAGE))
AUDIT_COLUMNS = {"occurred_at": "时间", "actor": "操作人", "role_label": "角色", "action_label": "操作",
                 "entity_label": "对象", "entity_id": "对象编号", "detail": "详情", "changes": "变更内容"}
table(log.select(*AUDIT_COLUMNS), empty="没有符合条件的审计记录。", column_config={
    **AUDIT_COLUMNS, "occurred_at": st.column_config.DatetimeColumn("时间", format="YYYY-MM-DD HH:mm:ss")})
st.caption("审计日志只增不改：登录、退出、失败登录、新建、修改、合并、删除、导入、导出、备份都会记录。")
with st.expander("导出当前筛选结果"):
    export_buttons(lambda c: exports.prepare(
        c, actor, audit.readable(audit.search(c, actor, **filters, offset=0, limit=audit.EXPORT_LIMIT)),
        what="审计日志", headers=AUDIT_COLUMNS,
        filters={"搜索": text, "操作": audit.ACTION_LABELS.get(action or "", action), "操作人": who,
                 "起": since, "止": until}),
        file_stem="审计日志", key="audit_export", note=f"最多导出 {audit.EXPORT_LIMIT:,} 条；导出本身也记入审计日志。")
