"""Every screen in a real Chromium, for every role: hostile text stays inert, the UI speaks Chinese,
and the narrow screens of a 1366×768 laptop keep phone numbers, dates and years whole.

tests/test_hostile_text.py checks the Markdown each element is given; this checks what the browser
made of it — an escape that Markdown ignores (an automatic link, say) only shows up here. The
server, the browser and the tabs are tests/browser_support.py's.
"""
from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from db.enums import Role
from pages._screens import SCREENS
from tests.helpers import HOSTILE, make_hostile

sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright Python package is not installed")
expect = sync_api.expect
pytest_plugins = ["tests.browser_support"]   # the server, the browser and the tabs, shared with test_browser.py
pytest.register_assert_rewrite("tests.browser_support")

from tests.browser_support import (  # noqa: E402  (only once playwright is known to be there)
    ARTIFACTS, BROWSER_MARKS, LOCK_ME, WRONG_ONCE, full_screenshot, login, open_login, open_screen, running_server,
    settle, switch_screen,
)

pytestmark = BROWSER_MARKS

ACCOUNTS = {Role.RECRUITER: "recruiter_sh", Role.MANAGER: "manager", Role.HR: "hr", Role.ADMIN: "admin"}
LAPTOP = {"width": 1366, "height": 768}


def menu(role: str, person: tuple[int, str]) -> list[tuple[str, str]]:
    """(address, title) of every screen a role's sidebar lists — the default one lives at "/" ("/overview"
    is Streamlit's English "Page not found") — and of one person's detail screen, titled by their name."""
    listed = [("/" if s.default else f"/{s.url_path}", s.title) for s in SCREENS if role in s.roles and not s.hidden]
    return listed + [(f"/candidate?id={person[0]}", person[1])]


def visit(tab, path: str, title: str) -> None:  # type: ignore[no-untyped-def]
    """A screen through the sidebar where it shows a link (Streamlit shows 10 of a longer menu), else —
    the detail screen, say — by its address."""
    if tab.get_by_test_id("stSidebar").get_by_role("link", name=title, exact=True).count():
        switch_screen(tab, title)
    else:
        open_screen(tab, path, title)


def shot_name(kind: str, role: str, path: str) -> str:
    return f"{kind}-{role}-{path.strip('/').split('?')[0] or 'overview'}"


def person_in_sh(db: Path, *, where: str = "true") -> tuple[int, str]:
    """A live person of recruiter_sh's enclave (so every role may open them) with applications,
    activities and stage events, as (id, name)."""
    conn = duckdb.connect(str(db), read_only=True)
    found = conn.execute(
        "select c.id, c.name from candidate c join enclave e on e.id = c.enclave_id"
        " where e.code = 'SH' and c.merged_into is null and c.deleted_at is null and " + where +
        " and exists (select 1 from application a where a.candidate_id = c.id)"
        " and exists (select 1 from activity v where v.candidate_id = c.id)"
        " and exists (select 1 from stage_event s where s.candidate_id = c.id) order by c.id limit 1").fetchall()
    conn.close()
    return found[0]


