"""用户管理 (admin): accounts, roles, enclave scope, lockouts, password resets."""
from __future__ import annotations

import streamlit as st

from db import programmes, users
from db.enums import Role
from db.errors import DomainError
from pages._widgets import cursor, gate, show_error

actor = gate(__file__)
cur = cursor()
st.title("用户管理")
enclaves = programmes.enclaves(cur)
enclave_names = dict(zip(enclaves["id"].to_list(), enclaves["name"].to_list()))
roles = list(Role.labels())

accounts = users.list_users(cur, actor)
st.dataframe(
    accounts.drop("id", "enclave_id"),
    hide_index=True,
    width="stretch",
    column_config={
        "username": "用户名", "display_name": "姓名",
        "role": st.column_config.SelectboxColumn("角色", options=roles, format_func=Role.label_of),
        "enclave_name": "所属飞地", "active": "启用", "failed_attempts": "连续失败次数",
        "locked_until": st.column_config.DatetimeColumn("锁定至", format="YYYY-MM-DD HH:mm"),
        "last_login_at": st.column_config.DatetimeColumn("最近登录", format="YYYY-MM-DD HH:mm"),
        "created_at": st.column_config.DatetimeColumn("创建时间", format="YYYY-MM-DD"),
    },
)

new_tab, edit_tab = st.tabs(["新建账号", "修改 / 解锁 / 重置密码"])
with new_tab, st.form("create_user", clear_on_submit=True):
    a, b = st.columns(2)
    username = a.text_input("用户名（英文）")
    display = b.text_input("姓名")
    role = a.selectbox("角色", roles, format_func=Role.label_of)
    enclave = b.selectbox("所属飞地（招才专员必填）", [None, *enclave_names],
                          format_func=lambda e: "—" if e is None else enclave_names[e])
    password = a.text_input("初始密码（至少 8 个字符）", type="password")
    if st.form_submit_button("创建账号", type="primary"):
        try:
            users.create_user(cur, actor, username=username, display_name=display, role=role,
                              password=password, enclave_id=enclave)
            st.success(f"已创建账号 {username}。")
        except DomainError as error:
            show_error(error)

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
                    st.success("已保存。角色、飞地或启用状态变化后，该用户需重新登录。")
                except DomainError as error:
                    show_error(error)
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
            st.success("已解除锁定。")
