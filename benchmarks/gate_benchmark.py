"""Benchmark: the quality gate's cost against the dbt build it guards, full load and nightly batch.

    python -m benchmarks.gate_benchmark --leads 2000000 [--json PATH]

Export A of the demo company is landed in raw; then, as the nightly job does: dbt build of
staging (and seeds), the gate (every suite in expectations/, GX Data Docs written), dbt build of
everything else. The gate's time is reported as a share of the two dbt builds (target: <= 20 %).
Then export B (one day later) is landed into the same warehouse and staging rebuilt, and the gate
validates only that night's rows: the nightly batch.
"""

from __future__ import annotations

import resource
import time
from pathlib import Path

from benchmarks.harness import (
    benchmark_parser,
    build_seconds,
    dbt,
    land_export,
    nightly_pair,
    parse_benchmark_args,
    progress,
    report,
)
from benchmarks.pipeline_benchmark import checked
from orchestration.dbt import PRODUCTION_BUILD
from orchestration.extract.contract import load_contract
from orchestration.quality.gate import Gate
from orchestration.quality.suites import load_suites
from orchestration.settings import DBT_PROJECT_DIR
from orchestration.warehouse import connect

STAGING = ["--select", "path:models/staging", "resource_type:seed"]
MODELS = ["--exclude", "path:models/staging", "resource_type:seed"]


def run_gate(warehouse: Path, batch_id: str, docs: Path) -> dict:
    """The gate as the Dagster check runs it; seconds, rows checked and rows quarantined."""
    started = time.monotonic()
    with connect(warehouse) as conn:
        gate = Gate(conn, load_contract(DBT_PROJECT_DIR), batch_id, docs)
        verdicts = [gate.check(suite) for suite in load_suites()]
        gate.finish()
    return {
        "seconds": time.monotonic() - started,
        "rows_checked": sum(v.rows_checked for v in verdicts),
        "quarantined": sum(sum(v.held.values()) for v in verdicts),
        "stopped": any(v.stops for v in verdicts),
    }


def main(argv: list[str] | None = None) -> dict:
    args = parse_benchmark_args(benchmark_parser(__doc__, 2_000_000), argv)
    work = args.workdir

    export_b, warehouse = nightly_pair(args, "gate")

    progress("dbt build: staging and seeds")
    staging = checked(dbt([*PRODUCTION_BUILD, *STAGING], warehouse, work / "target-gate-staging"), "dbt build staging")
    progress("quality gate on the full load")
    full_gate = run_gate(warehouse, "benchmark", work / "gate-docs-full")
    progress("dbt build: everything after staging")
    models = checked(dbt([*PRODUCTION_BUILD, *MODELS], warehouse, work / "target-gate-models"), "dbt build models")

    progress("nightly: land export B, rebuild staging, gate the night's rows")
    extract_s = land_export(warehouse, export_b, "benchmark-nightly")
    nightly_staging = checked(
        dbt([*PRODUCTION_BUILD, *STAGING], warehouse, work / "target-gate-nightly"), "dbt build staging"
    )
    nightly_gate = run_gate(warehouse, "benchmark-nightly", work / "gate-docs-nightly")

    dbt_build_s = build_seconds(staging) + build_seconds(models)
    results = {
        "benchmark": "quality_gate",
        "leads": args.leads,
        "rows_checked_full": full_gate["rows_checked"],
        "quarantined_full": full_gate["quarantined"],
        "dbt_build_s": round(dbt_build_s, 2),
        "dbt_staging_build_s": round(build_seconds(staging), 2),
        "gate_s": round(full_gate["seconds"], 2),
        "ratio_gate_to_dbt_build": round(full_gate["seconds"] / dbt_build_s, 3),
        "nightly_extract_s": round(extract_s, 2),
        "nightly_staging_build_s": round(build_seconds(nightly_staging), 2),
        "nightly_rows_checked": nightly_gate["rows_checked"],
        "nightly_gate_s": round(nightly_gate["seconds"], 2),
        "gate_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "stopped": full_gate["stopped"] or nightly_gate["stopped"],
    }
    report(
        f"quality gate, {args.leads:,} leads ({full_gate['rows_checked']:,} staged rows checked)",
        [
            ("dbt build, staging + models (s)", f"{results['dbt_build_s']:.1f}"),
            ("gate on the full load (s)", f"{results['gate_s']:.1f}"),
            ("ratio gate / dbt build", f"{results['ratio_gate_to_dbt_build']:.3f} (target <= 0.20)"),
            ("nightly batch rows checked", f"{results['nightly_rows_checked']:,}"),
            ("gate on the nightly batch (s)", f"{results['nightly_gate_s']:.1f}"),
            ("rows quarantined (full load)", f"{results['quarantined_full']:,}"),
        ],
        results,
        args.json,
    )
    return results


if __name__ == "__main__":
    main()
