"""Rules every screen keeps, checked on the source: tables only through the helper that shows blanks
in Chinese, no built-in CSV download, files uploaded only through the Chinese picker, and every audit
action with a Chinese name."""
from __future__ import annotations

import ast
import tomllib
from pathlib import Path

from db import audit

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted((ROOT / "pages").glob("*.py"))


def st_calls(path: Path, name: str) -> list[int]:
    """Lines where `path` calls st.<name>(…)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute) and node.func.attr == name
            and isinstance(node.func.value, ast.Name) and node.func.value.id == "st"]


def test_tables_go_through_the_table_helper() -> None:
    """st.dataframe shows blanks as "None" and an empty list as an English "empty" unless told
    otherwise; pages/_widgets.table tells it."""
    found = {p.name: st_calls(p, "dataframe") for p in PAGES if p.name != "_widgets.py"}
    assert {name: lines for name, lines in found.items() if lines} == {}


def test_uploads_go_through_the_chinese_file_picker() -> None:
    found = {p.name: st_calls(p, "file_uploader") for p in PAGES if p.name != "_widgets.py"}
    assert {name: lines for name, lines in found.items() if lines} == {}


def test_the_tables_own_csv_download_is_off() -> None:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["disableDataExport"] is True


def test_no_screen_passes_text_as_raw_html() -> None:
    for path in PAGES:
        assert "unsafe_allow_html" not in path.read_text(encoding="utf-8"), path.name


def recorded_actions() -> set[str]:
    """Every action string handed to audit.record (third argument) or sessions.end (reason)."""
    import inspect

    from db import sessions

    actions: set[str] = {inspect.signature(sessions.end).parameters["reason"].default}
    for path in [*(ROOT / "db").rglob("*.py"), *(ROOT / "loaders").rglob("*.py"), *PAGES]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            if node.func.attr == "record" and len(node.args) >= 3 and isinstance(node.args[2], ast.Constant):
                actions.add(node.args[2].value)
            for keyword in node.keywords:
                if keyword.arg == "reason" and isinstance(keyword.value, ast.Constant) and node.func.attr == "end":
                    actions.add(keyword.value.value)
            if node.func.attr == "record_view":
                actions.add("view_unmasked")
    return actions


def test_every_audit_action_has_a_chinese_name() -> None:
    actions = recorded_actions()
    assert {"login", "export", "delete", "session_timeout", "view_unmasked"} <= actions   # the scan finds them
    assert sorted(actions - set(audit.ACTION_LABELS)) == []
    assert sorted(audit.ENTITY_LABELS) and all(not label.isascii() for label in audit.ACTION_LABELS.values())
