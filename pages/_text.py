"""User and file text shown through anything Streamlit renders as Markdown is escaped here — and
only here: `md()` is the one helper every screen uses.

Streamlit renders Markdown in st.markdown/write/caption/title/header/subheader, in every alert
(info, success, warning, error, toast), in widget labels and help texts, button, checkbox, toggle,
tab and expander labels, radio options and metric labels. There a name like "[点我](http://x)" would
become a link, "![](http://x/p.png)" would load an image, "**x**" bold text, ":red[x]" colour,
"$x$" maths, and a bare "www.x.com", "http://x" or "a@b.com" an automatic link. Table cells, select
box options and text inputs show plain text and need nothing.
"""
from __future__ import annotations

import re

# Every ASCII punctuation character may be backslash-escaped in CommonMark, and an escaped one is
# always a literal character. Escaping all of them (not a hand-picked few) also breaks the automatic
# links ('www.', '://', '@'), list and heading markers at a line start, and Streamlit's own
# ':directive[…]' and ':material/…:' syntax.
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
_LINE_START_SPACE = re.compile(r"^[ \t]+", re.MULTILINE)


# The Markdown renderer finds bare links ("www.x.com", "http://x", "a@b.com") after it has taken the
# backslashes out, so escaping alone does not stop them: a zero-width space breaks each trigger. The
# text reads the same; only a copy of such an address carries the invisible character.
_AUTOLINK = re.compile(r"(?i)(www|https?|ftp)(\\?[.:])|(\\@)")
_ZWSP = "\u200b"


def md(text: object) -> str:
    """`text` as literal characters in Markdown. Line breaks stay line breaks (never a paragraph, a
    list or an indented code block); None is an empty string."""
    if text is None:
        return ""
    escaped = _PUNCTUATION.sub(r"\\\1", str(text).replace("\r\n", "\n").replace("\r", "\n"))
    escaped = _AUTOLINK.sub(lambda m: f"{m.group(1)}{_ZWSP}{m.group(2)}" if m.group(1) else f"{_ZWSP}{m.group(3)}",
                            escaped)
    lines = [line for line in _LINE_START_SPACE.sub("", escaped).split("\n") if line.strip()]
    return "  \n".join(lines)
