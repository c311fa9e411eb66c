"""Entry point: page config, login, and the screens each role may reach — nothing else."""
from __future__ import annotations

import streamlit as st

from pages import _screens, _session

st.set_page_config(page_title="飞地招才 CRM", page_icon=":material/hub:", layout="wide")
if "signup" in st.query_params:      # a drive's sign-up link (扫码报名): its public phone form and nothing else
    st.navigation([st.Page("pages/signup.py", title="扫码报名", default=True)], position="hidden").run()
elif (user := _session.current_user()) is None:
    st.navigation(_screens.login_navigation(), position="hidden").run()
else:
    st.navigation(_screens.navigation(user.role), expanded=True).run()   # no English "View N more"
