"""Normalising what people type: every mobile, e-mail, degree, date and school spelling the importer takes,
and property tests that the vectorised versions agree with the scalar references in db/."""
from __future__ import annotations

import duckdb
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from db.contacts import normalise_email, normalise_mobile
from db.imports import reference_universities
from db.pinyin import readings
from loaders.importer import lookup
from loaders.importer import normalise as norm
from loaders.importer.spoken import pinyin_columns


def mobiles(values: list[str | None]) -> tuple[list[str | None], list[str | None]]:
    out = norm.mobile(pl.DataFrame({"raw": values}, schema={"raw": pl.String}), "raw", value="v", problem="p")
    return out["v"].to_list(), out["p"].to_list()


def emails(values: list[str | None]) -> list[str | None]:
    return norm.email(pl.DataFrame({"raw": values}, schema={"raw": pl.String}), "raw", value="v", problem="p")["v"].to_list()


@pytest.mark.parametrize("raw", [
    "13800138000", " 13800138000 ", "138 0013 8000", "138-0013-8000", "138.0013.8000", "(138)00138000",
    "（138）0013-8000", "１３８００１３８０００", "'13800138000", "13800138000.0", "+8613800138000", "+86 138 0013 8000",
    "008613800138000", "86-138-0013-8000", "\u300013800138000\u3000",
])
def test_mobile_spellings_become_the_eleven_digits(raw: str) -> None:
    assert mobiles([raw]) == (["13800138000"], [None])


@pytest.mark.parametrize(("raw", "problem"), [
    ("1.38E+10", "scientific"), ("1.38001E+10", "scientific"), ("1.3800138e10", "scientific"),
    ("138****8000", "masked"), ("138****0000", "masked"), ("12800138000", "invalid"), ("1380013800", "invalid"),
    ("138001380001", "invalid"), ("0573-85123456", "invalid"), ("+44 20 7946 0958", "invalid"), ("无", "invalid"),
])
def test_unusable_mobiles_are_invalid_with_a_reason(raw: str, problem: str) -> None:
    assert mobiles([raw]) == ([None], [problem])


def test_blank_mobile_is_no_problem() -> None:
    assert mobiles([None, "", "  "]) == ([None] * 3, [None] * 3)


@pytest.mark.parametrize(("raw", "expected"), [
    (" ZhangSan@163.COM ", "zhangsan@163.com"), ("mailto:a.b+c@zju.edu.cn", "a.b+c@zju.edu.cn"),
    ("ｚｓ＠ｑｑ．ｃｏｍ", "zs@qq.com"), ("zs@qq", None), ("zs#qq.com", None), ("@qq.com", None), ("", None),
])
def test_email_spellings(raw: str, expected: str | None) -> None:
    assert emails([raw]) == [expected]


# Chinese mobiles as people write them: digits (half- or full-width), separators, prefixes, junk.
_DIGIT = st.sampled_from(list("0123456789") + list("０１２３４５６７８９"))
_SEP = st.sampled_from([" ", "-", ".", "(", ")", "（", "）", "\u3000", "\t", "", "", ""])
_cn_mobile = st.tuples(
    st.sampled_from(["", "+86", "0086", "86", "+86 ", "'", " "]),
    st.sampled_from(list("13456789")), st.lists(st.tuples(_DIGIT, _SEP), min_size=8, max_size=11),
    st.sampled_from(["", ".0", " ", ".00", "*", "E+10"]),
).map(lambda t: t[0] + "1" + t[1] + "".join(d + s for d, s in t[2]) + t[3])
_junk = st.text(alphabet=st.sampled_from(list("0123456789１３８６ -.()+'*eE\u3000\x1c\x1f@a")), max_size=18)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(_cn_mobile, _junk, st.none()), min_size=1, max_size=30))
def test_vectorised_mobile_agrees_with_the_scalar_reference(values: list[str | None]) -> None:
    """On Chinese mobiles the reference's value is ours; anything it would not store as 11 digits we reject."""
    got, _problems = mobiles(values)
    for raw, value in zip(values, got):
        expected = normalise_mobile(raw).value
        assert value == (expected if expected is not None and len(expected) == 11 and expected.isdigit() else None), raw


