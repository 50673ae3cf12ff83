"""The whole nightly job on a small demo: extract -> raw -> staging, accounted row by row."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from orchestration.demo.dirty import DUPLICATE_PHONE
from orchestration.demo.generate import TRUTH_FILE, generate_demo
from orchestration.extract.contract import load_contract
from orchestration.extract.snapshot import demo_params
from orchestration.settings import DBT_PROJECT_DIR, SEEDS_DIR
from orchestration.summary import relation_rows
from orchestration.warehouse import connect
from tests.accounting import account, staging_model
from tests.conftest import run_pipeline

CONTRACT = load_contract(DBT_PROJECT_DIR)
# Planning inputs with a default in seeds/: an export may leave them out.
SEED_DEFAULTS = {path.stem for path in SEEDS_DIR.glob("*.csv")}


def staging_fingerprint(warehouse) -> dict[str, tuple]:
    """Row count and an order-independent hash of every staging relation."""
    with connect(warehouse, read_only=True) as conn:
        names = [
            r[0]
            for r in conn.execute(
                "select table_name from information_schema.tables where table_schema = 'staging' order by 1"
            ).fetchall()
        ]
        return {
            name: conn.execute(f"select count(*), sum(hash(t)) from staging.{name} as t").fetchone() for name in names
        }


@pytest.mark.parametrize("table", CONTRACT.tables, ids=lambda t: t.table)
def test_raw_equals_staged_plus_quarantined_plus_superseded_plus_deleted(small_run, table):
    with connect(small_run.warehouse, read_only=True) as conn:
        counts = account(conn, table)
        if table.source == "salesforce":  # the record Id is the first staging column
            key = conn.execute(f"describe {staging_model(table)}").fetchone()[0]
            assert conn.execute(f"select count(*) = count(distinct {key}) from {staging_model(table)}").fetchone()[0]
    if counts.raw == 0 and table.table in SEED_DEFAULTS:  # the demo relies on the project's default
        with connect(small_run.warehouse, read_only=True) as conn:
            batches = conn.execute(f"select distinct _batch_id from {staging_model(table)}").fetchall()
        seed_rows = len((SEEDS_DIR / f"{table.table}.csv").read_text().splitlines()) - 1
        assert batches == [("seed",)] and counts.defaults == seed_rows > 0
        return
    assert counts.raw > 0, "the demo exports every object"
    assert counts.staged + counts.quarantined == counts.records, "one row per record, staged or held"
    assert counts.raw == counts.live + counts.quarantined + counts.deleted + counts.superseded


def test_run_extracts_every_object_and_builds_staging(small_run):
    raw = relation_rows(small_run.warehouse, "raw")
    staging = relation_rows(small_run.warehouse, "staging")
    assert set(raw) >= {t.table for t in CONTRACT.tables}
    assert {name for name in staging if name.startswith("stg_")} == {
        staging_model(t).split(".")[1] for t in CONTRACT.tables
    }
    assert {"lifecycle_stage_map", "fiscal_calendar_settings"} <= set(staging)
    with connect(small_run.warehouse, read_only=True) as conn:
        assert conn.execute("select count(distinct _batch_id) from raw.lead").fetchone()[0] == 1
        assert conn.execute("select distinct batch_id from audit.load_log").fetchall() == [(small_run.run_id,)]


def test_duplicate_rows_keep_the_latest_version(small_run):
    truth = json.loads((small_run.export_dir / TRUTH_FILE).read_text())
    duplicate = next(r for r in truth["dirty_rows"] if r["kind"] == "duplicate_id_in_file")
    with connect(small_run.warehouse, read_only=True) as conn:
        assert conn.execute("select count(*) from raw.lead where id = ?", [duplicate["record_id"]]).fetchone()[0] == 2
        assert conn.execute(
            "select phone, _version_count from staging.stg_salesforce__lead where lead_id = ?", [duplicate["record_id"]]
        ).fetchall() == [(DUPLICATE_PHONE, 2)]


def test_bad_values_stay_in_raw_and_are_quarantined(small_run):
    truth = json.loads((small_run.export_dir / TRUTH_FILE).read_text())
    bad_date = next(r for r in truth["dirty_rows"] if r["kind"] == "unparseable_timestamp")
    with connect(small_run.warehouse, read_only=True) as conn:
        assert (
            conn.execute("select created_date from raw.lead where id = ?", [bad_date["record_id"]]).fetchone()[0]
            == bad_date["value"]
        )
        # The quality gate holds the record out of staging (quarantine.lead keeps the raw row).
        assert not conn.execute(
            "select 1 from staging.stg_salesforce__lead where lead_id = ?", [bad_date["record_id"]]
        ).fetchall()
        assert conn.execute(
            "select rule from quarantine.lead where record_key = ?", [bad_date["record_id"]]
        ).fetchall() == [("created_at_parses",)]


def test_loading_the_same_export_twice_changes_nothing(small_run, tmp_path):
    warehouse = tmp_path / "again.duckdb"
    shutil.copy(small_run.warehouse, warehouse)
    before = staging_fingerprint(warehouse)
    raw_before = relation_rows(warehouse, "raw")
    outcome = run_pipeline(small_run.export_dir, warehouse)
    assert outcome.success, outcome.error
    assert relation_rows(warehouse, "raw") == raw_before
    assert staging_fingerprint(warehouse) == before
    with connect(warehouse, read_only=True) as conn:
        statuses = conn.execute(
            "select distinct status from audit.load_log where batch_id = ?", [outcome.run_id]
        ).fetchall()
    assert statuses == [("unchanged_file",)]


def test_a_newer_export_appends_versions_and_staging_keeps_the_latest(manifest, tmp_path):
    earlier, later = tmp_path / "earlier", tmp_path / "later"
    generate_demo(earlier, demo_params(0.02, 11, "2025-12-31T00:00:00"), progress=lambda _: None)
    generate_demo(later, demo_params(0.02, 11), progress=lambda _: None)
    warehouse = tmp_path / "w.duckdb"
    assert run_pipeline(earlier, warehouse).success
    with connect(warehouse, read_only=True) as conn:
        early_status = dict(conn.execute("select lead_id, status from staging.stg_salesforce__lead").fetchall())
    assert run_pipeline(later, warehouse).success
    with connect(warehouse, read_only=True) as conn:
        latest = dict(conn.execute("select lead_id, status from staging.stg_salesforce__lead").fetchall())
        versions = conn.execute(
            "select count(*) from raw.lead where id in (select id from raw.lead group by id having count(*) > 1)"
        ).fetchone()[0]
        held = {row[0] for row in conn.execute("select record_key from quarantine.lead").fetchall()}
    changed = [lead for lead, status in early_status.items() if latest.get(lead) != status]
    assert changed, "between the two exports some leads moved on"
    assert versions >= 2 * len(changed)
    assert set(early_status) <= set(latest) | held
    later_leads = {line.split(",", 1)[0] for line in (later / "Lead.csv").read_text().splitlines()[1:]}
    assert set(latest) | held == later_leads and not set(latest) & held


def test_dbt_build_of_one_model_and_its_children_works_without_the_job(small_run, tmp_path):
    """The analytics engineer's loop: `dbt build -s <model>+` against an existing warehouse."""
    warehouse = tmp_path / "dev.duckdb"
    shutil.copy(small_run.warehouse, warehouse)
    dbt = Path(sys.executable).with_name("dbt")
    completed = subprocess.run(
        [str(dbt), "build", "-s", "stg_salesforce__lead+", "--target-path", str(tmp_path / "target")],
        cwd=DBT_PROJECT_DIR,
        env={**os.environ, "REVOPS_WAREHOUSE": str(warehouse)},
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 0, completed.stdout[-2000:]
    assert "ERROR=0" in completed.stdout
    with connect(warehouse, read_only=True) as conn:  # the lead's descendants were rebuilt
        assert conn.execute("select count(*) from marts.fct_lead_lifecycle").fetchone()[0] > 0
