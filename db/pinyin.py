"""Pinyin readings of Chinese names, precomputed so search can match `zhangwei` or `zw`."""
from __future__ import annotations

from functools import lru_cache
from itertools import product

from pypinyin import Style, lazy_pinyin, pinyin

# Surnames read differently from the same character in ordinary words (曾 zēng, not céng).
SURNAME_READINGS: dict[str, str] = {
    "曾": "zeng", "单": "shan", "解": "xie", "仇": "qiu", "区": "ou", "查": "zha", "朴": "piao",
    "乐": "yue", "覃": "qin", "盖": "ge", "缪": "miao", "翟": "zhai", "尉": "yu", "万俟": "moqi",
    "召": "shao", "种": "chong", "秘": "bi", "繁": "po", "折": "she", "员": "yun", "黑": "he",
    "宁": "ning", "隗": "wei", "费": "fei", "过": "guo", "华": "hua", "任": "ren", "沈": "shen",
    "纪": "ji", "洗": "xian", "冼": "xian", "牟": "mou", "句": "gou", "阚": "kan", "逄": "pang",
}
MAX_READINGS = 6


def readings(name: str) -> tuple[str, str]:
    """(full readings, initials readings), each space-separated, most likely reading first.

    Every reading of a 多音字 in the given name is kept (up to MAX_READINGS combinations), so
    乐 in 张乐 finds both `zhangle` and `zhangyue`. Non-Chinese characters pass through lower-cased.
    """
    name = "".join(name.split())
    if not name:
        return "", ""
    surname_len = 2 if name[:2] in SURNAME_READINGS else 1
    surname, given = name[:surname_len], name[surname_len:]
    surname_options = [SURNAME_READINGS.get(surname) or "".join(_likely(surname))]
    per_char = [surname_options] + [_char_readings(ch) for ch in given]
    given_likely = list(_likely(given))
    likely = surname_options[0] + "".join(given_likely)
    fulls = [likely]
    for combo in product(*per_char):
        candidate = "".join(combo)
        if candidate not in fulls:
            fulls.append(candidate)
        if len(fulls) >= MAX_READINGS:
            break
    initials: list[str] = []
    for combo in product(*per_char):
        candidate = "".join(part[0] for part in combo if part)
        if candidate not in initials:
            initials.append(candidate)
        if len(initials) >= MAX_READINGS:
            break
    likely_initials = "".join(p[0] for p in [surname_options[0], *given_likely] if p)
    if likely_initials in initials:
        initials.remove(likely_initials)
    initials.insert(0, likely_initials)
    return " ".join(fulls), " ".join(initials[:MAX_READINGS])


# Names are built from a few thousand characters: caching per character and per given name makes
# a million names cost seconds, not minutes.
@lru_cache(maxsize=65_536)
def _likely(given: str) -> tuple[str, ...]:
    return tuple(r.lower() for r in lazy_pinyin(given))


@lru_cache(maxsize=65_536)
def _char_readings(ch: str) -> tuple[str, ...]:
    found = pinyin(ch, style=Style.NORMAL, heteronym=True, errors=lambda x: [x.lower()])
    options = [r.lower() for r in found[0]] if found and found[0] else [ch.lower()]
    return tuple(options[:3])
