"""Mobile numbers and e-mail addresses: normalise what people type, and mask what others may not see.

These scalar functions are the reference behaviour; the importer's vectorised polars version
(loaders/) must agree with them (a property test checks it).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import phonenumbers

from db.limits import clip
from db.national_id import redact

CN_MOBILE = re.compile(r"^1[3-9][0-9]{9}$")   # ASCII digits: \d would also accept Arabic-Indic ones
EMAIL = re.compile(r"^[a-z0-9._%+\-]+@[a-z0-9\-]+(\.[a-z0-9\-]+)*\.[a-z]{2,}$")
SCIENTIFIC = re.compile(r"^[0-9](\.[0-9]+)?e\+?[0-9]+$", re.IGNORECASE)
_SEPARATORS = re.compile(r"[\s\-.()（）\u3000]")


@dataclass(frozen=True)
class Normalised:
    """The stored form, or None with the reason in Chinese."""

    value: str | None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.value is not None


def normalise_mobile(raw: str | None) -> Normalised:
    """'+86 138-0013-8000', '１３８００１３８０００', "'13800138000", '13800138000.0' → '13800138000'.

    Foreign numbers written with a + country code are kept in E.164 ('+442079460958').
    """
    if raw is None or not str(raw).strip():
        return Normalised(None, None)
    text = unicodedata.normalize("NFKC", str(raw)).strip().lstrip("'")
    if SCIENTIFIC.match(text):
        return Normalised(None, f"手机号 {_quoted(text)} 被 Excel 改成了科学计数法，后几位已丢失，无法恢复")
    if "*" in text:
        return Normalised(None, f"手机号 {_quoted(text)} 是打码后的号码，无法使用")
    if text.endswith(".0"):
        text = text[:-2]
    compact = _SEPARATORS.sub("", text)
    for prefix in ("+86", "0086", "86"):
        if compact.startswith(prefix) and len(compact) == len(prefix) + 11:
            compact = compact[len(prefix):]
            break
    if CN_MOBILE.match(compact):
        return Normalised(compact)
    if compact.startswith("+") or compact.startswith("00"):
        foreign = _foreign(compact)
        if foreign:
            return Normalised(foreign)
    return Normalised(None, f"手机号 {_quoted(text)} 不是有效的 11 位手机号")


def _foreign(compact: str) -> str | None:
    number = "+" + compact[2:] if compact.startswith("00") else compact
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return None
    if parsed.country_code == 86 or not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def normalise_email(raw: str | None) -> Normalised:
    if raw is None or not str(raw).strip():
        return Normalised(None, None)
    text = unicodedata.normalize("NFKC", str(raw)).strip().lower()
    text = text.replace("＠", "@").removeprefix("mailto:")
    if EMAIL.match(text):
        return Normalised(text)
    return Normalised(None, f"邮箱 {_quoted(text)} 格式不正确")


def _quoted(text: str) -> str:
    """What a message may repeat of a typed value: never an ID number, never more than a short quote."""
    return clip(redact(text))


def mask_mobile(mobile: str | None) -> str | None:
    """'13800138000' → '138****8000'; foreign numbers keep their country code and last 2 digits."""
    if not mobile:
        return mobile
    if len(mobile) == 11 and mobile.isdigit():
        return f"{mobile[:3]}****{mobile[-4:]}"
    return f"{mobile[:3]}{'*' * max(len(mobile) - 5, 3)}{mobile[-2:]}"


def mask_email(email: str | None) -> str | None:
    """'zhangwei@163.com' → 'z***@163.com'."""
    if not email or "@" not in email:
        return email
    local, domain = email.split("@", 1)
    return f"{local[:1]}***@{domain}"
