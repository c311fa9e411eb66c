"""Chinese national ID numbers (居民身份证号, GB 11643-1999) recognised by what they look like, not by
the column they sit in, so that they can be kept out of everything the CRM stores, shows or logs.

An 18-character number counts when its last character is the GB 11643 check character of the first
17 digits; a 15-digit (pre-1999) number carries no check character, so it counts when its digits 7–12
are a real date 19YYMMDD. Both may be written in the usual 6-8-4 (6-6-3) groups separated by a space
or a hyphen. Full-width digits are read as digits.
"""
from __future__ import annotations

import logging
import re
import unicodedata
from datetime import date

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
# Candidates are cheap to find; the check character (or the date) then decides. Lookarounds keep a
# longer digit run (a bank card, an order number) from being read as an ID inside it.
_CANDIDATE = re.compile(
    r"(?<![0-9])(?:[0-9]{6}[ \-]?[0-9]{8}[ \-]?[0-9]{3}[0-9Xx]|[0-9]{6}[ \-]?[0-9]{6}[ \-]?[0-9]{3})(?![0-9A-Za-z])"
)
# What a polars/regex pre-filter can look for: any cell without this cannot hold an ID number.
HINT = r"[0-9０-９]{6}[ \-]?[0-9０-９]{6}"
REDACTED = "［身份证号已移除］"


def check_char(first17: str) -> str:
    """The GB 11643 check character of the first 17 digits."""
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS)) % 11]


def is_national_id(text: str) -> bool:
    """True when `text` (separators allowed) is one whole national ID number."""
    digits = re.sub(r"[ \-]", "", unicodedata.normalize("NFKC", text)).upper()
    if len(digits) == 18 and digits[:17].isdigit():
        return digits[17] == check_char(digits[:17])
    if len(digits) == 15 and digits.isdigit():
        return _real_date(1900 + int(digits[6:8]), int(digits[8:10]), int(digits[10:12]))
    return False


def _real_date(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def contains(text: object) -> bool:
    """True when `text` holds a national ID number anywhere in it."""
    if text is None:
        return False
    folded = unicodedata.normalize("NFKC", str(text))
    return any(is_national_id(m.group(0)) for m in _CANDIDATE.finditer(folded))


def redact(text: str) -> str:
    """`text` with every national ID number in it replaced by REDACTED (unchanged when it has none).

    Full-width text is folded to half-width only when it does hold an ID number: every other text
    comes back exactly as given.
    """
    folded = unicodedata.normalize("NFKC", text)
    if not _CANDIDATE.search(folded):
        return text
    replaced = _CANDIDATE.sub(lambda m: REDACTED if is_national_id(m.group(0)) else m.group(0), folded)
    return text if replaced == folded else replaced


class RedactingFilter(logging.Filter):
    """Logs never keep an ID number: a record's message (and exception text) is redacted before any
    handler writes it. Installed on the handlers of the app and the command lines."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and record.exc_info[1] is not None and not record.exc_text:
            # Formatters reuse exc_text when it is set, so the traceback is written redacted.
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return True
