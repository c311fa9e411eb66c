"""The README is the newcomer's manual: every setting the code reads must be documented there."""
from __future__ import annotations

import re

from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _settings_read_by_code() -> set[str]:
    found: set[str] = set()
    for path in [*ROOT.glob("*.py"), *ROOT.glob("db/*.py"), *ROOT.glob("loaders/**/*.py"), *ROOT.glob("pages/*.py"),
                 *ROOT.glob("bench/*.py"), ROOT / "Makefile"]:
        found |= set(re.findall(r"\b((?:CRM|BENCH)_[A-Z_]+)\b", path.read_text(encoding="utf-8")))
    return found


def test_every_setting_is_documented() -> None:
    settings = _settings_read_by_code()
    assert {"CRM_DB", "CRM_DEMO", "CRM_ADMIN_PASSWORD"} <= settings   # the scan itself works
    undocumented = {s for s in settings if f"`{s}`" not in README}
    assert undocumented == set()


def test_readme_gives_the_two_commands_and_the_demo_password_first() -> None:
    assert README.index("make run") < README.index("make test") < README.index("## Configuration")
    assert "pinghu2025" in README and "demo databases only" in README


def test_readme_names_every_cli_command() -> None:
    for command in ("python -m loaders demo", "python -m db report", "python -m db backup", "python -m db restore"):
        assert command in README
