"""Benchmark: the daily pipeline snapshot, full build against hand-written DuckDB SQL, and the
nightly incremental run against a full rebuild.

    python -m benchmarks.pipeline_benchmark --leads 3300000 [--json PATH]

Two exports of the same demo company one day apart (A, then B). On A: `dbt run` of the snapshot
and everything upstream, timed against benchmarks/pipeline_baseline.sql (same result, checked).
Then B is extracted into the same warehouse and the nightly `dbt run` updates the snapshot
incrementally; its model time is compared with a full refresh of the snapshot on B, and the two
tables must be equal.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from benchmarks.harness import (
    benchmark_parser,
    build_seconds,
    dbt,
    land_export,
    nightly_pair,
    node_seconds,
    parse_benchmark_args,
    progress,
    report,
    run_timed,
    table_differences,
)
from orchestration.warehouse import connect

MODEL = "fct_pipeline_snapshot_daily"
BASELINE_SQL = Path(__file__).with_name("pipeline_baseline.sql")
BASELINE_VALUES = {"company_time_zone": "America/New_York", "reporting_currency": "USD", "corporate_currency": "USD"}


def checked(run, what: str):
    if run.returncode != 0:
        raise SystemExit(f"{what} failed:\n{run.output[-3000:]}")
    return run


def main(argv: list[str] | None = None) -> dict:
    args = parse_benchmark_args(benchmark_parser(__doc__, 3_300_000), argv)
    work = args.workdir

    export_b, warehouse = nightly_pair(args, "pipeline")
    with connect(warehouse, read_only=True) as conn:
        opportunities, history = (
            conn.execute(f"select count(*) from raw.{table}").fetchone()[0]
            for table in ("opportunity", "opportunity_history")
        )

    progress(f"full build on export A: dbt run -s +{MODEL}")
    full = checked(dbt(["run", "-s", f"+{MODEL}"], warehouse, work / "target-full"), "dbt full build")
    progress("baseline SQL on export A")
    assignments = [f"{key}={value}" for key, value in BASELINE_VALUES.items()]
    baseline = checked(
        run_timed([sys.executable, "-m", "benchmarks.run_sql", str(warehouse), str(BASELINE_SQL), *assignments]),
        "baseline",
    )
    baseline_check = table_differences(warehouse, f"marts.{MODEL}", f"baseline.{MODEL}")

    progress("nightly: extract export B into the same warehouse")
    extract_seconds = land_export(warehouse, export_b, "benchmark-nightly")
    progress(f"nightly: dbt run -s +{MODEL} (snapshot incremental)")
    nightly = checked(dbt(["run", "-s", f"+{MODEL}"], warehouse, work / "target-nightly"), "dbt nightly run")
    rebuilt = work / f"pipeline-{args.leads}-rebuilt.duckdb"
    shutil.copy(warehouse, rebuilt)
    progress(f"full refresh of {MODEL} on export B, for comparison")
    refresh = checked(dbt(["run", "-s", MODEL, "--full-refresh"], rebuilt, work / "target-refresh"), "dbt full refresh")
    with connect(rebuilt) as conn:
        conn.execute(f"attach '{warehouse}' as nightly (read_only)")
        conn.execute(f"create or replace table baseline.nightly_snapshot as select * from nightly.marts.{MODEL}")
    incremental_check = table_differences(rebuilt, f"marts.{MODEL}", "baseline.nightly_snapshot")

    incremental_s = node_seconds(work / "target-nightly", MODEL)
    refresh_s = node_seconds(work / "target-refresh", MODEL)
    full_build_s = build_seconds(full)
    results = {
        "benchmark": "pipeline_snapshot",
        "leads": args.leads,
        "opportunities": opportunities,
        "opportunity_history_rows": history,
        "snapshot_rows": baseline_check[0],
        "full_build_s": round(full_build_s, 2),
        "full_build_command_s": round(full.seconds, 2),
        "baseline_s": round(baseline.seconds, 2),
        "ratio_full_to_baseline": round(full_build_s / baseline.seconds, 3),
        "snapshot_full_refresh_s": round(refresh_s, 2),
        "snapshot_incremental_s": round(incremental_s, 2),
        "ratio_incremental_to_full": round(incremental_s / refresh_s, 3),
        "nightly_extract_s": round(extract_seconds, 2),
        "nightly_dbt_build_s": round(build_seconds(nightly), 2),
        "peak_rss_mb": round(max(full.peak_rss_mb, nightly.peak_rss_mb, refresh.peak_rss_mb)),
        "baseline_identical": baseline_check[2] == 0 and baseline_check[0] == baseline_check[1],
        "incremental_equals_full_refresh": incremental_check[2] == 0 and incremental_check[0] == incremental_check[1],
    }
    report(
        f"daily pipeline snapshot, {args.leads:,} leads / {opportunities:,} opportunities / {history:,} history rows",
        [
            ("full build, dbt (s)", f"{results['full_build_s']:.1f} (command {results['full_build_command_s']:.1f})"),
            ("full build, DuckDB SQL baseline (s)", f"{results['baseline_s']:.1f}"),
            ("ratio dbt / baseline", f"{results['ratio_full_to_baseline']:.2f}"),
            ("snapshot model, full refresh (s)", f"{results['snapshot_full_refresh_s']:.1f}"),
            ("snapshot model, nightly incremental (s)", f"{results['snapshot_incremental_s']:.1f}"),
            ("ratio incremental / full", f"{results['ratio_incremental_to_full']:.3f}"),
            ("same result as baseline", str(results["baseline_identical"])),
            ("incremental equals full refresh", str(results["incremental_equals_full_refresh"])),
        ],
        results,
        args.json,
    )
    return results


if __name__ == "__main__":
    main()
