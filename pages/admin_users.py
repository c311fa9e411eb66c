"""用户管理 (admin): accounts, roles, enclave scope, lockouts, password resets."""
from __future__ import annotations

import polars as pl
import streamlit as st

from db import exports, programmes, users
from db.enums import Role
from db.errors import DomainError
from pages._widgets import cursor, export_buttons, flash, fresh_key, gate, renew_form, show_error, show_flash, table

actor = gate(__file__)
cur = cursor()
st.title("用户管理")
enclaves = programmes.list_enclaves(cur)
enclave_names = dict(zip(enclaves["id"].to_list(), enclaves["name"].to_list()))
roles = list(Role.labels())

accounts = users.list_users(cur, actor)
USER_COLUMNS = {"username": "用户名", "display_name": "姓名", "role_label": "角色", "enclave_name": "所属飞地",
                "active_label": "状态", "failed_attempts": "连续失败次数", "locked_until": "锁定至",
                "last_login_at": "最近登录", "created_at": "创建时间"}
shown = accounts.with_columns(
    pl.col("role").replace_strict(Role.labels(), default=pl.col("role")).alias("role_label"),
    pl.when(pl.col("active")).then(pl.lit("启用")).otherwise(pl.lit("已停用")).alias("active_label"),
)
table(
    shown.select(*USER_COLUMNS),
    column_config={
        "username": "用户名", "display_name": "姓名", "role_label": "角色", "enclave_name": "所属飞地",
        "active_label": "状态", "failed_attempts": "连续失败次数",
        "locked_until": st.column_config.DatetimeColumn("锁定至", format="YYYY-MM-DD HH:mm"),
        "last_login_at": st.column_config.DatetimeColumn("最近登录", format="YYYY-MM-DD HH:mm"),
        "created_at": st.column_config.DatetimeColumn("创建时间", format="YYYY-MM-DD"),
    },
)

with st.expander("导出账号列表"):
    export_buttons(lambda c: exports.prepare(c, actor, users.list_users(c, actor).with_columns(
        pl.col("role").replace_strict(Role.labels(), default=pl.col("role")).alias("role_label"),
        pl.when(pl.col("active")).then(pl.lit("启用")).otherwise(pl.lit("已停用")).alias("active_label")),
        what="账号列表", headers=USER_COLUMNS), file_stem="账号列表", key="users_export")

show_flash()
new_tab, edit_tab = st.tabs(["新建账号", "修改 / 解锁 / 重置密码"])
# Not cleared on submit: a refused account keeps what was typed (the password too, for this one form);
# a created one gets a blank copy of the form.
k = fresh_key("new_user")
with new_tab, st.form(f"{k}_form", clear_on_submit=False):
    a, b = st.columns(2)
    username = a.text_input("用户名（英文）", key=f"{k}_name")
    display = b.text_input("姓名", key=f"{k}_display")
    role = a.selectbox("角色", roles, format_func=Role.label_of, key=f"{k}_role")
    enclave = b.selectbox("所属飞地（招才专员必填）", [None, *enclave_names], key=f"{k}_enclave",
                          format_func=lambda e: "—" if e is None else enclave_names[e])
    password = a.text_input("初始密码（至少 8 个字符）", type="password", key=f"{k}_password")
    if st.form_submit_button("创建账号", type="primary"):
        try:
            users.create_user(cur, actor, username=username, display_name=display, role=role,
                              password=password, enclave_id=enclave)
        except DomainError as error:
            show_error(error)
        else:
            renew_form("new_user")
            flash(f"已创建账号 {username}。")
            st.rerun()

with edit_tab:
    ids = accounts["id"].to_list()
    labels = dict(zip(ids, (f"{u}（{d}）" for u, d in zip(accounts["username"], accounts["display_name"]))))
    chosen = st.selectbox("选择账号", ids, format_func=labels.get)
    if chosen is not None:
        row = accounts.filter(accounts["id"] == chosen).row(0, named=True)
        with st.form("edit_user"):
            a, b = st.columns(2)
            display = a.text_input("姓名", value=row["display_name"])
            role = b.selectbox("角色", roles, index=roles.index(row["role"]), format_func=Role.label_of)
            options = [None, *enclave_names]
            enclave = a.selectbox("所属飞地", options, index=options.index(row["enclave_id"]),
                                  format_func=lambda e: "—" if e is None else enclave_names[e])
            active = b.checkbox("启用", value=row["active"])
            if st.form_submit_button("保存修改", type="primary"):
                try:
                    users.update_user(cur, actor, chosen, display_name=display, role=role, enclave_id=enclave,
                                      active=active)
                except DomainError as error:
                    show_error(error)
                else:
                    flash("已保存。角色、飞地或启用状态变化后，该用户需重新登录。")
                    st.rerun()
        a, b = st.columns(2)
        with a.form("reset_password", clear_on_submit=True):
            new_password = st.text_input("新密码（至少 8 个字符）", type="password")
            if st.form_submit_button("重置密码"):
                try:
                    users.reset_password(cur, actor, chosen, new_password)
                    st.success("密码已重置，锁定已解除，该用户的已登录会话已失效。")
                except DomainError as error:
                    show_error(error)
        if row["locked_until"] is not None and b.button("解除锁定", key="unlock"):
            users.unlock(cur, actor, chosen)
            flash("已解除锁定。")
            st.rerun()
