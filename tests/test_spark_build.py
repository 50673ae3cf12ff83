"""The whole dbt project builds on Spark (target `spark`: dbt-spark's session method on a local
pyspark): raw, quarantine and the load log of the small demo's DuckDB run are landed as Parquet,
`dbt build` (seeds, models, data tests) passes, and every mart equals the DuckDB build, row for
row, read straight from the Parquet files Spark wrote."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from orchestration.settings import DBT_PROJECT_DIR
from orchestration.spark_landing import land_for_spark
from tests.mart_comparison import assert_every_mart_equal

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def spark_build(small_run, tmp_path_factory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("spark")
    landed = land_for_spark(small_run.warehouse, root / "landing")
    assert landed["raw.lead"] > 0
    env = {
        **os.environ,
        "REVOPS_DBT_TARGET": "spark",
        "REVOPS_SPARK_LANDING": str(root / "landing"),
        "REVOPS_SPARK_DIR": str(root / "spark"),
    }
    target = root / "target"
    command = [str(Path(sys.executable).with_name("dbt")), "build", "--target-path", str(target)]
    # A stuck Spark job must fail the suite, not hang CI (a demo build takes ~5 minutes).
    done = subprocess.run(command, cwd=DBT_PROJECT_DIR, env=env, capture_output=True, text=True, timeout=1500)
    assert done.returncode == 0, done.stdout[-4000:]
    return root / "spark" / "tables", json.loads((target / "run_results.json").read_text())


def test_dbt_build_passes_on_spark(spark_build):
    _, results = spark_build
    statuses = {result["status"] for result in results["results"]}
    assert statuses <= {"success", "pass", "warn", "no-op"}, statuses
    kinds = {result["unique_id"].split(".")[0] for result in results["results"]}
    assert {"model", "test", "seed"} <= kinds
    models = [r for r in results["results"] if r["unique_id"].startswith("model.")]
    assert len(models) >= 70


def test_every_mart_equals_the_duckdb_build(small_run, spark_build):
    tables_dir, _ = spark_build
    with duckdb.connect(str(small_run.warehouse), read_only=True) as source, duckdb.connect() as files:
        assert_every_mart_equal(
            source,
            "Spark",
            lambda name, select: files.execute(
                f"select {select} from read_parquet('{tables_dir}/marts.db/{name}/*.parquet')"
            ).fetchall(),
        )
