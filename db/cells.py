"""Text cells of files the app hands out: the formula guard every spreadsheet export applies, and the
scrub the annual report applies to register text (no mobile, e-mail or ID number in a report)."""
from __future__ import annotations

import re

from db import national_id

# A spreadsheet runs a cell starting with one of these as a formula: such text gets a leading apostrophe.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_MOBILE = re.compile(r"(?<![0-9])(?:\+?86[ \-]?)?1[3-9][0-9](?:[ \-]?[0-9]){8}(?![0-9])")   # 138 0013 8000 too
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
MOBILE_REMOVED = "［手机号已移除］"
EMAIL_REMOVED = "［邮箱已移除］"


def formula_safe(text: str) -> str:
    """`text` as a spreadsheet shows it instead of running it."""
    return "'" + text if text.startswith(FORMULA_START) else text


def scrubbed(text: str) -> str:
    """`text` with any mobile number, e-mail address or ID number replaced by a note that it was removed:
    register fields are free text, and whoever typed a title may have typed a contact into it."""
    text = _MOBILE.sub(MOBILE_REMOVED, text)
    text = _EMAIL.sub(EMAIL_REMOVED, text)
    return national_id.redact(text)
