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

    @property
    def superseded(self) -> int:
        return self.raw - self.staged


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
    staged, deleted = conn.execute(
        f"select count(*), {'count(*) filter (where is_deleted)' if has_deleted else '0'} from {staging_model(table)}"
    ).fetchone()
    return Accounting(raw=raw, records=records, staged=staged, live=staged - deleted, deleted=deleted)
