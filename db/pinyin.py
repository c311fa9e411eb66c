"""Pinyin readings of Chinese names, precomputed so search can match `zhangwei` or `zw`.

Readings are built character by character (the surname's one reading, then every reading of each
given-name character), so the importer can compute them for a million names from a per-character
table in polars (loaders/importer/spoken.py) and get exactly what `readings` gives.
"""
from __future__ import annotations

import os
from collections.abc import Iterable
from functools import lru_cache
from itertools import product
from types import ModuleType

# Surnames read differently from the same character in ordinary words (曾 zēng, not céng).
SURNAME_READINGS: dict[str, str] = {
    "曾": "zeng", "单": "shan", "解": "xie", "仇": "qiu", "区": "ou", "查": "zha", "朴": "piao",
    "乐": "yue", "覃": "qin", "盖": "ge", "缪": "miao", "翟": "zhai", "尉": "yu", "万俟": "moqi",
    "召": "shao", "种": "chong", "秘": "bi", "繁": "po", "折": "she", "员": "yun", "黑": "he",
    "宁": "ning", "隗": "wei", "费": "fei", "过": "guo", "华": "hua", "任": "ren", "沈": "shen",
    "纪": "ji", "洗": "xian", "冼": "xian", "牟": "mou", "句": "gou", "阚": "kan", "逄": "pang",
}
MAX_READINGS = 6
READINGS_PER_CHARACTER = 3


def readings(name: str) -> tuple[str, str]:
    """(full readings, initials readings), each space-separated, most likely reading first.

    The surname has one reading (SURNAME_READINGS, else its characters' most common ones); each
    given-name character contributes every reading of a 多音字 (up to READINGS_PER_CHARACTER), and
    the combinations are listed in order, most common first, up to MAX_READINGS — so 乐 in 曾乐 finds
    both `zengle` and `zengyue`. Non-Chinese characters pass through lower-cased.
    """
    name = "".join(name.split())
    if not name:
        return "", ""
    surname, given = split_surname(name)
    per_char = [(surname_reading(surname),), *(char_readings(ch) for ch in given)]
    fulls = first_distinct("".join(combo) for combo in product(*per_char))
    initials = first_distinct("".join(part[:1] for part in combo) for combo in product(*per_char))
    return " ".join(fulls), " ".join(initials)


def split_surname(name: str) -> tuple[str, str]:
    """A compound surname from SURNAME_READINGS (万俟), else the first character."""
    cut = 2 if name[:2] in SURNAME_READINGS else 1
    return name[:cut], name[cut:]


def surname_reading(surname: str) -> str:
    return SURNAME_READINGS.get(surname) or "".join(char_readings(ch)[0] for ch in surname)


def first_distinct(texts: Iterable[str]) -> list[str]:
    """The first MAX_READINGS distinct strings of an iterable, in order (it is not consumed further)."""
    found: list[str] = []
    for text in texts:
        if text not in found:
            found.append(text)
            if len(found) == MAX_READINGS:
                break
    return found


@lru_cache(maxsize=65_536)
def char_readings(ch: str) -> tuple[str, ...]:
    """Toneless readings of one character, most common first; anything else is itself, lower-cased."""
    pypinyin = dictionary()
    found = pypinyin.pinyin(ch, style=pypinyin.Style.NORMAL, heteronym=True, errors=lambda x: [x.lower()])
    options = [r.lower() for r in found[0]] if found and found[0] else [ch.lower()]
    return tuple(options[:READINGS_PER_CHARACTER])


@lru_cache(maxsize=1)
def dictionary() -> ModuleType:
    """pypinyin, imported on first use and without its phrase dictionary (PYPINYIN_NO_PHRASES, read
    once at import): readings here are per character, which the phrases never change (checked for
    every character it knows), and loading them costs a command-line import 0.12 s."""
    before = os.environ.get("PYPINYIN_NO_PHRASES")
    os.environ["PYPINYIN_NO_PHRASES"] = "1"
    try:
        import pypinyin
    finally:
        if before is None:
            del os.environ["PYPINYIN_NO_PHRASES"]
        else:
            os.environ["PYPINYIN_NO_PHRASES"] = before
    return pypinyin
