"""dbt in Dagster: the project, the translator (dbt sources -> extraction assets) and dbt assets.

The manifest is prepared by `revops prepare` (run by `make`), never at import time.
"""

import json
import sys
from collections.abc import Mapping
from graphlib import TopologicalSorter
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets
from dagster_dbt.asset_utils import get_asset_check_key_for_test

from orchestration.build_state import BuildPlan, ProjectBuilds
from orchestration.dbt_failures import describe_failures
from orchestration.extract.assets import DUCKDB_POOL
from orchestration.ledger import record_dbt_invocation
from orchestration.resources import WarehouseResource
from orchestration.settings import ANALYSES_DIR, DBT_PROJECT_DIR, SEEDS_DIR

DBT_PROJECT = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
_IGNORED_DIRS = {"target", "logs", "dbt_packages"}


class RevopsDbtTranslator(DagsterDbtTranslator):
    """Asset keys are <layer>/<name>; dbt sources are the extraction assets raw/<table>, so the
    graph runs from the export file to the marts in one piece."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            # raw/<table> for the contract sources: exactly the extraction assets' keys.
            return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])
        return dg.AssetKey([self._layer(dbt_resource_props), dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "source":
            return "extract"
        return self._layer(dbt_resource_props)

    @staticmethod
    def _layer(dbt_resource_props: Mapping[str, Any]) -> str:
        """staging / intermediate / marts / semantic from the model's folder; seeds for seeds."""
        if dbt_resource_props["resource_type"] == "seed":
            return "seeds"
        fqn = dbt_resource_props.get("fqn", [])
        return fqn[1] if len(fqn) > 2 else "models"


def manifest_inputs() -> list[Path]:
    """Every file whose change makes the manifest stale."""
    roots = [DBT_PROJECT_DIR, SEEDS_DIR, ANALYSES_DIR]
    files = []
    for root in roots:
        for path in root.rglob("*"):
            if path.is_file() and not _IGNORED_DIRS.intersection(path.relative_to(root).parts):
                files.append(path)
    return files


def manifest_is_stale() -> bool:
    manifest = DBT_PROJECT.manifest_path
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    return any(path.stat().st_mtime > built for path in manifest_inputs())