_email = st.tuples(
    st.text(alphabet=st.sampled_from(list("abcXYZ019._%+-") + ["Ａ", "ｂ"]), min_size=0, max_size=8),
    st.sampled_from(["@", "＠", "@@", "", "#"]),
    st.text(alphabet=st.sampled_from(list("abcQQ0-") + ["ｃ"]), min_size=0, max_size=6),
    st.sampled_from([".com", ".COM", ".cn", ".edu.cn", ".c", "", ".中国"]),
    st.sampled_from(["", " ", "\u3000", "\t"]), st.sampled_from(["", "mailto:", "MAILTO:", " "]),
).map(lambda t: t[5] + t[0] + t[1] + t[2] + t[3] + t[4])


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(_email, st.none()), min_size=1, max_size=30))
def test_vectorised_email_agrees_with_the_scalar_reference(values: list[str | None]) -> None:
    assert emails(values) == [normalise_email(v).value for v in values]


@pytest.mark.parametrize(("raw", "stored"), [
    ("大专", "大专"), ("专科", "大专"), ("高职", "大专"), ("高职高专", "大专"), ("Associate", "大专"),
    ("本科", "本科"), ("学士", "本科"), ("大学本科", "本科"), ("Bachelor", "本科"), ("bachelor's", "本科"),
    ("硕士", "硕士"), ("硕士研究生", "硕士"), ("研究生", "硕士"), ("专硕", "硕士"), ("学硕", "硕士"), ("Master", "硕士"),
    ("博士", "博士"), ("博士研究生", "博士"), ("博士生", "博士"), ("PhD", "博士"), ("Ph.D.", "博士"), ("Doctor", "博士"),
    ("博士后", "博士后"), (" 本 科 ", "本科"), ("初中", None), ("", None),
])
def test_degree_spellings(raw: str, stored: str | None) -> None:
    frame = pl.DataFrame({"d": [raw]})
    assert frame.select(norm.degree(pl.col("d")))["d"].to_list() == [stored]


@pytest.mark.parametrize(("raw", "year", "month"), [
    ("2025/6/30", 2025, 6), ("2025-06-30", 2025, 6), ("2025.06.30", 2025, 6), ("2025.6", 2025, 6),
    ("2025-06", 2025, 6), ("2025年6月", 2025, 6), ("2025年6月30日", 2025, 6), ("202506", 2025, 6), ("2025", 2025, None),
    ("2026届", 2026, None), ("45838", 2025, 6), ("45838.0", 2025, 6), ("2025-06-30 00:00:00", 2025, 6),
    ("２０２５年６月", 2025, 6), ("2025年6月毕业", 2025, 6), ("20250630", 2025, 6), ("2025/13", None, None),
    ("待定", None, None), ("", None, None), ("1850", None, None),
])
def test_graduation_spellings(raw: str, year: int | None, month: int | None) -> None:
    out = norm.graduation(pl.DataFrame({"g": [raw]}), "g", year="y", month="m")
    assert out.row(0)[1:] == (year, month)


@pytest.mark.parametrize(("raw", "stored"), [
    ("男", "男"), ("女", "女"), ("M", "男"), ("f", "女"), ("Male", "男"), ("FEMALE", "女"), ("未知", None), ("", None),
])
def test_gender(raw: str, stored: str | None) -> None:
    assert pl.DataFrame({"g": [raw]}).select(norm.gender(pl.col("g")))["g"].to_list() == [stored]


@pytest.mark.parametrize(("raw", "intent"), [("是", True), ("有意向", True), ("Y", True), ("否", False), ("无", False),
                                            ("考虑中", None), ("", None)])
def test_intent(raw: str, intent: bool | None) -> None:
    assert pl.DataFrame({"i": [raw]}).select(norm.intent(pl.col("i")).alias("i"))["i"].to_list() == [intent]


