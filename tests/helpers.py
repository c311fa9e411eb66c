"""Helpers for AppTest-driven tests (not fixtures: plain functions tests import)."""
from __future__ import annotations

from streamlit.testing.v1 import AppTest

DEMO_PASSWORD = "pinghu2025"


def login(at: AppTest, username: str, password: str = DEMO_PASSWORD) -> AppTest:
    """Run the app to its login form, submit credentials, and run the next script run."""
    at.run()
    inputs = {t.label: t for t in at.text_input}
    inputs["用户名"].input(username)
    inputs["密码"].input(password)
    button(at, "登录").click()
    at.run()
    return at


def button(at: AppTest, label: str):  # type: ignore[no-untyped-def]
    return next(b for b in at.button if b.label == label)


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def nav_pages(at: AppTest) -> dict[str, str]:
    """screen file stem → title of every page this session's st.navigation registered."""
    from pathlib import Path

    return {Path(str(info["script_path"])).stem: info["page_name"] for info in at._registered_pages.values()}


def request_url_path(at: AppTest, url_path: str) -> AppTest:
    """Ask for a page by URL path, as a browser typing /admin_users would, whether or not the
    navigation offers it; then run."""
    from streamlit.util import calc_hash

    at._page_hash = calc_hash(url_path)
    return at.run()


def shown(markdown: str) -> str:
    """What a user reads from a markdown element: backslash escapes and the zero-width spaces that
    break automatic links removed (pages/_text.md adds both)."""
    import re

    return re.sub(r"\\(.)", r"\1", markdown).replace("\u200b", "")


def claimed(cur, *contacts: str) -> list[tuple[str, int]]:  # type: ignore[no-untyped-def]
    """contact_key as sorted ('m:…' / 'e:…', candidate_id) pairs, its keys spelled as the contacts given
    (a key that none of them makes shows as its number, so it cannot pass for one of them)."""
    from db.contact_keys import contact_key

    names = {contact_key(*c.split(":", 1)): c for c in contacts}
    held = cur.execute("select key, candidate_id from contact_key").fetchall()
    return sorted((names.get(int(key), str(key)), candidate_id) for key, candidate_id in held)


# Hostile user text: a Markdown link, bold, an image, a bare link, a colour directive, maths, raw HTML.
HOSTILE = ("[链](http://evil.example/a) **粗** ![图](http://evil.example/i.png) www.evil.example :red[红] $x$ "
           "<b>b</b> <img src=http://evil.example/x.png>")


def make_hostile(path) -> None:  # type: ignore[no-untyped-def]
    """Put HOSTILE into every text field a screen shows, in the database file at `path` (a copy of the
    demo database): enclaves, a new employer (first in name order, with a third of the applications:
    DuckDB will not update a unique name others refer to), positions, agreements, appointments,
    co-supervision, drives, display names, a third of the people (school link cleared, so the raw school
    shows), tags, activities, notes and reasons, import file names."""
    import duckdb

    conn = duckdb.connect(str(path))
    for statement in (
        "update enclave set name = name || ' ' || $p, city = city || $p, host_organisation = $p",
        "insert into employer (id, name, park) values (nextval('seq_employer'), $p, $p)",
        "update application set employer_id = (select max(id) from employer)"
        " where candidate_id % 3 = 0 and employer_id is not null",
        "update position set title = title || $p",
        "update agreement set title = $p, notes = $p",
        "update appointment set person_name = $p, home_institution = $p",
        "update co_supervision set enterprise_mentor = $p, topic = $p",
        "update campus_drive set title = title || $p",
        "update app_user set display_name = display_name || $p",
        "update candidate set name = left(name, 3) || $p, university_id = null, university_raw = $p, major = $p,"
        " college = $p, notes = $p, consent_method = $p, consent_purpose = $p where id % 3 = 0",
        "update candidate set next_follow_up_on = current_date where id % 3 = 0 and enclave_id is not null",
        "insert into candidate_tag select id, $p from candidate where id % 3 = 0 on conflict do nothing",
        "update activity set body = $p",
        "update stage_event set note = $p",
        "update application set lost_reason = $p where lost_reason is not null",
        "update import_batch set file_name = $p || '.csv'",
    ):
        conn.execute(statement, {"p": HOSTILE} if "$p" in statement else {})
    conn.close()