def screenshot(tab, name: str) -> Path:  # type: ignore[no-untyped-def]
    """The whole screen as it is now, into test-artifacts/ (the viewport's width kept)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / (re.sub(r"[^\w.-]+", "_", name) + ".png")
    size = tab.viewport_size
    full_screenshot(tab, path)
    tab.set_viewport_size(size)
    return path


# ---- 1. hostile text is inert on every screen ---------------------------------------------------

PAYLOAD = HOSTILE
SHOWN = "[链](http://evil.example/a)"    # what a user must read where a hostile person is shown

# Where the browser would have made something of the payload. Bold names are legitimate, so a 粗 is
# wrong only where its literal asterisks are missing (its text node would then be just "粗").
LIVE_MARKUP = """() => {
  const where = e => {
    const box = e.closest('[data-testid]:not([data-testid="stMarkdownContainer"])');
    return (e.closest('[data-testid="stSidebar"]') ? 'sidebar ' : '') + (box ? box.dataset.testid : e.tagName.toLowerCase());
  };
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) texts.push(n);
  const text = (nodes, show) => nodes.map(n => [where(n.parentElement), show(n)]);
  const elements = (selector, keep, show) => [...document.querySelectorAll(selector)].filter(keep).map(e => [where(e), show(e)]);
  return {
    link: elements('a[href*="evil"]', e => true, a => `<a href="${a.getAttribute('href')}">${a.textContent}</a>`),
    image: elements('img[src*="evil"], source[srcset*="evil"], [style*="evil"]', e => true, e => e.outerHTML.slice(0, 120)),
    emphasis: text(texts.filter(n => n.textContent.includes('粗') && !n.textContent.includes('**粗**')),
                   n => `<${n.parentElement.tagName.toLowerCase()}>${n.textContent}`),
    maths: elements('.katex, .katex-display, math', e => e.textContent.includes('x'), e => e.textContent.slice(0, 40)),
    colour: text(texts.filter(n => n.textContent.trim() === '红'), n => n.parentElement.outerHTML.slice(0, 120)),
    html: elements('b, strong', e => e.textContent.trim() === 'b', e => e.outerHTML),
  };
}"""


def summary(kind: str, hits: list[list[str]]) -> str:
    """One line per kind: how many, in which elements, and one example from each."""
    places: dict[str, list[str]] = {}
    for where, what in hits:
        places.setdefault(where, []).append(what)
    return f"{kind} ×{len(hits)}: " + "; ".join(f"{where} ×{len(whats)} e.g. {whats[0]}" for where, whats in places.items())


@pytest.fixture(scope="module")
def hostile_db(demo_master: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo database with the payload in every text a screen shows people by; the school link
    cleared so the raw school name shows."""
    path = tmp_path_factory.mktemp("hostile-browser") / "hostile.duckdb"
    shutil.copy(demo_master, path)
    make_hostile(path)
    return path


@pytest.fixture(scope="module")
def hostile_person(hostile_db: Path) -> tuple[int, str]:
    return person_in_sh(hostile_db, where="c.id % 3 = 0")


@pytest.fixture(scope="module")
def hostile_server(hostile_db: Path, hostile_person: tuple[int, str]) -> Iterator[str]:
    """An app server of its own on the hostile database. It holds the file from then on (DuckDB
    allows one writing process), so the hostile person is looked up first."""
    with running_server(hostile_db) as base:
        yield base


@pytest.mark.parametrize("role", list(ACCOUNTS))
def test_hostile_text_is_inert_on_every_screen(open_tab, hostile_person, hostile_server: str, role: str) -> None:  # type: ignore[no-untyped-def]
    tab = open_tab(hostile_server)
    requested: list[str] = []
    tab.context.on("request", lambda request: requested.append(request.url) if "evil" in request.url else None)
    login(tab, ACCOUNTS[role])

    found: list[str] = []
    for path, title in menu(role, hostile_person):
        visit(tab, path, title)
        live = {kind: hits for kind, hits in tab.evaluate(LIVE_MARKUP).items() if hits}
        if live:
            shot = screenshot(tab, shot_name("hostile", role, path))
            found += [f"{path} ({shot.name}) {summary(kind, hits)}" for kind, hits in live.items()]
        if path.startswith("/candidate?"):     # the check looks where the payload is: it is on the page, as text
            expect(tab.get_by_test_id("stMain")).to_contain_text(SHOWN)
            expect(tab.get_by_test_id("stMain")).to_contain_text("**粗** ![图](http://evil.example/i.png)")
        if path == "/board":                   # the board opens on the hostile employer: its cards are hostile people
            cards = tab.locator('[class*="st-key-board_card_"]')
            expect(cards.first).to_be_visible()
            expect(cards.filter(has_text=SHOWN).first).to_be_visible()
    found += [f"the browser requested {url}" for url in dict.fromkeys(requested)]
    assert found == [], "payload rendered as markup:\n" + "\n".join(found)


# ---- 2. the UI speaks Chinese -------------------------------------------------------------------

