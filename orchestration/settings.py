"""Where things live. Paths only: nothing here reads the environment at import time."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
SEEDS_DIR = REPO_ROOT / "seeds"
ANALYSES_DIR = REPO_ROOT / "analyses"
DEFAULT_WAREHOUSE = REPO_ROOT / "warehouse" / "revops.duckdb"

# Schemas of the warehouse, in pipeline order.
SCHEMAS = ("raw", "staging", "intermediate", "marts", "metrics", "quarantine", "audit")


def warehouse_path() -> Path:
    """The DuckDB file to build: $REVOPS_WAREHOUSE, else warehouse/revops.duckdb."""
    return Path(os.environ.get("REVOPS_WAREHOUSE", DEFAULT_WAREHOUSE)).resolve()


def work_dir(warehouse: Path) -> Path:
    """Scratch space beside the warehouse: generated demo exports, unzipped exports."""
    return warehouse.parent
