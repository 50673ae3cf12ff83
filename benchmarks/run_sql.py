"""Run a hand-written baseline SQL file against a warehouse (as a child process to time it)."""

from __future__ import annotations

import sys
from pathlib import Path

from orchestration.warehouse import connect


def main(warehouse: str, sql_file: str, *assignments: str) -> None:
    values = dict(assignment.split("=", 1) for assignment in assignments)
    sql = Path(sql_file).read_text().format(**values)
    # The same session settings as the dbt profile: TimeZone UTC, and the memory limit of
    # REVOPS_DUCKDB_MEMORY_LIMIT (unless given), so both sides of the comparison get the same.
    with connect(Path(warehouse), memory_limit=values.get("memory_limit")) as conn:
        conn.execute("set preserve_insertion_order = false")
        conn.execute(sql)


if __name__ == "__main__":
    main(*sys.argv[1:])
