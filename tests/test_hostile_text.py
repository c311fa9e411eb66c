"""User and file text reaches every screen as inert text: a hostile value in every text field the
screens show, every screen for every role, and the deeper states (a person's detail and edit form,
the duplicates pair, an import with hostile headers) — no Markdown link, image, emphasis, colour,
maths, raw HTML or automatic link may survive into anything Streamlit renders as Markdown.

The browser test (tests/test_browser.py) checks the same in a real page; this one covers every
screen quickly, on the Markdown each element is given.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from db.enums import Role
from pages._screens import SCREENS
from tests.helpers import HOSTILE, button, login, make_hostile, shown

PAYLOAD = HOSTILE
# What each construct looks like unescaped in Markdown source; md() turns every one of them inert.
LIVE = ("[链](", "**粗**", "![图](", "www.evil", "http://evil", ":red[红]", "$x$", "<b>b")
ACCOUNTS = {Role.RECRUITER: "recruiter_sh", Role.MANAGER: "manager", Role.HR: "hr", Role.ADMIN: "admin"}


@pytest.fixture(scope="module")
def hostile_master(demo_master: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo database with the payload in every text field a screen shows."""
    path = tmp_path_factory.mktemp("hostile") / "hostile.duckdb"
    shutil.copy(demo_master, path)
    make_hostile(path)
    return path


@pytest.fixture
def hostile_db(hostile_master: Path, tmp_path: Path) -> Path:
    path = tmp_path / "hostile.duckdb"
    shutil.copy(hostile_master, path)
    return path


def markdown_sources(at: AppTest) -> list[str]:
    """Every string of this run that Streamlit renders as Markdown: text elements, alerts, labels and
    help texts of widgets, radio options, tab and expander labels, metric labels."""
    found: list[str] = []
    for kind in ("markdown", "caption", "title", "header", "subheader", "info", "success", "warning", "error",
                 "toast"):
        found += [str(e.value) for e in getattr(at, kind)]
    for kind in ("button", "checkbox", "toggle", "radio", "selectbox", "multiselect", "text_input", "text_area",
                 "number_input", "date_input", "download_button", "file_uploader", "form_submit_button"):
        for widget in getattr(at, kind):
            found += [str(getattr(widget, "label", "") or ""), str(getattr(widget.proto, "help", "") or "")]
    for radio in at.radio:
        found += [str(option) for option in radio.options]      # as shown: format_func already applied
    for kind in ("tabs", "expander"):
        found += [str(getattr(e, "label", "") or getattr(e.proto, "label", "")) for e in getattr(at, kind)]
    found += [str(m.label) for m in at.metric] + [str(m.value) for m in at.metric]     # both are Markdown
    return found


def live_markup(at: AppTest) -> list[str]:
    """The Markdown sources in which a piece of the payload is still live (not escaped)."""
    return [text for text in markdown_sources(at) if any(token in text for token in LIVE)]


CASES = [(s.file, role) for s in SCREENS for role in ACCOUNTS if role in s.roles and not s.hidden]


@pytest.mark.slow
@pytest.mark.parametrize("screen, role", CASES)
def test_every_screen_shows_hostile_text_inert(app, hostile_db: Path, screen: str, role: str) -> None:  # type: ignore[no-untyped-def]
    at = login(app(hostile_db, timeout=180), ACCOUNTS[role])
    at.switch_page(f"pages/{screen}").run()
    assert not at.exception, [e.message for e in at.exception]
    assert live_markup(at) == []


def hostile_person(db: Path) -> int:
    conn = duckdb.connect(str(db))
    found = conn.execute("select c.id from candidate c where c.id % 3 = 0 and c.merged_into is null and"
                         " c.deleted_at is null and exists (select 1 from application a where a.candidate_id = c.id)"
                         " and exists (select 1 from activity v where v.candidate_id = c.id) order by id limit 1"
                         ).fetchall()[0][0]
    conn.close()
    return found


@pytest.mark.slow
@pytest.mark.parametrize("role", [Role.MANAGER, Role.HR])
def test_a_hostile_persons_detail_and_edit_form(app, hostile_db: Path, role: str) -> None:  # type: ignore[no-untyped-def]
    person = hostile_person(hostile_db)
    at = login(app(hostile_db, timeout=180), ACCOUNTS[role])
    at.query_params["id"] = str(person)
    at.switch_page("pages/candidate.py").run()
    assert not at.exception, [e.message for e in at.exception]
    assert any("evil" in text for text in markdown_sources(at))      # the payload is on the page …
    assert live_markup(at) == []                                        # … and inert
    if role == Role.HR:
        button(at, "修改资料").click()
        at.run()
        assert live_markup(at) == []


@pytest.mark.slow
def test_the_duplicates_pair_and_the_board(app, hostile_db: Path) -> None:  # type: ignore[no-untyped-def]
    conn = duckdb.connect(str(hostile_db))
    conn.execute("update candidate set name = '重名' || $p, name_pinyin = 'chongming', university_id = 1,"
                 " graduation_year = 2025 where id in (select id from candidate where id % 3 = 0 and merged_into is"
                 " null and deleted_at is null order by id limit 2)", {"p": PAYLOAD})
    conn.close()
    at = login(app(hostile_db, timeout=180), "hr")
    at.switch_page("pages/duplicates.py").run()
    assert not at.exception and live_markup(at) == []
    at.switch_page("pages/board.py").run()
    assert not at.exception and live_markup(at) == []


@pytest.mark.slow
def test_an_import_with_hostile_headers_and_file_name(app, hostile_db: Path) -> None:  # type: ignore[no-untyped-def]
    sheet = (f"姓名,手机号码,{PAYLOAD},意向企业\n"
             f"{PAYLOAD},13800000001,x,{PAYLOAD}\n"
             f"测试,not-a-phone,y,z\n").encode()
    at = login(app(hostile_db, timeout=180), "hr")
    at.switch_page("pages/import_data.py").run()
    at.file_uploader[0].upload(f"{PAYLOAD}.csv", sheet, "text/csv")
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert live_markup(at) == []
    button(at, "确认导入").click()
    at.run()
    assert not at.exception and live_markup(at) == []


PROGRAMME_TABLES = {"programme_enclaves.py": "enclave", "programme_employers.py": "employer",
                    "programme_drives.py": "campus_drive", "programme_agreements.py": "agreement",
                    "programme_appointments.py": "appointment", "programme_co_supervision.py": "co_supervision"}


@pytest.mark.slow
@pytest.mark.parametrize("screen, table", list(PROGRAMME_TABLES.items()))
def test_a_hostile_register_rows_detail(app, hostile_db: Path, screen: str, table: str) -> None:  # type: ignore[no-untyped-def]
    conn = duckdb.connect(str(hostile_db))
    if table == "employer":
        row_id = conn.execute("select max(id) from employer").fetchall()[0][0]       # the hostile one
    else:
        row_id = conn.execute(f"select min(id) from {table}").fetchall()[0][0]
    conn.close()
    at = login(app(hostile_db, timeout=180), "manager")
    at.query_params["id"] = str(row_id)
    at.switch_page(f"pages/{screen}").run()
    assert not at.exception, [e.message for e in at.exception]
    assert any("evil" in text for text in markdown_sources(at)), screen
    assert live_markup(at) == []


def test_the_payload_is_caught_when_not_escaped() -> None:
    """The check itself can fail: raw payload is live, md() of it is not."""
    from pages._text import md

    assert all(token in PAYLOAD for token in LIVE)
    assert not any(token in md(PAYLOAD) for token in LIVE)
    assert shown(md(PAYLOAD)) == PAYLOAD
