"""Reference data shipped in db/reference/ (see PROVENANCE.md): loaded once into a new database."""
from __future__ import annotations

from pathlib import Path

import duckdb

REFERENCE_DIR = Path(__file__).parent / "reference"

# Renamed since the 2021 MoE list: the university row takes the current name, the old one becomes
# an alias. (school_code, current name, year of the rename)
RENAMES: tuple[tuple[str, str, int], ...] = (
    ("4131010277", "上海体育大学", 2023),   # 上海体育学院
    ("4150011551", "重庆科技大学", 2024),   # 重庆科技学院
)

# Old names of schools the list already shows under their new name.
FORMER_NAMES: dict[str, str] = {
    "嘉兴学院": "嘉兴大学",
    "浙江科技学院": "浙江科技大学",
    "上海电力学院": "上海电力大学",
}

# Short names people type on sign-up sheets.
SHORT_NAMES: dict[str, str] = {
    "北大": "北京大学", "清华": "清华大学", "人大": "中国人民大学", "北航": "北京航空航天大学",
    "复旦": "复旦大学", "上交": "上海交通大学", "上海交大": "上海交通大学", "同济": "同济大学",
    "华东师大": "华东师范大学", "华师大": "华东师范大学", "上财": "上海财经大学", "上大": "上海大学",
    "华理": "华东理工大学", "华东理工": "华东理工大学", "东华": "东华大学", "上理工": "上海理工大学",
    "浙大": "浙江大学", "浙工大": "浙江工业大学", "杭电": "杭州电子科技大学", "浙理工": "浙江理工大学",
    "宁大": "宁波大学", "浙财": "浙江财经大学", "南大": "南京大学", "东南": "东南大学",
    "南航": "南京航空航天大学", "南理工": "南京理工大学", "中科大": "中国科学技术大学",
    "合工大": "合肥工业大学", "华科": "华中科技大学", "华中科大": "华中科技大学", "武大": "武汉大学",
    "武理工": "武汉理工大学", "中南": "中南大学", "湖大": "湖南大学", "川大": "四川大学",
    "电子科大": "电子科技大学", "成电": "电子科技大学", "西南交大": "西南交通大学", "贵大": "贵州大学",
    "西交": "西安交通大学", "西安交大": "西安交通大学", "西电": "西安电子科技大学",
    "西工大": "西北工业大学", "兰大": "兰州大学", "哈工大": "哈尔滨工业大学", "哈工程": "哈尔滨工程大学",
    "中山": "中山大学", "华工": "华南理工大学", "华南理工": "华南理工大学", "石大": "中国石油大学（华东）",
}


def is_loaded(conn: duckdb.DuckDBPyConnection) -> bool:
    return conn.execute("select count(*) from university").fetchall()[0][0] > 0


def ensure_loaded(conn: duckdb.DuckDBPyConnection) -> bool:
    """Load provinces, cities, universities (with tags) and aliases if absent; True when loaded now."""
    if is_loaded(conn):
        return False
    conn.execute("begin")
    try:
        _load(conn)
        conn.execute("commit")
    except Exception:
        conn.execute("rollback")
        raise
    return True


def _csv(name: str) -> str:
    # read_csv wants a literal path; ours is a fixed file inside the package, never user input.
    return "read_csv('" + str(REFERENCE_DIR / name).replace("'", "''") + "', all_varchar = true, header = true)"


def _load(conn: duckdb.DuckDBPyConnection) -> None:
    conn.execute(f"insert into province select code, name from {_csv('provinces.csv')}")
    conn.execute(f"insert into city select code, name, provinceCode from {_csv('cities.csv')}")
    conn.execute(
        f"""
        insert into university
        select nextval('seq_university'), u.school_code, u.name_zh, u.name_en, u.authority, u.province,
               u.city, u.level, nullif(u.note, ''),
               coalesce(t.is_985 = '1', false), coalesce(t.is_211 = '1', false),
               coalesce(t.is_double_first_class = '1', false)
        from {_csv('universities_moe_2021.csv')} u
        left join {_csv('university_tags.csv')} t on t.school_code = u.school_code
        order by cast(u.seq as integer)
        """
    )
    _add_aliases(conn)


def _add_aliases(conn: duckdb.DuckDBPyConnection) -> None:
    """Every alias in one statement (then the renames): a new database is created on every first start."""
    # (alias or None for "the name the list gives", school_code or None, current name or None, kind, note)
    wanted: list[tuple[str | None, str | None, str | None, str, str | None]] = [
        *((None, code, None, "renamed", f"{year} 年更名为{current}") for code, current, year in RENAMES),
        *((old, None, current, "renamed", f"现名{current}") for old, current in FORMER_NAMES.items()),
        *((short, None, full, "short", None) for short, full in SHORT_NAMES.items()),
    ]
    values = ", ".join(["(?, ?, ?, ?, ?)"] * len(wanted))
    added = conn.execute(f"""
        insert into university_alias (id, alias, university_id, kind, note)
        select nextval('seq_university_alias'), coalesce(a.alias, u.name), u.id, a.kind, a.note
        from (values {values}) a(alias, school_code, name, kind, note)
        join university u on u.school_code = a.school_code or u.name = a.name""",
                         [v for row in wanted for v in row]).fetchall()[0][0]
    if added != len(wanted):
        known = {n for (n,) in conn.execute("select name from university").fetchall()}
        missing = [name for _, code, name, _, _ in wanted if code is None and name not in known]
        raise ValueError(f"aliases point at unknown universities: {missing}")
    renames = ", ".join(["(?, ?)"] * len(RENAMES))
    conn.execute(f"update university set name = r.current from (values {renames}) r(school_code, current)"
                 " where university.school_code = r.school_code",
                 [v for code, current, _ in RENAMES for v in (code, current)]).fetchall()