# English the product may show, each for a reason (compared ignoring case: ".xlsx" is XLSX).
ALLOWED = {
    "csv", "tsv", "txt", "excel", "xlsx",    # file types on 导入 and 台账导入 and on every download button
    "pdf",                                   # 年度报告 and the sign-up poster are PDF files
    "mb",                                    # the upload limit, "200 MB"
    "crm",                                   # the product's name, "飞地招才 CRM"
    "parquet",                               # 备份 tells admins the format of the backup files
    "utf", "gbk",                            # 导入 reports the encoding it read a file in
    "gb",                                    # a national standard is cited as written: "GB 32100-2015"
    "zhangwei", "zw",                        # pinyin, not English: the search box's examples of what to type
}
# Text shown verbatim because someone must type or recognise it exactly: e-mail addresses, a server
# directory, and the one restore command (with its environment variable) the backup screen gives.
VERBATIM = re.compile(r"\S+@\S+|(?<![\w/])/[\w./-]+|python -m db restore|--db\b|\bCRM_DB\b")
# Streamlit's own English, named so a data word can never excuse it.
NEVER = {"None", "null", "NaN", "empty", "Upload", "per", "file", "Choose", "option", "Browse", "Drag", "drop",
         "Download", "Press", "Enter", "Skip", "Search", "Clear", "Select", "No", "results", "yyyy", "mm", "dd"}
# Every visible text on the page, as the user sees it: not inside display:none, not shrunk to font
# size 0 (how pages/_widgets.UPLOADER_STYLE hides Streamlit's uploader English), not an icon's
# ligature name ("dashboard" drawn as a picture by the Material Symbols font). Placeholders show
# whenever their field is empty, so they count too; clip-hidden text (the keyboard "skip" link) counts.
VISIBLE_TEXT = """() => {
  const shown = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const e = n.parentElement;
    if (!/[A-Za-z]/.test(n.textContent) || !e || e.closest('script, style, noscript, template')) continue;
    const style = getComputedStyle(e);
    if (!e.checkVisibility() || parseFloat(style.fontSize) === 0) continue;
    if (e.closest('[data-testid="stIconMaterial"]') || /Material Symbols/.test(style.fontFamily)) continue;
    const box = e.closest('[data-testid]');
    shown.push([box ? box.dataset.testid : e.tagName, n.textContent.trim()]);
  }
  for (const field of document.querySelectorAll('input[placeholder], textarea[placeholder]'))
    if (field.checkVisibility()) shown.push(['placeholder of ' + (field.getAttribute('aria-label') || field.name), field.placeholder]);
  return shown;
}"""


@pytest.fixture(scope="module")
def data_words(demo_master: Path) -> frozenset[str]:
    """Latin words that come from the data people typed (login names, enclave codes, a position
    like "Java 开发工程师", credit codes): shown as typed, they are not the UI's English."""
    conn = duckdb.connect(str(demo_master), read_only=True)
    values = [v for (v,) in conn.execute(
        "select username from app_user union all select code from enclave union all select title from position"
        " union all select name from employer union all select credit_code from employer"
        " union all select body from activity union all select major from candidate"
        " union all select tag from candidate_tag union all select title from campus_drive").fetchall() if v]
    conn.close()
    return frozenset(w for v in values + [WRONG_ONCE, LOCK_ME] for w in re.findall(r"[A-Za-z]+", v)) - NEVER


def english(shown: list[list[str]], data: frozenset[str]) -> list[str]:
    """The English among texts shown, as "where: text" (once each)."""
    found: dict[str, None] = {}
    for where, text in shown:
        words = {w for w in re.findall(r"[A-Za-z]+", VERBATIM.sub(" ", text)) if w.lower() not in ALLOWED} - data
        if words:
            found[f"{where}: {text[:90]!r} → {', '.join(sorted(words))}"] = None
    return list(found)


