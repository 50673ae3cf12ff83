"""Generate the LookML project for schema analytics (bi/looker/) from dbt's manifest.

One view per published table: dimensions from the columns (dates as dimension groups with fiscal
timeframes), and measures from the semantic layer so Looker computes exactly what MetricFlow
defines. A measure carries the tag `metric:<name>` of the semantic-layer metric it implements.
Simple metrics become aggregate measures, ratio and derived metrics whose inputs live on the same
view become `type: number` measures over those; semi-additive and cross-fact metrics are not
re-implemented in Looker: their values come from the metric tables (views metrics_*).
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import lkml
import sqlglot
from sqlglot import exp

from orchestration.bi_catalog import Column, Table, load_manifest, published_tables
from orchestration.settings import SEEDS_DIR

CONNECTION = "revops_analytics"
MODEL_NAME = "revops"
_AGG_TYPES = {"sum": "sum", "average": "average", "median": "median", "count_distinct": "count_distinct",
              "min": "min", "max": "max", "sum_boolean": "sum"}  # fmt: skip
_NUMERIC = re.compile(r"^(bigint|integer|int|hugeint|double|float|real|decimal|numeric)")  # float8 too
# Explores: a fact and the dimension tables it joins, (view, sql_on, relationship).
EXPLORES = {
    "fct_opportunity": [
        ("dim_user", "${fct_opportunity.owner_id} = ${dim_user.user_id}", "many_to_one"),
        ("dim_account", "${fct_opportunity.account_id} = ${dim_account.account_id}", "many_to_one"),
    ],
    "fct_lead_lifecycle": [
        ("dim_user", "${fct_lead_lifecycle.owner_id} = ${dim_user.user_id}", "many_to_one"),
        ("dim_lead", "${fct_lead_lifecycle.lead_id} = ${dim_lead.lead_id}", "one_to_one"),
        ("dim_campaign", "${fct_lead_lifecycle.campaign_id} = ${dim_campaign.campaign_id}", "many_to_one"),
    ],
    "fct_lead_handoff": [("dim_user", "${fct_lead_handoff.owner_id} = ${dim_user.user_id}", "many_to_one")],
    "fct_quota_attainment": [("dim_user", "${fct_quota_attainment.owner_id} = ${dim_user.user_id}", "many_to_one")],
    "fct_pipeline_snapshot_daily": [
        ("dim_user", "${fct_pipeline_snapshot_daily.owner_id} = ${dim_user.user_id}", "many_to_one")
    ],
    "fct_commission_statement": [
        ("dim_user", "${fct_commission_statement.owner_id} = ${dim_user.user_id}", "many_to_one")
    ],
    "fct_leaderboard": [("dim_user", "${fct_leaderboard.owner_id} = ${dim_user.user_id}", "many_to_one")],
}


def qualify(expression: str) -> str:
    """A semantic-layer SQL expression over one table, with its columns as ${TABLE}.column."""
    tree = sqlglot.parse_one(expression, read="duckdb")
    for column in tree.find_all(exp.Column):
        column.set("table", exp.to_identifier("looker_table"))
    return tree.sql(dialect="postgres").replace("looker_table.", "${TABLE}.")


def _dimension(column: Column) -> dict:
    kind = column.data_type
    if kind == "date" or kind.startswith("timestamp"):
        return {
            "name": column.name.removesuffix("_date"),
            "type": "time",
            "timeframes": ["raw", "date", "week", "month", "quarter", "year", "fiscal_quarter", "fiscal_year"],
            "datatype": "date" if kind == "date" else "timestamp",
            "convert_tz": "no",
            "sql": f"${{TABLE}}.{column.name}",
            "description": column.description,
        }
    dimension = {"name": column.name, "sql": f"${{TABLE}}.{column.name}", "description": column.description}
    dimension["type"] = "yesno" if kind == "boolean" else "number" if _NUMERIC.match(kind) else "string"
    return dimension


def _semantic_measures(semantic_model: dict, metrics: dict, taken: set[str]) -> list[dict]:
    """Looker measures for one semantic model: its simple metrics, then ratios/derived over them.
    A measure named like a column of the view (taken) is called metric_<name> in Looker."""
    measures, local = [], {}
    for measure in semantic_model["measures"]:
        if measure.get("non_additive_dimension"):
            continue  # a balance at the period end: read it from the metric tables
        expr = qualify(measure.get("expr") or measure["name"])
        if measure["agg"] == "count":
            entry = {"type": "sum", "sql": f"CASE WHEN {expr} IS NOT NULL THEN 1 ELSE 0 END"}
        else:
            entry = {"type": _AGG_TYPES[measure["agg"]], "sql": expr}
        field = f"metric_{measure['name']}" if measure["name"] in taken else measure["name"]
        local[measure["name"]] = field
        time = measure.get("agg_time_dimension") or semantic_model["defaults"]["agg_time_dimension"]
        description = f"{measure.get('description') or measure['name']} Periods: by {time}."
        measures.append({"name": field, **entry, "description": description,
                         "tags": [f"metric:{measure['name']}"]})  # fmt: skip
    for metric in sorted(metrics.values(), key=lambda m: m["name"]):
        params = metric["type_params"]
        if metric["type"] == "ratio":
            numerator, denominator = params["numerator"]["name"], params["denominator"]["name"]
            if numerator in local and denominator in local:
                sql = f"1.0 * ${{{local[numerator]}}} / NULLIF(${{{local[denominator]}}}, 0)"
                measures.append(_number_measure(metric, sql, taken))
        elif metric["type"] == "derived":
            inputs = [m["name"] for m in params["metrics"]]
            if all(name in local for name in inputs):
                sql = params["expr"]
                for name in sorted(inputs, key=len, reverse=True):
                    sql = re.sub(rf"\b{name}\b", f"${{{local[name]}}}", sql)
                measures.append(_number_measure(metric, sql, taken))
    return measures


def _number_measure(metric: dict, sql: str, taken: set[str]) -> dict:
    return {
        "name": f"metric_{metric['name']}" if metric["name"] in taken else metric["name"],
        "type": "number",
        "sql": sql,
        "value_format_name": "decimal_4",
        "description": metric.get("description") or metric.get("label") or "",
        "tags": [f"metric:{metric['name']}"],
    }


def _metric_table_measures(table: Table) -> list[dict]:
    """A metric table has one row per period and group-by: its metric columns are read as-is."""
    keys = {"period_start"} | {c.name for c in table.columns if c.data_type == "varchar"}
    return [
        {
            "name": f"{c.name}_value",
            "type": "max",
            "sql": f"${{TABLE}}.{c.name}",
            "description": c.description,
            "tags": [f"metric:{c.name}"],
        }  # fmt: skip
        for c in table.columns
        if c.name not in keys and not c.name.startswith("_")  # audit columns are not metrics
    ]


def view(table: Table, semantic_model: dict | None, metrics: dict) -> dict:
    dimensions = [_dimension(column) for column in table.columns]
    groups = [d for d in dimensions if d["type"] == "time"]
    plain = [d for d in dimensions if d["type"] != "time"]
    if table.is_metric_table:
        measures = _metric_table_measures(table)
        plain = [d for d in plain if d["type"] != "number"]
    else:
        measures = [{"name": "count", "type": "count"}]
        if semantic_model:
            taken = {d["name"] for d in dimensions} | {"count"}
            measures += _semantic_measures(semantic_model, metrics, taken)
    result = {"name": table.name, "sql_table_name": f"analytics.{table.name}", "dimensions": plain,
              "dimension_groups": groups, "measures": measures}  # fmt: skip
    if table.description:
        result["description"] = " ".join(table.description.split())
    return result


def fiscal_month_offset() -> int:
    with (SEEDS_DIR / "fiscal_calendar_settings.csv").open() as handle:
        settings = {row["setting"]: row["value"] for row in csv.DictReader(handle)}
    return int(settings["fiscal_year_start_month"]) - 1


def model_file(tables: list[Table]) -> dict:
    names = {table.name for table in tables}
    explores = []
    for fact, joins in EXPLORES.items():
        explores.append({
            "name": fact,
            "joins": [{"name": view_name, "type": "left_outer", "sql_on": sql_on, "relationship": relationship}
                      for view_name, sql_on, relationship in joins if view_name in names],
        })  # fmt: skip
    explores += [{"name": table.name} for table in tables if table.is_metric_table]
    return {
        "connection": CONNECTION,
        "includes": ["/views/*.view.lkml"],
        "fiscal_month_offset": str(fiscal_month_offset()),
        "explores": explores,
    }


def generate(manifest_path: Path, out_dir: Path) -> list[Path]:
    """Write the LookML project; returns the files written (stale views are removed)."""
    manifest = load_manifest(manifest_path)
    tables = published_tables(manifest)
    semantic_by_model = {sm["node_relation"]["alias"]: sm for sm in manifest.get("semantic_models", {}).values()}
    metrics = {m["name"]: m for m in manifest.get("metrics", {}).values()}
    views_dir = out_dir / "views"
    views_dir.mkdir(parents=True, exist_ok=True)
    for stale in views_dir.glob("*.view.lkml"):
        stale.unlink()
    written = []
    header = "# Generated by `revops lookml` from the dbt manifest and semantic layer; do not edit.\n"
    for table in tables:
        path = views_dir / f"{table.name}.view.lkml"
        path.write_text(
            header + lkml.dump({"views": [view(table, semantic_by_model.get(table.model), metrics)]}) + "\n"
        )
        written.append(path)
    model = out_dir / f"{MODEL_NAME}.model.lkml"
    model.write_text(header + lkml.dump(model_file(tables)) + "\n")
    return [model, *written]