def test_university_names_aliases_and_clearly_best_fuzzy_matches(cur: duckdb.DuckDBPyConnection) -> None:
    ref = reference_universities(cur)
    id_of = dict(zip(*ref.filter(pl.col("kind") == "name").select("name", "university_id").to_dict().values()))
    spellings = {
        "浙江大学": ("浙江大学", "name"), " 浙江大学\u3000": ("浙江大学", "name"),
        "中国石油大学(华东)": ("中国石油大学（华东）", "name"), "中国石油大学 （华东）": ("中国石油大学（华东）", "name"),
        "浙大": ("浙江大学", "alias"), "嘉兴学院": ("嘉兴大学", "alias"), "上海体育学院": ("上海体育大学", "alias"),
        "杭州电子科技大血": ("杭州电子科技大学", "fuzzy"),
        "家里蹲大学": (None, None), "浙江": (None, None),
    }
    found = lookup.universities(pl.Series(list(spellings)), ref)
    got = {r["university_raw"]: (r["university_id"], r["how"]) for r in found.iter_rows(named=True)}
    for raw, (name, how) in spellings.items():
        assert got[raw] == ((id_of[name] if name else None), how), raw


def test_fuzzy_match_is_refused_when_two_schools_are_equally_close(cur: duckdb.DuckDBPyConnection) -> None:
    """'南京理工' is as close to 南京理工大学 as to other 南京… schools' names: no clear winner, left unmatched."""
    ref = reference_universities(cur)
    found = lookup.universities(pl.Series(["南京大学x", "华东师范"]), ref)
    assert found.filter(pl.col("university_raw") == "华东师范")["university_id"].to_list() == [None]


_han = st.sampled_from(list("张王李赵曾乐单万俟欧阳长行重朝晓明华伟芳娜静敏") + ["𠀀"])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=st.one_of(_han, st.sampled_from(list("ab ·\u3000"))), min_size=0, max_size=5),
                min_size=1, max_size=20))
def test_vectorised_pinyin_equals_readings(names: list[str]) -> None:
    pinyin, initials = pinyin_columns(pl.Series(names, dtype=pl.String))
    assert list(zip(pinyin.to_list(), initials.to_list())) == [readings(n) for n in names]


_polyphonic = st.sampled_from(list("长行重乐单朝曾解查会调"))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet=st.one_of(_polyphonic, _han), min_size=6, max_size=12), min_size=1, max_size=6))
def test_vectorised_pinyin_equals_readings_for_names_with_many_polyphonic_characters(names: list[str]) -> None:
    """Past PRODUCT_LIMIT combinations the importer falls back to enumerating in Python: same readings."""
    pinyin, initials = pinyin_columns(pl.Series(names, dtype=pl.String))
    assert list(zip(pinyin.to_list(), initials.to_list())) == [readings(n) for n in names]


def test_remembered_readings_equal_fresh_ones() -> None:
    from loaders.importer.spoken import Readings

    remembered = Readings()
    for batch in (["曾乐", "张伟", "李"], ["张伟", "曾乐乐", "", None], ["万俟乐", "曾乐"]):
        pinyin, initials = remembered.columns(pl.Series(batch, dtype=pl.String))
        assert list(zip(pinyin.to_list(), initials.to_list())) == [readings(n or "") for n in batch]


def test_readings_of_polyphonic_names() -> None:
    assert readings("曾乐") == ("zengle zengyue", "zl zy")
    assert readings("万俟乐") == ("moqile moqiyue", "ml my")
    assert readings("张 伟") == ("zhangwei", "zw")
    assert readings("") == ("", "")


def test_pypinyin_without_its_phrases_reads_every_character_the_same() -> None:
    """db.pinyin loads pypinyin with PYPINYIN_NO_PHRASES: for single characters the phrases change nothing."""
    import json
    import subprocess
    import sys

    from db.pinyin import char_readings

    characters = "长行重乐单朝曾解查会调和了都还为种华覃盖朴仇区万俟" + "".join(chr(c) for c in range(0x4E00, 0x4E00 + 400))
    script = ("import json, sys; from pypinyin import pinyin, Style; print(json.dumps([[r.lower() for r in"
              " pinyin(c, style=Style.NORMAL, heteronym=True, errors=lambda x: [x.lower()])[0]][:3] for c in sys.argv[1]]))")
    full = subprocess.run([sys.executable, "-c", script, characters], capture_output=True, text=True, check=True)
    assert json.loads(full.stdout) == [list(char_readings(c)) for c in characters]
