"""Which dbt nodes a night leaves out (orchestration/build_state.py): the rules on a small graph,
then on the project itself. That a night which leaves nodes out still equals a full rebuild is
tests/test_incremental.py (its nights run the job, which plans every dbt step)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from orchestration.build_state import Build, ProjectBuilds, WarehouseState, node_fingerprints, plan_build
from orchestration.settings import DBT_PROJECT_DIR
from orchestration.warehouse import connect

T0 = datetime(2026, 4, 1, 2, 0)


def _node(unique_id: str, resource_type: str, checksum: str = "c", macros: tuple = ()) -> dict:
    name = unique_id.split(".")[-1]
    return {
        "unique_id": unique_id,
        "name": name,
        "alias": name,
        "schema": "staging" if name.startswith(("stg_", "seed_")) else "marts",
        "resource_type": resource_type,
        "checksum": {"checksum": checksum},
        "config": {"materialized": "table"},
        "depends_on": {"macros": list(macros), "nodes": []},
        "original_file_path": f"models/{name}.sql",
    }


@pytest.fixture
def graph() -> dict:
    """raw.lead -> stg_lead -> fct_leads <- dim_users <- stg_user <- raw.user, a seed feeding
    stg_user, and a test on fct_leads."""
    nodes = {
        "seed.p.seed_roles": _node("seed.p.seed_roles", "seed"),
        "model.p.stg_lead": _node("model.p.stg_lead", "model", macros=("macro.p.clean",)),
        "model.p.stg_user": _node("model.p.stg_user", "model"),
        "model.p.dim_users": _node("model.p.dim_users", "model"),
        "model.p.fct_leads": _node("model.p.fct_leads", "model"),
        "test.p.unique_fct_leads_id": _node("test.p.unique_fct_leads_id", "test"),
    }
    parents = {
        "seed.p.seed_roles": [],
        "model.p.stg_lead": ["source.p.crm.lead"],
        "model.p.stg_user": ["source.p.crm.user", "seed.p.seed_roles"],
        "model.p.dim_users": ["model.p.stg_user"],
        "model.p.fct_leads": ["model.p.stg_lead", "model.p.dim_users"],
        "test.p.unique_fct_leads_id": ["model.p.fct_leads"],
    }
    children: dict[str, list[str]] = {}
    for child, its_parents in parents.items():
        for parent in its_parents:
            children.setdefault(parent, []).append(child)
    return {
        "metadata": {"dbt_version": "1.11.16"},
        "nodes": nodes,
        "sources": {f"source.p.crm.{t}": {"identifier": t} for t in ("lead", "user")},
        "macros": {"macro.p.clean": {"macro_sql": "trim(x)", "depends_on": {"macros": []}}},
        "parent_map": parents,
        "child_map": children,
    }


def _fingerprints(manifest: dict, tmp_path) -> dict[str, str]:
    (tmp_path / "dbt_project.yml").write_text("name: p\nvars:\n  company_time_zone: UTC\n")
    return node_fingerprints(manifest, tmp_path)


def _built_state(manifest: dict, fingerprints: dict, **changes) -> WarehouseState:
    """Everything built at T0 + a minute per node in dependency order, raw loaded before."""
    order = ["seed.p.seed_roles", "model.p.stg_lead", "model.p.stg_user", "model.p.dim_users", "model.p.fct_leads"]
    records = {
        unique_id: Build(fingerprints[unique_id], T0 + timedelta(minutes=minute), "success")
        for minute, unique_id in enumerate(order)
    }
    test = "test.p.unique_fct_leads_id"
    records[test] = Build(fingerprints[test], T0 + timedelta(minutes=9), "pass")
    relations = frozenset((node["schema"], node["alias"]) for node in manifest["nodes"].values())
    state = {
        "records": records,
        "relations": relations,
        "loaded": {"lead": T0 - timedelta(hours=1), "user": T0 - timedelta(hours=1)},
        "held": {},
    }
    state.update(changes)
    return WarehouseState(**state)


def test_nothing_recorded_rebuilds_everything(graph, tmp_path):
    fingerprints = _fingerprints(graph, tmp_path)
    empty = WarehouseState(records={}, relations=frozenset(), loaded={}, held={})
    plan = plan_build(graph, fingerprints, empty)
    assert plan.rebuilt == set(graph["nodes"]) and not plan.unchanged


def test_a_night_without_new_rows_rebuilds_nothing(graph, tmp_path):
    fingerprints = _fingerprints(graph, tmp_path)
    plan = plan_build(graph, fingerprints, _built_state(graph, fingerprints))
    assert not plan.rebuilt
    assert plan.unchanged["test.p.unique_fct_leads_id"].status == "pass"


def test_rows_landed_in_one_source_rebuild_its_descendants_only(graph, tmp_path):
    fingerprints = _fingerprints(graph, tmp_path)
    state = _built_state(graph, fingerprints, loaded={"lead": T0 + timedelta(hours=20), "user": T0})
    plan = plan_build(graph, fingerprints, state)
    assert plan.rebuilt == {"model.p.stg_lead", "model.p.fct_leads", "test.p.unique_fct_leads_id"}
    assert set(plan.unchanged) == {"seed.p.seed_roles", "model.p.stg_user", "model.p.dim_users"}


def test_rows_the_gate_held_out_after_staging_rebuild_what_reads_staging(graph, tmp_path):
    """The quality gate deletes held rows from a staged object after its build: the staged model
    itself is current, what reads it is not."""
    fingerprints = _fingerprints(graph, tmp_path)
    state = _built_state(graph, fingerprints, held={"user": T0 + timedelta(hours=20)})
    plan = plan_build(graph, fingerprints, state)
    assert plan.rebuilt == {"model.p.dim_users", "model.p.fct_leads", "test.p.unique_fct_leads_id"}


@pytest.mark.parametrize(
    ("change", "rebuilt"),
    [
        # A changed seed file: the seed and everything reading it.
        (lambda g: g["nodes"]["seed.p.seed_roles"]["checksum"].update(checksum="new rows"), 5),
        # A changed macro: the model that calls it and its descendants.
        (lambda g: g["macros"]["macro.p.clean"].update(macro_sql="lower(trim(x))"), 3),
        # A changed config of a mart: the mart and its test.
        (lambda g: g["nodes"]["model.p.fct_leads"]["config"].update(materialized="incremental"), 2),
        # A changed test (a new where clause): only the test.
        (lambda g: g["nodes"]["test.p.unique_fct_leads_id"]["config"].update(where="id > 0"), 1),
    ],
)
def test_a_changed_definition_rebuilds_the_node_and_its_descendants(graph, tmp_path, change, rebuilt):
    fingerprints = _fingerprints(graph, tmp_path)
    state = _built_state(graph, fingerprints)
    change(graph)
    plan = plan_build(graph, _fingerprints(graph, tmp_path), state)
    assert len(plan.rebuilt) == rebuilt


def test_a_changed_project_var_rebuilds_everything(graph, tmp_path):
    fingerprints = _fingerprints(graph, tmp_path)
    state = _built_state(graph, fingerprints)
    (tmp_path / "dbt_project.yml").write_text("name: p\nvars:\n  company_time_zone: Europe/Paris\n")
    assert plan_build(graph, node_fingerprints(graph, tmp_path), state).rebuilt == set(graph["nodes"])


def test_a_dropped_relation_and_a_node_built_before_its_parent_are_rebuilt(graph, tmp_path):
    fingerprints = _fingerprints(graph, tmp_path)
    state = _built_state(graph, fingerprints)
    dropped = WarehouseState(state.records, state.relations - {("marts", "dim_users")}, state.loaded, state.held)
    assert plan_build(graph, fingerprints, dropped).rebuilt == {
        "model.p.dim_users",
        "model.p.fct_leads",
        "test.p.unique_fct_leads_id",
    }
    # A night whose models step failed after staging: staging is newer than what reads it.
    records = dict(state.records)
    records["model.p.stg_user"] = records["model.p.stg_user"]._replace(built_at=T0 + timedelta(hours=20))
    late = WarehouseState(records, state.relations, state.loaded, state.held)
    assert plan_build(graph, fingerprints, late).rebuilt == {
        "model.p.dim_users",
        "model.p.fct_leads",
        "test.p.unique_fct_leads_id",
    }


def test_only_built_nodes_and_passed_or_warned_tests_are_recorded(graph, tmp_path):
    fingerprints = _fingerprints(graph, tmp_path)
    builds = ProjectBuilds(graph, fingerprints)
    results = {
        "metadata": {"invocation_id": "i"},
        "results": [
            {"unique_id": uid, "status": status, "timing": [{"name": "execute", "started_at": "2026-04-01T02:00:00Z"}]}
            for uid, status in [
                ("model.p.stg_lead", "success"),
                ("test.p.unique_fct_leads_id", "fail"),
                ("model.p.fct_leads", "error"),
                ("seed.p.seed_roles", "success"),
            ]
        ],
    }
    warehouse = tmp_path / "records.duckdb"
    assert builds.record(warehouse, results) == 2
    with connect(warehouse, read_only=True) as conn:
        state = WarehouseState.read(conn, ["lead", "user"])
    # The failed test and the model that errored run again next time (no record).
    assert set(state.records) == {"model.p.stg_lead", "seed.p.seed_roles"}
    assert state.records["model.p.stg_lead"] == Build(fingerprints["model.p.stg_lead"], T0, "success")
    results["results"] = [{**results["results"][1], "status": "warn"}]
    assert builds.record(warehouse, results) == 1


def test_the_project_plans_an_unchanged_night_as_nothing_to_build(small_run, tmp_path):
    """On the small demo's built warehouse, after the job: every model, seed and test is current,
    so the next night with the same export builds nothing (the job still yields every asset)."""
    from orchestration.dbt import DBT_PROJECT

    builds = ProjectBuilds.load(DBT_PROJECT.manifest_path, DBT_PROJECT_DIR)
    plan = builds.plan(small_run.warehouse)
    nodes = json.loads(DBT_PROJECT.manifest_path.read_text())["nodes"]
    built = {u for u, n in nodes.items() if n["resource_type"] in ("model", "seed", "test")}
    assert plan.rebuilt == frozenset()
    assert set(plan.unchanged) == built
    assert len(plan.exclude_args(builds.manifest)[1].split()) == len(built)
