"""The uniqueness guard's keys: what Python computes is what DuckDB computes, for every kind of contact."""
from __future__ import annotations

import duckdb
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from db import bulk
from db.contact_keys import contact_key, key_sql
from tests.helpers import claimed


@pytest.mark.parametrize("kind, value", [("m", "13800138000"), ("m", "+441234567890"), ("e", "zs@163.com"),
                                         ("e", "a.b-c+d@sub.example.edu.cn"), ("m", "")])
def test_python_and_duckdb_agree_on_a_key(kind: str, value: str) -> None:
    assert duckdb.sql(f"select {key_sql(kind, '$v')}", params={"v": value}).fetchall() == [(contact_key(kind, value),)]


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["m", "e"]), st.text(max_size=40))
def test_they_agree_on_any_text(kind: str, value: str) -> None:
    assert duckdb.sql(f"select {key_sql(kind, '$v')}", params={"v": value}).fetchall() == [(contact_key(kind, value),)]


def test_a_mobile_and_an_email_with_the_same_text_are_different_keys() -> None:
    assert contact_key("m", "x@y.cn") != contact_key("e", "x@y.cn")


def test_contact_keys_of_every_shape_are_claimed(cur: duckdb.DuckDBPyConnection) -> None:
    """Foreign or odd mobiles, missing values and a missing column: exactly one key each for the right candidate."""
    people = pl.DataFrame({"id": [1, 2, 3, 4, 5],
                           "mobile": ["13900139000", "+441234567890", None, "13800138000", "0086-138"],
                           "email": ["b@qq.com", None, "a@163.com", "c@qq.com", None]})
    bulk.insert_contact_keys(cur, people)
    bulk.insert_contact_keys(cur, pl.DataFrame({"id": [6], "mobile": ["13700137000"]}))   # no e-mail column
    bulk.insert_contact_keys(cur, people.clear())
    expected = [("e:a@163.com", 3), ("e:b@qq.com", 1), ("e:c@qq.com", 4), ("m:+441234567890", 2), ("m:0086-138", 5),
                ("m:13700137000", 6), ("m:13800138000", 4), ("m:13900139000", 1)]
    assert claimed(cur, *(c for c, _ in expected)) == expected


def test_a_key_cannot_be_claimed_twice(cur: duckdb.DuckDBPyConnection) -> None:
    bulk.insert_contact_keys(cur, pl.DataFrame({"id": [1], "mobile": ["13800138000"]}))
    with pytest.raises(duckdb.ConstraintException):
        bulk.insert_contact_keys(cur, pl.DataFrame({"id": [2], "mobile": ["13800138000"]}))
