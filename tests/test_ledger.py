"""The run ledger: every run (successful or not) has its audit.run_log row with code version,
dbt invocations, the source files it read (hashes), row counts, check results and timings; the
published tables carry _run_id/_built_at and the published copy carries the ledger."""

import hashlib
import json
import shutil

import duckdb
import pytest

from orchestration.publish import published_path
from tests.conftest import run_pipeline


def _ledger(warehouse, run_id) -> dict:
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        result = conn.execute("select * from audit.run_log where run_id = ?", [run_id])
        names = [column[0] for column in result.description]
        rows = result.fetchall()
    assert len(rows) == 1, f"expected one ledger row for {run_id}, got {len(rows)}"
    return dict(zip(names, rows[0], strict=True))


def test_a_successful_run_is_in_the_ledger(small_run, small_export):
    row = _ledger(small_run.warehouse, small_run.run_id)
    assert row["outcome"] == "success" and row["error"] is None
    assert len(row["git_commit"].split("+")[0]) == 40
    assert 0 < row["seconds"] < 3600 and row["started_at"] < row["finished_at"]
    invocations = json.loads(row["dbt_invocations"])
    assert [i["step"] for i in invocations] == ["revops_dbt_staging", "revops_dbt_models"]
    assert all(len(i["invocation_id"]) == 36 and i["statuses"] and not i["failures"] for i in invocations)
    files = json.loads(row["source_snapshot"])
    lead = next(f for f in files if f["table_name"] == "lead")
    assert lead["file_sha256"] == hashlib.sha256((small_export / "Lead.csv").read_bytes()).hexdigest()
    assert lead["file_bytes"] == (small_export / "Lead.csv").stat().st_size
    model_rows = json.loads(row["model_rows"])
    with duckdb.connect(str(small_run.warehouse), read_only=True) as conn:
        assert (
            model_rows["marts.fct_opportunity"]
            == conn.execute("select count(*) from marts.fct_opportunity").fetchone()[0]
        )
        assert model_rows["raw.lead"] == conn.execute("select count(*) from raw.lead").fetchone()[0]
    checks = json.loads(row["checks"])
    assert {c["table_name"] for c in checks["quality_counts"]} >= {"lead", "opportunity"}
    steps = json.loads(row["step_seconds"])
    assert {"raw__lead", "revops_dbt_models", "published__marts"} <= set(steps)


def test_published_tables_carry_the_run_and_the_ledger(small_run):
    with duckdb.connect(str(published_path(small_run.warehouse)), read_only=True) as conn:
        tables = conn.execute(
            "select table_schema, table_name from information_schema.tables where table_schema in ('marts', 'metrics') "
            "and table_name <> '_publication'"
        ).fetchall()
        for schema, table in tables:
            stamps = conn.execute(f'select distinct _run_id from {schema}."{table}"').fetchall()
            assert stamps in ([(small_run.run_id,)], []), f"{schema}.{table}: {stamps}"
            built = conn.execute(f'select count(*) from {schema}."{table}" where _built_at is null').fetchone()[0]
            assert built == 0
        ledger = conn.execute("select run_id, outcome from audit.run_log").fetchall()
    assert (small_run.run_id, "success") in ledger


@pytest.fixture
def broken_export(small_export, tmp_path):
    target = tmp_path / "broken"
    shutil.copytree(small_export, target)
    shutil.rmtree(target / "_demo", ignore_errors=True)
    (target / "Lead.csv").unlink()  # a required file missing: extraction stops the run
    return target


def test_a_failed_run_is_in_the_ledger_and_publishes_nothing(small_run, broken_export, tmp_path):
    warehouse = tmp_path / "revops.duckdb"
    shutil.copy(small_run.warehouse, warehouse)
    shutil.copy(published_path(small_run.warehouse), published_path(warehouse))
    outcome = run_pipeline(broken_export, warehouse)
    assert not outcome.success
    row = _ledger(warehouse, outcome.run_id)
    assert row["outcome"] == "failure" and "Lead.csv" in row["error"]
    with duckdb.connect(str(published_path(warehouse)), read_only=True) as conn:
        assert conn.execute("select distinct _run_id from marts.fct_opportunity").fetchall() == [(small_run.run_id,)]


def test_parquet_copies_match_the_published_tables(small_run):
    parquet = small_run.warehouse.parent / "parquet"
    current = parquet / "current"
    assert current.is_symlink() and current.resolve().name == small_run.run_id
    assert [p.name for p in parquet.iterdir() if not p.is_symlink()] == [small_run.run_id]  # old ones removed
    with duckdb.connect(str(published_path(small_run.warehouse)), read_only=True) as conn:
        tables = conn.execute("select schema_name, table_name, row_count from marts._publication").fetchall()
        assert len(tables) >= 35
        for schema, table, rows in tables:
            path = current / schema / f"{table}.parquet"
            assert conn.execute(f"select count(*) from read_parquet('{path}')").fetchone()[0] == rows, path
