"""Pipeline and activity widgets shared by the board, 待跟进 and the candidate detail screen."""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import polars as pl
import streamlit as st

from db import activities, candidates, clock, pipeline, stage_rules
from db.candidates import Candidate
from db.enums import ActivityKind, Stage
from db.errors import ConcurrentEdit, DomainError
from db.lost_reasons import LostReason
from db.permissions import User
from db.sql import Cursor
from pages._text import md
from pages._widgets import fresh_key, renew_form, show_error, table

_FLASH = "pipeline_flash"
KINDS = list(ActivityKind.labels())


def flash(scope: str, message: str) -> None:
    """Keep a success message for the next run (a successful command reruns the script)."""
    st.session_state[f"{_FLASH}_{scope}"] = message


def show_flash(scope: str) -> None:
    if message := st.session_state.pop(f"{_FLASH}_{scope}", None):
        st.success(md(message))   # messages quote names and other user text


def move_form(cur: Cursor, user: User, app: dict[str, Any], *, key: str, scope: str,
              on_done: Callable[[], None] | None = None) -> None:
    """Target stage, note and lost reason for one application; the rules are db/'s, errors shown in Chinese.
    `app` needs application_id (or id), stage, version; optionally name and retention_confirmed.
    After a move: `on_done()`, a success message under `scope`, and a rerun."""
    app_id = app.get("application_id", app.get("id"))
    current = Stage(app["stage"])
    if current in stage_rules.TERMINAL:
        st.caption(f"「{current.label}」是结束状态，不能再变更阶段；如需重新跟进，请新建一条投递。")
        return
    # The version the user saw when the form opened: a move made by someone else since is refused.
    held = st.session_state.setdefault(f"{key}_version", app["version"])
    allowed = stage_rules.allowed_targets(current, retention_confirmed=bool(app.get("retention_confirmed")))
    options = [s.value for s in Stage if s != current]
    forward = [s.value for s in allowed if s.rank > current.rank and not s.is_exit]
    # The next stage forward when there is one, else the first move allowed (at 已到岗: 已签约 back).
    preferred = forward[0] if forward else next((s.value for s in allowed), options[0])
    with st.form(f"{key}_move"):
        target = st.selectbox("目标阶段", options, index=options.index(preferred),
                              format_func=Stage.label_of, key=f"{key}_target")
        note = st.text_input("备注（退回上一阶段时必填）", key=f"{key}_note", max_chars=stage_rules.MAX_TEXT)
        code, lost = lost_reason_inputs(key)
        effective_on = st.date_input("生效日期（实际发生的日期）", value=clock.today(), key=f"{key}_on",
                                     help="统计按这一天计：如 12 月到岗、1 月才录入，请选 12 月的日期。不能晚于今天，"
                                          "也不能早于上一次阶段变更。")
        st.caption("当前「" + current.label + "」，可变更为：" + "、".join(s.label for s in allowed)
                   + "。只能退回上一阶段；「留平1年+」需先登记 12 或 36 个月留平回访。")
        submitted = st.form_submit_button("确认变更", type="primary")
    if not submitted:
        return
    try:
        pipeline.move_stage(cur, user, app_id, target, note=note, lost_reason=lost, lost_code=code,
                            expected_version=held, effective_on=effective_on)
    except ConcurrentEdit as error:
        show_error(error)
        forget_form(key)          # the next submit works on what the screen now shows
        return
    except DomainError as error:
        show_error(error)
        return
    forget_form(key)
    if on_done is not None:
        on_done()
    who = f"{app['name']}的投递" if app.get("name") else f"投递 #{app_id}"
    flash(scope, f"已将{who}从「{current.label}」变更为「{Stage.label_of(target)}」。")
    st.rerun()


def lost_reason_inputs(key: str | None = None) -> tuple[str | None, str]:
    """The coded lost reason (a select from the office's list) and its free text, for a move to 未通过 / 放弃."""
    codes = [None, *LostReason.labels()]
    code = st.selectbox("流失原因（标记为未通过或放弃时必选）", codes, key=None if key is None else f"{key}_code",
                        format_func=lambda c: "—" if c is None else LostReason.label_of(c))
    lost = st.text_input("流失原因说明（选「其他」时必填）", key=None if key is None else f"{key}_lost",
                         max_chars=stage_rules.MAX_TEXT)
    return code, lost


def forget_form(key: str) -> None:
    """Drop the version a move form holds, so it starts again from the application as shown."""
    st.session_state.pop(f"{key}_version", None)


