"""Metabase metadata for schema analytics, generated from dbt docs (bi/metabase/metadata.json).

Metabase reads the tables itself once connected to PostgreSQL; what it cannot know is what the
columns mean. This file carries, per table and field, the display name, description and semantic
type in the shape of Metabase's API (PUT /api/table/:id and PUT /api/field/:id bodies; a foreign
key names its target table and field, which the applier resolves to fk_target_field_id).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from orchestration.bi_catalog import Column, Table, load_manifest, published_tables

# Metabase semantic types used here (a subset of Metabase's type/* hierarchy).
SEMANTIC_TYPES = {
    "type/PK", "type/FK", "type/Category", "type/Currency", "type/Percentage", "type/Quantity", "type/Score",
    "type/Name", "type/Title", "type/Country", "type/Company", "type/CreationTimestamp", "type/CreationDate",
    "type/Description",
}  # fmt: skip
# Keys that identify a dimension table row: the target of every foreign key of that name.
KEY_TARGETS = {
    "owner_id": ("dim_user", "user_id"),
    "user_id": ("dim_user", "user_id"),
    "manager_id": ("dim_user", "user_id"),
    "rep_id": ("dim_user", "user_id"),
    "account_id": ("dim_account", "account_id"),
    "converted_account_id": ("dim_account", "account_id"),
    "lead_id": ("dim_lead", "lead_id"),
    "originating_lead_id": ("dim_lead", "lead_id"),
    "campaign_id": ("dim_campaign", "campaign_id"),
    "opportunity_id": ("fct_opportunity", "opportunity_id"),
    "converted_opportunity_id": ("fct_opportunity", "opportunity_id"),
    "team_id": ("dim_team", "team_id"),
    "product_id": ("dim_product", "product_id"),
}
PRIMARY_KEYS = {target: key for target, key in KEY_TARGETS.values()}
_CURRENCY = re.compile(
    r"(amount|bookings|spend|pipeline|commission|credited|cost|deal_size|forecast_of_record|^cac$|_cac$|quota$|target_)"
)
_CATEGORY = re.compile(r"^(channel|channel_group|segment|region|industry|stage_name|current_stage|forecast_category|"
                       r"owner_team|team|team_name|user_function|department|quota_type|owner_type|grain|level|"
                       r"dimension|status|rating|lead_source|opportunity_type|tier|handoff_source)$")  # fmt: skip


def semantic_type(table: Table, column: Column) -> str | None:
    name = column.name
    if PRIMARY_KEYS.get(table.name) == name:
        return "type/PK"
    if name in KEY_TARGETS and KEY_TARGETS[name][0] != table.name:
        return "type/FK"
    if name.endswith("_rate"):
        return "type/Percentage"  # a fraction; Metabase shows 0.25 as 25 %
    if name.endswith("_pct"):
        return "type/Score"  # already 0-100
    if column.data_type in ("varchar", "text") and _CATEGORY.match(name):
        return "type/Category"
    if name in ("full_name", "manager_name", "account_name", "campaign_name", "product_name", "goal_name"):
        return "type/Name"
    if name == "company":
        return "type/Company"
    if name in ("country", "billing_country"):
        return "type/Country"
    if name == "created_at":
        return "type/CreationTimestamp"
    if name in ("created_date", "lead_date"):
        return "type/CreationDate"
    numeric = not column.data_type.startswith(("varchar", "text", "date", "timestamp", "boolean"))
    if numeric and _CURRENCY.search(name):
        return "type/Currency"
    if numeric and (
        name.endswith(("_count", "_deals", "_days", "_hours")) or name in ("entries", "entered", "converted")
    ):
        return "type/Quantity"
    return None


def _display(name: str) -> str:
    return name.replace("_", " ").strip().capitalize().replace(" id", " ID").replace("Cac", "CAC").replace("Mql", "MQL")


def table_payload(table: Table) -> dict:
    fields = []
    for column in table.columns:
        field = {
            "name": column.name,
            "display_name": _display(column.name),
            "description": " ".join(column.description.split()) or None,
            "semantic_type": semantic_type(table, column),
        }
        if field["semantic_type"] == "type/FK":
            target_table, target_field = KEY_TARGETS[column.name]
            field["fk_target"] = {"schema": "analytics", "table": target_table, "field": target_field}
        fields.append(field)
    return {
        "schema": "analytics",
        "name": table.name,
        "display_name": _display(table.name.removeprefix("fct_").removeprefix("dim_")),
        "description": " ".join(table.description.split()) or None,
        "entity_type": "entity/GenericTable" if table.is_metric_table else
                       "entity/TransactionTable" if table.name.startswith("fct_") else "entity/GenericTable",
        "fields": fields,
    }  # fmt: skip


def generate(manifest_path: Path, out_file: Path) -> Path:
    tables = published_tables(load_manifest(manifest_path))
    payload = {
        "generated_by": "revops bi (from the dbt manifest); apply with Metabase's API, see README",
        "database": {"engine": "postgres", "schema": "analytics"},
        "tables": [table_payload(table) for table in tables],
    }
    out_file.parent.mkdir(parents=True, exist_ok=True)
    out_file.write_text(json.dumps(payload, indent=2, sort_keys=False) + "\n")
    return out_file
