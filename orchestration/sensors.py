"""A sensor that runs the nightly job when a new export lands in a watched directory."""

import json
import os
import time
from pathlib import Path

import dagster as dg

from orchestration.jobs import nightly_refresh
from orchestration.settings import REPO_ROOT

# An export must have been still for this long before it is picked up (no half-copied files).
SETTLE_SECONDS = 60


def watch_dir() -> Path:
    return Path(os.environ.get("REVOPS_WATCH_DIR", REPO_ROOT / "exports" / "inbox"))


def _latest_mtime(path: Path) -> float:
    if path.is_file():
        return path.stat().st_mtime
    return max((p.stat().st_mtime for p in path.rglob("*") if p.is_file()), default=path.stat().st_mtime)


def new_exports(
    directory: Path, seen: dict[str, float], now: float, settle_seconds: float = SETTLE_SECONDS
) -> list[tuple[Path, float]]:
    """Exports (zips, or folders holding CSV files) that are new or changed since `seen` and
    have settled; oldest first."""
    if not directory.is_dir():
        return []
    found = []
    for candidate in sorted(directory.iterdir()):
        is_export = (candidate.is_file() and candidate.suffix.lower() == ".zip") or (
            candidate.is_dir() and any(candidate.rglob("*.csv"))
        )
        if not is_export or candidate.name.startswith("."):
            continue
        modified = _latest_mtime(candidate)
        if now - modified >= settle_seconds and seen.get(candidate.name) != modified:
            found.append((candidate, modified))
    return sorted(found, key=lambda pair: pair[1])


@dg.sensor(job=nightly_refresh, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.STOPPED)
def new_export_sensor(context: dg.SensorEvaluationContext):
    """Watches $REVOPS_WATCH_DIR (default exports/inbox) and runs the job on each new export."""
    seen = json.loads(context.cursor) if context.cursor else {}
    for path, modified in new_exports(watch_dir(), seen, time.time()):
        seen[path.name] = modified
        yield dg.RunRequest(
            run_key=f"{path.name}:{modified}",
            run_config={"resources": {"export_source": {"config": {"location": str(path)}}}},
            tags={"revops/export": path.name},
        )
    context.update_cursor(json.dumps(seen, sort_keys=True))


@dg.run_failure_sensor(monitored_jobs=[nightly_refresh], default_status=dg.DefaultSensorStatus.RUNNING)
def run_ledger_on_failure(context: dg.RunFailureSensorContext):
    """Runs launched by the schedule or the export sensor get their ledger row when they fail
    (`revops run` writes it itself; a successful run wrote it before publishing)."""
    from orchestration.ledger import record_run
    from orchestration.settings import warehouse_path

    config = context.dagster_run.run_config.get("resources", {}).get("warehouse", {}).get("config", {})
    warehouse = Path(config["path"]).resolve() if config.get("path") else warehouse_path()
    if warehouse.exists():
        record_run(warehouse, context.instance, context.dagster_run.run_id, "failure", context.failure_event.message)
