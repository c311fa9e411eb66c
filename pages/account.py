"""我的账户: who I am, and changing my own password."""
from __future__ import annotations

import streamlit as st

from db import programmes, users
from db.enums import Role
from db.errors import DomainError
from pages._text import md
from pages._widgets import cursor, gate, show_error

user = gate(__file__)
cur = cursor()
st.title("我的账户")
with st.container(border=True):
    a, b, c = st.columns(3)
    a.metric("用户名", md(user.username))
    b.metric("角色", Role.label_of(user.role))
    c.metric("数据范围", md(programmes.scope_name(cur, user)))    # a metric's value is Markdown too

st.subheader("修改密码")
with st.form("change_password", clear_on_submit=True):
    old = st.text_input("当前密码", type="password")
    new = st.text_input("新密码（至少 8 个字符）", type="password")
    again = st.text_input("再次输入新密码", type="password")
    submitted = st.form_submit_button("修改密码", type="primary")
if submitted:
    if new != again:
        st.error("两次输入的新密码不一致。")
    else:
        try:
            # This browser's session stays; every other one (another browser, a copied cookie) ends.
            ended = users.change_own_password(cur, user, old, new, current_token=st.session_state.get("token"))
            others = f"其他 {ended} 处登录已退出，" if ended else ""
            st.success(f"密码已修改，{others}下次登录请使用新密码。")
        except DomainError as error:
            show_error(error)
st.caption("30 分钟未操作会自动退出；刷新浏览器不会退出登录（登录状态最长保持 12 小时）。")
