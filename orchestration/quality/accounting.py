"""Where every raw row went, per object and run: raw = staged + quarantined + superseded + deleted."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from orchestration.extract.contract import TableContract
from orchestration.extract.naming import quote_identifier as q

COUNTS_DDL = """
    create table if not exists audit.quality_counts (
        run_id varchar, table_name varchar, raw_rows bigint, loaded_rows bigint, staged_rows bigint,
        default_rows bigint, quarantined_rows bigint, superseded_rows bigint, deleted_rows bigint,
        held_this_run bigint, warnings bigint, counted_at timestamp
    )
"""


@dataclass(frozen=True)
class RowCounts:
    raw: int
    loaded: int  # raw rows this run added
    staged: int  # live records from the export in staging
    defaults: int  # staged rows from the project's seed (a planning input the export lacks)
    quarantined: int  # records held out of staging by the quality gate
    superseded: int  # older versions (or earlier files of a whole-file input)
    deleted: int  # soft-deleted records (staged, flagged, excluded from marts)


def count_rows(conn: duckdb.DuckDBPyConnection, table: TableContract, staging_model: str, run_id: str) -> RowCounts:
    raw_table = f"raw.{q(table.table)}"
    latest_file = f"where r._loaded_at = (select max(_loaded_at) from {raw_table})" if table.whole_file else ""
    raw, loaded = conn.execute(
        f"select count(*), count(*) filter (where _batch_id = $run) from {raw_table}", {"run": run_id}
    ).fetchone()
    [records] = conn.execute(f"select count(distinct r._record_key) from {raw_table} as r {latest_file}").fetchone()
    deleted_flag = "is_deleted" if table.source == "salesforce" else "false"
    staged, defaults, deleted = conn.execute(
        f"""
        select count(*) filter (where not {deleted_flag} and _batch_id <> 'seed'),
               count(*) filter (where _batch_id = 'seed'),
               count(*) filter (where {deleted_flag})
        from staging.{q(staging_model)}
        """
    ).fetchone()
    # Held records: quarantined keys with no staged version (a corrected version, once loaded, is
    # staged). Only raw rows of held keys are looked at: most nights nothing is held.
    [quarantined] = conn.execute(
        f"""
        with held as (select distinct record_key from quarantine.{q(table.table)}),
        held_versions as (
            select r._record_key as record_key, r._row_hash from {raw_table} as r
            where r._record_key in (select record_key from held)
        )
        select count(*) from held
        where record_key not in (
            select record_key from held_versions
            where _row_hash in (select _row_hash from staging.{q(staging_model)})
        )
        """
    ).fetchone()
    return RowCounts(
        raw=raw,
        loaded=loaded,
        staged=staged,
        defaults=defaults,
        quarantined=quarantined,
        superseded=raw - records,
        deleted=deleted,
    )
