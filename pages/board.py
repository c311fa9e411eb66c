"""流程看板: one employer's or one campus drive's applications by stage; recruiters move people from a card."""
from __future__ import annotations

from typing import Any

import streamlit as st

from db import pipeline, stage_rules
from db.enums import EXIT_STAGES, PIPELINE, Stage
from db.permissions import Action, can
from pages._pipeline_panel import forget_form, move_form, show_flash
from pages._widgets import cursor, gate
from pages._text import md

CARDS_PER_STAGE = 8
SCOPE = "board"
PICK = "board_pick"

# Nine columns at 1366 px with the sidebar open leave about 100 px a card: cards get less padding and a
# smaller caption so an 11-digit mobile and a date fit whole, and no line breaks mid-number. A longer line
# (a position's title) ends in "…"; the full text is on the person's detail screen. No user text in here.
CARD_STYLE = """<style>
[class*="st-key-board_card_"] { padding: 0.35rem 0.4rem !important; }
[class*="st-key-board_card_"] p { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
[class*="st-key-board_card_"] [data-testid="stCaptionContainer"] p { font-size: 0.72rem; letter-spacing: -0.01em; }
</style>"""

user = gate(__file__)
cur = cursor()
st.html(CARD_STYLE)
st.title("流程看板")
show_flash(SCOPE)

by = st.radio("看板范围", ["employer", "drive"], format_func={"employer": "按企业", "drive": "按校园招聘"}.get,
              horizontal=True, key="board_by")
choices = pipeline.employers(cur) if by == "employer" else pipeline.drives(cur)
if choices.height == 0:
    st.info("还没有企业。" if by == "employer" else "还没有校园招聘。")
    st.stop()
names = dict(zip(choices["id"].to_list(), choices[choices.columns[1]].to_list()))
left, right = st.columns([3, 1])
chosen = left.selectbox("企业" if by == "employer" else "校园招聘", list(names), format_func=names.get,
                        key=f"board_{by}")
own_only = user.is_recruiter and right.toggle("只看本飞地", value=True, key="board_own",
                                              help="其他飞地的人员只能查看（联系方式已脱敏），不能变更阶段。")
view = pipeline.board(
    cur, user, employer_id=chosen if by == "employer" else None, drive_id=chosen if by == "drive" else None,
    enclave_id=user.enclave_id if own_only else None, cards_per_stage=CARDS_PER_STAGE,
)
hint = "点卡片上的「变更」可推进、退回或结束一条投递。" if can(user, Action.EDIT_CANDIDATES) else "您的角色只能查看。"
st.caption(f"共 {view.total:,} 条投递。每列显示最近变更的 {CARDS_PER_STAGE} 张卡片。{hint}")


def picked_card() -> dict[str, Any] | None:
    """The card whose move form is open, as shown on this run (None once it left the board)."""
    app_id = st.session_state.get(PICK)
    found = view.cards.filter(view.cards["application_id"] == app_id) if app_id is not None else None
    if found is None or found.height == 0:
        st.session_state.pop(PICK, None)
        return None
    return found.row(0, named=True)


if (card := picked_card()) is not None:
    with st.container(border=True):
        where = (card["position"] or card["employer"]) if by == "employer" else card["employer"]
        st.markdown(f"**变更阶段：{md(card['name'])}**（{md(where or '—')} · 当前「{Stage.label_of(card['stage'])}」）")
        move_form(cur, user, card, key=f"board_app{card['application_id']}", scope=SCOPE,
                  on_done=lambda: st.session_state.pop(PICK, None))
        if st.button("取消", key="board_cancel"):
            st.session_state.pop(PICK, None)
            forget_form(f"board_app{card['application_id']}")
            st.rerun()


def show_card(card: dict[str, Any]) -> None:
    # Keyed containers carry the class st-key-<key>: CARD_STYLE keeps each line of a card on one line.
    with st.container(border=True, key=f"board_card_{card['application_id']}"):
        st.markdown(f"**{md(card['name'])}**")
        detail = card["position"] if by == "employer" else card["employer"]
        contact = card["mobile"] or card["email"]
        st.caption("  \n".join(md(line or "—") for line in (detail, contact, f"{card['moved_at']:%Y-%m-%d}")))
        if card["editable"] and Stage(card["stage"]) not in stage_rules.TERMINAL:
            if st.button("变更", key=f"board_pick_{card['application_id']}", width="stretch", help="变更阶段"):
                st.session_state[PICK] = card["application_id"]
                forget_form(f"board_app{card['application_id']}")
                st.rerun()


def show_column(stage: Stage) -> None:
    st.markdown(f"**{stage.label}**")
    st.caption(f"{view.counts[stage.value]:,} 人")
    for card in view.cards_in(stage.value).iter_rows(named=True):
        show_card(card)


for column, stage in zip(st.columns(len(PIPELINE), gap="xsmall"), PIPELINE):
    with column:
        show_column(stage)

exits = sum(view.counts[s.value] for s in EXIT_STAGES)
with st.expander(f"已结束：未通过 / 放弃（{exits:,}）"):
    for column, stage in zip(st.columns(len(EXIT_STAGES)), EXIT_STAGES):
        with column:
            show_column(stage)
