"""What BI tools see in schema analytics, described from dbt's manifest alone (no warehouse needed):
every mart as published (personal columns renamed or left out per meta.pii) and every metric
table (one per saved query). The LookML and Metabase generators read this, not the database."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from orchestration.ledger import RUN_LOG_COLUMNS
from orchestration.pii import POLICIES
from orchestration.publish_postgres import analytics_table_name
from orchestration.semantic_layer import METRICS_SCHEMA


@dataclass(frozen=True)
class Column:
    name: str
    data_type: str
    description: str = ""


@dataclass(frozen=True)
class Table:
    name: str  # in schema analytics
    model: str  # dbt model, or saved query for a metric table
    description: str
    columns: list[Column] = field(default_factory=list)
    is_metric_table: bool = False


def load_manifest(path: Path) -> dict:
    return json.loads(path.read_text())


def published_tables(manifest: dict) -> list[Table]:
    tables = [_mart(node) for node in manifest["nodes"].values() if _is_mart(node)]
    metrics = {metric["name"]: metric for metric in manifest.get("metrics", {}).values()}
    tables += [_metric_table(query, metrics) for query in manifest.get("saved_queries", {}).values()]
    tables.append(Table(analytics_table_name("audit", "run_log"), "run_log", "The run ledger (audit.run_log): one row "
                        "per run with its source files, code version, dbt invocations, checks and timings.",
                        [Column(name, kind, description) for name, kind, description in RUN_LOG_COLUMNS]))  # fmt: skip
    audit = [Column("_run_id", "varchar", "The run that published this row (audit_run_log.run_id)."),
             Column("_built_at", "timestamp", "When the run published it (UTC).")]  # fmt: skip
    return sorted((Table(t.name, t.model, t.description, t.columns + audit, t.is_metric_table) for t in tables),
                  key=lambda table: table.name)  # fmt: skip


def _is_mart(node: dict) -> bool:
    return (
        node["resource_type"] == "model" and node["schema"] == "marts" and node["config"]["materialized"] != "ephemeral"
    )


def _mart(node: dict) -> Table:
    columns = []
    for column in node["columns"].values():
        policy = (column.get("meta") or {}).get("pii")
        assert policy in (None, *POLICIES), f"{node['name']}.{column['name']}: unknown pii policy {policy}"
        if policy == "drop":
            continue
        if policy == "hash":
            columns.append(
                Column(f"{column['name']}_sha256", "varchar", f"Salted SHA-256 of {column['name']} (personal data).")
            )
            continue
        columns.append(
            Column(column["name"], (column.get("data_type") or "varchar").lower(), column.get("description", ""))
        )
    return Table(analytics_table_name("marts", node["alias"]), node["name"], node.get("description", ""), columns)


def _metric_table(query: dict, metrics: dict) -> Table:
    params = query["query_params"]
    columns = [Column("period_start", "date", "First day of the period (company time zone).")]
    for group_by in params["group_by"]:
        name = group_by.split("(")[1].split(")")[0].split(",")[0].strip("'\" ").split("__")[-1]
        if name != "metric_time":
            columns.append(Column(name, "varchar", f"Group-by {name}."))
    for metric in params["metrics"]:
        definition = metrics[metric]
        columns.append(Column(metric, "double", definition.get("description") or definition.get("label") or ""))
    return Table(
        analytics_table_name(METRICS_SCHEMA, query["name"]),
        query["name"],
        query.get("description") or query.get("label") or "",
        columns,
        is_metric_table=True,
    )