def english_on_screen(tab, data: frozenset[str]) -> list[str]:  # type: ignore[no-untyped-def]
    """English on the screen as drawn, and behind each of its tabs; "None" in any table cell."""
    found = english(tab.evaluate(VISIBLE_TEXT), data)
    tabs = tab.get_by_role("tab")
    for i in range(1, tabs.count()):     # a tab's panel is display:none until it is chosen
        tabs.nth(i).click()
        found += english(tab.evaluate(VISIBLE_TEXT), data)
    cells = tab.locator('[id^="glide-cell-"]').all_text_contents()
    found += [f"table cell: {c!r}" for c in cells if re.search(r"\b(None|null|NaN|nan)\b", c)]
    return list(dict.fromkeys(found))


@pytest.fixture(scope="module")
def demo_person(demo_master: Path) -> tuple[int, str]:
    return person_in_sh(demo_master)


@pytest.mark.parametrize("role", list(ACCOUNTS))
def test_the_ui_speaks_chinese(open_tab, server: str, data_words, demo_person, role: str) -> None:  # type: ignore[no-untyped-def]
    tab = open_tab(server)
    open_login(tab)
    settle(tab)
    found = {e: ["login form"] for e in english_on_screen(tab, data_words)}   # English → the screens it is on
    login(tab, ACCOUNTS[role])
    for path, title in menu(role, demo_person):
        visit(tab, path, title)
        here = english_on_screen(tab, data_words)
        if here:
            screenshot(tab, shot_name("english", role, path))
        for e in here:
            found.setdefault(e, []).append(path)
    assert found == {}, (f"English on screen (screenshots: test-artifacts/english-{role}-*.png):\n"
                         + "\n".join(f"{e}  — on {', '.join(paths)}" for e, paths in found.items()))


def test_the_file_uploader_speaks_chinese(open_tab, server: str) -> None:  # type: ignore[no-untyped-def]
    """Streamlit's uploader says "Upload" and "200MB per file"; UPLOADER_STYLE shrinks that text to
    nothing and puts Chinese in CSS ::after content — which innerText never shows, so look at what
    the browser draws: no Latin letter at a size above 0, and the Chinese in the ::after boxes."""
    tab = open_tab(server)
    login(tab, "hr")
    open_screen(tab, "/import_data", "导入")
    uploader = tab.get_by_test_id("stFileUploader")
    expect(uploader).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    uploader.screenshot(path=str(ARTIFACTS / "uploader.png"))
    drawn = uploader.evaluate("""root => {
      const drawn = [];
      const walker = document.createTreeWalker(root.querySelector('[data-testid="stFileUploaderDropzone"]'), NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const e = n.parentElement, style = getComputedStyle(e), box = e.getBoundingClientRect();
        if (e.closest('[data-testid="stIconMaterial"]') || !n.textContent.trim()) continue;
        if (e.checkVisibility() && parseFloat(style.fontSize) > 0 && box.width > 0 && box.height > 0)
          drawn.push(`<${e.tagName.toLowerCase()}> ${n.textContent.trim()} (${style.fontSize})`);
      }
      return drawn;
    }""")
    assert [d for d in drawn if re.search(r"[A-Za-z]", d.split(" (")[0])] == [], drawn
    after = uploader.evaluate("""root => ({
      button: getComputedStyle(root.querySelector('[data-testid="stFileUploaderDropzone"] button'), '::after').content,
      instructions: getComputedStyle(root.querySelector('[data-testid="stFileUploaderDropzoneInstructions"] span'), '::after').content,
    })""")
    assert "选择文件" in after["button"] and "拖放文件" in after["instructions"], after


# ---- 3. a 1366×768 laptop -----------------------------------------------------------------------

