"""Dagster assets of the extraction layer: one snapshot of the export, one raw table per object."""

from datetime import UTC, datetime

import dagster as dg

from orchestration.extract.contract import SourceContract, TableContract
from orchestration.extract.errors import SourceContractError
from orchestration.extract.export_source import ExportSnapshot
from orchestration.extract.loader import LoadBatch, LoadResult, ensure_warehouse_layout, land_file
from orchestration.extract.snapshot import demo_params, resolve_export
from orchestration.resources import ExportSourceResource, WarehouseResource
from orchestration.settings import work_dir

SNAPSHOT_KEY = dg.AssetKey(["landing", "export_snapshot"])
# DuckDB allows one writer per file: every asset that writes the warehouse shares this pool,
# whose limit is 1 (dagster.yaml: concurrency.pools.default_limit).
DUCKDB_POOL = "duckdb_warehouse"
# Transient failures (a locked file, a slow disk) are retried; contract errors are not.
EXTRACT_RETRY = dg.RetryPolicy(max_retries=2, delay=5, backoff=dg.Backoff.EXPONENTIAL)
UNMODELED_KEY = dg.AssetKey(["raw", "unmodeled_files"])


def _batch(context: dg.AssetExecutionContext) -> LoadBatch:
    """One load batch per Dagster run: _batch_id is the run id, so raw rows trace to the run."""
    return LoadBatch(batch_id=context.run_id, loaded_at=datetime.now(UTC).replace(tzinfo=None))


def _result_metadata(results: list[LoadResult]) -> dict:
    return {
        "files": len(results),
        "rows_read": sum(r.rows_read for r in results),
        "rows_inserted": sum(r.rows_inserted for r in results),
        "rows_already_loaded": sum(r.rows_already_loaded for r in results),
        "rows_rejected": sum(r.rows_rejected for r in results),
        "extra_columns": dg.MetadataValue.json(sorted({c for r in results for c in r.extra_columns})),
    }


def _land_files(context, warehouse: WarehouseResource, contract: SourceContract, files, table) -> list[LoadResult]:
    """Land files in one connection, logging a progress line per file."""
    batch = _batch(context)
    with warehouse.connect() as conn:
        ensure_warehouse_layout(conn, contract)
        results = [land_file(conn, file, table, batch, file_label) for file, file_label in files]
    for result in results:
        context.log.info(
            f"{result.source_file}: {result.rows_read:,} rows read, {result.rows_inserted:,} new, "
            f"{result.rows_rejected:,} rejected ({result.status})"
        )
    return results


def build_snapshot_asset(contract: SourceContract) -> dg.AssetsDefinition:
    @dg.asset(
        key=SNAPSHOT_KEY,
        group_name="extract",
        retry_policy=EXTRACT_RETRY,
        kinds={"csv"},
        description="The export to load (demo company, directory or zip), hashed and checked "
        "against the source contract before anything lands.",
    )
    def export_snapshot(
        context: dg.AssetExecutionContext, export_source: ExportSourceResource, warehouse: WarehouseResource
    ) -> dg.Output[ExportSnapshot]:
        params = demo_params(export_source.demo_scale, export_source.demo_seed, export_source.demo_as_of)
        try:
            snapshot = resolve_export(
                export_source.location, work_dir(warehouse.resolved_path()), contract, params, progress=context.log.info
            )
        except SourceContractError as error:
            raise dg.Failure(description=error.describe(), allow_retries=False) from error
        latin1 = [f.relative_path for f in snapshot.files if f.encoding != "utf-8"]
        for name in latin1:
            context.log.warning(f"{name} is not valid UTF-8; read as Latin-1")
        if snapshot.absent_tables:
            context.log.info(f"absent optional objects (their models are empty): {', '.join(snapshot.absent_tables)}")
        return dg.Output(
            snapshot,
            metadata={
                "location": snapshot.location,
                "root": snapshot.root,
                "files": len(snapshot.files),
                "bytes": sum(f.size_bytes for f in snapshot.files),
                "absent_objects": dg.MetadataValue.json(list(snapshot.absent_tables)),
                "not_utf8": dg.MetadataValue.json(latin1),
            },
        )

    return export_snapshot


def build_raw_asset(table: TableContract, contract: SourceContract) -> dg.AssetsDefinition:
    required = "required" if table.required else "optional"

    @dg.asset(
        key=dg.AssetKey(["raw", table.table]),
        ins={"snapshot": dg.AssetIn(SNAPSHOT_KEY)},
        group_name="extract",
        pool=DUCKDB_POOL,
        retry_policy=EXTRACT_RETRY,
        kinds={"duckdb"},
        description=f"raw.{table.table}: every row of {table.export_file_name} ({required}), "
        "append-only with load metadata.",
    )
    def _land(
        context: dg.AssetExecutionContext, snapshot: ExportSnapshot, warehouse: WarehouseResource
    ) -> dg.MaterializeResult:
        files = [(file, snapshot.label) for file in snapshot.files_for(table.table)]
        return dg.MaterializeResult(metadata=_result_metadata(_land_files(context, warehouse, contract, files, table)))

    return _land


def build_unmodeled_asset(contract: SourceContract) -> dg.AssetsDefinition:
    @dg.asset(
        key=UNMODELED_KEY,
        ins={"snapshot": dg.AssetIn(SNAPSHOT_KEY)},
        group_name="extract",
        pool=DUCKDB_POOL,
        retry_policy=EXTRACT_RETRY,
        kinds={"duckdb"},
        description="Files the contract does not model (other objects, Fivetran history-mode "
        "copies) land in raw too, so nothing the source sends is lost.",
    )
    def unmodeled_files(
        context: dg.AssetExecutionContext, snapshot: ExportSnapshot, warehouse: WarehouseResource
    ) -> dg.MaterializeResult:
        files = [(file, snapshot.label) for file in snapshot.unmodeled_files]
        results = _land_files(context, warehouse, contract, files, None)
        tables = sorted({r.table for r in results})
        if tables:
            context.log.info(f"kept in raw without a model: {', '.join(tables)}")
        return dg.MaterializeResult(metadata={**_result_metadata(results), "tables": dg.MetadataValue.json(tables)})

    return unmodeled_files


def build_extract_assets(contract: SourceContract) -> list[dg.AssetsDefinition]:
    return [
        build_snapshot_asset(contract),
        *(build_raw_asset(table, contract) for table in contract.tables),
        build_unmodeled_asset(contract),
    ]
