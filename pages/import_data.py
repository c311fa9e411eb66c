"""导入 (HR, admin): upload a campus-fair sheet, check mapping and preview, commit, download rejects, undo."""
from __future__ import annotations

import polars as pl
import streamlit as st

from db import exports, import_history, imports
from db.errors import DomainError
from loaders import import_export, importer
from loaders.importer.fields import LABELS
from pages._widgets import cursor, export_buttons, figure, file_picker, flash, gate, show_error, show_flash, table
from pages._text import md

def warning_rows(warnings: pl.DataFrame) -> pl.DataFrame:
    """行号, 字段 (in Chinese), 说明."""
    return warnings.select(pl.col("row_number").alias("行号"),
                           pl.col("field").replace_strict(LABELS, default=pl.col("field")).alias("字段"),
                           pl.col("message").alias("说明"))


def rejects_download(batch_id: int, *, where: str) -> None:
    """A batch's rejected rows as a file to fix and import again — as they were in the file, so not
    masked (importing is HR's and admins' work), and audited like every export."""
    export_buttons(lambda c: exports.prepare(
        c, actor, import_export.rejects_table(import_history.rejects(c, actor, batch_id)),
        what="导入拒绝的行", headers=None, filters={"批次": batch_id}, unmasked=True),
        file_stem=f"导入批次{batch_id}-拒绝的行", key=f"rejects_{where}_{batch_id}")


actor = gate(__file__)
cur = cursor()
state = st.session_state
st.title("导入")
show_flash()
st.caption("上传校园招聘报名表（CSV / TSV / TXT / Excel）。先检查识别结果，确认后一次性写入；导入的批次可以撤销。")

upload = file_picker("报名表文件（CSV、TSV、TXT 或 Excel）", key="import_upload")
drives = imports.drives(cur)
drive_labels = dict(zip(drives["id"].to_list(), drives["label"].to_list()))
drive_id = st.selectbox("校园招聘场次（可选：选择后每个有效行都登记一份该场次的投递）", [None, *drive_labels],
                        format_func=lambda d: "不关联场次" if d is None else drive_labels[d], key="import_drive")

checked: importer.Checked | None = None
if upload is not None:
    overrides: dict[int, str | None] = state.setdefault("import_overrides", {})
    header_row = state.get("import_header_row")
    corrections = {"overrides": overrides, "header_row": header_row}
    try:
        key = (upload.file_id, tuple(sorted(overrides.items())), header_row)
        if state.get("import_checked_key") != key:
            with importer.staged_upload(upload.getvalue(), upload.name, importer.references(cur), **corrections) as f:
                state["import_checked"] = importer.check(f)
            state["import_checked_key"] = key
        checked = state["import_checked"]
    except DomainError as error:
        show_error(error)

if upload is not None and checked is not None:
    sheet = checked.sheet
    found = f"工作表「{sheet.sheet_name}」" if sheet.sheet_name else f"编码 {sheet.encoding}，分隔符 {repr(sheet.delimiter)}"
    st.info(f"{md(found)}；表头在第 {checked.header_row} 行。")
    with st.expander("列对应关系（可修改）", expanded=False):
        choices = [None, *LABELS]
        for column in checked.columns:
            picked = st.selectbox(f"第 {column.index + 1} 列「{md(column.header)}」", choices,
                                  index=choices.index(column.field), key=f"map_{checked.sha256[:8]}_{column.index}",
                                  format_func=lambda f: "不导入" if f is None else LABELS[f], disabled=column.dropped)
            if picked != column.field and not column.dropped:
                state["import_overrides"] = {**state.get("import_overrides", {}), column.index: picked}
                st.rerun()
        new_header = st.number_input("表头所在行", min_value=1, max_value=50, value=checked.header_row)
        if new_header != checked.header_row:
            state["import_header_row"] = int(new_header)
            st.rerun()
    if checked.dropped_columns:
        st.warning(f"身份证号列「{md('、'.join(checked.dropped_columns))}」已识别并丢弃，不会保存到任何地方。")
    if checked.unknown_columns:
        st.caption(f"未使用的列（不保存）：{md('、'.join(checked.unknown_columns))}")

    st.subheader("预览（规范化之后的前 20 行）")
    table(checked.preview, width="content")
    st.subheader("校验结果")
    cols = st.columns(4)
    with cols[0]:
        figure("读取行数", checked.read)
    with cols[1]:
        figure("文件内重复", checked.duplicate_in_file)
    with cols[2]:
        figure("拒绝", checked.rejected)
    with cols[3]:
        figure("警告", checked.warning_count)
    if checked.rejected:
        st.write(md("拒绝原因：" + "；".join(f"{k} {v} 行" for k, v in checked.rejects_by_reason.items())))
    if checked.warning_count:
        st.write(md("警告类别：" + "；".join(f"{k} {v} 条" for k, v in checked.warnings_by_field.items())))
        table(warning_rows(checked.warnings.head(200)), width="content")

    create = False
    if drive_id is not None and checked.unknown_employers:
        create = st.checkbox(f"新建名录中没有的意向企业：{md('、'.join(checked.unknown_employers[:20]))}")
    earlier = imports.imported(cur, checked.sha256)
    force = False
    if earlier:
        st.warning(f"此文件已于 {earlier[1]:%Y-%m-%d %H:%M} 由 {md(earlier[2])} 导入（批次 #{earlier[0]}）。")
        force = st.checkbox("仍然导入（已有人员只匹配、补全空白，不会重复新增）")
    if st.button("确认导入", type="primary", disabled=bool(earlier) and not force):
        bar = st.progress(0.0, text="准备写入……")

        def say(fraction: float, message: str) -> None:
            bar.progress(min(fraction, 1.0), text=message)

        try:
            # Read again, as checked: what is written is the file itself, not what the screen kept of it.
            with importer.staged_upload(upload.getvalue(), upload.name, importer.references(cur), progress=say,
                                        **corrections) as f:
                _, result = importer.write_file(cur, actor, f, drive_id=drive_id, force=force, progress=say,
                                                create_employers=checked.unknown_employers if create else ())
            bar.progress(1.0, text="完成")
            state["import_result"] = result
        except DomainError as error:
            show_error(error)

