"""重复候选人: likely duplicate pairs; merge field by field, or mark as different people."""
from __future__ import annotations

import streamlit as st

from db import duplicates, universities
from db.enums import Channel, TalentCategory
from db.programmes import register
from db.errors import DomainError
from pages._text import md
from pages._widgets import cursor, flash, gate, open_candidate, show_error, show_flash

LABELS = {"name": "姓名", "gender": "性别", "birth_year": "出生年份", "mobile": "手机", "email": "邮箱",
          "university_id": "学校", "university_raw": "学校", "college": "学院", "major": "专业", "degree": "学历",
          "graduation_year": "毕业年份", "graduation_month": "毕业月份", "talent_category": "人才类别",
          "channel": "来源渠道", "source_enclave_id": "来源飞地", "source_drive_id": "来源校招",
          "source_agreement_id": "来源协议", "enclave_id": "所属飞地", "owner_id": "负责人", "consent_method": "授权方式",
          "consent_purpose": "授权目的", "next_follow_up_on": "下次跟进", "notes": "备注"}

# Fields stored as codes or ids, and how to name their values.
CODES = {"channel": Channel.labels(), "talent_category": TalentCategory.labels()}
REFERENCES = {"enclave_id": "enclave", "source_enclave_id": "enclave", "source_drive_id": "campus_drive",
              "source_agreement_id": "agreement", "owner_id": "app_user"}


def readable(cur, field: str, value: object) -> str:  # type: ignore[no-untyped-def]
    """A stored value as the merge choice shows it: labels for codes, names for ids, "（空）" for none."""
    if value is None or value == "":
        return "（空）"
    if field in CODES:
        return CODES[field].get(str(value), str(value))
    if field == "university_id":
        return universities.name_of(cur, int(value)) or f"编号 {value}"
    if field in REFERENCES:
        return register.options(cur, REFERENCES[field], active_only=False).get(int(value), f"编号 {value}")
    return str(value)


user = gate(__file__)
cur = cursor()
st.title("重复候选人")
show_flash()
st.caption("疑似同一人的记录：同名（拼音）同校同届，或姓名相近且手机尾号相同。合并后只计一人。")
total = duplicates.count_pairs(cur, user)
if total == 0:
    st.success("没有待处理的疑似重复。")
    st.stop()
pairs = duplicates.pairs(cur, user, limit=200)
st.write(f"共 {total} 对待核对" + ("（显示最近 200 对）" if total > 200 else "") + "。")
labels = [f"{r['left_name']}（{r['left_id']}）↔ {r['right_name']}（{r['right_id']}）· {r['university'] or ''} {r['graduation_year'] or ''} · {r['why']}"
          for r in pairs.iter_rows(named=True)]
index = st.selectbox("选择一对", range(len(labels)), format_func=labels.__getitem__)
pair = pairs.row(index, named=True)
left_id, right_id = pair["left_id"], pair["right_id"]
try:
    both = duplicates.side_by_side(cur, user, left_id, right_id)
except DomainError as error:
    show_error(error)
    st.stop()
rows = {r["id"]: r for r in both.iter_rows(named=True)}
a, b = st.columns(2)
if a.button(f"打开 {md(pair['left_name'])}（{left_id}）"):
    open_candidate(left_id)
if b.button(f"打开 {md(pair['right_name'])}（{right_id}）"):
    open_candidate(right_id)

with st.form(f"merge_{left_id}_{right_id}"):
    survivor = st.radio("保留哪条记录（另一条并入它）", [left_id, right_id], horizontal=True,
                        format_func=lambda i: f"编号 {i}（{md(rows[i]['name'])}）")   # radio options are Markdown
    st.markdown("逐项选择保留的值（默认取保留记录的值；只列出两边不同的项）：")
    take: set[str] = set()
    for field in duplicates.MERGEABLE:
        lv, rv = rows[left_id][field], rows[right_id][field]
        if lv == rv:
            continue
        choice = st.radio(LABELS.get(field, field), [left_id, right_id], horizontal=True, key=f"pick_{field}",
                          format_func=lambda i, f=field: md(readable(cur, f, rows[i][f])))
        if choice != survivor:
            take.add(field)
    if st.form_submit_button("合并", type="primary"):
        merged = right_id if survivor == left_id else left_id
        try:
            duplicates.merge(cur, user, survivor, merged, take_from_merged=take,
                             versions=(rows[survivor]["version"], rows[merged]["version"]))
            flash(f"已把编号 {merged} 合并到编号 {survivor}。")
            st.rerun()
        except DomainError as error:
            show_error(error)

with st.form(f"dismiss_{left_id}_{right_id}"):
    why = st.text_input("不是同一人？填写依据 *", placeholder="如：出生年份不同；已电话核实")
    if st.form_submit_button("标记为不同的人"):
        try:
            duplicates.dismiss(cur, user, left_id, right_id, reason=why)
            flash("已标记为不同的人，不再列出这一对。")
            st.rerun()
        except DomainError as error:
            show_error(error)
