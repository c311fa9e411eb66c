"""总览: the year's figures against targets, drives, programmes, monthly hires, funnel, enclaves."""
from __future__ import annotations

import streamlit as st

from db import analytics, exports, programmes
from db.programmes import agreements
from db.enums import TalentCategory
from db.permissions import Action, can
from pages import _cache, _charts
from pages._text import md
from pages._widgets import cursor, due_list, export_buttons, figure, gate, progress_card, table

CARDS = (TalentCategory.YOUNG_PHD, TalentCategory.YOUNG_GRADUATE, TalentCategory.HIGH_SKILL, TalentCategory.HIGH_LEVEL)

user = gate(__file__)
cur = cursor()
st.title("总览")
years, default_year = _cache.years(cur, user)
head = st.columns([1, 3])
year = head[0].selectbox("年度", years, index=years.index(default_year), format_func=lambda y: f"{y} 年")
scope = programmes.scope_name(cur, user)
head[1].caption(f"统计范围：{md(scope)}。到岗人数按到岗当年计，一人一年一类只计一次。")

view = _cache.overview(cur, user, year)
st.info(md(analytics.report_text(view.headline, year=year, scope_name=scope)))
if can(user, Action.EDIT_CANDIDATES):
    due_list(cur, user)

st.subheader("人才引进")
cols = st.columns(len(CARDS))
for col, category in zip(cols, CARDS):
    with col:
        progress_card(category.label, view.hires[category], view.targets.get(category.value))

st.subheader("校园招聘（扬帆计划等）")
with st.container(border=True):
    cols = st.columns(5)
    with cols[0]:
        figure("场次", view.drives["drives"], unit="场")
    with cols[1]:
        figure("高校", view.drives["drive_universities"], unit="所")
    with cols[2]:
        figure("企业", view.drives["drive_employers"], unit="家")
    with cols[3]:
        figure("岗位", view.drives["drive_positions"], unit="个")
    with cols[4]:
        figure("签约意向", view.drives["drive_intents"], unit="人", help="参加当年校园招聘、达到「签约意向」及以后阶段的人数")
        goal = view.targets.get("drive_intents")
        if goal:
            st.progress(min(view.drives["drive_intents"] / goal, 1.0), text=f"目标 {goal:,} 人")

st.subheader("校地协议与人才项目")
with st.container(border=True):
    cols = st.columns(6)
    items = [("有效协议", view.agreements["active"], "份", None),
             ("90 天内到期", view.agreements["expiring"], "份", "以今天为准，90 天内到期、需要续签的协议"),
             ("合作高校", view.headline.agreement_universities, "所", "当年协议有效的合作高校"),
             ("联合培养研究生", view.headline.co_supervised, "名", None),
             ("科技副总", view.headline.tech_vp, "名", "当年新选派"),
             ("柔性引进", view.headline.flexible_high_level, "名", "当年新引进的高层次人才")]
    for col, (label, value, unit, tip) in zip(cols, items):
        with col:
            figure(label, value, unit=unit, help=tip)

expiring = agreements.expiring(cur, user)
if expiring.height:
    with st.expander(f"{agreements.EXPIRING_DAYS} 天内到期、尚未续签的协议（{expiring.height} 份）", expanded=not user.is_recruiter):
        table(expiring.select("title", "university", "kind", "ends_on", "days_left").rename({
            "title": "协议", "university": "高校", "kind": "类型", "ends_on": "到期日", "days_left": "剩余天数"}))
        st.page_link("pages/programme_agreements.py", label="前往院校协议续签", icon=":material/handshake:")

left, right = st.columns(2)
with left:
    st.subheader("每月到岗")
    if view.monthly["hires"].sum() == 0:
        st.caption(f"{year} 年尚无到岗记录。")
    else:
        st.altair_chart(_charts.monthly_hires(view.monthly), width="stretch")
with right:
    st.subheader("招聘漏斗")
    st.caption("当年跨过各阶段的人数（按投递记录的阶段变更统计）")
    st.altair_chart(_charts.funnel(view.funnel), width="stretch")

st.subheader("各飞地")
ENCLAVE_COLUMNS = {"name": "飞地", "city": "城市", "candidates": "新增候选人", "intents": "签约意向", "hires": "到岗",
                   "target": "到岗目标", "progress": "完成率"}
table(
    view.enclaves.select(*ENCLAVE_COLUMNS), empty="还没有飞地。",
    column_config={
        "name": st.column_config.TextColumn("飞地"),
        "city": st.column_config.TextColumn("城市"),
        "candidates": st.column_config.NumberColumn("新增候选人", format="localized"),
        "intents": st.column_config.NumberColumn("签约意向", format="localized"),
        "hires": st.column_config.NumberColumn("到岗", format="localized"),
        "target": st.column_config.NumberColumn("到岗目标", format="localized"),
        "progress": st.column_config.ProgressColumn("完成率", format="percent", min_value=0.0, max_value=1.0),
    },
)
if view.enclaves.height:
    with st.expander("导出各飞地统计"):
        export_buttons(lambda c: exports.prepare(c, user, view.enclaves, what="各飞地统计", headers=ENCLAVE_COLUMNS,
                                                 filters={"年度": year, "范围": scope}),
                       file_stem=f"各飞地统计-{year}", key="overview_enclaves_export")
