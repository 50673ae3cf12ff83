"""The whole dbt project builds on PostgreSQL (target `postgres`): raw and quarantine copied from
the DuckDB run of the small demo, `dbt build` (models, data tests and unit tests) passes, an
incremental second build passes, and every mart equals the DuckDB build."""

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import psycopg
import pytest

from orchestration.postgres_raw import copy_raw_to_postgres
from orchestration.settings import DBT_PROJECT_DIR
from tests.mart_comparison import assert_every_mart_equal
from tests.pg_server import PASSWORD, SUPERUSER, private_postgres


@pytest.fixture(scope="module")
def server():
    with private_postgres() as pg:
        yield pg


def _dbt_build(server, target_path: Path) -> dict:
    env = {
        **os.environ,
        "REVOPS_DBT_TARGET": "postgres",
        "REVOPS_PG_HOST": server.host,
        "REVOPS_PG_PORT": str(server.port),
        "REVOPS_PG_USER": SUPERUSER,
        "REVOPS_PG_PASSWORD": PASSWORD,
        "REVOPS_PG_DBNAME": "revops",
    }
    dbt = str(Path(sys.executable).with_name("dbt"))
    command = [dbt, "build", "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(target_path)]
    done = subprocess.run(command, cwd=DBT_PROJECT_DIR, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-4000:]
    return json.loads((target_path / "run_results.json").read_text())


@pytest.fixture(scope="module")
def postgres_build(server, small_run, tmp_path_factory):
    copied = copy_raw_to_postgres(small_run.warehouse, server.dsn())
    assert copied["raw.lead"] > 0
    first = _dbt_build(server, tmp_path_factory.mktemp("dbt-pg-full"))
    second = _dbt_build(server, tmp_path_factory.mktemp("dbt-pg-incremental"))
    return first, second


def test_dbt_build_passes_on_postgres_twice(postgres_build):
    for results in postgres_build:
        statuses = {result["status"] for result in results["results"]}
        assert statuses <= {"success", "pass", "warn", "no-op"}, statuses  # no-op: on-run-start hooks
        kinds = {result["unique_id"].split(".")[0] for result in results["results"]}
        assert {"model", "test", "unit_test", "seed"} <= kinds


def test_every_mart_equals_the_duckdb_build(small_run, server, postgres_build):
    with duckdb.connect(str(small_run.warehouse), read_only=True) as source, psycopg.connect(server.dsn()) as pg:
        assert_every_mart_equal(
            source, "PostgreSQL", lambda name, select: pg.execute(f'select {select} from marts."{name}"').fetchall()
        )
