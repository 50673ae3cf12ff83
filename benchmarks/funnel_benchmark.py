"""Benchmark: the lifecycle + funnel dbt models against the same results hand-written in DuckDB.

    python -m benchmarks.funnel_benchmark --leads 2000000 [--json PATH]

Generates (once) a demo company of N leads, lands it in raw, then on fresh copies of that
warehouse times `dbt run` of the lifecycle and funnel models and the baseline SQL
(benchmarks/funnel_baseline.sql), checks that both produce identical tables, and reports both
times, the ratio and peak memory.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from benchmarks.harness import (
    Timed,
    benchmark_parser,
    build_seconds,
    dbt,
    demo_export,
    loaded_warehouse,
    parse_benchmark_args,
    progress,
    report,
    run_timed,
    table_differences,
)
from orchestration.warehouse import connect

SELECTION = ["+fct_funnel_cohort", "+fct_funnel_period", "+fct_lead_handoff_weekly"]
TABLES = ["fct_lead_lifecycle", "fct_funnel_cohort", "fct_funnel_period", "fct_lead_handoff", "fct_lead_handoff_weekly"]
BASELINE_SQL = Path(__file__).with_name("funnel_baseline.sql")
BASELINE_VALUES = {"company_time_zone": "America/New_York", "handoff_sla_hours": "24"}


def run_baseline(warehouse: Path) -> Timed:
    assignments = [f"{key}={value}" for key, value in BASELINE_VALUES.items()]
    return run_timed([sys.executable, "-m", "benchmarks.run_sql", str(warehouse), str(BASELINE_SQL), *assignments])


def main(argv: list[str] | None = None) -> dict:
    parser = benchmark_parser(__doc__, 2_000_000)
    parser.add_argument("--repeat", type=int, default=1, help="runs of each side; the fastest counts")
    args = parse_benchmark_args(parser, argv)

    args.workdir.mkdir(parents=True, exist_ok=True)
    export = demo_export(args.workdir, args.leads, args.seed)
    template = loaded_warehouse(args.workdir, export, f"funnel-{args.leads}")
    with connect(template, read_only=True) as conn:
        raw_rows = {t: conn.execute(f"select count(*) from raw.{t}").fetchone()[0] for t in ("lead", "lead_history")}

    dbt_runs, baseline_runs = [], []
    warehouse = args.workdir / f"funnel-{args.leads}-run.duckdb"
    for attempt in range(args.repeat):
        shutil.copy(template, warehouse)
        progress(f"run {attempt + 1}: dbt run -s {' '.join(SELECTION)}")
        dbt_runs.append(dbt(["run", "-s", *SELECTION], warehouse))
        if dbt_runs[-1].returncode != 0:
            raise SystemExit(dbt_runs[-1].output[-3000:])
        progress(f"run {attempt + 1}: baseline SQL")
        baseline_runs.append(run_baseline(warehouse))
        if baseline_runs[-1].returncode != 0:
            raise SystemExit(baseline_runs[-1].output[-3000:])

    checks = {table: table_differences(warehouse, f"marts.{table}", f"baseline.{table}") for table in TABLES}
    dbt_best = min(dbt_runs, key=lambda r: r.seconds)
    baseline_best = min(baseline_runs, key=lambda r: r.seconds)
    dbt_build = min(build_seconds(run) for run in dbt_runs)
    results = {
        "benchmark": "lifecycle_funnel",
        "leads": args.leads,
        "lead_history_rows": raw_rows["lead_history"],
        "dbt_s": round(dbt_best.seconds, 2),
        "dbt_build_s": round(dbt_build, 2),
        "baseline_s": round(baseline_best.seconds, 2),
        "ratio": round(dbt_build / baseline_best.seconds, 3),
        "ratio_with_cli_startup": round(dbt_best.seconds / baseline_best.seconds, 3),
        "dbt_peak_rss_mb": round(max(r.peak_rss_mb for r in dbt_runs)),
        "baseline_peak_rss_mb": round(max(r.peak_rss_mb for r in baseline_runs)),
        "identical": all(diff == 0 and marts == base for marts, base, diff in checks.values()),
        "tables": {table: {"rows": marts, "differing_rows": diff} for table, (marts, base, diff) in checks.items()},
    }
    report(
        f"lifecycle + funnel, {args.leads:,} leads / {raw_rows['lead_history']:,} LeadHistory rows",
        [
            ("dbt run: command (s)", f"{results['dbt_s']:.1f}  peak {results['dbt_peak_rss_mb']:,} MB"),
            ("dbt run: build, as dbt reports it (s)", f"{results['dbt_build_s']:.1f}"),
            ("DuckDB SQL baseline (s)", f"{results['baseline_s']:.1f}  peak {results['baseline_peak_rss_mb']:,} MB"),
            ("ratio dbt build / baseline", f"{results['ratio']:.2f}"),
            ("ratio dbt command / baseline", f"{results['ratio_with_cli_startup']:.2f}"),
            ("same results", "yes" if results["identical"] else f"NO: {checks}"),
        ],
        results,
        args.json,
    )
    return results


if __name__ == "__main__":
    main()