# For every text line in the board's cards: on how many rows it was laid out, and whether it was cut
# (CARD_STYLE ends an overlong line in "…": fine for a name or a position, never for a phone number or
# a date). Each <br>-separated line of a caption is a text node of its own. Text not laid out at all
# (cards in the closed 已结束 expander, a second hidden copy of a button's label) is left out.
CARD_LINES = """() => {
  const lines = [];
  for (const card of document.querySelectorAll('[class*="st-key-board_card_"]')) {
    if (!card.checkVisibility()) continue;
    for (const p of card.querySelectorAll('p')) {
      const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        if (!n.textContent.trim()) continue;
        const range = document.createRange();
        range.selectNodeContents(n);
        const rows = new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
        if (rows === 0) continue;
        const width = range.getBoundingClientRect().width;
        lines.push({card: card.className.match(/board_card_\\d+/)?.[0], text: n.textContent.trim(), rows,
                    cut: width > p.clientWidth + 0.5, width: Math.round(width), room: p.clientWidth});
      }
    }
  }
  return lines;
}"""
WHOLE = re.compile(r"^(\+?[\d*\s-]{7,}|\d{4}-\d{2}-\d{2})$")     # phone numbers (masked or not) and dates


def test_board_cards_keep_phone_and_date_on_one_line_at_1366(open_tab, server: str) -> None:  # type: ignore[no-untyped-def]
    tab = open_tab(server, viewport=LAPTOP)
    login(tab, "recruiter_sh")
    open_screen(tab, "/board", "流程看板")
    expect(tab.locator('[class*="st-key-board_card_"]').first).to_be_visible()
    lines = tab.evaluate(CARD_LINES)      # measured at 768 px high: the screenshot makes the tab taller
    screenshot(tab, "board-1366")
    cards = {line["card"] for line in lines}
    whole = [line for line in lines if WHOLE.match(line["text"])]
    assert len(cards) >= 7 and len(whole) >= len(cards), f"expected cards, each with a date: {lines[:5]}"
    wrapped = [f"{line['card']}: {line['text']!r} on {line['rows']} rows" for line in lines if line["rows"] != 1]
    cut = [f"{line['card']}: {line['text']!r} needs {line['width']} px, has {line['room']}" for line in whole if line["cut"]]
    assert wrapped == [] and cut == [], "card lines wrapped or cut (board-1366.png):\n" + "\n".join(wrapped + cut)


def test_candidate_form_shows_a_four_digit_year_at_1366(open_tab, server: str) -> None:  # type: ignore[no-untyped-def]
    tab = open_tab(server, viewport=LAPTOP)
    login(tab, "recruiter_sh")
    open_screen(tab, "/candidate_new", "新建候选人")
    fits = {}
    for label, year in (("出生年份", "2001"), ("毕业年份", "2026")):
        field = tab.get_by_label(label, exact=True)
        field.fill(year)
        expect(field).to_have_value(year)
        fits[label] = field.evaluate("e => ({scroll: e.scrollWidth, client: e.clientWidth})")
    screenshot(tab, "candidate-form-1366")
    assert {label: f for label, f in fits.items() if f["scroll"] > f["client"]} == {}, "a year is cut"


def test_typing_in_a_form_shows_no_english(open_tab, server: str, data_words) -> None:  # type: ignore[no-untyped-def]
    """Streamlit adds instructions under a field once it is typed in ("Press Enter to submit form")."""
    tab = open_tab(server)
    login(tab, "recruiter_sh")
    open_screen(tab, "/candidate_new", "新建候选人")
    before = set(english(tab.evaluate(VISIBLE_TEXT), data_words))    # the screen's own: test_the_ui_speaks_chinese
    tab.get_by_label("姓名 *", exact=True).fill("测试")
    tab.get_by_label("毕业年份", exact=True).fill("2026")
    form = tab.get_by_test_id("stForm")
    expect(form.get_by_label("毕业年份", exact=True)).to_be_focused()
    tab.wait_for_timeout(300)    # drawn on the next frames, with no script run to wait for
    found = [e for e in english(tab.evaluate(VISIBLE_TEXT), data_words) if e not in before]
    if found:
        ARTIFACTS.mkdir(exist_ok=True)
        year = form.get_by_test_id("stNumberInput").filter(has=tab.get_by_label("毕业年份", exact=True))
        year.screenshot(path=str(ARTIFACTS / "typing-instructions.png"))
    assert found == [], "English on screen while typing (typing-instructions.png):\n" + "\n".join(found)
