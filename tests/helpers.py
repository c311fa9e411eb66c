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
