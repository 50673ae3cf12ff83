"""The nightly job and its schedule."""

from __future__ import annotations

import dagster as dg

NIGHTLY_JOB_NAME = "nightly_refresh"

nightly_refresh = dg.define_asset_job(
    name=NIGHTLY_JOB_NAME,
    selection=dg.AssetSelection.all(),
    description="Extract the export, stage, check and build every model (the nightly refresh).",
)


def nightly_schedule(timezone: str) -> dg.ScheduleDefinition:
    """02:00 every night in the company's time zone."""
    return dg.ScheduleDefinition(
        name="nightly_refresh_schedule",
        job=nightly_refresh,
        cron_schedule="0 2 * * *",
        execution_timezone=timezone,
        default_status=dg.DefaultScheduleStatus.RUNNING,
    )
