"""台账导入 (managers, HR, admins): the office's register workbook — template, check, then import."""
from __future__ import annotations

import streamlit as st

from db import exports
from loaders.registers import ORDER, RegistersResult, import_workbook, template_workbook
from pages._text import md
from pages._widgets import cursor, export_buttons, gate, file_picker, show_error, table

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def show(result: RegistersResult, *, key: str) -> None:
    """Counts per sheet, remarks, and every rejected row (downloadable, to fix and import again)."""
    table(result.counts_table(), width="content")
    for remark in result.remarks():
        st.warning(md(remark))
    rejects = result.rejects_table()
    if rejects.height == 0:
        st.caption("没有被拒绝的行。")
        return
    st.markdown(f"**拒绝的行（{rejects.height:,}）**：修改后可再次导入，已导入的行不会重复。")
    table(rejects)
    export_buttons(lambda c: exports.prepare(c, actor, rejects, what="台账导入拒绝的行", headers=None,
                                             filters={"文件": result.file_name}, unmasked=True),
                   file_stem="台账导入-拒绝的行", key=f"registers_rejects_{key}")


actor = gate(__file__)
cur = cursor()
state = st.session_state
st.title("台账导入")
st.caption("用一个 Excel 工作簿一次登记或更新各本台账：" + "、".join(ORDER) + "。先检查（不写入），确认后在一个事务中"
           "导入；同一工作簿再导入一次不会产生变化。")
st.download_button("下载模板（含填写说明和示例行）", template_workbook, "台账导入模板.xlsx", mime=XLSX,
                   icon=":material/download:", key="registers_template")

upload = file_picker("台账工作簿（Excel .xlsx）", key="registers_upload")
if upload is None:
    state.pop("registers_checked", None)
    st.stop()

checked: tuple[str, RegistersResult] | None = state.get("registers_checked")
if checked is not None and checked[0] != upload.file_id:
    checked = None
    state.pop("registers_checked", None)
if st.button("检查", icon=":material/fact_check:", key="registers_check"):
    try:
        checked = (upload.file_id, import_workbook(cur, actor, upload.getvalue(), upload.name, dry_run=True))
        state["registers_checked"] = checked
        state.pop("registers_done", None)
    except Exception as error:     # a refused file, or a bug: a sentence, never a traceback
        show_error(error)

if checked is not None:
    result = checked[1]
    st.subheader("检查结果（尚未写入）")
    st.info(md(f"确认后将：{result.summary()}。"))
    show(result, key="check")
    if st.button("确认导入", type="primary", icon=":material/upload:", key="registers_commit"):
        try:
            state["registers_done"] = import_workbook(cur, actor, upload.getvalue(), upload.name)
        except Exception as error:
            show_error(error)
        else:
            state.pop("registers_checked", None)
            st.rerun()

done: RegistersResult | None = state.get("registers_done")
if done is not None:
    st.success(md(f"导入完成「{done.file_name}」：{done.summary()}。"))
    show(done, key="done")
