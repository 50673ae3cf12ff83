"""Seed a PostgreSQL database with the raw layer, so the dbt project can be built on PostgreSQL
(`REVOPS_DBT_TARGET=postgres`): extraction lands in DuckDB; this copies `raw` (every value as
text, with its load metadata) and `quarantine` (what the quality gate held out) over, replacing
those schemas in one transaction."""

from __future__ import annotations

from pathlib import Path

import duckdb
import psycopg
from psycopg import sql

from orchestration.extract.naming import quote_identifier as q
from orchestration.publish_postgres import copy_table

COPIED_SCHEMAS = ("raw", "quarantine")


def copy_raw_to_postgres(warehouse: Path, dsn: str, schemas: tuple[str, ...] = COPIED_SCHEMAS) -> dict[str, int]:
    counts: dict[str, int] = {}
    with duckdb.connect(str(warehouse), read_only=True) as source, psycopg.connect(dsn) as pg:
        for schema in schemas:
            tables = source.execute(
                "select table_name from information_schema.tables where table_schema = ? "
                "and table_catalog = current_database() and table_type = 'BASE TABLE' order by 1",
                [schema],
            ).fetchall()
            pg.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(schema)))
            pg.execute(sql.SQL("create schema {}").format(sql.Identifier(schema)))
            for (table,) in tables:
                counts[f"{schema}.{table}"] = copy_table(source, f"{schema}.{q(table)}", pg, schema, table)
        pg.commit()
    return counts
