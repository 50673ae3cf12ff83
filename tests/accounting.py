"""Row accounting of raw against staging, computed independently of the staging SQL."""

from __future__ import annotations

from dataclasses import dataclass

from orchestration.extract.contract import TableContract
from orchestration.extract.naming import quote_identifier as q

STAGING_PREFIX = {"salesforce": "stg_salesforce__", "inputs": "stg_inputs__"}


@dataclass(frozen=True)
class Accounting:
    raw: int
    records: int  # distinct records raw holds (empty keys count one each)
    staged: int
    live: int
    deleted: int
    quarantined: int  # records the quality gate holds out of staging
    defaults: int  # staged rows from the project's seed (a planning input the export lacks)

    @property
    def superseded(self) -> int:
        return self.raw - self.records


def staging_model(table: TableContract) -> str:
    return f"staging.{STAGING_PREFIX[table.source]}{table.table}"


def account(conn, table: TableContract) -> Accounting:
    key = " || '|' || ".join(f"coalesce(trim({q(c)}), '')" for c in table.key_columns)
    empty = "|" * (len(table.key_columns) - 1)
    # A whole-file table's records are those of its latest file; older files are superseded.
    current = f"where _loaded_at = (select max(_loaded_at) from raw.{q(table.table)})" if table.whole_file else ""
    raw = conn.execute(f"select count(*) from raw.{q(table.table)}").fetchone()[0]
    records = conn.execute(
        f"""
        select count(distinct case when {key} <> '{empty}' then {key} end)
               + count(*) filter (where {key} = '{empty}')
        from raw.{q(table.table)} {current}
        """
    ).fetchone()[0]
    has_deleted = table.source == "salesforce"
    # Rows of a planning input's seed default (_batch_id 'seed') are not from raw.
    staged, deleted, defaults = conn.execute(
        f"""
        select count(*) filter (where _batch_id <> 'seed'),
               {"count(*) filter (where is_deleted)" if has_deleted else "0"},
               count(*) filter (where _batch_id = 'seed')
        from {staging_model(table)}
        """
    ).fetchone()
    key_r = " || '|' || ".join(f"coalesce(trim(r.{q(c)}), '')" for c in table.key_columns)
    record_key = f"case when {key_r} = '{empty}' then '_row:' || r._batch_id || ':' || r._source_row else {key_r} end"
    # Held records: a quarantined key with no staged row. Staged rows are matched to their raw row
    # by file and row number (not by the gate's row hash) to stay independent of the gate's code.
    [quarantined] = conn.execute(
        f"""
        select count(distinct held.record_key) from quarantine.{q(table.table)} as held
        where held.record_key not in (
            select {record_key} from raw.{q(table.table)} as r
            join {staging_model(table)} as s
                on s._batch_id = r._batch_id and s._source_file = r._source_file and s._source_row = r._source_row
        )
        """
    ).fetchone()
    return Accounting(
        raw=raw,
        records=records,
        staged=staged,
        live=staged - deleted,
        deleted=deleted,
        quarantined=quarantined,
        defaults=defaults,
    )
