"""Entry point: page config, login, and the screens each role may reach — nothing else."""
from __future__ import annotations

import streamlit as st

from pages import _screens, _session

st.set_page_config(page_title="飞地招才 CRM", page_icon=":material/hub:", layout="wide")
user = _session.current_user()
if user is None:
    st.navigation(_screens.login_navigation(), position="hidden").run()
else:
    st.navigation(_screens.navigation(user.role), expanded=True).run()   # no English "View N more"
