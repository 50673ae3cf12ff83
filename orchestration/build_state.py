"""Which dbt nodes a build can leave out because nothing they are built from changed.

A night re-runs every dbt node, yet on a real night ten of the 23 raw tables and every seed are
unchanged (users, roles, products, FX rates, the plans), and on a night without a new export
nothing is. A node's last successful build is recorded in audit.node_builds with a fingerprint
of its definition; the next build leaves a node out when all of these hold:

- its fingerprint is unchanged (SQL or seed file, config, the macros it calls, project vars,
  dbt version) and its relation still exists;
- no source table it reads got rows since (audit.load_log);
- no model or seed it reads was built after it, nor had rows held out of it by the quality gate
  since (the gate deletes what it holds from a staged object after its build: quarantine.<table>);
- no node it depends on, however far up, is rebuilt in this build.

Tests follow their models: one runs when a model it reads is rebuilt, when its definition
changed, or when it failed last time. Everything is rebuilt when in doubt: a node with no record,
a failed node (only successes are recorded), a changed definition. dbt itself records every
node it builds (on-run-end, macros/node_builds.sql) and the job adds the fingerprints right after
its own invocations, so a node a developer rebuilt by hand has none and is rebuilt next night.

Dagster skips every step downstream of an asset its step does not yield (dagster-io/dagster#9408),
so the dbt step yields the nodes left out as unchanged outputs (orchestration/dbt.py).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

import duckdb
import yaml

from orchestration import warehouse as wh

BUILDS_TABLE = "audit.node_builds"
# The same columns as dbt's on-run-end hook creates (macros/node_builds.sql).
BUILDS_DDL = f"""
create table if not exists {BUILDS_TABLE} (
    unique_id varchar, fingerprint varchar, built_at timestamp, status varchar, invocation_id varchar
)"""
BUILT_RESOURCE_TYPES = ("model", "seed", "test")
# run_results statuses that leave a node current: a built relation, a test's verdict (a warning
# too: its inputs unchanged, it would warn again; a test that fails or errors runs again).
CURRENT_STATUSES = {"model": {"success"}, "seed": {"success"}, "test": {"pass", "warn"}}


def _project_vars(project_dir: Path) -> Any:
    return yaml.safe_load((project_dir / "dbt_project.yml").read_text()).get("vars", {})


def _macro_closure(manifest: Mapping, macro_ids: Iterable[str]) -> list[str]:
    """The macros a node calls, and the macros those call, in a stable order."""
    seen: set[str] = set()
    pending = list(macro_ids)
    while pending:
        macro_id = pending.pop()
        if macro_id in seen or macro_id not in manifest["macros"]:
            continue
        seen.add(macro_id)
        pending += manifest["macros"][macro_id]["depends_on"]["macros"]
    return sorted(seen)


def node_fingerprints(manifest: Mapping, project_dir: Path) -> dict[str, str]:
    """A hash of what each model, seed and test is built from, besides its data."""
    shared = json.dumps([manifest["metadata"]["dbt_version"], _project_vars(project_dir)], sort_keys=True, default=str)
    fingerprints = {}
    for unique_id, node in manifest["nodes"].items():
        if node["resource_type"] not in BUILT_RESOURCE_TYPES:
            continue
        macros = _macro_closure(manifest, node["depends_on"].get("macros", []))
        parts = [
            shared,
            node["checksum"]["checksum"],
            json.dumps(node["config"], sort_keys=True, default=str),
            json.dumps(node.get("test_metadata"), sort_keys=True, default=str),
            *(manifest["macros"][m]["macro_sql"] for m in macros),
        ]
        fingerprints[unique_id] = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    return fingerprints


def _timing_start(result: Mapping) -> datetime | None:
    """When dbt started executing a node (UTC), from run_results' timing."""
    for phase in result.get("timing", []):
        if phase.get("name") == "execute" and phase.get("started_at"):
            return datetime.fromisoformat(phase["started_at"].replace("Z", "+00:00")).replace(tzinfo=None)
    return None


def record_builds(
    conn: duckdb.DuckDBPyConnection, manifest: Mapping, fingerprints: Mapping[str, str], run_results: Mapping
) -> int:
    """Record the models and seeds a dbt invocation built and the tests it passed; their number."""
    invocation = run_results.get("metadata", {}).get("invocation_id")
    rows = []
    for result in run_results.get("results", []):
        unique_id = result["unique_id"]
        node = manifest["nodes"].get(unique_id)
        if node is None or result["status"] not in CURRENT_STATUSES.get(node["resource_type"], ()):
            continue
        started = _timing_start(result)
        if started is not None and unique_id in fingerprints:
            rows.append((unique_id, fingerprints[unique_id], started, result["status"], invocation))
    conn.execute("create schema if not exists audit")
    conn.execute(BUILDS_DDL)
    if rows:
        conn.execute("begin")
        conn.executemany(f"delete from {BUILDS_TABLE} where unique_id = ?", [row[:1] for row in rows])
        conn.executemany(f"insert into {BUILDS_TABLE} values (?, ?, ?, ?, ?)", rows)
        conn.execute("commit")
    return len(rows)


class Build(NamedTuple):
    """A node's last recorded build: what it was built from, when, and its status (a test's verdict)."""

    fingerprint: str
    built_at: datetime
    status: str


