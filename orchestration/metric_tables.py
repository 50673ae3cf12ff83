"""Dagster assets for the metric tables: one per saved query of the semantic layer.

Each `metrics/<saved query>` table is rebuilt after the marts its metrics read, so BI tools get
metric values computed by MetricFlow (defined once) as plain tables, published with the marts.
"""

from pathlib import Path

import dagster as dg

from orchestration.extract.assets import DUCKDB_POOL
from orchestration.resources import WarehouseResource
from orchestration.semantic_layer import METRICS_SCHEMA, SemanticLayer, saved_query_models


def build_metric_table_assets(manifest_path: Path) -> dg.AssetsDefinition:
    models_by_query = saved_query_models(manifest_path)
    specs = [
        dg.AssetSpec(
            key=dg.AssetKey([METRICS_SCHEMA, name]),
            deps=[dg.AssetKey(["marts", model]) for model in models],
            group_name="metrics",
            kinds={"duckdb", "metricflow"},
            description=f"Saved query {name} of the semantic layer, materialized for BI.",
        )
        for name, models in sorted(models_by_query.items())
    ]

    @dg.multi_asset(specs=specs, can_subset=True, pool=DUCKDB_POOL, name="metric_tables")
    def metric_tables(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
        names = [key.path[-1] for key in context.selected_asset_keys]
        counts = SemanticLayer().materialize_saved_queries(warehouse.resolved_path(), names)
        for name, rows in counts.items():
            context.log.info(f"metrics.{name}: {rows} rows")
            yield dg.MaterializeResult(asset_key=[METRICS_SCHEMA, name], metadata={"dagster/row_count": rows})

    return metric_tables
