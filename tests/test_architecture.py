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


STAGE_EVENT_WRITE = re.compile(r"\b(insert\s+into|update|delete\s+from)\s+stage_event\b|[\"']stage_event[\"']", re.IGNORECASE)
# Modules that write stage_event without refreshing the figures derived from it, and why that is right.
WRITES_WITHOUT_REFRESH = {
    "db/bulk.py": "the generic bulk writer: its callers refresh",
    "db/erasure.py": "rewrites notes only, which nothing derived reads",
    "db/import_matches.py": "adds first moves to the importer's pending rows; db/imports.py and db/signups.py"
                            " insert them and refresh",
    "db/stage_derived.py": "the refresh itself",
    "loaders/demo_co_supervision.py": "runs inside loaders/demo.generate, which refreshes everyone",
}


def test_every_writer_of_stage_event_refreshes_what_is_derived_from_it() -> None:
    """stage_event.left_at and stage_crossing (db/stage_derived.py) stay right only if every module that
    inserts, moves, re-dates or deletes events calls stage_derived.refresh in the same transaction."""
    writers = {str(p.relative_to(ROOT)): p.read_text(encoding="utf-8")
               for folder in ("db", "loaders") for p in sorted((ROOT / folder).rglob("*.py"))}
    writers = {name: source for name, source in writers.items() if STAGE_EVENT_WRITE.search(source)}
    silent = {name for name, source in writers.items() if "stage_derived.refresh(" not in source}
    assert silent == set(WRITES_WITHOUT_REFRESH), "write stage_event without stage_derived.refresh (or list why)"
    assert {"db/pipeline.py", "db/imports.py", "db/duplicates.py", "db/import_history.py", "db/signups.py",
            "loaders/demo.py"} <= set(writers) - silent


def test_the_stage_event_write_detector_detects_writes() -> None:
    """Guards the test above against a pattern that matches nothing."""
    assert STAGE_EVENT_WRITE.search("delete from stage_event where application_id = 1")
    assert STAGE_EVENT_WRITE.search('bulk.insert(cur, "stage_event", frame)')
    assert not STAGE_EVENT_WRITE.search("select count(*) from stage_event e")
