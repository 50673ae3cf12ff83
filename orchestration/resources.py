"""Dagster resources: where the warehouse is and what to extract. Read at run time."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb

from orchestration import settings, warehouse


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB warehouse file. Empty path: $REVOPS_WAREHOUSE, else warehouse/revops.duckdb."""

    path: str = ""
    memory_limit: str = "8GB"

    def resolved_path(self) -> Path:
        return Path(self.path).resolve() if self.path else settings.warehouse_path()

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        with warehouse.connect(self.resolved_path(), read_only=read_only, memory_limit=self.memory_limit) as conn:
            yield conn

    @contextmanager
    def dbt_environment(self) -> Iterator[None]:
        """dbt's profile reads the warehouse path from $REVOPS_WAREHOUSE: point it here."""
        previous = os.environ.get("REVOPS_WAREHOUSE")
        os.environ["REVOPS_WAREHOUSE"] = str(self.resolved_path())
        os.environ["REVOPS_DUCKDB_MEMORY_LIMIT"] = self.memory_limit
        try:
            yield
        finally:
            if previous is None:
                os.environ.pop("REVOPS_WAREHOUSE", None)
            else:
                os.environ["REVOPS_WAREHOUSE"] = previous


class ExportSourceResource(dg.ConfigurableResource):
    """What to extract: 'demo' (the built-in demo company), an export directory, or a .zip."""

    location: str = "demo"
    demo_scale: float = 1.0
    demo_seed: int = 42
    demo_as_of: str = ""  # ISO date-time (UTC); empty: the demo's end date


class QualityGateResource(dg.ConfigurableResource):
    """The quality gate's suites (empty: the repository's expectations/) and whether to write
    GX Data Docs (HTML, one site per run beside the warehouse: quality/<run id>/index.html)."""

    expectations_dir: str = ""
    data_docs: bool = True

    def suites_dir(self) -> Path:
        from orchestration.quality.suites import EXPECTATIONS_DIR

        return Path(self.expectations_dir).resolve() if self.expectations_dir else EXPECTATIONS_DIR

    def docs_dir(self, warehouse: Path, run_id: str) -> Path | None:
        return warehouse.parent / "quality" / run_id if self.data_docs else None