def applications_panel(cur: Cursor, user: User, candidate: Candidate) -> None:
    """A person's applications with their stages; stage moves and a new application for editors."""
    scope = f"cand{candidate.id}_apps"
    show_flash(scope)
    apps = pipeline.applications(cur, user, candidate.id)
    if apps.height:
        table(
            apps.with_columns(pl.col("lost_code").replace_strict(LostReason.labels(), default=None).alias("lost_label"))
            .select("employer", "position", "drive", "stage_label", "lost_label", "lost_reason", "moved_at"),
            key=f"{scope}_table",
            column_config={"employer": "企业", "position": "岗位", "drive": "校园招聘", "stage_label": "当前阶段",
                           "lost_label": "流失原因", "lost_reason": "原因说明",
                           "moved_at": st.column_config.DatetimeColumn("最近变更", format="YYYY-MM-DD HH:mm")},
        )
    if not _editable(user, candidate):
        return
    open_apps = apps.filter(apps["is_open"])
    if open_apps.height:
        with st.expander("变更阶段"):
            labels = {r["id"]: f"{r['employer']} · {r['stage_label']}" for r in open_apps.iter_rows(named=True)}
            # Keyed by what the labels say: a browser keeps showing the old label of a box whose key stays.
            shown_as = "|".join(f"{i}:{r['stage']}" for i, r in zip(open_apps["id"], open_apps.iter_rows(named=True)))
            chosen = st.selectbox("投递", list(labels), format_func=labels.get,
                                  key=f"{scope}_pick_{hashlib.md5(shown_as.encode()).hexdigest()[:8]}")
            row = open_apps.filter(open_apps["id"] == chosen).row(0, named=True)
            move_form(cur, user, row | {"name": candidate.name}, key=f"app{chosen}", scope=scope)
    with st.expander("新建投递"):
        _open_application_form(cur, user, candidate, scope)


def _open_application_form(cur: Cursor, user: User, candidate: Candidate, scope: str) -> None:
    employers = pipeline.employers(cur)
    if employers.height == 0:
        st.caption("还没有企业：请先在项目管理中添加企业。")
        return
    names = dict(zip(employers["id"].to_list(), employers["name"].to_list()))
    employer = st.selectbox("企业", list(names), format_func=names.get, key=f"{scope}_employer")
    positions = pipeline.positions(cur, employer)
    titles = dict(zip(positions["id"].to_list(), positions["title"].to_list()))
    drives = pipeline.drives(cur)
    drive_titles = dict(zip(drives["id"].to_list(), drives["title"].to_list()))
    open_stages = [s.value for s in Stage if s not in stage_rules.TERMINAL]
    with st.form(f"{scope}_open"):
        position = st.selectbox("岗位（可不选）", [None, *titles], format_func=lambda p: "—" if p is None else titles[p])
        drive = st.selectbox("校园招聘（可不选）", [None, *drive_titles],
                             format_func=lambda d: "—" if d is None else drive_titles[d])
        stage = st.selectbox("起始阶段", open_stages, format_func=Stage.label_of)
        effective_on = st.date_input("生效日期（实际发生的日期）", value=clock.today(), key=f"{scope}_open_on")
        note = st.text_input("备注", max_chars=stage_rules.MAX_TEXT)
        if not st.form_submit_button("新建投递", type="primary"):
            return
    try:
        pipeline.open_application(cur, user, candidate.id, employer_id=employer, position_id=position,
                                  drive_id=drive, stage=stage, note=note, effective_on=effective_on)
    except DomainError as error:
        show_error(error)
        return
    flash(scope, f"已新建投递：{names[employer]}（{Stage.label_of(stage)}）。")
    st.rerun()


def activity_panel(cur: Cursor, user: User, candidate: Candidate) -> None:
    """The person's activity log, and a form to add a note, call, visit, WeChat or meeting."""
    scope = f"cand{candidate.id}_activity"
    show_flash(scope)
    if candidate.next_follow_up_on:
        st.caption(f"下次跟进：{candidate.next_follow_up_on}")
    if _editable(user, candidate):
        # Not cleared on submit: a refused entry keeps what was typed; a saved one gets a blank copy.
        k = fresh_key(scope)
        with st.form(f"{k}_log", clear_on_submit=False):
            a, b, c = st.columns(3)
            kind = a.selectbox("方式", KINDS, format_func=ActivityKind.label_of, key=f"{k}_kind")
            # No min/max on the pickers: Streamlit would answer an out-of-range date in English and keep
            # the old value; db/activities.py refuses it with a Chinese message instead.
            occurred_on = b.date_input("日期", value=clock.today(), key=f"{k}_on")
            follow_up_on = c.date_input("下次跟进日期（可不填）", value=None, key=f"{k}_next")
            body = st.text_area("内容", max_chars=activities.MAX_BODY, key=f"{k}_body")
            submitted = st.form_submit_button("记录", type="primary")
        if submitted:
            try:
                activities.log(cur, user, candidate.id, kind=kind, occurred_on=occurred_on, body=body,
                               follow_up_on=follow_up_on)
            except DomainError as error:
                show_error(error)
            else:
                renew_form(scope)
                flash(scope, f"已记录{ActivityKind.label_of(kind)}。")
                st.rerun()
    log = activities.for_candidate(cur, user, candidate.id)
    table(
        log.select("occurred_on", "kind_label", "body", "follow_up_on", "created_by_name"), empty="暂无沟通记录。",
        key=f"{scope}_table",
        column_config={"occurred_on": st.column_config.DateColumn("日期"), "kind_label": "方式", "body": "内容",
                       "follow_up_on": st.column_config.DateColumn("约定跟进"), "created_by_name": "记录人"},
    )


def _editable(user: User, candidate: Candidate) -> bool:
    return (candidates.may_edit(user, candidate.enclave_id) and candidate.deleted_at is None
            and candidate.merged_into is None)
