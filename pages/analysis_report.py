"""年度报告: the city's (or one enclave's) annual report as an Excel workbook and a PDF, for the leadership."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date

import streamlit as st

from db import annual_report, clock, programmes
from db.connection import database_path, shared_connection
from db.errors import DomainError
from db.permissions import User
from db.sql import Cursor
from pages import _analysis as an
from pages import _cache
from pages._text import md
from pages._widgets import cursor, gate, show_error, table

MIME = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "pdf": "application/pdf"}

user = gate(__file__)
cur = cursor()
st.title("年度报告")
st.caption("按城市对外发布的口径生成年度人才工作报告：Excel 版含汇总、各项目明细、留平、目标进度和口径说明，"
           "PDF 版含文字综述、表格和图表（留平与目标进度各成一节，与「留平」「目标进度」页面同一口径）。"
           "报告只含统计数和台账字段，不含任何人的姓名、手机号或邮箱。")

head = st.columns(2)
year = an.year_picker(cur, user, key="annual_report_year", where=head[0])
if user.is_recruiter:
    enclave_code = None          # a recruiter's report is their own enclave's
    head[1].caption(f"统计范围：{md(programmes.scope_name(cur, user))}（招才专员只能生成本飞地的报告）")
else:
    enclaves = programmes.list_enclaves(cur)
    choices = {None: "全市", **dict(zip(enclaves["code"], enclaves["name"]))}
    enclave_code = head[1].selectbox("统计范围", list(choices), format_func=lambda c: choices[c])


@st.cache_data(ttl=900, max_entries=64, show_spinner="正在统计……")
def _preview(_cur: Cursor, _user: User, db: str, scope: tuple, year: int, version: tuple) -> annual_report.Preview:
    # Keyed by database, scope (a recruiter's own enclave, or the code chosen), year and data version.
    return annual_report.preview(_cur, _user, year, enclave_code=scope[1] if scope[0] == "code" else None)


@st.cache_data(ttl=900, max_entries=64, show_spinner="正在统计留平与目标进度……")
def _progress(_cur: Cursor, _user: User, db: str, scope: tuple, year: int, version: tuple,
              today: date) -> tuple[str, str]:
    # As _preview, and the day: it decides which 留平 checks are due and the day targets are judged on.
    return annual_report.preview_progress(_cur, _user, year, today=today,
                                          enclave_code=scope[1] if scope[0] == "code" else None)


try:
    scope = ("enclave", user.enclave_id) if user.is_recruiter else ("code", enclave_code)
    key = (str(database_path().resolve()), scope, year, _cache.figures_version(cur))
    shown = _preview(cur, user, *key)
except DomainError as error:
    show_error(error)
    st.stop()

st.subheader("综述")
st.info(md(shown.prose))
st.caption("口径：与「总览」及命令行年度指标同一套统计；到岗按实际到岗日期计年，一人一年一类只计一次。")
table(shown.summary.select("指标", "数值", "单位", "口径"))
if st.toggle("显示留平与目标进度综述", key="annual_report_progress", help="报告中「人才留平」「目标进度」两节的文字"):
    for paragraph in _progress(cur, user, *key, clock.today()):
        st.info(md(paragraph))
    st.caption("口径：留平、目标进度与「留平」「目标进度」页面同一口径——留平为报告年度及其前三年到岗者、统计日前已到期的"
               "满 6/12/36 个月回访，逾期未回访单列、不算离开；目标进度为报告年度的目标，往年按全年计。详见 Excel 版「口径」表。")


def made(user: User, year: int, fmt: str, enclave_code: str | None) -> Callable[[], bytes]:
    """The file, built when its button is clicked (not when the screen is drawn): each download is one
    audit entry. Streamlit calls it on its own thread, so it takes a cursor of its own."""
    return lambda: annual_report.export(shared_connection().cursor(), user, year, fmt, enclave_code=enclave_code)


st.subheader("下载")
left, right = st.columns(2)
left.download_button("下载 Excel 版", made(user, year, "xlsx", enclave_code),
                     annual_report.file_name(shown.scope, year, "xlsx"), mime=MIME["xlsx"], key="annual_report_xlsx",
                     icon=":material/table_view:", width="stretch")
right.download_button("下载 PDF 版", made(user, year, "pdf", enclave_code),
                      annual_report.file_name(shown.scope, year, "pdf"), mime=MIME["pdf"], key="annual_report_pdf",
                      icon=":material/picture_as_pdf:", width="stretch")
st.caption("每次下载记入审计日志。PDF 内嵌中文字体（文泉驿微米黑），在任何电脑上显示一致、文字可复制。")
