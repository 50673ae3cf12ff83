"""The whole dbt project builds on PostgreSQL (target `postgres`): raw and quarantine copied from
the DuckDB run of the small demo, `dbt build` (models, data tests and unit tests) passes, an
incremental second build passes, and every mart equals the DuckDB build."""

import json
import math
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import duckdb
import psycopg
import pytest

from orchestration.postgres_raw import copy_raw_to_postgres
from orchestration.settings import DBT_PROJECT_DIR
from tests.pg_server import PASSWORD, SUPERUSER, private_postgres

# DuckDB divides decimals in DOUBLE, PostgreSQL in exact NUMERIC: an amount computed by a
# division (a top-down quota share) can round to the other cent at a half-cent boundary.
CENT = 0.011


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


def _value(value):
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _sort_key(row) -> str:
    return repr(tuple(round(v) if isinstance(v, float) else v for v in row))


def _rows(rows) -> list[tuple]:
    return sorted((tuple(_value(v) for v in row) for row in rows), key=_sort_key)


def test_every_mart_equals_the_duckdb_build(small_run, server, postgres_build):
    with duckdb.connect(str(small_run.warehouse), read_only=True) as source, psycopg.connect(server.dsn()) as pg:
        tables = [
            row[0]
            for row in source.execute(
                "select table_name from information_schema.tables where table_schema = 'marts' "
                "and table_catalog = current_database() order by 1"
            ).fetchall()
        ]
        assert len(tables) >= 28
        for table in tables:
            columns = [
                row[0]
                for row in source.execute(
                    "select column_name from information_schema.columns where table_schema = 'marts' "
                    "and table_name = ? and table_catalog = current_database() "
                    "order by ordinal_position",
                    [table],
                ).fetchall()
            ]
            select = ", ".join(f'"{column}"' for column in columns)
            expected = _rows(source.execute(f'select {select} from marts."{table}"').fetchall())
            actual = _rows(pg.execute(f'select {select} from marts."{table}"').fetchall())
            assert len(actual) == len(expected), f"marts.{table}: {len(actual)} rows on PostgreSQL, {len(expected)}"
            for got, want in zip(actual, expected, strict=True):
                for column, a, b in zip(columns, got, want, strict=True):
                    if isinstance(a, float) and isinstance(b, float):
                        assert math.isclose(a, b, rel_tol=1e-9, abs_tol=CENT), f"marts.{table}.{column}: {a} != {b}"
                    else:
                        assert a == b, f"marts.{table}.{column}: {a!r} != {b!r} in {got}"