def prepare_manifest(force: bool = False) -> Path:
    """`dbt parse` into dbt_project/target when the project changed since the last parse."""
    if force or manifest_is_stale():
        from dbt.cli.main import dbtRunner

        args = ["parse", "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR), "--quiet"]
        result = dbtRunner().invoke(args)
        if not result.success:
            raise RuntimeError(f"dbt parse failed: {result.exception or 'see the dbt log above'}")
        DBT_PROJECT.manifest_path.touch()
    return DBT_PROJECT.manifest_path


# The quality gate runs between these two steps: staging (and the seeds it reads) first, then
# everything built on staging, so a blocking check on a staged object keeps the marts unbuilt.
STAGING_SELECTION = "path:models/staging resource_type:seed"
# Unit tests check model logic on fixed fixtures, so they belong to development and CI
# (`make test` runs them on DuckDB, PostgreSQL and Spark), not to the nightly refresh: dbt's own
# advice, and about 8 s of every night at 2M leads.
PRODUCTION_BUILD = ["build", "--exclude-resource-type", "unit_test"]


def _dbt_build_assets(name: str, select: str, exclude: str) -> dg.AssetsDefinition:
    @dbt_assets(
        manifest=DBT_PROJECT.manifest_path,
        project=DBT_PROJECT,
        select=select,
        exclude=exclude,
        dagster_dbt_translator=RevopsDbtTranslator(),
        pool=DUCKDB_POOL,
        name=name,
    )
    def _build(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
        builds = ProjectBuilds.load(DBT_PROJECT.manifest_path, DBT_PROJECT_DIR)
        plan = builds.plan(warehouse.resolved_path())
        unchanged = _unchanged_outputs(context, builds.manifest, plan)
        if unchanged:
            context.log.info(f"{len(unchanged)} assets and checks unchanged since their last build: not rebuilt")
        # Yielded so that the steps downstream run (Dagster skips a step when an upstream asset is
        # not yielded: dagster-io/dagster#9408), and first: a rebuilt asset may read an unchanged
        # one, never the other way round. Downstream reads the relation of the last build.
        yield from unchanged
        if _rebuilds_selection(context, builds.manifest, plan):
            with warehouse.dbt_environment():
                args = [*PRODUCTION_BUILD, *plan.exclude_args(builds.manifest)]
                invocation = dbt.cli(args, context=context, raise_on_error=False)
                yield from invocation.stream()
            run_results = _run_results(invocation.target_path)
            record_dbt_invocation(warehouse.resolved_path(), context.run.run_id, name, run_results)
            builds.record(warehouse.resolved_path(), run_results)
            if not invocation.is_successful():
                description = describe_failures(
                    invocation.get_artifact("run_results.json"), lambda: warehouse.connect(read_only=True)
                )
                raise dg.Failure(description=description, allow_retries=False)

    return _build


def _rebuilds_selection(context: dg.AssetExecutionContext, manifest: dict, plan: BuildPlan) -> bool:
    """Whether the plan rebuilds an asset, or reruns a check (test), this step is asked for."""
    translator = RevopsDbtTranslator()
    for unique_id in plan.rebuilt:
        if unique_id.startswith("test."):
            check = get_asset_check_key_for_test(manifest, translator, unique_id, project=None)
            if check in context.selected_asset_check_keys:
                return True
        elif translator.get_asset_key(manifest["nodes"][unique_id]) in context.selected_asset_keys:
            return True
    return False


def _unchanged_outputs(
    context: dg.AssetExecutionContext, manifest: dict, plan: BuildPlan
) -> list[dg.Output | dg.AssetCheckResult]:
    """For what this step is asked for and the plan leaves out: an output per asset (parents
    first) and the last verdict of each check (a test whose inputs did not change since)."""
    translator = RevopsDbtTranslator()
    unchanged = set(plan.unchanged)
    parents = manifest["parent_map"]
    in_order = TopologicalSorter({unique_id: set(parents[unique_id]) & unchanged for unique_id in unchanged})
    outputs, checks = [], []
    for unique_id in in_order.static_order():
        build = plan.unchanged[unique_id]
        metadata = {"rebuilt": False, "last_built_at": build.built_at.isoformat(sep=" ", timespec="seconds")}
        if unique_id.startswith("test."):
            check = get_asset_check_key_for_test(manifest, translator, unique_id, project=None)
            if check in context.selected_asset_check_keys:
                checks.append(
                    dg.AssetCheckResult(
                        asset_key=check.asset_key,
                        check_name=check.name,
                        passed=build.status == "pass",
                        severity=dg.AssetCheckSeverity.WARN,  # only a pass or a warning is recorded
                        metadata=metadata,
                    )
                )
            continue
        key = translator.get_asset_key(manifest["nodes"][unique_id])
        if key in context.selected_asset_keys:
            outputs.append(
                dg.Output(None, output_name=context.assets_def.get_output_name_for_asset_key(key), metadata=metadata)
            )
    return [*outputs, *checks]


def _run_results(target_path: Path) -> dict:
    """dbt's run_results.json for the ledger ({} when dbt died before writing it)."""
    path = target_path / "run_results.json"
    return json.loads(path.read_text()) if path.exists() else {}


def build_dbt_assets() -> list[dg.AssetsDefinition]:
    """dbt models, seeds and tests (tests become asset checks) in two steps: staging, then the
    rest. Needs a prepared manifest."""
    if not DBT_PROJECT.manifest_path.exists():
        raise FileNotFoundError(
            f"{DBT_PROJECT.manifest_path} is missing: run `make manifest` (or `revops prepare`) first."
        )
    return [
        _dbt_build_assets("revops_dbt_staging", select=STAGING_SELECTION, exclude=""),
        _dbt_build_assets("revops_dbt_models", select="fqn:*", exclude=STAGING_SELECTION),
    ]


def dbt_resource() -> DbtCliResource:
    # The dbt of this interpreter's environment, whether or not the venv is activated.
    executable = Path(sys.executable).with_name("dbt")
    return DbtCliResource(
        project_dir=DBT_PROJECT,
        profiles_dir=str(DBT_PROJECT_DIR),
        dbt_executable=str(executable) if executable.exists() else "dbt",
    )
