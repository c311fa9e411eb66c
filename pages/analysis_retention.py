"""留平: of each year's hires, how many the 6-, 12- and 36-month checks found still in Pinghu — by talent
category at arrival, enclave or employer, down to the people behind each figure."""
from __future__ import annotations

import streamlit as st

from db import programmes
from db import retention_figures as rf
from pages import _analysis as an
from pages import _analysis_cache as cached
from pages._text import md
from pages._widgets import cursor, gate, table

PAGE_SIZE = 50
GROUP_COLUMNS = {
    "group_label": st.column_config.TextColumn("分组"),
    "hires": st.column_config.NumberColumn("到岗", format="localized"),
    "due": st.column_config.NumberColumn("应回访", format="localized", help="到岗满该月数、已到回访时间的人数"),
    "stayed": st.column_config.NumberColumn("留平", format="localized"),
    "left": st.column_config.NumberColumn("离开", format="localized"),
    "overdue": st.column_config.NumberColumn("逾期未回访", format="localized", help="已到回访时间仍无结论：不算离开"),
    "rate": st.column_config.ProgressColumn("留平率", format="percent", min_value=0.0, max_value=1.0,
                                            help="留平 ÷（留平 + 离开）"),
}
PEOPLE_COLUMNS = {"name": "姓名", "mobile": "手机", "email": "邮箱", "category": "人才类别（到岗时）", "enclave": "所属飞地",
                  "employer": "企业", "arrived_on": "到岗日期", "due_on": "应回访日期", "outcome": "回访结论",
                  "checked_on": "回访日期"}

user = gate(__file__)
cur = cursor()
st.title("留平")
head = st.columns([1, 1, 2])
year = an.year_picker(cur, user, key="retention_year", label="到岗年度", where=head[0])
by = head[1].selectbox("分组", list(rf.GROUP_LABELS), format_func=rf.GROUP_LABELS.get, key="retention_by")
head[2].caption(f"统计范围：{md(programmes.scope_name(cur, user))}。")

grouped_all = cached.retention(cur, user, year, by)
overall = rf.totals(grouped_all)
for column, row in zip(st.columns(len(rf.MILESTONES)), overall.iter_rows(named=True)):
    with column, st.container(border=True):
        rate = "—" if row["rate"] is None else f"{row['rate']:.1%}"
        st.metric(f"到岗 {row['months']} 个月留平率", rate)
        st.caption(f"到岗 {row['hires']:,} 人；应回访 {row['due']:,}：留平 {row['stayed']:,}、离开 {row['left']:,}、"
                   f"逾期未回访 {row['overdue']:,}")
if grouped_all.height == 0:
    st.caption(f"{year} 年尚无到岗记录。")
st.caption(rf.CAPTION)

st.subheader(f"按{rf.GROUP_LABELS[by]}")
months = st.radio("回访节点", rf.MILESTONES, format_func=lambda m: f"到岗 {m} 个月", horizontal=True,
                  key="retention_months")
grouped = grouped_all.filter(months=months)
table(grouped.select(*GROUP_COLUMNS), column_config=GROUP_COLUMNS, empty="该年度没有到岗记录。")

st.subheader("人员明细")
a, b, c = st.columns([2, 1, 1])
groups = dict(zip(grouped["group_key"].to_list(), grouped["group_label"].to_list()))
group = a.selectbox(rf.GROUP_LABELS[by], [None, *groups], format_func=lambda k: "全部" if k is None else groups[k],
                    key=f"retention_group_{by}")
outcome = b.selectbox("回访结论", [None, *rf.OUTCOMES], format_func=lambda o: "全部应回访" if o is None else rf.OUTCOMES[o],
                      key="retention_outcome")
page_no = c.number_input("页码", min_value=1, value=1, step=1, key="retention_page")
found = cached.retention_people(cur, user, year, months=months, by=by, group_key=group, outcome=outcome,
                                offset=(int(page_no) - 1) * PAGE_SIZE, limit=PAGE_SIZE)
pages = max(1, -(-found.total // PAGE_SIZE))
st.caption(f"到岗 {months} 个月、已到回访时间的 {found.total:,} 人，第 {int(page_no)} / {pages} 页，每页 {PAGE_SIZE} 人。"
           + ("（联系方式按权限脱敏）" if found.rows.height and found.rows["masked"].any() else ""))
table(found.rows.select(*PEOPLE_COLUMNS), column_config=PEOPLE_COLUMNS, empty="没有符合条件的人员。")