@dataclass(frozen=True)
class BuildPlan:
    """The nodes a build leaves out (unchanged, with their last build) and those it runs."""

    unchanged: Mapping[str, Build]
    rebuilt: frozenset[str]

    def exclude_args(self, manifest: Mapping) -> list[str]:
        """`--exclude` for dbt: the unchanged nodes by name (names are unique per resource here), in
        one space-separated value, the form dagster-dbt's argument parser keeps whole."""
        names = sorted(manifest["nodes"][unique_id]["name"] for unique_id in self.unchanged)
        return ["--exclude", " ".join(names)] if names else []


@dataclass(frozen=True)
class WarehouseState:
    """What the plan reads from the warehouse: the build records, the relations that exist, and
    when each raw table last got rows (loaded) or had rows held out of staging (held)."""

    records: Mapping[str, Build]
    relations: frozenset[tuple[str, str]]
    loaded: Mapping[str, datetime]
    held: Mapping[str, datetime]

    @classmethod
    def read(cls, conn: duckdb.DuckDBPyConnection, raw_tables: Iterable[str]) -> WarehouseState:
        relations = frozenset(_rows(conn, "select table_schema, table_name from information_schema.tables"))
        records = _rows(conn, f"select unique_id, fingerprint, built_at, status from {BUILDS_TABLE}")
        loaded = _rows(conn, "select table_name, max(loaded_at) from audit.load_log where rows_inserted > 0 group by 1")
        held_at = [
            f"select '{table}', max(quarantined_at) from quarantine.\"{table}\""
            for table in sorted(set(raw_tables))
            if ("quarantine", table) in relations
        ]
        held = _rows(conn, " union all ".join(held_at)) if held_at else []
        return cls(
            records={unique_id: Build(*build) for unique_id, *build in records},
            relations=relations,
            loaded=dict(loaded),
            held={table: at for table, at in held if at is not None},
        )


def _rows(conn: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    try:
        return conn.execute(sql).fetchall()
    except duckdb.CatalogException:  # an audit table that was never created: nothing recorded
        return []


def plan_build(manifest: Mapping, fingerprints: Mapping[str, str], state: WarehouseState) -> BuildPlan:
    """Which models, seeds and tests are unchanged since their last recorded build."""
    nodes = {unique_id: node for unique_id, node in manifest["nodes"].items() if unique_id in fingerprints}
    sources = manifest["sources"]
    parents = manifest["parent_map"]

    def changed_at(parent_id: str) -> datetime | None:
        """When a parent last changed as its children see it (None: not known to have changed)."""
        if parent_id in sources:
            return state.loaded.get(sources[parent_id]["identifier"])
        if parent_id not in state.records:
            return None  # never built: then it is rebuilt itself, and its children with it
        changes = [state.records[parent_id].built_at]
        # The quality gate deletes the rows it holds out from a staged object after its build.
        changes += [state.held.get(sources[s]["identifier"]) for s in parents.get(parent_id, []) if s in sources]
        return max(c for c in changes if c is not None)

    def has_own_reason_to_run(unique_id: str) -> bool:
        record = state.records.get(unique_id)
        if record is None or record.fingerprint != fingerprints[unique_id]:
            return True
        node = nodes[unique_id]
        if node["resource_type"] != "test" and (node["schema"], node["alias"]) not in state.relations:
            return True
        return any((at := changed_at(p)) is not None and at > record.built_at for p in parents.get(unique_id, []))

    rebuilt = {unique_id for unique_id in nodes if has_own_reason_to_run(unique_id)}
    pending = list(rebuilt)
    while pending:  # everything downstream of a rebuilt node is rebuilt too
        for child_id in manifest["child_map"].get(pending.pop(), []):
            if child_id in nodes and child_id not in rebuilt:
                rebuilt.add(child_id)
                pending.append(child_id)
    unchanged = {unique_id: state.records[unique_id] for unique_id in nodes if unique_id not in rebuilt}
    return BuildPlan(unchanged=unchanged, rebuilt=frozenset(rebuilt))


@dataclass(frozen=True)
class ProjectBuilds:
    """A parsed dbt project (manifest and fingerprints) against the warehouse it builds."""

    manifest: dict
    fingerprints: dict[str, str]

    @classmethod
    def load(cls, manifest_path: Path, project_dir: Path) -> ProjectBuilds:
        manifest = json.loads(manifest_path.read_text())
        return cls(manifest, node_fingerprints(manifest, project_dir))

    def step_nodes(self, staging: bool) -> set[str]:
        """The nodes of the nightly job's staging step (staged objects, seeds and their tests), or
        of its models step (everything else): orchestration/dbt.py's two selections."""
        nodes = self.manifest["nodes"]

        def in_staging_step(unique_id: str) -> bool:
            node = nodes[unique_id]
            if node["resource_type"] == "test":
                return all(in_staging_step(parent) for parent in node["depends_on"]["nodes"])
            return node["resource_type"] == "seed" or node["original_file_path"].startswith("models/staging/")

        return {unique_id for unique_id in self.fingerprints if in_staging_step(unique_id) == staging}

    def plan(self, warehouse: Path) -> BuildPlan:
        with wh.connect(warehouse, read_only=True) as conn:
            state = WarehouseState.read(conn, (source["identifier"] for source in self.manifest["sources"].values()))
        return plan_build(self.manifest, self.fingerprints, state)

    def record(self, warehouse: Path, run_results: Mapping) -> int:
        with wh.connect(warehouse) as conn:
            return record_builds(conn, self.manifest, self.fingerprints, run_results)
