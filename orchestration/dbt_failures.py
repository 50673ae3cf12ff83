"""Turn a failed `dbt build` into one readable paragraph: which nodes failed, and for tests that
store their failing rows with a `message` column (the quarantine.*_problems checks), the first
messages themselves, so a user sees "quota_plan.csv row 7, column target: ... negative target"
instead of "Got 3 results"."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager

import duckdb

MESSAGES_SHOWN = 10

Connect = Callable[[], AbstractContextManager[duckdb.DuckDBPyConnection]]


def failed_results(run_results: dict) -> list[dict]:
    return [result for result in run_results.get("results", []) if result.get("status") in ("error", "fail")]


def stored_messages(connect: Connect, relation_name: str, limit: int = MESSAGES_SHOWN) -> tuple[list[str], int]:
    """The first `limit` messages of a store_failures relation, and how many rows it has."""
    with connect() as conn:
        columns = [row[0] for row in conn.execute(f"describe {relation_name}").fetchall()]
        if "message" not in columns:
            return [], 0
        total = conn.execute(f"select count(*) from {relation_name}").fetchone()[0]
        rows = conn.execute(
            f"select message from {relation_name} order by source_file, source_row, column_name limit {limit}"
            if {"source_file", "source_row", "column_name"} <= set(columns)
            else f"select message from {relation_name} limit {limit}"
        ).fetchall()
    return [row[0] for row in rows], total


def _node_name(unique_id: str) -> str:
    return unique_id.split(".")[-1] if unique_id.startswith(("model.", "seed.", "snapshot.")) else unique_id


def describe_failures(run_results: dict, connect: Connect) -> str:
    failures = failed_results(run_results)
    if not failures:
        return "dbt build failed; see the dbt log above."
    parts: list[str] = []
    skipped = sum(1 for result in run_results.get("results", []) if result.get("status") == "skipped")
    for result in failures:
        unique_id = result.get("unique_id", "?")
        relation = result.get("relation_name")
        messages, total = ([], 0)
        if unique_id.startswith("test.") and relation:
            try:
                messages, total = stored_messages(connect, relation)
            except duckdb.Error:
                messages, total = [], 0
        if messages:
            more = f" (and {total - len(messages)} more in {relation})" if total > len(messages) else ""
            parts.append(f"{_short(unique_id)} found {total} problem(s): " + "; ".join(messages) + more + ".")
        else:
            parts.append(f"{_node_name(unique_id)} {result.get('status')}: {_first_line(result.get('message'))}")
    tail = (
        f" {skipped} dependent node(s) were skipped, so the marts built on them were not refreshed." if skipped else ""
    )
    return "dbt build failed. " + " ".join(parts) + tail


def _short(unique_id: str) -> str:
    # test.revops.no_rows_plan_input_problems_.<hash> -> no_rows_plan_input_problems_
    pieces = unique_id.split(".")
    return pieces[2] if len(pieces) > 2 else unique_id


def _first_line(message: str | None) -> str:
    return (message or "no message").strip().splitlines()[0]
