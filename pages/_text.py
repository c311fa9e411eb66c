"""User text shown through Streamlit's markdown (markdown, caption, info, error …) is escaped here."""
from __future__ import annotations

import re

# Inline markdown (emphasis, code, links, images, tables, raw HTML), Streamlit's :color[…]
# directives and $…$ maths: each gets a backslash. ('.', '-', '+' only matter at a line start,
# and these texts are always inline.)
_SPECIAL = re.compile(r"([\\`*_{}\[\]()#!|<>~$:])")


def md(text: object) -> str:
    """`text` as literal characters in markdown: a name like "[点我](http://x)" stays text, not a link."""
    return _SPECIAL.sub(r"\\\1", "" if text is None else str(text))
