"""台账导入 (managers, HR, admins): the office's register workbook — the screen comes with loaders/registers.py."""
from __future__ import annotations

import streamlit as st

from pages._widgets import cursor, gate

user = gate(__file__)
cur = cursor()
st.title("台账导入")
st.info("台账工作簿导入正在接入：请暂时在「项目管理」的各登记页面逐条录入。")
