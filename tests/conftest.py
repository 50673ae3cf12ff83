"""Shared fixtures: a small demo export and one full pipeline run on it (session-scoped)."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

for _key, _value in {
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    "DO_NOT_TRACK": "1",
    "DAGSTER_DISABLE_TELEMETRY": "1",
}.items():
    os.environ.setdefault(_key, _value)

from orchestration.demo.generate import generate_demo  # noqa: E402
from orchestration.extract.snapshot import demo_params  # noqa: E402

SMALL_SCALE = 0.05  # 1,000 leads: every object and every dirty-row kind, in seconds
# Fivetran dbt_salesforce integration-test seeds (Apache-2.0), copied unchanged; see its SOURCE.md.
FIVETRAN_SEEDS = Path(__file__).resolve().parent / "fixtures" / "fivetran_salesforce_seeds"


@dataclass(frozen=True)
class PipelineRun:
    export_dir: Path
    warehouse: Path
    run_id: str


@pytest.fixture(scope="session")
def manifest() -> Path:
    from orchestration.dbt import prepare_manifest

    return prepare_manifest()


@pytest.fixture(scope="session")
def small_export(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("export") / "demo-small"
    generate_demo(out, demo_params(SMALL_SCALE, 7), progress=lambda _: None)
    return out


def dbt(command: str, args: list[str], warehouse: Path, target_path: Path) -> subprocess.CompletedProcess:
    """The dbt CLI of this environment on the project, building `warehouse`."""
    from orchestration.settings import DBT_PROJECT_DIR

    return subprocess.run(
        [str(Path(sys.executable).with_name("dbt")), command, *args, "--target-path", str(target_path)],
        cwd=DBT_PROJECT_DIR,
        env={**os.environ, "REVOPS_WAREHOUSE": str(warehouse)},
        capture_output=True,
        text=True,
    )


def run_pipeline(source: Path | str, warehouse: Path, **kwargs):
    from orchestration.pipeline import run_nightly

    return run_nightly(str(source), warehouse, log_level="WARNING", **kwargs)


@pytest.fixture(scope="session")
def small_run(manifest, small_export, tmp_path_factory) -> PipelineRun:
    warehouse = tmp_path_factory.mktemp("warehouse") / "revops.duckdb"
    outcome = run_pipeline(small_export, warehouse)
    assert outcome.success, outcome.error
    return PipelineRun(small_export, warehouse, outcome.run_id)


@pytest.fixture(scope="session")
def demo_run(manifest, tmp_path_factory) -> PipelineRun:
    """The default demo company (scale 1, 20,000 leads): enough for rates within sampling error."""
    export = tmp_path_factory.mktemp("demo-export") / "demo"
    generate_demo(export, demo_params(1.0, 42), progress=lambda _: None)
    warehouse = tmp_path_factory.mktemp("demo-warehouse") / "revops.duckdb"
    outcome = run_pipeline(export, warehouse)
    assert outcome.success, outcome.error
    return PipelineRun(export, warehouse, outcome.run_id)


@pytest.fixture(scope="session")
def fivetran_seeds() -> Path:
    if not FIVETRAN_SEEDS.is_dir():
        pytest.fail(f"the public fixture is missing: {FIVETRAN_SEEDS}")
    return FIVETRAN_SEEDS
