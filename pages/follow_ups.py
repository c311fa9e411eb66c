"""待跟进: a recruiter's follow-ups overdue, due today and in the next 7 days, and the hires whose retention
check is due."""
from __future__ import annotations

import polars as pl
import streamlit as st

from db import activities, analytics, clock, exports, pipeline, retention, stage_rules
from db.connection import database_path
from db.enums import ActivityKind, Stage
from db.errors import DomainError
from db.permissions import User
from db.sql import Cursor
from pages._pipeline_panel import KINDS, flash, show_flash
from pages._widgets import cursor, export_buttons, fresh_key, gate, renew_form, show_error, table

SCOPE = "follow_ups"


@st.cache_data(ttl=300, max_entries=32, show_spinner="正在查找到期的留平回访……")
def retention_due(_cur: Cursor, _user: User, db: str, who: tuple, today: object, version: tuple) -> pl.DataFrame:
    # Keyed by database, user and data version (every command audits), so a recorded check shows at once.
    return retention.retention_due(_cur, _user)


UPCOMING_DAYS = 7
FOLLOW_UP_COLUMNS = {
    "name": "姓名", "mobile": "手机", "stage_label": "阶段", "next_follow_up_on": "约定跟进", "due": "到期",
    "last_kind_label": "上次沟通", "last_on": "上次日期", "last_body": "上次内容", "owner": "负责人", "enclave": "飞地",
}


def when_due(days_overdue: int) -> str:
    if days_overdue > 0:
        return f"逾期 {days_overdue} 天"
    return "今天" if days_overdue == 0 else f"{-days_overdue} 天后"


user = gate(__file__)
cur = cursor()
st.title("待跟进")
show_flash(SCOPE)
scopes = {"mine": "我负责的", "enclave": "本飞地"} if user.is_recruiter else {"mine": "我负责的", "all": "全部"}
scope = st.radio("范围", list(scopes), format_func=scopes.get, horizontal=True, key="follow_ups_scope")
due = activities.follow_ups(cur, user, scope=scope, within_days=UPCOMING_DAYS)
due = due.with_columns(pl.col("days_overdue").map_elements(when_due, return_dtype=pl.String).alias("due"))
checks = retention_due(cur, user, str(database_path().resolve()), (user.id, user.role, user.enclave_id),
                       clock.today(), analytics.data_version(cur))
overdue = due.filter(pl.col("days_overdue") > 0).height
upcoming = due.filter(pl.col("days_overdue") < 0).height
checks_total = int(checks["total"][0]) if checks.height else 0
a, b, c, d = st.columns(4)
a.metric("今天到期", f"{due.height - overdue - upcoming:,} 人")
b.metric("已逾期", f"{overdue:,} 人")
c.metric(f"未来 {UPCOMING_DAYS} 天", f"{upcoming:,} 人", help="约定在今后 7 天内跟进的人员，可提前处理")
d.metric("留平回访待登记", f"{checks_total:,} 人", help="到岗满 6、12、36 个月、尚未登记回访的人员（招才专员：本飞地）")

