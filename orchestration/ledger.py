"""The run ledger: one row per run in audit.run_log, so an auditor can tell from which source
files, which code and which dbt invocations a published number came, and what the checks said.

Each step leaves its facts in audit tables as it goes (extraction: audit.load_log, keyed by the
run id as batch id; quality gate: audit.quality_*; dbt: audit.dbt_invocations, written here).
The ledger row joins them with the step timings from Dagster's event log. It is written before
publication (so the published copy carries this run's row) and again when the run ends, with the
final outcome (a failed run gets its row too; it publishes nothing).
"""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg

from orchestration import warehouse as wh
from orchestration.extract.naming import quote_identifier as q
from orchestration.settings import REPO_ROOT

COUNTED_SCHEMAS = ("raw", "staging", "intermediate", "marts", "metrics", "quarantine")
RUN_LOG_COLUMNS = (
    ("run_id", "varchar", "Dagster run id = _batch_id of the raw rows it loaded = _run_id of what it published."),
    ("started_at", "timestamp", "Run start (UTC)."),
    ("finished_at", "timestamp", "When the row was written (UTC): publication, then the run's end."),
    ("seconds", "double", "finished_at - started_at."),
    ("outcome", "varchar", "success or failure."),
    ("error", "varchar", "Why the run failed (file, row and column for bad input)."),
    ("git_commit", "varchar", "Commit of the code that ran (+dirty with uncommitted changes)."),
    ("dbt_invocations", "json", "dbt invocation ids with node counts by status and the failures."),
    ("source_snapshot", "json", "Files loaded: name, bytes, sha256, rows read and inserted."),
    ("model_rows", "json", "Row count of every table by schema.table after the run."),
    ("checks", "json", "Quality gate: failed rules and per-object staged/quarantined/held counts."),
    ("step_seconds", "json", "Seconds per Dagster step."),
    ("recorded_at", "timestamp", "When this version of the row was written (UTC)."),
)
RUN_LOG_DDL = "create table if not exists audit.run_log ({})".format(
    ", ".join(f"{name} {kind}" for name, kind, _ in RUN_LOG_COLUMNS)
)
DBT_INVOCATIONS_DDL = """
create table if not exists audit.dbt_invocations (
    run_id varchar, step varchar, invocation_id varchar, generated_at varchar, elapsed_seconds double,
    statuses json, failures json
)"""


def git_commit() -> str:
    """HEAD of the repository the code runs from, '+dirty' with uncommitted changes."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO_ROOT, capture_output=True, text=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{head}+dirty" if dirty else head


def record_dbt_invocation(warehouse: Path, run_id: str, step: str, run_results: dict) -> None:
    statuses: dict[str, int] = {}
    failures = []
    for result in run_results.get("results", []):
        statuses[result["status"]] = statuses.get(result["status"], 0) + 1
        if result["status"] in ("error", "fail"):
            failures.append({"node": result["unique_id"], "status": result["status"], "message": result.get("message")})
    metadata = run_results.get("metadata", {})
    with wh.connect(warehouse) as conn:
        conn.execute("create schema if not exists audit")
        conn.execute(DBT_INVOCATIONS_DDL)
        conn.execute(
            "insert into audit.dbt_invocations values (?, ?, ?, ?, ?, ?, ?)",
            [run_id, step, metadata.get("invocation_id"), metadata.get("generated_at"),
             run_results.get("elapsed_time"), json.dumps(statuses), json.dumps(failures)],
        )  # fmt: skip


def step_timings(instance: dg.DagsterInstance, run_id: str) -> tuple[datetime | None, dict[str, float]]:
    """Run start (UTC) and seconds per step from the event log."""
    started: dict[str, float] = {}
    seconds: dict[str, float] = {}
    run_start = None
    for record in instance.all_logs(run_id):
        event = record.dagster_event
        if event is None:
            continue
        kind = event.event_type_value
        if kind in ("PIPELINE_START", "RUN_START", "PIPELINE_STARTING", "RUN_STARTING") and run_start is None:
            run_start = record.timestamp
        if kind == "STEP_START":
            started[event.step_key] = record.timestamp
            run_start = run_start or record.timestamp
        elif kind in ("STEP_SUCCESS", "STEP_FAILURE") and event.step_key in started:
            seconds[event.step_key] = round(record.timestamp - started[event.step_key], 3)
    return (datetime.fromtimestamp(run_start, UTC).replace(tzinfo=None) if run_start else None), seconds


def _model_rows(conn) -> dict[str, int]:
    schemas = ", ".join(f"'{schema}'" for schema in COUNTED_SCHEMAS)
    tables = conn.execute(
        "select table_schema, table_name from information_schema.tables "
        f"where table_schema in ({schemas}) and table_catalog = current_database() and table_type = 'BASE TABLE' "
        "order by 1, 2"
    ).fetchall()
    return {f"{s}.{t}": conn.execute(f"select count(*) from {s}.{q(t)}").fetchone()[0] for s, t in tables}


def _run_rows(
    conn, relation: str, columns: str, run_id: str, where: str = "", order: str = "1", run_column: str = "run_id"
) -> list[dict]:
    """This run's rows of an audit table as dicts ([] before the step that writes it ever ran)."""
    if not _exists(conn, relation):
        return []
    result = conn.execute(f"select {columns} from {relation} where {run_column} = ? {where} order by {order}", [run_id])
    names = [column[0] for column in result.description]
    return [dict(zip(names, row, strict=True)) for row in result.fetchall()]


