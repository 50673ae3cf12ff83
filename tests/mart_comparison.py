"""Every mart of a DuckDB build compared with the same mart built on another engine (PostgreSQL,
Spark): same rows, exact values, amounts within a cent where the engines divide differently."""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import Decimal

import duckdb

# DuckDB divides decimals in DOUBLE, PostgreSQL and Spark in exact decimals: an amount computed by
# a division (a top-down quota share) can round to the other cent at a half-cent boundary.
CENT = 0.011


def _value(value):
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _sort_key(row) -> str:
    return repr(tuple(round(v) if isinstance(v, float) else v for v in row))


def comparable_rows(rows) -> list[tuple]:
    return sorted((tuple(_value(v) for v in row) for row in rows), key=_sort_key)


def mart_tables(source: duckdb.DuckDBPyConnection) -> list[str]:
    return [
        row[0]
        for row in source.execute(
            "select table_name from information_schema.tables where table_schema = 'marts' "
            "and table_catalog = current_database() order by 1"
        ).fetchall()
    ]


def assert_mart_equal(
    source: duckdb.DuckDBPyConnection, table: str, engine: str, fetch: Callable[[str, str], list[tuple]]
) -> None:
    """fetch(table, select list) returns the other engine's rows of marts.<table>."""
    columns = [
        row[0]
        for row in source.execute(
            "select column_name from information_schema.columns where table_schema = 'marts' "
            "and table_name = ? and table_catalog = current_database() order by ordinal_position",
            [table],
        ).fetchall()
    ]
    select = ", ".join(f'"{column}"' for column in columns)
    expected = comparable_rows(source.execute(f'select {select} from marts."{table}"').fetchall())
    actual = comparable_rows(fetch(table, select))
    assert len(actual) == len(expected), f"marts.{table}: {len(actual)} rows on {engine}, {len(expected)}"
    for got, want in zip(actual, expected, strict=True):
        for column, a, b in zip(columns, got, want, strict=True):
            if isinstance(a, float) and isinstance(b, float):
                assert math.isclose(a, b, rel_tol=1e-9, abs_tol=CENT), f"marts.{table}.{column}: {a} != {b}"
            else:
                assert a == b, f"marts.{table}.{column}: {a!r} != {b!r} in {got}"


def assert_every_mart_equal(source: duckdb.DuckDBPyConnection, engine: str, fetch: Callable[[str, str], list[tuple]]):
    tables = mart_tables(source)
    assert len(tables) >= 28
    for table in tables:
        assert_mart_equal(source, table, engine, fetch)
