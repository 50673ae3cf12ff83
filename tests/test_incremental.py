"""Nightly exports one after another: the incremental daily pipeline snapshot stays equal to a
full rebuild (late edits, new days, deletions included)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from orchestration.demo.generate import generate_demo
from orchestration.extract.snapshot import demo_params
from orchestration.settings import DBT_PROJECT_DIR
from orchestration.warehouse import connect
from tests.conftest import run_pipeline

EXPORT_TIMES = ("2026-03-31T06:00:00", "2026-04-01T06:00:00", "2026-04-21T06:00:00")
SNAPSHOT = "marts.fct_pipeline_snapshot_daily"


def fingerprint(warehouse: Path, table: str) -> tuple:
    with connect(warehouse, read_only=True) as conn:
        return conn.execute(
            f"select count(*), sum(hash(t)) from (select * exclude (_loaded_through) from {table}) as t"
        ).fetchone()


@pytest.fixture(scope="module")
def nightly_warehouse(manifest, tmp_path_factory) -> Path:
    """A warehouse fed three successive exports of the same company, built incrementally."""
    root = tmp_path_factory.mktemp("nightly")
    warehouse = root / "revops.duckdb"
    for index, export_time in enumerate(EXPORT_TIMES):
        export = root / f"export-{index}"
        generate_demo(export, demo_params(0.03, 5, export_time), progress=lambda _: None)
        outcome = run_pipeline(export, warehouse)
        assert outcome.success, outcome.error
    return warehouse


def test_incremental_snapshot_equals_a_full_refresh(nightly_warehouse, tmp_path):
    rebuilt = tmp_path / "rebuilt.duckdb"
    shutil.copy(nightly_warehouse, rebuilt)
    completed = subprocess.run(
        [
            str(Path(sys.executable).with_name("dbt")),
            "build",
            "--full-refresh",
            "-s",
            "fct_pipeline_snapshot_daily",
            "--target-path",
            str(tmp_path / "target"),
        ],
        cwd=DBT_PROJECT_DIR,
        env={**os.environ, "REVOPS_WAREHOUSE": str(rebuilt)},
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 0, completed.stdout[-2000:]
    incremental, full = fingerprint(nightly_warehouse, SNAPSHOT), fingerprint(rebuilt, SNAPSHOT)
    assert incremental == full
    assert incremental[0] > 0


def test_snapshot_reaches_the_latest_export_day(nightly_warehouse):
    with connect(nightly_warehouse, read_only=True) as conn:
        latest, as_of = conn.execute(
            f"select (select max(snapshot_date) from {SNAPSHOT}), (select as_of_date from intermediate.int_as_of)"
        ).fetchone()
        batches = conn.execute("select count(distinct batch_id) from audit.load_log").fetchone()[0]
        versions = conn.execute("select count(distinct _batch_id) from raw.opportunity").fetchone()[0]
    assert latest == as_of
    assert batches == len(EXPORT_TIMES)
    assert versions >= 2, "later exports brought new or edited opportunities"
