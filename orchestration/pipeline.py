"""Run the nightly job in-process (what `revops run` does) and report the outcome."""

from __future__ import annotations

import time
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

import dagster as dg

from orchestration.dbt import prepare_manifest
from orchestration.jobs import NIGHTLY_JOB_NAME
from orchestration.ledger import record_run


@dataclass(frozen=True)
class RunOutcome:
    success: bool
    run_id: str
    seconds: float
    warehouse: Path
    error: str | None = None


def _failure_message(result: dg.ExecuteInProcessResult) -> str:
    """One paragraph naming the failed step and the reason (a Failure's description if any)."""
    for event in result.all_events:
        if event.event_type_value != "STEP_FAILURE":
            continue
        data = event.step_failure_data
        reason = None
        if data.user_failure_data is not None and data.user_failure_data.description:
            reason = data.user_failure_data.description
        elif data.error is not None:
            error = data.error
            while error.cause is not None:  # the user code's own exception, not Dagster's wrapper
                error = error.cause
            message = error.message.strip().splitlines()[0] if error.message else ""
            reason = message or error.cls_name
        return f"The nightly run stopped at step '{event.step_key}': {reason}"
    return "The nightly run failed before any step ran; see the log above."


def run_config(
    location: str,
    warehouse: Path,
    demo_scale: float,
    demo_seed: int,
    demo_as_of: str,
    log_level: str,
    expectations_dir: str = "",
) -> dict:
    return {
        "resources": {
            "warehouse": {"config": {"path": str(warehouse)}},
            "quality": {"config": {"expectations_dir": expectations_dir}},
            "export_source": {
                "config": {
                    "location": location,
                    "demo_scale": demo_scale,
                    "demo_seed": demo_seed,
                    "demo_as_of": demo_as_of,
                }
            },
        },
        "loggers": {"console": {"config": {"log_level": log_level}}},
    }


def run_nightly(
    location: str,
    warehouse: Path,
    demo_scale: float = 1.0,
    demo_seed: int = 42,
    demo_as_of: str = "",
    log_level: str = "INFO",
    instance: dg.DagsterInstance | None = None,
    expectations_dir: str = "",
) -> RunOutcome:
    started = time.monotonic()
    prepare_manifest()
    from orchestration.definitions import defs  # after the manifest exists

    job = defs().resolve_job_def(NIGHTLY_JOB_NAME)
    with dg.DagsterInstance.ephemeral() if instance is None else nullcontext(instance) as active:
        result = job.execute_in_process(
            run_config=run_config(location, warehouse, demo_scale, demo_seed, demo_as_of, log_level, expectations_dir),
            instance=active,
            raise_on_error=False,
        )
        error = None if result.success else _failure_message(result)
        if warehouse.exists():
            record_run(warehouse, active, result.run_id, "success" if result.success else "failure", error)
    return RunOutcome(
        success=result.success,
        run_id=result.run_id,
        seconds=time.monotonic() - started,
        warehouse=warehouse,
        error=error,
    )
