"""Entry point: page config, login, and the screens each role may reach — nothing else."""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from db.enums import Role
from pages import _session

HERE = Path(__file__).parent / "pages"


def screen(file: str, title: str, icon: str, *, default: bool = False) -> st.Page:
    return st.Page(HERE / file, title=title, icon=icon, default=default, url_path=file.removesuffix(".py"))


def screens_for(role: str) -> dict[str, list[st.Page]]:
    """The navigation a role gets. A page not listed here cannot be opened by that role at all."""
    nav = {"工作台": [screen("overview.py", "总览", ":material/dashboard:", default=True)]}
    if role == Role.ADMIN:
        nav["系统管理"] = [
            screen("admin_users.py", "用户管理", ":material/manage_accounts:"),
            screen("admin_audit.py", "审计日志", ":material/policy:"),
            screen("admin_backup.py", "备份", ":material/backup:"),
        ]
    nav["账户"] = [screen("account.py", "我的账户", ":material/person:")]
    return nav


st.set_page_config(page_title="飞地招才 CRM", page_icon=":material/hub:", layout="wide")
_session.flush_cookie()
user = _session.current_user()
if user is None:
    _session.login_form()
    st.stop()
_session.sidebar(user)
st.navigation(screens_for(user.role)).run()
