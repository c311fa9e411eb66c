"""The layering is machine-checked: pages → loaders → db; pages hold no SQL and never import duckdb."""
from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

SQL = re.compile(
    r"\b(select\s+.+\s+from|insert\s+into|update\s+\w+\s+set|delete\s+from|create\s+table|drop\s+table)\b"
    r"|\.(sql|execute|executemany)\(",
    re.IGNORECASE | re.DOTALL,
)


def test_import_linter_contracts_are_kept() -> None:
    done = subprocess.run([str(Path(sys.executable).parent / "lint-imports")], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "broken" in done.stdout and " 0 broken" in done.stdout


def _python_files(folder: str) -> list[Path]:
    return sorted((ROOT / folder).glob("*.py"))


def test_pages_contain_no_sql_and_no_duckdb() -> None:
    offenders = []
    for path in _python_files("pages") + [ROOT / "crm_app.py"]:
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source)
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] + ([node.module] if isinstance(node, ast.ImportFrom) and node.module else [])
                if any(n.split(".")[0] == "duckdb" for n in names):
                    offenders.append(f"{path.name}: imports duckdb")
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.search(node.value):
                offenders.append(f"{path.name}:{node.lineno}: SQL in a string")
        if re.search(r"\.(sql|execute|executemany)\(", source):
            offenders.append(f"{path.name}: calls a database method")
    assert offenders == []


def test_the_sql_detector_detects_sql() -> None:
    """Guards the test above against a regex that matches nothing."""
    assert SQL.search("select id from candidate where x = 1")
    assert SQL.search("cur.execute(q)")
    assert not SQL.search("请选择候选人，然后从列表中删除")


def test_db_never_imports_streamlit_except_the_cached_connection() -> None:
    for path in _python_files("db") + _python_files("loaders"):
        source = path.read_text(encoding="utf-8")
        if path.name == "connection.py":
            continue
        assert not re.search(r"^\s*(import|from)\s+streamlit", source, re.MULTILINE), path.name


def test_every_module_opens_with_a_docstring() -> None:
    for folder in ("db", "loaders", "pages"):
        for path in _python_files(folder):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            assert ast.get_docstring(tree), f"{folder}/{path.name} needs a one-line docstring saying its role"
