"""Widgets of the 候选人 list: the filter panel and how the table's columns read."""
from __future__ import annotations

from typing import Any

import polars as pl
import streamlit as st

from db import candidates, programmes
from db.enums import Channel, Degree, Stage, TalentCategory
from db.permissions import User
from db.sql import Cursor

SORTS = {"updated_at": "最近更新", "created_at": "建档时间", "name": "姓名拼音", "graduation_year": "毕业年份"}
COLUMNS = {
    "id": st.column_config.NumberColumn("编号", format="%d"), "name": st.column_config.TextColumn("姓名"), "mobile": "手机", "email": "邮箱", "university": "学校",
    "degree": "学历", "graduation_year": st.column_config.NumberColumn("毕业年份", format="%d"),
    "category": "人才类别", "channel_label": "来源", "stage_label": "当前阶段", "enclave": "所属飞地",
    "owner": "负责人", "tags": "标签", "next_follow_up_on": st.column_config.DateColumn("下次跟进"),
    "updated_at": st.column_config.DatetimeColumn("更新时间", format="YYYY-MM-DD HH:mm"),
}


def _choice(label: str, options: dict[Any, str], key: str) -> Any:
    keys = [None, *options]
    return st.selectbox(label, keys, format_func=lambda k: "全部" if k is None else options[k], key=key)


def filters(cur: Cursor, user: User, *, key: str) -> dict[str, Any]:
    """The filter panel; returns only the filters that are set."""
    with st.expander("筛选条件", expanded=False):
        a, b, c, d = st.columns(4)
        enclaves = programmes.list_enclaves(cur)
        owners = candidates.owners(cur)
        drives = programmes.list_drives(cur)
        with a:
            enclave_id = _choice("所属飞地", dict(zip(enclaves["id"].to_list(), enclaves["name"].to_list())), f"{key}_enclave")
            channel = _choice("来源渠道", Channel.labels(), f"{key}_channel")
            stage = _choice("投递阶段", Stage.labels(), f"{key}_stage")
        with b:
            category = _choice("人才类别", TalentCategory.labels(), f"{key}_category")
            degree = _choice("学历", Degree.labels(), f"{key}_degree")
            year = st.number_input("毕业年份", value=None, step=1, placeholder="如 2025", key=f"{key}_year")
        with c:
            tag = _choice("标签", {t: t for t in candidates.tags(cur)}, f"{key}_tag")
            owner_id = _choice("负责人", dict(zip(owners["id"].to_list(), owners["display_name"].to_list())), f"{key}_owner")
            drive_id = _choice("校园招聘", dict(zip(drives["id"].to_list(), drives["title"].to_list())), f"{key}_drive")
        with d:
            created = st.date_input("建档日期", value=(), key=f"{key}_created")
            mine = st.checkbox("只看我负责的", key=f"{key}_mine") if user.role != "manager" else False
    chosen: dict[str, Any] = {
        "enclave_id": enclave_id, "channel": channel, "stage": stage, "talent_category": category, "degree": degree,
        "graduation_year": int(year) if year else None, "tag": tag, "owner_id": user.id if mine else owner_id,
        "drive_id": drive_id,
    }
    if isinstance(created, tuple) and len(created) == 2:
        chosen["created_from"], chosen["created_to"] = created
    return {k: v for k, v in chosen.items() if v is not None}


def readable(page: pl.DataFrame) -> pl.DataFrame:
    """Codes → Chinese labels for display (blanks are shown as "—" by the table)."""
    return page.with_columns(
        pl.col("talent_category").replace_strict(TalentCategory.labels(), default=None).alias("category"),
        pl.col("channel").replace_strict(Channel.labels(), default=None).alias("channel_label"),
        pl.col("stage").replace_strict(Stage.labels(), default=None).alias("stage_label"),
    )
