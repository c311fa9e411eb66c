"""备份 (admin): export the whole database from inside the process that owns it."""
from __future__ import annotations

import os
from pathlib import Path

import polars as pl
import streamlit as st

from db import backup
from db.errors import DomainError
from pages._text import md
from pages._widgets import cursor, gate, show_error, table

actor = gate(__file__)
cur = cursor()
st.title("备份")
folder = Path(os.environ.get("CRM_BACKUP_DIR") or "data/backups")
st.write(f"备份保存在服务器目录 {md(folder.resolve())} 下，每次生成一个带时间戳的子目录（Parquet 格式）。")
if st.button("立即备份", type="primary"):
    try:
        with st.spinner("正在导出数据库……"):
            target = backup.export(cur, actor, folder)
        st.success(f"备份完成：{md(target)}")
    except DomainError as error:
        show_error(error)

existing = backup.list_backups(folder)
st.subheader(f"已有备份（{len(existing)} 个）")
table(pl.DataFrame({
    "name": [path.name for path in existing[:20]],
    "size": [round(sum(f.stat().st_size for f in path.iterdir() if f.is_file()) / 1_048_576, 1)
             for path in existing[:20]],
}, schema={"name": pl.String, "size": pl.Float64}), empty="还没有备份。",
    column_config={"name": "备份目录", "size": st.column_config.NumberColumn("大小（MB）", format="%.1f")})
st.info("恢复：先停止应用，再在服务器上运行 `python -m db restore 备份目录 --db 新数据库文件`，"
        "确认无误后把 CRM_DB 指向新文件并重启。恢复只写入新文件，不会覆盖现有数据库。")