def _exists(conn, relation: str) -> bool:
    schema, table = relation.split(".")
    return bool(
        conn.execute(
            "select count(*) from information_schema.tables where table_schema = ? and table_name = ? "
            "and table_catalog = current_database()",
            [schema, table],
        ).fetchone()[0]
    )


def record_run(
    warehouse: Path, instance: dg.DagsterInstance, run_id: str, outcome: str, error: str | None = None
) -> dict:
    """Write (or rewrite) this run's ledger row; returns it."""
    started_at, seconds = step_timings(instance, run_id)
    finished_at = datetime.now(UTC).replace(tzinfo=None)
    with wh.connect(warehouse) as conn:
        conn.execute("create schema if not exists audit")
        conn.execute(RUN_LOG_DDL)
        files = _run_rows(
            conn,
            "audit.load_log",
            "table_name, source_file, file_bytes, file_sha256, rows_read, rows_inserted, status",
            run_id,
            order="source_file",
            run_column="batch_id",  # extraction's batch id is the run id
        )
        invocations = _run_rows(
            conn,
            "audit.dbt_invocations",
            "step, invocation_id, generated_at, elapsed_seconds, statuses, failures",
            run_id,
            order="generated_at",
        )
        quality = _run_rows(
            conn,
            "audit.quality_results",
            "table_name, rule, severity, policy, unexpected_count",
            run_id,
            where="and not success",
            order="table_name, rule",
        )
        counts = _run_rows(
            conn,
            "audit.quality_counts",
            "table_name, staged_rows, quarantined_rows, held_this_run, warnings",
            run_id,
            order="table_name",
        )
        for invocation in invocations:  # stored as JSON text: nest it as JSON, not as a string
            invocation["statuses"] = json.loads(invocation["statuses"] or "{}")
            invocation["failures"] = json.loads(invocation["failures"] or "[]")
        row = {
            "run_id": run_id,
            "started_at": started_at,
            "finished_at": finished_at,
            "seconds": (finished_at - started_at).total_seconds() if started_at else None,
            "outcome": outcome,
            "error": error,
            "git_commit": git_commit(),
            "dbt_invocations": json.dumps(invocations, default=str),
            "source_snapshot": json.dumps(files, default=str),
            "model_rows": json.dumps(_model_rows(conn)),
            "checks": json.dumps({"quality_failures": quality, "quality_counts": counts}, default=str),
            "step_seconds": json.dumps(seconds),
            "recorded_at": finished_at,
        }
        conn.execute("delete from audit.run_log where run_id = ?", [run_id])
        placeholders = ", ".join("?" for _ in row)
        conn.execute(f"insert into audit.run_log ({', '.join(row)}) values ({placeholders})", list(row.values()))
    return row
