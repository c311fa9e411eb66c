"""How long each stored text may be: one table that the forms (max_chars), db/ commands and the
importer share, so nothing gets stored that no form could then show or edit."""
from __future__ import annotations

# Candidate fields, in characters after normalisation.
CANDIDATE_TEXT = {
    "name": 50,
    "email": 254,              # RFC 5321's limit for a whole address
    "university_raw": 100,     # the longest MoE school name has 26 characters
    "college": 100,
    "major": 100,
    "consent_method": 100,
    "consent_purpose": 200,
    "notes": 2000,
    "position": 100,
    "employer_raw": 100,
}
TAG = 20
# A file cell quoted back in a message or kept with a rejected row is cut to this many characters.
QUOTE = 60
REJECT_CELL = 200


def clip(text: str, limit: int = QUOTE) -> str:
    """`text` cut to `limit` characters, with the cut said out loud."""
    return text if len(text) <= limit else f"{text[:limit]}…（共 {len(text):,} 字，已截断）"


def too_long(label: str, value: str, limit: int) -> str:
    """The Chinese sentence for a value longer than its field allows."""
    return f"{label}过长：最多 {limit} 个字，现为 {len(value):,} 个字。"
