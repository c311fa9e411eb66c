"""Opening the database: create, migrate, seed reference data; transactions with bounded retries.

A file that is not a usable database (damaged, not one of ours, a folder, out of reach) is refused with
DatabaseUnusable saying what to do (`unusable`), never with DuckDB's English; the command lines turn the
same errors met later, mid-query, into the same sentence (db/cli.py).
"""
from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import TypeVar

import duckdb

from db import migrate, reference, template
from db.contact_keys import claim
from db.errors import ConcurrentEdit, DatabaseBusy, DatabaseUnusable

DEFAULT_PATH = Path("data/crm.duckdb")
T = TypeVar("T")

# Cursors currently inside a transaction we began: nested commands join the outer transaction.
_in_transaction: dict[int, bool] = {}     # cursor id → whether its transaction claims contact keys
_lock = threading.Lock()
log = logging.getLogger(__name__)
RESTORE = "请用 python -m db restore 备份目录 --db 新文件 从备份恢复到一个新文件，再把 CRM_DB（或 --db）指向它"
# DuckDB's words for a file that is not (or no longer) a readable database of its format.
_DAMAGED = ("not a valid duckdb database file", "corrupt database file", "checksum", "could not read enough bytes")


def database_path() -> Path:
    return Path(os.environ.get("CRM_DB") or DEFAULT_PATH)


def connect(path: str | Path) -> duckdb.DuckDBPyConnection:
    """A raw connection to the file, or DatabaseBusy with a clear message when another process holds it
    (DatabaseUnusable when the file is no usable database)."""
    path = Path(path)
    if str(path) != ":memory:":
        _check_place(path)
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # Insertion order is never relied on (every read says ORDER BY); dropping it halves bulk loads.
        return duckdb.connect(str(path), config={"preserve_insertion_order": False})
    except duckdb.Error as error:
        refusal = unusable(path, error)
        if refusal is not None:
            raise refusal from error
        if "lock" not in str(error).lower():
            raise
        pid = re.search(r"PID (\d+)", str(error))
        holder = f"（进程 PID {pid.group(1)}）" if pid else ""
        raise DatabaseBusy(
            f"数据库文件 {path} 正被另一个进程{holder}使用，通常是正在运行的应用。"
            "请先停止应用（在运行 make run 的终端按 Ctrl+C），或在应用的管理页面中完成此操作。"
        ) from error


