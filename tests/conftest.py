"""Shared fixtures: real DuckDB files in tmp_path, one demo database per session, AppTest helpers."""
from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from db.connection import clear_shared_connection, open_database
from db.permissions import SYSTEM, User
from loaders import demo

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "crm_app.py")


@pytest.fixture(scope="session", autouse=True)
def template_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The empty-database template (db/template.py) is cached per test session, not in the home folder."""
    import os

    folder = tmp_path_factory.mktemp("template-cache")
    before = os.environ.get("CRM_CACHE_DIR")
    os.environ["CRM_CACHE_DIR"] = str(folder)
    yield folder
    if before is None:
        del os.environ["CRM_CACHE_DIR"]
    else:
        os.environ["CRM_CACHE_DIR"] = before


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """A fresh, migrated database file with reference data: each test owns its own."""
    path = tmp_path / "crm.duckdb"
    open_database(path).close()
    return path


@pytest.fixture
def conn(db_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """An open connection on `db_path`, closed after the test so the file can be reopened."""
    connection = open_database(db_path)
    yield connection
    connection.close()


@pytest.fixture
def cur(conn: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    return conn.cursor()


@pytest.fixture(scope="session")
def demo_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The scale-1 demo database, generated once per session (about 5 s). Never written to:
    tests that write take `demo_db`, a copy."""
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    connection = open_database(path)
    demo.generate(connection.cursor(), scale=1, seed=2025)
    connection.execute("checkpoint")
    connection.close()
    return path


@pytest.fixture
def demo_db(demo_master: Path, tmp_path: Path) -> Path:
    """A private copy of the demo database that the test may change."""
    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_master, path)
    return path


@pytest.fixture
def demo_cur(demo_db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = open_database(demo_db)
    yield connection.cursor()
    connection.close()


@pytest.fixture
def system() -> User:
    return SYSTEM


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., AppTest]]:
    """Build AppTests of crm_app.py against a chosen database file.

    The shared connection is a process-wide st.cache_resource: it is cleared before and after,
    so no test sees another test's database (or keeps its file locked).

    AppTest re-arms Streamlit's legacy pages/-folder mode before every run; a real server leaves it
    after its first run (pages/__init__.py ends it). Runs here behave like that steady state;
    `legacy=True` keeps the legacy mode, to test what a fresh server's first request does.
    """
    from streamlit.runtime.pages_manager import PagesManager

    clear_shared_connection()
    legacy = {"on": False}
    original_init = PagesManager.__init__

    def init(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        original_init(self, *args, **kwargs)
        PagesManager.uses_pages_directory = legacy["on"]

    monkeypatch.setattr(PagesManager, "__init__", init)

    def make(path: Path, *, timeout: float = 60, legacy_pages_mode: bool = False) -> AppTest:
        monkeypatch.setenv("CRM_DB", str(path))
        legacy["on"] = legacy_pages_mode
        return AppTest.from_file(APP, default_timeout=timeout)

    yield make
    clear_shared_connection()


@dataclass(frozen=True)
class PipelineWorld:
    """Two enclaves, one account per role, two employers and a drive, and one person per enclave."""

    sh: int
    cd: int
    users: dict[str, User]
    employer: int
    other_employer: int
    position: int
    drive: int
    alice: int          # 上海 (SH) enclave, owned by recruiter_sh
    bob: int            # 成都 (CD) enclave, owned by recruiter_cd


@pytest.fixture
def world(cur: duckdb.DuckDBPyConnection) -> PipelineWorld:
    """The smallest database the pipeline and activity rules can be exercised on: each role's
    account (rows in app_user, since candidates point at their owner), the recruiters in two
    different enclaves, and a person in each — so every test can act as anyone, inside or
    outside their scope."""
    from tests import factories

    sh, cd = factories.enclave(cur, "SH"), factories.enclave(cur, "CD")
    users: dict[str, User] = {}
    for username, role, enclave_id in [("recruiter_sh", "recruiter", sh), ("recruiter_cd", "recruiter", cd),
                                       ("manager", "manager", None), ("hr", "hr", None), ("admin", "admin", None)]:
        user_id = cur.execute("select nextval('seq_app_user')").fetchall()[0][0]
        cur.execute("insert into app_user (id, username, display_name, role, enclave_id, password_hash)"
                    " values (?, ?, ?, ?, ?, 'unused')", [user_id, username, username, role, enclave_id])
        users[username] = User(id=user_id, username=username, role=role, enclave_id=enclave_id,
                               display_name=username)
    employer, other_employer = factories.employer(cur, "平湖光电科技有限公司"), factories.employer(cur, "嘉兴新材料有限公司")
    position = cur.execute("insert into position (id, employer_id, title) values (nextval('seq_position'), ?, '光学工程师')"
                           " returning id", [employer]).fetchall()[0][0]
    drive = factories.drive(cur, date(2025, 10, 15), employers={employer: 5})
    alice, bob = factories.candidate(cur, "李娜", enclave_id=sh), factories.candidate(cur, "王强", enclave_id=cd)
    cur.execute("update candidate set owner_id = ?, mobile = '13800138000', email = 'lina@example.com' where id = ?",
                [users["recruiter_sh"].id, alice])
    cur.execute("update candidate set owner_id = ?, mobile = '13900139000', email = 'wq@163.com' where id = ?",
                [users["recruiter_cd"].id, bob])
    return PipelineWorld(sh, cd, users, employer, other_employer, position, drive, alice, bob)
