"""The semantic layer at run time: MetricFlow turns metric requests into SQL, DuckDB runs it.

Metrics are defined once, in dbt_project/models/semantic/. MetricFlow compiles a request (metrics
x group-by) against dbt's semantic manifest; the SQL runs on an in-memory DuckDB that attaches a
warehouse file under the database name the manifest uses, so the same SQL reads the working
warehouse (to materialize metric tables) or a published copy (for readers), never both.

MetricFlow's exports need a hosted dbt account, so each saved query is materialized here into
schema `metrics` as a BI table: one row per period (and group-by values), one column per metric.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import duckdb
import pyarrow as pa

from orchestration.extract.naming import quote_identifier as q
from orchestration.settings import DBT_PROJECT_DIR

METRICS_SCHEMA = "metrics"
_TIME_COLUMN = re.compile(r"^metric_time__(\w+)$")


class SemanticLayerError(RuntimeError):
    """A metric request MetricFlow cannot answer (unknown metric, impossible group-by, ...)."""


@dataclass
class SemanticLayer:
    """MetricFlow over the project's semantic manifest (dbt_project/target/semantic_manifest.json,
    written by `revops prepare` / dbt parse)."""

    project_dir: Path = DBT_PROJECT_DIR

    @cached_property
    def _config(self):
        # Imported here: MetricFlow takes ~1 s to import and only metric work needs it.
        from dbt_metricflow.cli.cli_configuration import CLIConfiguration

        for name in ("metricflow", "metricflow_semantics", "metricflow_semantic_interfaces"):
            logging.getLogger(name).setLevel(logging.ERROR)
        config = CLIConfiguration()
        config.setup(self.project_dir, self.project_dir, configure_file_logging=False)
        return config

    @cached_property
    def database(self) -> str:
        """The database name the compiled SQL qualifies tables with."""
        models = self._config.semantic_manifest.semantic_models
        return models[0].node_relation.database

    def metric_names(self) -> list[str]:
        return sorted(metric.name for metric in self._config.semantic_manifest.metrics)

    def saved_queries(self) -> dict[str, object]:
        return {query.name: query for query in self._config.semantic_manifest.saved_queries}

    def compile(
        self,
        metrics: Sequence[str] = (),
        group_by: Sequence[str] = (),
        where: Sequence[str] = (),
        order_by: Sequence[str] = (),
        limit: int | None = None,
        saved_query: str | None = None,
    ) -> str:
        """SQL answering the request; SemanticLayerError with MetricFlow's explanation if none."""
        from metricflow.engine.metricflow_engine import MetricFlowQueryRequest

        request = MetricFlowQueryRequest.create(
            saved_query_name=saved_query,
            metric_names=list(metrics) or None,
            group_by_names=list(group_by) or None,
            where_constraints=list(where) or None,
            order_by_names=list(order_by) or None,
            limit=limit,
        )
        try:
            return self._config.mf.explain(mf_request=request).sql_statement.without_descriptions.sql
        except Exception as error:  # MetricFlow raises many types; all mean "cannot answer this"
            raise SemanticLayerError(str(error)) from error

    def query(self, database_file: Path, **request) -> pa.Table:
        """Run a request against a warehouse file opened read-only."""
        sql = self.compile(**request)
        with duckdb.connect() as conn:
            conn.execute(f"attach '{database_file}' as {q(self.database)} (read_only)")
            conn.execute(f"use {q(self.database)}")
            return conn.cursor().sql(sql).to_arrow_table()

    def materialize_saved_queries(self, warehouse_file: Path, names: Sequence[str] | None = None) -> dict[str, int]:
        """(Re)build metrics.<saved query> in the warehouse for each saved query; returns row counts."""
        names = list(names) if names is not None else sorted(self.saved_queries())
        counts = {}
        with duckdb.connect() as conn:
            conn.execute(f"attach '{warehouse_file}' as {q(self.database)}")
            conn.execute(f"use {q(self.database)}")
            conn.execute(f"create schema if not exists {METRICS_SCHEMA}")
            for name in names:
                sql = self.compile(saved_query=name)
                conn.execute(f"create or replace table {METRICS_SCHEMA}.{q(name)} as {bi_table_sql(sql, conn)}")
                counts[name] = conn.execute(f"select count(*) from {METRICS_SCHEMA}.{q(name)}").fetchone()[0]
        return counts


def bi_table_sql(metric_sql: str, conn: duckdb.DuckDBPyConnection) -> str:
    """Wrap a MetricFlow result for BI: metric_time__<grain> becomes period_start (a date),
    `entity__dimension` becomes `dimension`, rows without a period (their agg time was NULL)
    are left out, and rows come in group-by order."""
    columns = [column[0] for column in conn.cursor().sql(metric_sql).limit(0).description]
    renamed, keys = [], []
    for column in columns:
        time_match = _TIME_COLUMN.match(column)
        if time_match:
            renamed.append(f"cast({q(column)} as date) as period_start")
            keys.append("period_start")
        elif "__" in column:
            name = column.split("__")[-1]
            renamed.append(f"{q(column)} as {q(name)}")
            keys.append(q(name))
        else:
            renamed.append(q(column))
    period_filter = "where period_start is not null" if "period_start" in keys else ""
    order = f"order by {', '.join(keys)}" if keys else ""
    return f"select * from (select {', '.join(renamed)} from ({metric_sql}) as result) {period_filter} {order}"


def saved_query_models(manifest_path: Path) -> dict[str, list[str]]:
    """For each saved query, the dbt models its metrics read (for the metric tables' lineage)."""
    manifest = json.loads(manifest_path.read_text())
    metrics, semantic_models = manifest.get("metrics", {}), manifest.get("semantic_models", {})

    def models_of(node_id: str, seen: set[str]) -> set[str]:
        if node_id in seen:
            return set()
        seen.add(node_id)
        if node_id.startswith("model."):
            return {node_id.split(".")[-1]}
        node = metrics.get(node_id) or semantic_models.get(node_id) or {}
        found: set[str] = set()
        for parent in node.get("depends_on", {}).get("nodes", []):
            found |= models_of(parent, seen)
        return found

    result = {}
    for query in manifest.get("saved_queries", {}).values():
        found: set[str] = set()
        for node_id in query["depends_on"]["nodes"]:
            found |= models_of(node_id, set())
        result[query["name"]] = sorted(found)
    return result
