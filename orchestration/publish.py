"""Publish the marts and metric tables as one read-only DuckDB file that BI readers open,
replaced atomically, plus Parquet files of the same tables.

The working warehouse is rebuilt in place every night; readers must never see it half-built. So
the marts are copied into a new file beside it and that file is renamed over the published one
(an atomic rename on POSIX): a reader sees the previous night's file or the new one, never a mix,
and a run killed before this step leaves the published file as it was. Parquet exports go to
parquet/<run id>/<schema>/<table>.parquet and the `parquet/current` symlink is swapped to them.
"""

import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg

from orchestration import warehouse as wh
from orchestration.extract.assets import DUCKDB_POOL
from orchestration.extract.naming import quote_identifier as q
from orchestration.ledger import record_run
from orchestration.pii import pii_policies, pii_salt, published_select_list
from orchestration.resources import WarehouseResource

PUBLISHED_KEY = dg.AssetKey(["published", "marts"])
PUBLISHED_NAME = "published.duckdb"
CATALOG_TABLE = "_publication"
PUBLISHED_SCHEMAS = ("marts", "metrics")
# Besides those schemas: the run ledger, so readers can trace what they see to its run.
PUBLISHED_EXTRA = (("audit", "run_log"),)
# Stamped on every published table: which run built it and when.
AUDIT_COLUMNS = ("_run_id", "_built_at")
PARQUET_DIR = "parquet"


def published_path(warehouse: Path) -> Path:
    return warehouse.parent / PUBLISHED_NAME


def mart_digest_sql(relation: str) -> str:
    """Order-independent digest of a relation's content (every value, every row), leaving out the
    audit columns so that the same data built by two runs has the same digest."""
    audit = ", ".join(f"'{column}'" for column in AUDIT_COLUMNS)
    return (
        f"select count(*), coalesce(md5(string_agg(row_digest, '' order by row_digest)), '') "
        f"from (select md5(cast(t as varchar)) as row_digest "
        f"from (select columns(lambda c: c not in ({audit})) from {relation}) as t)"
    )


def publish_marts(
    source: Path, run_id: str, pii: dict[tuple[str, str], dict[str, str]] | None = None
) -> tuple[Path, int]:
    """Copy every table of the published schemas of `source` into published.duckdb, personal
    columns hashed or dropped per `pii` ((schema, table) -> {column: policy}), with a catalog of
    row counts and digests (marts._publication), then Parquet files; returns (path, tables)."""
    pii = pii or {}
    salt = pii_salt(source.parent)
    target = published_path(source)
    staging_file = target.with_name(f".{PUBLISHED_NAME}.{run_id}.tmp")
    staging_file.unlink(missing_ok=True)
    with wh.connect(source) as conn:
        conn.execute(f"attach '{staging_file}' as publication")
        schemas = ", ".join(f"'{schema}'" for schema in PUBLISHED_SCHEMAS)
        extra = " or ".join(f"(table_schema = '{s}' and table_name = '{t}')" for s, t in PUBLISHED_EXTRA)
        tables = conn.execute(
            "select table_schema, table_name from information_schema.tables "
            f"where (table_schema in ({schemas}) or {extra}) and table_catalog = current_database() "
            "and table_type = 'BASE TABLE' order by 1, 2"
        ).fetchall()
        catalog = []
        built_at = datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ")
        for schema in sorted({schema for schema, _ in tables}):
            conn.execute(f"create schema publication.{schema}")
        for schema, table in tables:
            relation = f"publication.{schema}.{q(table)}"
            columns = [row[0] for row in conn.execute(f"describe {schema}.{q(table)}").fetchall()]
            select_list = published_select_list(schema, table, columns, pii.get((schema, table), {}), salt)
            stamp = f"'{run_id}' as _run_id, timestamp '{built_at}' as _built_at"
            conn.execute(f"create table {relation} as select {select_list}, {stamp} from {schema}.{q(table)}")
            rows, digest = conn.execute(mart_digest_sql(relation)).fetchone()
            catalog.append((schema, table, rows, digest, run_id))
        conn.execute(
            f"create table publication.marts.{CATALOG_TABLE} "
            "(schema_name varchar, table_name varchar, row_count bigint, digest varchar, run_id varchar)"
        )
        conn.executemany(f"insert into publication.marts.{CATALOG_TABLE} values (?, ?, ?, ?, ?)", catalog)
        conn.execute("checkpoint publication")
        conn.execute("detach publication")
    os.replace(staging_file, target)
    publish_parquet(target, run_id, tables)
    return target, len(tables)


def publish_parquet(published: Path, run_id: str, tables: list[tuple[str, str]]) -> Path:
    """Parquet copies of the published tables, for readers without DuckDB (notebooks, Spark)."""
    root = published.parent / PARQUET_DIR
    run_dir = root / run_id
    shutil.rmtree(run_dir, ignore_errors=True)
    with wh.connect(published, read_only=True) as conn:
        for schema, table in tables:
            (run_dir / schema).mkdir(parents=True, exist_ok=True)
            conn.execute(f"copy {schema}.{q(table)} to '{run_dir / schema / table}.parquet' (format parquet)")
    link = root / f".current.{run_id}"
    link.unlink(missing_ok=True)
    link.symlink_to(run_id)
    os.replace(link, root / "current")
    for old in root.iterdir():  # keep the one that is current only
        if old.is_dir() and not old.is_symlink() and old.name != run_id:
            shutil.rmtree(old, ignore_errors=True)
    return root / "current"


def build_publish_asset(mart_keys: list[dg.AssetKey], manifest_path: Path) -> dg.AssetsDefinition:
    @dg.asset(
        key=PUBLISHED_KEY,
        deps=mart_keys,
        group_name="publish",
        pool=DUCKDB_POOL,
        kinds={"duckdb"},
        description="The marts and metric tables copied into published.duckdb beside the warehouse "
        "and swapped in atomically, so BI readers never see a half-built night; Parquet copies too.",
    )
    def published_marts(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
        policies = pii_policies(manifest_path)
        # The ledger row goes in first, so the published copy carries this run's row.
        record_run(warehouse.resolved_path(), context.instance, context.run.run_id, "success")
        path, tables = publish_marts(warehouse.resolved_path(), context.run.run_id, policies)
        context.log.info(f"published {tables} tables to {path}")
        return dg.MaterializeResult(metadata={"path": dg.MetadataValue.path(str(path)), "tables": tables})

    return published_marts