follow_tab, retention_tab = st.tabs([f"跟进（{due.height:,}）", f"留平回访（{checks_total:,}）"])
with follow_tab:
    if due.height == 0:
        st.info(f"今天没有到期或逾期的跟进，未来 {UPCOMING_DAYS} 天也没有约定的跟进。在候选人详情中记录沟通时可约定下次跟进日期。")
    else:
        table(due.select(*FOLLOW_UP_COLUMNS), column_config={
            **FOLLOW_UP_COLUMNS, "next_follow_up_on": st.column_config.DateColumn("约定跟进"),
            "last_on": st.column_config.DateColumn("上次日期")})
        with st.expander("导出本列表"):
            export_buttons(lambda c: exports.prepare(
                c, user, activities.follow_ups(c, user, scope=scope, within_days=UPCOMING_DAYS).with_columns(
                    pl.col("days_overdue").map_elements(when_due, return_dtype=pl.String).alias("due")),
                what="待跟进名单", headers=FOLLOW_UP_COLUMNS, filters={"范围": scopes[scope]}),
                file_stem="待跟进", key="follow_ups_export")
        people = {r["id"]: f"{r['name']}（{when_due(r['days_overdue'])}）" for r in due.iter_rows(named=True)}
        chosen = st.selectbox("处理跟进", list(people), format_func=people.get, key="follow_ups_person")
        k = fresh_key("follow_ups")
        with st.form(f"{k}_done", clear_on_submit=False):
            left, right = st.columns(2)
            kind = left.selectbox("沟通方式", KINDS, index=KINDS.index(ActivityKind.CALL),
                                  format_func=ActivityKind.label_of)
            next_on = right.date_input("下次跟进日期（不填则结束跟进）", value=None, key=f"{k}_next")
            note = st.text_area("沟通内容（可不填）", max_chars=activities.MAX_BODY, key=f"{k}_note")
            submitted = st.form_submit_button("完成跟进", type="primary")
        if submitted:
            try:
                activities.complete_follow_up(cur, user, chosen, next_on=next_on, note=note, kind=kind)
            except DomainError as error:
                show_error(error)
            else:
                renew_form("follow_ups")
                flash(SCOPE, f"已完成对{people[chosen].split('（')[0]}的跟进" + (f"，下次跟进 {next_on}。" if next_on else "。"))
                st.rerun()

with retention_tab:
    if checks.height == 0:
        st.info("没有到期的留平回访。")
    else:
        st.caption(f"按到期日排列，显示前 {checks.height:,} 条。到岗满 12 或 36 个月且仍在平湖的人员，登记后可标记为「留平1年+」。")
        table(
            checks.select("name", "mobile", "employer", "arrived_on", "months", "due_on", "days_overdue", "enclave"),
            column_config={"name": "姓名", "mobile": "手机", "employer": "企业",
                           "arrived_on": st.column_config.DateColumn("到岗日期"),
                           "months": st.column_config.NumberColumn("回访节点", format="%d 个月"),
                           "due_on": st.column_config.DateColumn("应回访日期"), "days_overdue": "逾期天数",
                           "enclave": "飞地"},
        )
        rows = {r["application_id"]: r for r in checks.iter_rows(named=True)}
        app_id = st.selectbox("登记回访", list(rows), key="follow_ups_check", format_func=lambda i: (
            f"{rows[i]['name']} · {rows[i]['employer'] or '—'} · {rows[i]['months']} 个月"))
        due_check = rows[app_id]
        with st.form("follow_ups_retention"):
            left, right = st.columns(2)
            checked_on = left.date_input("回访日期", value=clock.today())
            employed = right.checkbox("仍在该企业工作", value=True)
            in_pinghu = right.checkbox("仍在平湖", value=True)
            retain = right.checkbox("仍在平湖时，同时标记为「留平1年+」", value=True,
                                    disabled=due_check["months"] < 12 or due_check["stage"] != Stage.ARRIVED)
            note = left.text_input("回访备注", max_chars=stage_rules.MAX_TEXT)
            submitted = st.form_submit_button("登记回访", type="primary")
        if submitted:
            try:
                retention.record_retention_check(cur, user, app_id, months=due_check["months"], checked_on=checked_on,
                                                still_employed=employed, still_in_pinghu=in_pinghu, note=note)
            except DomainError as error:
                show_error(error)
            else:
                message = f"已登记{due_check['name']}到岗 {due_check['months']} 个月的留平回访。"
                try:
                    if retain and in_pinghu and due_check["months"] >= 12 and due_check["stage"] == Stage.ARRIVED:
                        pipeline.move_stage(cur, user, app_id, Stage.RETAINED,
                                            expected_version=due_check["version"] + 1)
                        message += "已标记为「留平1年+」。"
                except DomainError as error:
                    message += f"但未能标记为「留平1年+」：{error}"
                flash(SCOPE, message)
                st.rerun()
