"""Every screen renders for every role that may open it, on an empty and on the demo database."""
from __future__ import annotations

from pathlib import Path

import pytest

from db import users
from db.connection import open_database
from db.enums import Role
from db.permissions import SYSTEM
from pages._screens import SCREENS
from tests.helpers import login

PASSWORD = "smoke-test-pw"
ACCOUNTS = {Role.RECRUITER: "recruiter_sh", Role.MANAGER: "manager", Role.HR: "hr", Role.ADMIN: "admin"}


@pytest.fixture(scope="module")
def empty_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A production-style database: reference data, one enclave for the recruiter, one account per
    role, and no business data at all."""
    path = tmp_path_factory.mktemp("empty") / "empty.duckdb"
    conn = open_database(path)
    cur = conn.cursor()
    cur.execute("insert into enclave (id, code, name, city, province) values (nextval('seq_enclave'), 'SH',"
                " '平湖（上海张江）人才飞地', '上海市', '上海市')")
    enclave_id = cur.execute("select id from enclave").fetchall()[0][0]
    for role, username in ACCOUNTS.items():
        users.create_user(cur, SYSTEM, username=username, display_name=username, role=role, password=PASSWORD,
                          enclave_id=enclave_id if role == Role.RECRUITER else None)
    conn.close()
    return path


CASES = [(s.file, role) for s in SCREENS for role in ACCOUNTS if role in s.roles]


@pytest.mark.parametrize("database", ["empty", "demo"])
@pytest.mark.parametrize("screen, role", CASES)
def test_screen_renders(app, database: str, screen: str, role: str, empty_master: Path, demo_db: Path,  # type: ignore[no-untyped-def]
                        tmp_path: Path) -> None:
    if database == "empty":
        path = tmp_path / "empty.duckdb"
        path.write_bytes(empty_master.read_bytes())
        password = PASSWORD
    else:
        path, password = demo_db, "pinghu2025"
    at = login(app(path, timeout=120), ACCOUNTS[role], password)
    at.switch_page(f"pages/{screen}").run()
    assert not at.exception, [e.message for e in at.exception]
    title = next(s.title for s in SCREENS if s.file == screen)
    assert title in [t.value for t in at.title]
    assert not at.error, [e.value for e in at.error]
