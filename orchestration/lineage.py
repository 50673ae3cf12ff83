"""Column lineage: from a mart column back to the raw source columns it is computed from.

sqlglot traces a column through one model's compiled SQL (CTEs, joins, unions) to the columns of
the relations it reads; each of those that is another dbt model is traced the same way, until
raw sources and seeds. Star selects are expanded with the warehouse's own column list, so the
chain follows `select *` import CTEs too. Only the columns that make up the value are followed
(not those used to filter or join), which is what "which source columns feed this number" asks.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import duckdb
from sqlglot import exp
from sqlglot.lineage import lineage as sqlglot_lineage

from orchestration.settings import DBT_PROJECT_DIR

COMPILED_DIR = DBT_PROJECT_DIR / "target" / "lineage"


class LineageError(RuntimeError):
    pass


@dataclass(frozen=True, order=True)
class ColumnRef:
    schema: str
    table: str
    column: str

    def __str__(self) -> str:
        return f"{self.schema}.{self.table}.{self.column}"


def compiled_manifest(project_dir: Path = DBT_PROJECT_DIR) -> dict:
    """dbt's manifest with compiled SQL (dbt compile into target/lineage, redone when stale)."""
    manifest = COMPILED_DIR / "manifest.json"
    parsed = project_dir / "target" / "manifest.json"
    if not manifest.exists() or (parsed.exists() and parsed.stat().st_mtime > manifest.stat().st_mtime):
        dbt = Path(sys.executable).with_name("dbt")
        command = [str(dbt), "compile", "--profiles-dir", str(project_dir), "--target-path", str(COMPILED_DIR), "-q"]
        # An in-memory target: compiling needs no data, and must not lock the warehouse.
        env = {**os.environ, "REVOPS_WAREHOUSE": ":memory:"}
        done = subprocess.run(command, cwd=project_dir, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise LineageError(f"dbt compile failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return json.loads(manifest.read_text())


@dataclass
class LineageGraph:
    manifest: dict
    warehouse: Path

    @cached_property
    def _nodes(self) -> dict[tuple[str, str], dict]:
        """(schema, relation name) -> manifest node, for models, seeds and sources."""
        nodes = {}
        for node in [*self.manifest["nodes"].values(), *self.manifest["sources"].values()]:
            if node["resource_type"] in ("model", "seed", "source"):
                name = node.get("identifier") if node["resource_type"] == "source" else node["alias"]
                nodes[(node["schema"], name)] = node
        return nodes

    @cached_property
    def _database(self) -> str:
        return next(iter(self._nodes.values()))["database"]

    @cached_property
    def _schema(self) -> dict:
        """Every relation's columns, as sqlglot wants them, under the compiled SQL's database."""
        try:
            with duckdb.connect(str(self.warehouse), read_only=True) as conn:
                rows = conn.execute(
                    "select table_schema, table_name, column_name, data_type from information_schema.columns "
                    "where table_catalog = current_database()"
                ).fetchall()
        except duckdb.Error as error:
            raise LineageError(f"cannot read the warehouse {self.warehouse}: {error}") from error
        schema: dict = {}
        for table_schema, table, column, data_type in rows:
            schema.setdefault(table_schema, {}).setdefault(table, {})[column] = data_type
        # Staging fetches the latest raw rows by DuckDB's rowid pseudo-column (latest_versions),
        # which information_schema does not list.
        for columns in schema.get("raw", {}).values():
            columns.setdefault("rowid", "BIGINT")
        return {self._database: schema}

    def node(self, schema: str, table: str) -> dict:
        try:
            return self._nodes[(schema, table)]
        except KeyError:
            raise LineageError(f"{schema}.{table} is not a model, seed or source of the dbt project") from None

    def find(self, model: str) -> tuple[str, str]:
        """A model given by name (fct_x) or schema.name."""
        if "." in model:
            schema, name = model.split(".", 1)
            self.node(schema, name)
            return schema, name
        matches = [
            key for key, node in self._nodes.items() if node["name"] == model and node["resource_type"] == "model"
        ]
        if not matches:
            raise LineageError(f"no model named {model}")
        return matches[0]

    def upstream(self, ref: ColumnRef) -> list[ColumnRef]:
        """The columns of the relations `ref`'s model reads that its value is computed from."""
        node = self.node(ref.schema, ref.table)
        if node["resource_type"] != "model":
            return []
        sql = node.get("compiled_code")
        if not sql:
            raise LineageError(f"no compiled SQL for {node['name']}")
        if ref.column not in self._schema[self._database].get(ref.schema, {}).get(ref.table, {}):
            raise LineageError(f"{ref.schema}.{ref.table} has no column {ref.column}")
        try:
            root = sqlglot_lineage(ref.column, sql, schema=self._schema, dialect="duckdb")
        except Exception as error:  # sqlglot raises several types for SQL it cannot trace
            raise LineageError(f"cannot trace {ref}: {error}") from error
        found = set()
        for step in root.walk():
            if step.downstream or not isinstance(step.source, exp.Table):
                continue
            table = step.source
            if not table.db:  # a table function or literal rows (range(), values): no upstream column
                continue
            found.add(ColumnRef(table.db, table.name, step.name.split(".")[-1]))
        return sorted(found)

    def edges(self, start: ColumnRef) -> dict[ColumnRef, list[ColumnRef]]:
        graph: dict[ColumnRef, list[ColumnRef]] = {}
        pending = [start]
        while pending:
            ref = pending.pop()
            if ref in graph:
                continue
            graph[ref] = self.upstream(ref)
            pending.extend(graph[ref])
        return graph

    def kind(self, ref: ColumnRef) -> str:
        return self.node(ref.schema, ref.table)["resource_type"]


def render_tree(graph: LineageGraph, edges: dict[ColumnRef, list[ColumnRef]], start: ColumnRef) -> Iterator[str]:
    """The chain as an indented tree; a column already shown is not expanded again."""
    shown: set[ColumnRef] = set()

    def walk(ref: ColumnRef, prefix: str, last: bool, top: bool) -> Iterator[str]:
        kind = graph.kind(ref)
        label = f"{ref}" + (f"  [{kind}]" if kind != "model" else "")
        repeated = ref in shown and edges.get(ref)
        yield (label if top else f"{prefix}{'└─ ' if last else '├─ '}{label}") + ("  (see above)" if repeated else "")
        if repeated:
            return
        shown.add(ref)
        children = edges.get(ref, [])
        child_prefix = "" if top else prefix + ("   " if last else "│  ")
        for index, child in enumerate(children):
            yield from walk(child, child_prefix, index == len(children) - 1, False)

    yield from walk(start, "", True, True)


def sources_of(graph: LineageGraph, edges: dict[ColumnRef, list[ColumnRef]]) -> list[ColumnRef]:
    return sorted(ref for ref in edges if graph.kind(ref) in ("source", "seed"))
