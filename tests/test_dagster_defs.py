"""The code location: one asset graph from export file to model, job, schedule, sensor."""

from __future__ import annotations

import os
import time
from pathlib import Path

import dagster as dg
import pytest

from orchestration.extract.assets import DUCKDB_POOL, SNAPSHOT_KEY
from orchestration.sensors import new_export_sensor, new_exports
from orchestration.settings import REPO_ROOT
from tests.exports import write_export


@pytest.fixture(scope="module")
def definitions(manifest) -> dg.Definitions:
    from orchestration.definitions import defs

    return defs()


def test_dbt_sources_are_the_extraction_assets(definitions):
    graph = definitions.resolve_asset_graph()
    lead_staging = dg.AssetKey(["staging", "stg_salesforce__lead"])
    assert graph.get(lead_staging).parent_keys == {dg.AssetKey(["raw", "lead"])}
    assert graph.get(dg.AssetKey(["raw", "lead"])).parent_keys == {SNAPSHOT_KEY}
    # No dangling source stubs: every raw key the dbt models read is materialized by extraction.
    raw_keys = {key for key in graph.get_all_asset_keys() if key.path[0] == "raw"}
    assert all(graph.get(key).is_materializable for key in raw_keys)


def test_warehouse_writers_share_a_pool_and_extraction_retries(definitions):
    graph = definitions.resolve_asset_graph()
    raw_lead = graph.get(dg.AssetKey(["raw", "lead"]))
    assert raw_lead.pools == {DUCKDB_POOL}
    assert graph.get(dg.AssetKey(["staging", "stg_salesforce__lead"])).pools == {DUCKDB_POOL}
    assert definitions.resolve_assets_def(dg.AssetKey(["raw", "lead"])).op.retry_policy.max_retries >= 1


def test_dbt_tests_are_asset_checks(definitions):
    checks = definitions.resolve_asset_graph().asset_check_keys
    assert (
        dg.AssetCheckKey(dg.AssetKey(["intermediate", "int_activities"]), "not_null_int_activities_activity_id")
        in checks
    )


def test_quality_gate_checks_block_the_marts_of_every_staged_object(definitions):
    graph = definitions.resolve_asset_graph()
    gate = {key.asset_key for key in graph.asset_check_keys if key.name == "quality_gate"}
    assert dg.AssetKey(["staging", "stg_salesforce__opportunity"]) in gate
    assert len(gate) == len(list(Path(REPO_ROOT, "expectations").glob("*.json")))
    spec = graph.get_check_spec(dg.AssetCheckKey(dg.AssetKey(["staging", "stg_salesforce__lead"]), "quality_gate"))
    assert spec.blocking


def test_nightly_job_and_schedule(definitions):
    job = definitions.resolve_job_def("nightly_refresh")
    assert job is not None
    schedule = definitions.resolve_schedule_def("nightly_refresh_schedule")
    assert schedule.cron_schedule == "0 2 * * *"
    assert schedule.execution_timezone == os.environ.get("REVOPS_SCHEDULE_TIMEZONE", "America/New_York")


def test_sensor_requests_one_run_per_settled_export(tmp_path, monkeypatch):
    inbox = tmp_path / "inbox"
    write_export(inbox / "export-2026-11-01")
    (inbox / "notes.txt").write_text("not an export")
    old = time.time() - 3600
    for path in (inbox / "export-2026-11-01").iterdir():
        os.utime(path, (old, old))
    monkeypatch.setenv("REVOPS_WATCH_DIR", str(inbox))

    context = dg.build_sensor_context()
    requests = list(new_export_sensor(context))
    assert [r.run_config["resources"]["export_source"]["config"]["location"] for r in requests] == [
        str(inbox / "export-2026-11-01")
    ]
    # Same export again: nothing new. A fresh, still-being-copied export: not yet.
    context = dg.build_sensor_context(cursor=context.cursor)
    write_export(inbox / "export-2026-11-02")
    assert list(new_export_sensor(context)) == []


def test_new_exports_ignores_folders_without_csv(tmp_path):
    (tmp_path / "empty").mkdir()
    assert new_exports(tmp_path, {}, time.time() + 3600) == []


def test_metric_tables_and_serving_follow_the_marts(definitions):
    graph = definitions.resolve_asset_graph()
    sales = dg.AssetKey(["metrics", "sales_monthly"])
    assert graph.get(sales).parent_keys == {
        dg.AssetKey(["marts", "fct_opportunity"]),
        dg.AssetKey(["marts", "fct_pipeline_snapshot_daily"]),
        dg.AssetKey(["marts", "fct_sales_kpis"]),
    }
    published = dg.AssetKey(["published", "marts"])
    assert sales in graph.get(published).parent_keys
    assert graph.get(dg.AssetKey(["published", "postgres"])).parent_keys == {published}
    sensors = {sensor.name for sensor in definitions.sensors}
    assert "run_ledger_on_failure" in sensors
