"""Publish the published marts and metric tables to PostgreSQL for Looker and Metabase.

The source is published.duckdb (already complete and PII-safe), never the warehouse being built.
Everything is loaded into a fresh loading schema and swapped in with two renames in the same
transaction, so a BI session sees the previous publication or the new one, never a mix. The
`bi_reader` role may read schema `analytics` and nothing else.
"""

import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb
import psycopg
from psycopg import sql
from sqlglot import exp

from orchestration.extract.assets import DUCKDB_POOL
from orchestration.publish import CATALOG_TABLE, PUBLISHED_KEY, published_path
from orchestration.resources import WarehouseResource

POSTGRES_KEY = dg.AssetKey(["published", "postgres"])
ANALYTICS_SCHEMA = "analytics"
READER_ROLE = "bi_reader"
BATCH_ROWS = 10_000
# DuckDB types PostgreSQL lacks, and what holds them exactly.
_WIDE_INTEGERS = {"INT128": "NUMERIC(38, 0)", "UINT128": "NUMERIC(39, 0)", "UBIGINT": "NUMERIC(20, 0)"}


@dataclass(frozen=True)
class PostgresPublication:
    schema: str
    tables: dict[str, int]  # analytics table -> rows
    seconds: float


def analytics_table_name(schema: str, table: str) -> str:
    """Marts keep their names; metric tables get a metrics_ prefix (one schema for BI)."""
    return table if schema == "marts" else f"{schema}_{table}"


def postgres_type(duckdb_type: str) -> str:
    rendered = exp.DataType.build(duckdb_type, dialect="duckdb").sql("postgres")
    return _WIDE_INTEGERS.get(rendered, rendered)


def ensure_reader_role(pg: psycopg.Connection, role: str, password: str | None) -> None:
    """The read-only BI role: created once, read-only by default, login only with a password."""
    exists = pg.execute("select 1 from pg_roles where rolname = %s", [role]).fetchone()
    if not exists:
        pg.execute(sql.SQL("create role {} nologin").format(sql.Identifier(role)))
    if password:
        pg.execute(sql.SQL("alter role {} login password {}").format(sql.Identifier(role), sql.Literal(password)))
    pg.execute(sql.SQL("alter role {} set default_transaction_read_only = on").format(sql.Identifier(role)))


def publish_to_postgres(
    published: Path,
    dsn: str,
    *,
    schema: str = ANALYTICS_SCHEMA,
    reader_role: str = READER_ROLE,
    reader_password: str | None = None,
    progress=print,
) -> PostgresPublication:
    started = time.monotonic()
    loading = f"{schema}__loading"
    retired = f"{schema}__retired"
    counts: dict[str, int] = {}
    with duckdb.connect(str(published), read_only=True) as source, psycopg.connect(dsn) as pg:
        tables = source.execute(f"select schema_name, table_name from marts.{CATALOG_TABLE} order by 1, 2").fetchall()
        ensure_reader_role(pg, reader_role, reader_password)
        pg.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(loading)))
        pg.execute(sql.SQL("create schema {}").format(sql.Identifier(loading)))
        for source_schema, table in [*tables, ("marts", CATALOG_TABLE)]:
            target = analytics_table_name(source_schema, table)
            counts[target] = copy_table(source, f'{source_schema}."{table}"', pg, loading, target)
            progress(f"  {schema}.{target}: {counts[target]:,} rows")
        pg.execute(
            sql.SQL("grant usage on schema {} to {}").format(sql.Identifier(loading), sql.Identifier(reader_role))
        )
        pg.execute(
            sql.SQL("grant select on all tables in schema {} to {}").format(
                sql.Identifier(loading), sql.Identifier(reader_role)
            )
        )
        # The swap: both renames commit together with the load, or not at all.
        pg.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(retired)))
        if pg.execute("select 1 from pg_namespace where nspname = %s", [schema]).fetchone():
            pg.execute(sql.SQL("alter schema {} rename to {}").format(sql.Identifier(schema), sql.Identifier(retired)))
        pg.execute(sql.SQL("alter schema {} rename to {}").format(sql.Identifier(loading), sql.Identifier(schema)))
        pg.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(retired)))
        pg.commit()
    return PostgresPublication(schema, counts, time.monotonic() - started)


def copy_table(
    source: duckdb.DuckDBPyConnection, relation: str, pg: psycopg.Connection, schema: str, table: str
) -> int:
    result = source.execute(f"select * from {relation}")
    columns = [(name, postgres_type(str(type_code))) for name, type_code, *_ in result.description]
    column_list = sql.SQL(", ").join(sql.Identifier(name) for name, _ in columns)
    pg.execute(
        sql.SQL("create table {}.{} ({})").format(
            sql.Identifier(schema),
            sql.Identifier(table),
            sql.SQL(", ").join(sql.SQL("{} {}").format(sql.Identifier(name), sql.SQL(kind)) for name, kind in columns),
        )
    )
    rows = 0
    with pg.cursor().copy(
        sql.SQL("copy {}.{} ({}) from stdin").format(sql.Identifier(schema), sql.Identifier(table), column_list)
    ) as copy:
        while batch := result.fetchmany(BATCH_ROWS):
            for row in batch:
                copy.write_row(row)
            rows += len(batch)
    return rows


def redact_dsn(dsn: str) -> str:
    """The DSN without its password, for logs."""
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", dsn)


class PostgresServingResource(dg.ConfigurableResource):
    """Where BI reads: a PostgreSQL DSN (empty: $REVOPS_PG_DSN; unset: no Postgres publication)
    and the bi_reader password (empty: $REVOPS_PG_BI_PASSWORD; unset: a login-less group role)."""

    dsn: str = ""
    reader_password: str = ""

    def resolved_dsn(self) -> str:
        return self.dsn or os.environ.get("REVOPS_PG_DSN", "")

    def resolved_reader_password(self) -> str | None:
        return self.reader_password or os.environ.get("REVOPS_PG_BI_PASSWORD") or None


@dg.asset(
    key=POSTGRES_KEY,
    deps=[PUBLISHED_KEY],
    group_name="publish",
    pool=DUCKDB_POOL,
    kinds={"postgres"},
    output_required=False,
    description="The published marts and metric tables in PostgreSQL schema analytics, swapped in one "
    "transaction, readable by bi_reader. Skipped when no DSN is configured ($REVOPS_PG_DSN).",
)
def postgres_analytics(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, postgres: PostgresServingResource
):
    dsn = postgres.resolved_dsn()
    if not dsn:
        context.log.info("REVOPS_PG_DSN is not set: not publishing to PostgreSQL")
        return
    result = publish_to_postgres(
        published_path(warehouse.resolved_path()),
        dsn,
        reader_password=postgres.resolved_reader_password(),
        progress=context.log.debug,
    )
    context.log.info(f"published {len(result.tables)} tables to {redact_dsn(dsn)} schema {result.schema}")
    yield dg.MaterializeResult(
        metadata={"dsn": redact_dsn(dsn), "tables": len(result.tables), "rows": sum(result.tables.values())}
    )
