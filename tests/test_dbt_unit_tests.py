"""The dbt unit tests (hand-computed metric expectations on fixed fixtures) pass on DuckDB. The
nightly job leaves them out (they check code, not data), so `make test` runs them here; the
PostgreSQL and Spark builds run them on those engines."""

from __future__ import annotations

import json
import shutil

from orchestration.settings import DBT_PROJECT_DIR
from orchestration.warehouse import connect
from tests.conftest import dbt


def manifest() -> dict:
    return json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text())


def test_every_dbt_unit_test_passes_on_duckdb(small_run, tmp_path):
    warehouse = tmp_path / "revops.duckdb"
    shutil.copy(small_run.warehouse, warehouse)  # the tests read the built relations' columns
    target = tmp_path / "target"
    done = dbt("test", ["--select", "test_type:unit"], warehouse, target)
    assert done.returncode == 0, done.stdout[-4000:]
    results = [
        result
        for result in json.loads((target / "run_results.json").read_text())["results"]
        if result["unique_id"].startswith("unit_test.")
    ]
    assert {result["unique_id"] for result in results} == set(manifest()["unit_tests"])
    assert {result["status"] for result in results} == {"pass"}
    assert len(results) >= 29


def test_the_nightly_build_leaves_unit_tests_out(small_run):
    with connect(small_run.warehouse, read_only=True) as conn:
        statuses = conn.execute(
            "select statuses from audit.dbt_invocations where run_id = ? and step = 'revops_dbt_models'",
            [small_run.run_id],
        ).fetchone()[0]
    # Tests report pass/warn/fail: with unit tests in the step there would be more than data tests.
    data_tests = [node for node in manifest()["nodes"].values() if node["resource_type"] == "test"]
    counts = json.loads(statuses)
    assert 0 < counts.get("pass", 0) + counts.get("warn", 0) + counts.get("fail", 0) <= len(data_tests)


def test_unit_test_names_fit_a_postgres_identifier():
    """dbt-postgres runs a unit test as a relation named after it, and PostgreSQL identifiers stop
    at 63 bytes: a longer name fails only on that engine."""
    too_long = [test["name"] for test in manifest()["unit_tests"].values() if len(test["name"].encode()) > 63]
    assert too_long == []
