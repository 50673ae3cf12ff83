"""Land export files into raw.<table> with DuckDB's CSV reader, append-only, nothing lost.

Every value lands as text (a bad value never aborts a load). Each row carries _batch_id,
_loaded_at, _source_file, _source_row (the row as a spreadsheet shows it: header = row 1),
_row_hash (the row's content), _record_key (the record it is a version of: its contract key)
and _record_hash (a number for that key, so a night finds a changed record's versions on an
integer column). A row whose content is already in raw is not appended again, so re-loading an
export adds nothing; a changed record is a new version. A whole-file table (a planning document) instead
appends every row of a changed file, so its latest batch is the whole current document. Records
the CSV reader cannot split into the header's columns land in raw._rejected_records with their
raw text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb

from orchestration.extract.contract import SourceContract, TableContract
from orchestration.extract.export_source import ExportFile
from orchestration.extract.naming import quote_identifier as q
from orchestration.extract.naming import to_snake_case

# Load metadata on every raw row (DESIGN.md: nothing lost, every row traceable to its file).
LOAD_METADATA_TYPES = {
    "_batch_id": "VARCHAR",
    "_loaded_at": "TIMESTAMP",
    "_source_file": "VARCHAR",
    "_source_row": "BIGINT",
    "_row_hash": "VARCHAR",
    "_record_key": "VARCHAR",
    "_record_hash": "BIGINT",
}

# _record_hash: 63 bits of the key's MD5, a stable function (DuckDB's hash() may change between
# versions, and stored values must keep matching). A night finds the raw versions of its changed
# records by this integer, then checks their keys (macros/incremental.sql, raw_rows_of_records):
# at 10M leads the staged lead history's select went from 1.1-1.2 to 0.21-0.29 s. dbt computes
# the same number there (record_hash; tests/test_loader.py holds the two equal).
RECORD_HASH_SQL = "cast(md5_number({key}) >> 65 as bigint)"

# The key of a file outside the contract (kept in raw, not modeled).
_DEFAULT_KEY = ("id",)

_AUDIT_DDL = (
    """
    create table if not exists audit.load_log (
        batch_id varchar, loaded_at timestamp, table_name varchar, source_file varchar,
        file_sha256 varchar, file_bytes bigint, encoding varchar, status varchar,
        rows_read bigint, rows_inserted bigint, rows_already_loaded bigint, rows_rejected bigint,
        extra_columns varchar[], missing_columns varchar[]
    )
    """,
    """
    create table if not exists raw._rejected_records (
        _batch_id varchar, _loaded_at timestamp, table_name varchar, _source_file varchar,
        _source_row bigint, column_name varchar, error_type varchar, error_message varchar,
        raw_line varchar
    )
    """,
)


@dataclass(frozen=True)
class LoadBatch:
    batch_id: str
    loaded_at: datetime


@dataclass(frozen=True)
class LoadResult:
    table: str
    source_file: str
    status: str
    rows_read: int
    rows_inserted: int
    rows_already_loaded: int
    rows_rejected: int
    extra_columns: tuple[str, ...] = ()
    missing_columns: tuple[str, ...] = ()


def record_key_sql(key_columns: tuple[str, ...], alias: str, present: tuple[str, ...] | None = None) -> str:
    """The record a raw row is a version of: the key columns joined by '|', or the row itself
    when the key is empty (such rows are never collapsed together). Stored at landing as
    _record_key, which staging (macros/latest_versions.sql) and the quality gate read. A key
    column missing from `present` (the file lacks it) counts as empty."""
    key = " || '|' || ".join(
        f"coalesce(trim({alias}.{q(c)}), '')" if present is None or c in present else "''" for c in key_columns
    )
    empty = "|" * (len(key_columns) - 1)
    row = f"'_row:' || {alias}._batch_id || ':' || cast({alias}._source_row as varchar)"
    return f"case when {key} = '{empty}' then {row} else {key} end"


def ensure_warehouse_layout(conn: duckdb.DuckDBPyConnection, contract: SourceContract) -> None:
    """Create the schemas, the audit tables and every contract table in raw (empty if absent)."""
    for schema in ("raw", "quarantine", "audit"):
        conn.execute(f"create schema if not exists {schema}")
    for ddl in _AUDIT_DDL:
        conn.execute(ddl)
    for table in contract.tables:
        _ensure_raw_table(conn, table.table, table.columns, table.key_columns)


def _existing_columns(conn: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    rows = conn.execute(
        "select column_name from information_schema.columns "
        "where table_schema = 'raw' and table_name = ? order by ordinal_position",
        [table],
    ).fetchall()
    return [row[0] for row in rows]


def _ensure_raw_table(
    conn: duckdb.DuckDBPyConnection, table: str, columns: tuple[str, ...], key_columns: tuple[str, ...]
) -> None:
    """Create raw.<table> or add columns it lacks (raw's schema only ever grows)."""
    existing = _existing_columns(conn, table)
    if not existing:
        definitions = [f"{q(c)} VARCHAR" for c in columns if c not in LOAD_METADATA_TYPES]
        definitions += [f"{q(c)} {t}" for c, t in LOAD_METADATA_TYPES.items()]
        conn.execute(f"create table raw.{q(table)} ({', '.join(definitions)})")
        return
    if "_record_key" not in existing:
        # A warehouse landed before raw stored record keys: key its rows once, as landing would.
        conn.execute(f"alter table raw.{q(table)} add column _record_key VARCHAR")
        key = record_key_sql(key_columns, "keyed", tuple(existing))
        conn.execute(f"update raw.{q(table)} as keyed set _record_key = {key}")
    if "_record_hash" not in existing:
        conn.execute(f"alter table raw.{q(table)} add column _record_hash BIGINT")
        conn.execute(f"update raw.{q(table)} set _record_hash = {RECORD_HASH_SQL.format(key='_record_key')}")
    for column in columns:
        if column not in existing:
            conn.execute(f"alter table raw.{q(table)} add column {q(column)} VARCHAR")


def _already_loaded(conn: duckdb.DuckDBPyConnection, table: str, sha256: str, whole_file: bool) -> int | None:
    """Rows of an identical file loaded before (for a whole-file table: the latest load only)."""
    if whole_file:
        sql = """
            select case when file_sha256 = $sha then rows_read end from audit.load_log
            where table_name = $table and status = 'loaded' order by loaded_at desc limit 1
        """
    else:
        sql = """
            select rows_read from audit.load_log
            where table_name = $table and file_sha256 = $sha and status = 'loaded' limit 1
        """
    row = conn.execute(sql, {"table": table, "sha": sha256}).fetchone()
    return None if row is None or row[0] is None else int(row[0])


def _read_into_temp(conn: duckdb.DuckDBPyConnection, file: ExportFile) -> list[str]:
    """Read the CSV into temp table _incoming; return its header (as the file spells it)."""
    conn.execute("drop table if exists _reject_errors")
    conn.execute("drop table if exists _reject_scans")
    conn.execute(
        """
        create or replace temp table _incoming as
        select * from read_csv(
            $path, all_varchar = true, header = true, delim = ',', quote = '"', escape = '"',
            encoding = $encoding, normalize_names = false, null_padding = false,
            store_rejects = true, rejects_table = '_reject_errors', rejects_scan = '_reject_scans'
        )
        """,
        {"path": file.path, "encoding": file.encoding},
    )
    return [row[0] for row in conn.execute("describe _incoming").fetchall()]


def _row_numbers(conn: duckdb.DuckDBPyConnection, rejected_rows: int, read_rows: int) -> tuple[str, str]:
    """SQL (expression, join) giving each accepted record its row in the file (header = 1).

    The temp table keeps file order (insertion order is preserved), so _ordinal (from rowid) is
    the position among accepted records; rejected records leave gaps a small mapping skips.
    """
    if rejected_rows == 0:
        return "_incoming._ordinal + 2", ""
    conn.execute(
        """
        create or replace temp table _row_map as
        select row_number() over (order by file_row) - 1 as ordinal, file_row
        from range(2, $last) as numbers(file_row)
        where file_row not in (select distinct line from _reject_errors)
        """,
        {"last": read_rows + rejected_rows + 2},
    )
    return "_row_map.file_row", "left join _row_map on _row_map.ordinal = _incoming._ordinal"


def land_file(
    conn: duckdb.DuckDBPyConnection,
    file: ExportFile,
    table: TableContract | None,
    batch: LoadBatch,
    label: str,
) -> LoadResult:
    """Append one export file to raw.<file.table>; one transaction per file."""
    source_file = f"{label}/{file.relative_path}"
    if file.is_empty:
        return _log(conn, batch, file, LoadResult(file.table, source_file, "empty", 0, 0, 0, 0))
    previous = _already_loaded(conn, file.table, file.sha256, bool(table and table.whole_file))
    if previous is not None:
        return _log(conn, batch, file, LoadResult(file.table, source_file, "unchanged_file", previous, 0, previous, 0))

    conn.execute("begin transaction")
    try:
        result = _land(conn, file, table, batch, source_file)
        conn.execute("commit")
    except Exception:
        conn.execute("rollback")
        raise
    return result


def _land(conn, file, table, batch, source_file) -> LoadResult:
    file_header = _read_into_temp(conn, file)
    names = [to_snake_case(name) for name in file_header]
    read_rows = conn.execute("select count(*) from _incoming").fetchone()[0]
    rejected_rows = conn.execute("select count(distinct line) from _reject_errors").fetchone()[0]

    contract_columns = table.columns if table else ()
    key_columns = table.key_columns if table else _DEFAULT_KEY
    _ensure_raw_table(conn, file.table, tuple(dict.fromkeys([*contract_columns, *names])), key_columns)

    hash_parts = ", ".join(
        f"{_literal(name + '=')} || _incoming.{q(original)}"
        for original, name in sorted(zip(file_header, names, strict=True), key=lambda pair: pair[1])
    )
    row_expression, row_join = _row_numbers(conn, rejected_rows, read_rows)
    renamed = ", ".join(
        f"_incoming.{q(original)} as {q(name)}" for original, name in zip(file_header, names, strict=True)
    )
    new_rows_only = (
        ""
        if table and table.whole_file
        else f"""
        where not exists (
            select 1 from raw.{q(file.table)} as loaded where loaded._row_hash = _prepared._row_hash
        )"""
    )
    record_key = record_key_sql(key_columns, "_prepared", tuple(names))
    # One statement from the temp copy of the file into raw: a second temp table of the prepared
    # rows would hold the file again (at 10M leads, gigabytes of temp disk per file).
    insert = f"""
        insert into raw.{q(file.table)} by name
        with _prepared as (
            select
                {renamed},
                $batch_id as _batch_id,
                $loaded_at::timestamp as _loaded_at,
                $source_file as _source_file,
                {row_expression} as _source_row,
                md5(concat_ws(chr(31), {hash_parts})) as _row_hash
            from (
                select *, row_number() over (order by rowid) - 1 as _ordinal from _incoming
            ) as _incoming {row_join}
        )
        select *, {RECORD_HASH_SQL.format(key="_record_key")} as _record_hash
        from (select *, {record_key} as _record_key from _prepared {new_rows_only}) as _keyed"""
    inserted = conn.execute(
        insert, {"batch_id": batch.batch_id, "loaded_at": batch.loaded_at, "source_file": source_file}
    ).fetchone()[0]
    _keep_rejected_records(conn, file.table, batch, source_file)

    conn.execute("drop table _incoming")
    return _log(
        conn,
        batch,
        file,
        LoadResult(
            table=file.table,
            source_file=source_file,
            status="loaded",
            rows_read=read_rows + rejected_rows,
            rows_inserted=inserted,
            rows_already_loaded=read_rows - inserted,
            rows_rejected=rejected_rows,
            extra_columns=tuple(name for name in names if table and name not in table.columns),
            missing_columns=tuple(column for column in contract_columns if column not in names),
        ),
    )


def land_snapshot(
    conn: duckdb.DuckDBPyConnection, contract: SourceContract, snapshot, batch: LoadBatch
) -> list[LoadResult]:
    """Land every file of a snapshot (modeled and not) outside Dagster (benchmarks, scripts)."""
    ensure_warehouse_layout(conn, contract)
    tables = {table.table: table for table in contract.tables}
    return [land_file(conn, file, tables.get(file.table), batch, snapshot.label) for file in snapshot.files]


def _log(conn, batch: LoadBatch, file: ExportFile, result: LoadResult) -> LoadResult:
    """Every file seen by a batch gets a row in audit.load_log, loaded or not."""
    conn.execute(
        "insert into audit.load_log values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        [
            batch.batch_id,
            batch.loaded_at,
            result.table,
            result.source_file,
            file.sha256,
            file.size_bytes,
            file.encoding,
            result.status,
            result.rows_read,
            result.rows_inserted,
            result.rows_already_loaded,
            result.rows_rejected,
            list(result.extra_columns),
            list(result.missing_columns),
        ],
    )
    return result


def _keep_rejected_records(conn, table: str, batch: LoadBatch, source_file: str) -> None:
    conn.execute(
        """
        insert into raw._rejected_records
        select $batch_id, $loaded_at::timestamp, $table_name, $source_file, line, column_name,
               error_type, error_message, trim(csv_line, chr(10) || chr(13))
        from _reject_errors
        """,
        {"batch_id": batch.batch_id, "loaded_at": batch.loaded_at, "table_name": table, "source_file": source_file},
    )


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
