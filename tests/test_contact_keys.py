"""The uniqueness guard's keys: what Python computes is what DuckDB computes, for every kind of contact."""
from __future__ import annotations

import threading
from pathlib import Path

import duckdb
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from db import bulk
from db.connection import open_database, transaction
from db.contact_keys import CLAIMS, contact_key, key_sql
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
    with transaction(cur, claims=True):
        bulk.insert_contact_keys(cur, people)
        bulk.insert_contact_keys(cur, pl.DataFrame({"id": [6], "mobile": ["13700137000"]}))   # no e-mail column
        bulk.insert_contact_keys(cur, people.clear())
    expected = [("e:a@163.com", 3), ("e:b@qq.com", 1), ("e:c@qq.com", 4), ("m:+441234567890", 2), ("m:0086-138", 5),
                ("m:13700137000", 6), ("m:13800138000", 4), ("m:13900139000", 1)]
    assert claimed(cur, *(c for c, _ in expected)) == expected


def test_keys_are_added_only_by_a_claiming_transaction(cur: duckdb.DuckDBPyConnection) -> None:
    one = pl.DataFrame({"id": [1], "mobile": ["13800138000"]})
    with pytest.raises(RuntimeError, match="claims=True"):
        bulk.insert_contact_keys(cur, one)
    with pytest.raises(RuntimeError, match="claims=True"), transaction(cur):
        bulk.insert_contact_keys(cur, one)
    with pytest.raises(RuntimeError, match="must begin"), transaction(cur), transaction(cur, claims=True):
        pass
    with transaction(cur, claims=True), transaction(cur, claims=True):     # nested in a claiming one: fine
        bulk.insert_contact_keys(cur, one)
    assert claimed(cur, "m:13800138000") == [("m:13800138000", 1)]
    assert not CLAIMS.locked()


def test_a_second_claiming_transaction_in_the_same_thread_is_refused_not_awaited(db_path: Path) -> None:
    conn = open_database(db_path)
    with transaction(conn.cursor(), claims=True), pytest.raises(RuntimeError, match="already holds"):
        with transaction(conn.cursor(), claims=True):
            pass
    assert not CLAIMS.locked()


def test_a_claiming_transaction_holds_the_claim_until_it_has_committed(db_path: Path) -> None:
    """The second claimer's snapshot begins after the first one's commit, so it sees the first one's keys."""
    conn = open_database(db_path)
    first, second = conn.cursor(), conn.cursor()
    seen: list[list[tuple]] = []
    inside = threading.Event()

    def later() -> None:
        inside.wait()
        with transaction(second, claims=True):
            seen.append(second.execute("select candidate_id from contact_key").fetchall())

    thread = threading.Thread(target=later)
    thread.start()
    with transaction(first, claims=True):
        inside.set()
        thread.join(timeout=0.3)
        assert thread.is_alive()            # waiting for the claim
        bulk.insert_contact_keys(first, pl.DataFrame({"id": [7], "mobile": ["13800138000"]}))
    thread.join()
    assert seen == [[(7,)]]
