"""The report's declaration figures: people per year and level, counted as the 人才项目申报 screen counts them."""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb

from db import analytics
from db.connection import open_database
from db.enums import Role
from db.permissions import SYSTEM
from db.programmes import declarations, register
from tests import factories as f
from tests.conftest import ROOT


def declare(cur: duckdb.DuckDBPyConnection, batch: str, *, level: str = "国家级", candidate_id: int | None = None,
            name: str | None = None, status: str = "submitted", programme: str = "某人才计划") -> int:
    return register.create(cur, SYSTEM, declarations.REGISTER, {
        "programme": programme, "level": level, "batch": batch, "candidate_id": candidate_id,
        "applicant_name": name, "status": status, "submitted_on": date(int(batch[:4]), 3, 1)})


def test_a_person_counts_once_per_year_and_level_however_often_declared(cur: duckdb.DuckDBPyConnection) -> None:
    phd = f.candidate(cur, "王博", category="young_phd")
    declare(cur, "2025 第一批", candidate_id=phd, status="not_selected")
    declare(cur, "2025 第二批", candidate_id=phd)                      # tried again: still one person
    declare(cur, "2025 第二批", name="王博", programme="另一人才计划")  # a namesake given by name only: another person
    declare(cur, "2025 第一批", name="李四", status="not_selected")
    declare(cur, "2025 第二批", name="李四")                          # a name counts once too
    declare(cur, "2025 第一批", level="省级", candidate_id=phd, programme="某省人才计划")   # counted per level
    declare(cur, "2024 第一批", name="赵六")                          # another year
    withdrawn = declare(cur, "2025 第二批", name="钱七")
    register.set_active(cur, SYSTEM, declarations.REGISTER, withdrawn, False, expected_version=1)

    figures = analytics.headline(cur, SYSTEM, 2025).as_dict()
    assert (figures["declaration_applicants_national"], figures["declaration_batches_national"],
            figures["declaration_applicants_provincial"]) == (3, 2, 1)
    # The same rule as the screen's own table, row for row.
    screen = declarations.figures(cur, SYSTEM, 2025).filter(level="国家级").row(0, named=True)
    assert (screen["applicants"], screen["batches"]) == (3, 2)
    assert analytics.declaration_figures(cur, SYSTEM, 2024)["declaration_applicants_national"] == 1
    assert analytics.declaration_figures(cur, SYSTEM, 2026) == {
        "declaration_applicants_national": 0, "declaration_batches_national": 0, "declaration_applicants_provincial": 0}


def test_the_register_names_no_enclave_so_a_recruiter_sees_the_city_figures(cur: duckdb.DuckDBPyConnection) -> None:
    recruiter = f.user(cur, "recruiter_sh", Role.RECRUITER, enclave_id=f.enclave(cur, "SH"))
    declare(cur, "2025 第一批", name="张三")
    assert analytics.declaration_figures(cur, recruiter, 2025)["declaration_applicants_national"] == 1
    assert analytics.overview(cur, recruiter, 2025).headline.declaration_applicants_national == 1


def test_the_report_command_prints_them_after_the_older_keys(db_path: Path) -> None:
    conn = open_database(db_path)
    declare(conn.cursor(), "2025 第一批", name="张三")
    conn.close()
    done = subprocess.run([sys.executable, "-m", "db", "report", "--year", "2025", "--db", str(db_path), "--json"],
                          cwd=ROOT, capture_output=True, text=True, check=True)
    keys = list(json.loads(done.stdout))
    first = keys.index("declaration_applicants_national")     # keys are only ever added, after the older ones
    assert keys[first:first + 3] == ["declaration_applicants_national", "declaration_batches_national",
                                     "declaration_applicants_provincial"]
    assert first > keys.index("agreement_universities")
    assert json.loads(done.stdout)["declaration_applicants_national"] == 1
    text = subprocess.run([sys.executable, "-m", "db", "report", "--year", "2025", "--db", str(db_path)],
                          cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert "国家级人才项目申报（人）" in text and "省级人才项目申报（人）" in text
