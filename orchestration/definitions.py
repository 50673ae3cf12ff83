"""The Dagster code location: assembly only (the parts live in their own modules)."""

from __future__ import annotations

import os

import dagster as dg

from orchestration.console_log import compact_console_logger
from orchestration.dbt import DBT_PROJECT, build_dbt_assets, dbt_resource
from orchestration.extract.assets import build_extract_assets
from orchestration.extract.contract import load_contract
from orchestration.jobs import nightly_refresh, nightly_schedule
from orchestration.metric_tables import build_metric_table_assets
from orchestration.publish import build_publish_asset
from orchestration.publish_postgres import PostgresServingResource, postgres_analytics
from orchestration.quality.checks import build_quality_gate
from orchestration.resources import ExportSourceResource, QualityGateResource, WarehouseResource
from orchestration.sensors import new_export_sensor, run_ledger_on_failure
from orchestration.settings import DBT_PROJECT_DIR


@dg.definitions
def defs() -> dg.Definitions:
    contract = load_contract(DBT_PROJECT_DIR)
    dbt_assets = build_dbt_assets()
    mart_keys = [key for assets in dbt_assets for key in assets.keys if key.path[0] == "marts"]
    metric_tables = build_metric_table_assets(DBT_PROJECT.manifest_path)
    published = build_publish_asset([*mart_keys, *metric_tables.keys], DBT_PROJECT.manifest_path)
    return dg.Definitions(
        assets=[*build_extract_assets(contract), *dbt_assets, metric_tables, published, postgres_analytics],
        asset_checks=[build_quality_gate()],
        jobs=[nightly_refresh],
        schedules=[nightly_schedule(os.environ.get("REVOPS_SCHEDULE_TIMEZONE", "America/New_York"))],
        sensors=[new_export_sensor, run_ledger_on_failure],
        loggers={"console": compact_console_logger},
        resources={
            "warehouse": WarehouseResource(),
            "export_source": ExportSourceResource(),
            "quality": QualityGateResource(),
            "postgres": PostgresServingResource(),
            "dbt": dbt_resource(),
        },
    )
