"""Publish the marts as one read-only DuckDB file that BI readers open, replaced atomically.

The working warehouse is rebuilt in place every night; readers must never see it half-built. So
the marts are copied into a new file beside it and that file is renamed over the published one
(an atomic rename on POSIX): a reader sees the previous night's file or the new one, never a mix,
and a run killed before this step leaves the published file as it was.
"""

import os
from pathlib import Path

import dagster as dg

from orchestration import warehouse as wh
from orchestration.extract.assets import DUCKDB_POOL
from orchestration.extract.naming import quote_identifier as q
from orchestration.resources import WarehouseResource

PUBLISHED_KEY = dg.AssetKey(["published", "marts"])
PUBLISHED_NAME = "published.duckdb"
CATALOG_TABLE = "_publication"


def published_path(warehouse: Path) -> Path:
    return warehouse.parent / PUBLISHED_NAME


def mart_digest_sql(relation: str) -> str:
    """Order-independent digest of a relation's exact content (every value, every row)."""
    return (
        f"select count(*), coalesce(md5(string_agg(row_digest, '' order by row_digest)), '') "
        f"from (select md5(cast(t as varchar)) as row_digest from {relation} as t)"
    )


def publish_marts(source: Path, run_id: str) -> tuple[Path, int]:
    """Copy every marts table of `source` into published.duckdb (schema marts) with a catalog of
    row counts and digests; returns (path, tables)."""
    target = published_path(source)
    staging_file = target.with_name(f".{PUBLISHED_NAME}.{run_id}.tmp")
    staging_file.unlink(missing_ok=True)
    with wh.connect(source) as conn:
        conn.execute(f"attach '{staging_file}' as publication")
        conn.execute("create schema publication.marts")
        tables = [
            row[0]
            for row in conn.execute(
                "select table_name from information_schema.tables where table_schema = 'marts' "
                "and table_catalog = current_database() and table_type = 'BASE TABLE' order by 1"
            ).fetchall()
        ]
        catalog = []
        for table in tables:
            conn.execute(f"create table publication.marts.{q(table)} as select * from marts.{q(table)}")
            rows, digest = conn.execute(mart_digest_sql(f"publication.marts.{q(table)}")).fetchone()
            catalog.append((table, rows, digest, run_id))
        conn.execute(
            f"create table publication.marts.{CATALOG_TABLE} "
            "(table_name varchar, row_count bigint, digest varchar, run_id varchar)"
        )
        conn.executemany(f"insert into publication.marts.{CATALOG_TABLE} values (?, ?, ?, ?)", catalog)
        conn.execute("checkpoint publication")
        conn.execute("detach publication")
    os.replace(staging_file, target)
    return target, len(tables)


def build_publish_asset(mart_keys: list[dg.AssetKey]) -> dg.AssetsDefinition:
    @dg.asset(
        key=PUBLISHED_KEY,
        deps=mart_keys,
        group_name="publish",
        pool=DUCKDB_POOL,
        kinds={"duckdb"},
        description="The marts copied into published.duckdb beside the warehouse and swapped in "
        "atomically, so BI readers never see a half-built night.",
    )
    def published_marts(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
        path, tables = publish_marts(warehouse.resolved_path(), context.run.run_id)
        context.log.info(f"published {tables} marts to {path}")
        return dg.MaterializeResult(metadata={"path": dg.MetadataValue.path(str(path)), "tables": tables})

    return published_marts
