"""Short-lived DuckDB connections to the warehouse file (one writer at a time, closed promptly)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb


@contextmanager
def connect(
    path: Path, *, read_only: bool = False, memory_limit: str | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the warehouse with the project's session settings, and always close it.

    TimeZone is UTC so that text timestamps without an offset are read as UTC (as in dbt), and
    insertion order is preserved because extraction numbers rows by their position in the file.
    Memory is capped like dbt's connections (REVOPS_DUCKDB_MEMORY_LIMIT, default 8GB); beyond it
    DuckDB spills to <warehouse>.tmp/, so a 10M-lead night fits beside the dbt threads.
    """
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    conn = duckdb.connect(str(path), read_only=read_only)
    try:
        conn.execute("set TimeZone = 'UTC'")
        conn.execute("set preserve_insertion_order = true")
        limit = memory_limit or os.environ.get("REVOPS_DUCKDB_MEMORY_LIMIT", "8GB")
        conn.execute("set memory_limit = $limit", {"limit": limit})
        yield conn
    finally:
        conn.close()
