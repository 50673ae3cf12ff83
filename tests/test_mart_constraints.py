"""Marts' required columns are NOT NULL constraints of their contracts, enforced by the engine when
a mart is built, in place of one not_null data test per column (DECISIONS.md)."""

from __future__ import annotations

import json
import shutil

from orchestration.settings import DBT_PROJECT_DIR
from orchestration.warehouse import connect
from tests.conftest import dbt


def declared_not_null_columns() -> set[tuple[str, str]]:
    nodes = json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text())["nodes"].values()
    return {
        (node["name"], column["name"])
        for node in nodes
        if node["resource_type"] == "model" and node["config"]["contract"]["enforced"]
        for column in node["columns"].values()
        if any(constraint["type"] == "not_null" for constraint in column.get("constraints", []))
    }


def test_every_declared_not_null_column_is_a_constraint_of_the_built_mart(small_run):
    with connect(small_run.warehouse, read_only=True) as conn:
        built = set(
            conn.execute(
                "select table_name, unnest(constraint_column_names) from duckdb_constraints() "
                "where schema_name = 'marts' and constraint_type = 'NOT NULL'"
            ).fetchall()
        )
    declared = declared_not_null_columns()
    assert len(declared) >= 70
    assert declared == built


def test_a_null_from_upstream_fails_the_mart_naming_its_column_and_keeps_the_built_rows(small_run, tmp_path):
    warehouse = tmp_path / "revops.duckdb"
    shutil.copy(small_run.warehouse, warehouse)
    with connect(warehouse) as conn:
        users = conn.execute("select count(*) from marts.dim_user").fetchone()[0]
        first_user = "select min(user_id) from intermediate.int_users"
        conn.execute(f"update intermediate.int_users set user_id = null where user_id = ({first_user})")

    done = dbt("run", ["-s", "dim_user"], warehouse, tmp_path / "target")

    assert done.returncode == 1
    assert "NOT NULL constraint failed" in done.stdout and "user_id" in done.stdout, done.stdout[-3000:]
    with connect(warehouse, read_only=True) as conn:
        assert conn.execute("select count(*), count(user_id) from marts.dim_user").fetchone() == (users, users)