result = state.get("import_result")
if result is not None:
    st.success(f"导入完成（批次 #{result.batch_id}）：读取 {result.read} 行 = 新增 {result.inserted} + 匹配已有 "
               f"{result.matched} + 文件内重复 {result.duplicate_in_file} + 拒绝 {result.rejected}；"
               f"警告 {result.warnings} 条，补全 {result.filled} 个空白字段，登记投递 {result.applications} 份。")
    if result.rejected:
        st.markdown("**拒绝的行**：修改后可再次导入")
        rejects_download(result.batch_id, where="result")

st.subheader("导入记录")
history = import_history.history(cur, actor)
if history.height == 0:
    st.caption("还没有导入记录。")
    st.stop()
HISTORY_COLUMNS = {"id": "批次", "file_name": "文件", "imported_by": "导入人", "imported_at": "时间", "read_rows": "读取",
                   "inserted": "新增", "matched": "匹配", "duplicate_in_file": "重复", "rejected": "拒绝",
                   "warnings": "警告", "state": "状态"}
history = history.with_columns(pl.when(pl.col("undone_at").is_null()).then(pl.lit("有效"))
                               .otherwise(pl.lit("已撤销")).alias("state"))
table(history.select(*HISTORY_COLUMNS), column_config={
    **HISTORY_COLUMNS, "imported_at": st.column_config.DatetimeColumn("时间", format="YYYY-MM-DD HH:mm")})
names = {r["id"]: f"#{r['id']} {r['file_name']}（{r['state']}）" for r in history.iter_rows(named=True)}
batch = st.selectbox("查看批次", list(names), format_func=names.get, key="history_batch")
chosen = history.filter(pl.col("id") == batch).row(0, named=True)
left, right = st.columns(2)
with left:
    st.markdown(f"**拒绝的行（{chosen['rejected']:,}）**")
    if chosen["rejected"]:
        rejects_download(batch, where="history")
    else:
        st.caption("该批次没有拒绝的行。")
with right:
    st.markdown("**撤销该批次**")
    if chosen["undone_at"] is not None:
        st.caption(f"已于 {chosen['undone_at']:%Y-%m-%d %H:%M} 由 {md(chosen['undone_by'])} 撤销。")
    else:
        st.caption(f"将删除该批次新增的 {chosen['inserted']:,} 人及其投递，并还原它补全的空白字段。"
                   "之后有人修改或跟进过的，撤销会被拒绝并列出行号。")
        sure = st.checkbox(f"我确认撤销批次 #{batch}", key=f"undo_sure_{batch}")
        if st.button("撤销该批次", key=f"undo_{batch}", disabled=not sure, type="primary"):
            try:
                undone = import_history.undo(cur, actor, batch)
            except DomainError as error:
                show_error(error)
            else:
                state.pop("import_result", None)
                st.session_state.pop(f"undo_sure_{batch}", None)
                flash(f"已撤销批次 #{batch}：删除 {undone.deleted_candidates} 名新增人员、"
                      f"{undone.deleted_applications} 份投递，还原 {undone.reverted_fields} 个补全字段。")
                st.rerun()