def open_database(path: str | Path) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) and migrate the database at `path`; reference data is loaded once.

    A database that does not exist yet starts as a copy of the cached empty one (db/template.py).
    """
    if str(path) != ":memory:" and not Path(path).exists():
        _check_place(Path(path))
        try:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            template.create(Path(path))
        except OSError as error:
            log.warning("creating database %s failed: %s", path, error)
            raise DatabaseUnusable(f"无法在 {Path(path).parent} 新建数据库文件（没有写入权限或磁盘已满）："
                                   "请用 --db（或 CRM_DB）指定一个可以写入的位置。") from error
    conn = connect(path)
    try:
        migrate.migrate(conn)
        reference.ensure_loaded(conn)
    except duckdb.Error as error:
        conn.close()
        refusal = unusable(Path(path), error)
        if refusal is not None:
            raise refusal from error
        raise
    except Exception:
        conn.close()
        raise
    return conn


def unusable(path: Path, error: BaseException) -> DatabaseUnusable | None:
    """DatabaseUnusable saying what to do when `error` (DuckDB's) means the file at `path` is no usable
    database; None for any other error. DuckDB's own words go to the log."""
    text = str(error).lower()
    if isinstance(error, duckdb.Error) and any(words in text for words in _DAMAGED):
        log.warning("database %s unusable: %s", path, error)
        empty = path.is_file() and path.stat().st_size == 0
        what = "是空文件（0 字节），不是本系统的数据库" if empty else "已损坏或不是本系统的数据库文件"
        return DatabaseUnusable(f"数据库文件 {path} {what}，无法打开：{RESTORE}。"
                                + ("如不需要其中的数据，也可以删除这个空文件，系统会新建数据库。" if empty else ""))
    if isinstance(error, duckdb.Error) and "version number" in text:
        log.warning("database %s unusable: %s", path, error)
        return DatabaseUnusable(f"数据库文件 {path} 由更新版本的程序写入，当前版本无法读取：请升级本系统后再打开。")
    if isinstance(error, duckdb.Error) and "permission denied" in text:
        log.warning("database %s unusable: %s", path, error)
        return DatabaseUnusable(f"没有权限读写数据库文件 {path}：请检查文件及其所在文件夹的权限，或用 --db 指定另一个位置。")
    return None


def _check_place(path: Path) -> None:
    if path.is_dir():
        raise DatabaseUnusable(f"数据库路径 {path} 是一个文件夹，不是数据库文件：请用 --db（或 CRM_DB）指定数据库文件本身。")
    folder = next((p for p in path.parents if p.exists()), None)
    if folder is not None and not folder.is_dir():
        raise DatabaseUnusable(f"数据库路径 {path} 无效：{folder} 是一个文件，不是文件夹。请用 --db 指定另一个位置。")


def shared_connection() -> duckdb.DuckDBPyConnection:
    """The app process's one connection (Streamlit-cached); take a `cursor()` per script run."""
    return _cached_opener()(str(database_path().resolve()))


def clear_shared_connection() -> None:
    """Close and forget the cached connection (tests switch databases between AppTests)."""
    opener = _cached_opener()
    opener.clear()


_opener = None


def _cached_opener():  # type: ignore[no-untyped-def]
    # Imported lazily: the CLI and the loaders open databases without paying for Streamlit.
    global _opener
    if _opener is None:
        import streamlit as st

        @st.cache_resource(show_spinner=False, on_release=lambda conn: conn.close())
        def _open(path: str) -> duckdb.DuckDBPyConnection:
            conn = open_database(path)
            _first_admin(conn)
            return conn

        _opener = _open
    return _opener


def _first_admin(conn: duckdb.DuckDBPyConnection) -> None:
    """A database the app opens with no accounts (started without `make run`) gets its admin; a
    generated password is printed once on the server console, as `make run` would."""
    from db import users   # users needs this module's transaction(): import at call time

    generated = users.ensure_admin(conn.cursor())
    if generated:
        print(f"已创建管理员账号 admin，初始密码：{generated}（只显示这一次，请登录后修改）", flush=True)


@contextmanager
def transaction(cur: duckdb.DuckDBPyConnection, *, claims: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """One unit of work: commit on success, roll back on any error. Nested use joins the outer one.

    `claims`: the unit adds contact keys, so it holds contact_keys.CLAIMS from before it begins until
    after it ends (see there); a nested unit that claims must be inside one that does.
    """
    key = id(cur)
    with _lock:
        nested = key in _in_transaction
        if not nested:
            _in_transaction[key] = claims
        outer_claims = _in_transaction.get(key, False)
    if nested:
        if claims and not outer_claims:
            raise RuntimeError("a unit of work that adds contact keys must begin its transaction")
        yield cur
        return
    try:
        with claim() if claims else nullcontext():
            cur.execute("begin")
            try:
                yield cur
            except BaseException:
                cur.execute("rollback")
                raise
            cur.execute("commit")
    finally:
        with _lock:
            _in_transaction.pop(key, None)


def is_conflict(error: BaseException) -> bool:
    return isinstance(error, duckdb.TransactionException) or "conflict" in str(error).lower() and isinstance(
        error, duckdb.Error
    )


def run_in_transaction(
    cur: duckdb.DuckDBPyConnection, work: Callable[[duckdb.DuckDBPyConnection], T], *, attempts: int = 5,
    claims: bool = False,
) -> T:
    """Run `work` in one transaction, retrying the whole unit when another writer conflicted with it.
    `claims`: `work` adds contact keys (see transaction). Inside an outer unit the work joins it and
    runs once: after a conflict the outer transaction is aborted, so only the outer unit can retry."""
    with _lock:
        nested = id(cur) in _in_transaction
    if nested:
        with transaction(cur, claims=claims):
            return work(cur)
    for attempt in range(1, attempts + 1):
        try:
            with transaction(cur, claims=claims):
                return work(cur)
        except duckdb.Error as error:
            if not is_conflict(error) or attempt == attempts:
                if is_conflict(error):
                    raise ConcurrentEdit("数据刚被他人修改，请刷新后重试。") from error
                raise
    raise AssertionError("unreachable")
