"""The raw layer (with the quality gate's quarantine and the load log) of a DuckDB warehouse as
Parquet files, for the `spark` dbt target: on-run-start registers each folder as an external
table (dbt_project/macros/spark.sql). On a cluster, the extractors would write these folders to
object storage instead; the layout is the same."""

from __future__ import annotations

import shutil
from pathlib import Path

from orchestration.warehouse import connect

LANDED_SCHEMAS = ("raw", "quarantine", "audit")


def land_for_spark(warehouse: Path, landing: Path) -> dict[str, int]:
    """Write every table of the landed schemas to <landing>/<schema>/<table>/; rows per table."""
    rows = {}
    with connect(warehouse, read_only=True) as conn:
        tables = conn.execute(
            "select table_schema, table_name from information_schema.tables "
            f"where table_schema in {LANDED_SCHEMAS} and table_type = 'BASE TABLE' order by 1, 2"
        ).fetchall()
        for schema, table in tables:
            folder = landing / schema / table
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            conn.execute(f"copy {schema}.{table} to '{folder / 'part-0.parquet'}' (format parquet)")
            rows[f"{schema}.{table}"] = conn.execute(f"select count(*) from {schema}.{table}").fetchone()[0]
    return rows
