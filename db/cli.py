"""What every command line of the project shares: one Chinese line per error, tracebacks to a log file."""
from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path

from db.errors import DomainError

log = logging.getLogger("crm.cli")


def log_file() -> Path:
    return Path(os.environ.get("CRM_LOG_DIR") or "data/logs") / "cli.log"


def configure_logging() -> None:
    """Warnings and tracebacks go to the log file, never to the user's terminal."""
    path = log_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.FileHandler(path, encoding="utf-8")
    except OSError:   # a read-only place: keep quiet rather than fail the command
        handler = logging.NullHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    logging.basicConfig(level=logging.WARNING, handlers=[handler], force=True)


def guarded(command: str, work: Callable[[], int]) -> int:
    """Run a command: exit 2 with the domain error's own sentence, 1 (a bug) with a pointer to the log."""
    try:
        return work()
    except DomainError as error:
        print(f"错误：{error}", file=sys.stderr)
        return 2
    except Exception:  # noqa: BLE001 — a bug: the traceback is for us, in the log
        log.exception("%s failed", command)
        print(f"内部错误：操作未完成，数据库未被修改。详细信息已写入 {log_file()}。", file=sys.stderr)
        return 1


def leave(code: int) -> None:
    """End a command-line process with `code`, skipping the interpreter's teardown.

    With polars loaded, tearing the interpreter down takes about 50 ms after the work is done
    (measured: 45 ms for `import polars` alone, 4 ms for a bare interpreter) and frees nothing
    that matters: every command has closed its database and removed its temporary folders by
    the time it returns. What is buffered — the log file, stdout, stderr — is flushed first.
    """
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):    # a closed pipe or stream: nothing more can be said there
            pass
    os._exit(code)

