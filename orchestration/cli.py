"""`revops`: a thin command line over the demo generator, Dagster and dbt."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

from orchestration import settings

QUIET_ENVIRONMENT = {
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    "DO_NOT_TRACK": "1",
    "DAGSTER_DISABLE_TELEMETRY": "1",
}
DAGSTER_YAML = Path(__file__).with_name("dagster.yaml")


def _demo(args: argparse.Namespace) -> int:
    from orchestration.demo.generate import generate_demo
    from orchestration.extract.snapshot import demo_params

    truth = generate_demo(Path(args.out).resolve(), demo_params(args.scale, args.seed, args.as_of or ""))
    print(f"{sum(truth['row_counts'].values()):,} rows in {len(truth['row_counts'])} files; truth in _demo/truth.json")
    return 0


def _run(args: argparse.Namespace) -> int:
    from orchestration.pipeline import run_nightly
    from orchestration.quality.report import quality_report
    from orchestration.summary import format_summary

    warehouse = Path(args.warehouse).resolve() if args.warehouse else settings.warehouse_path()
    location = args.source if args.source == "demo" else str(Path(args.source).expanduser().resolve())
    print(f"revops run: source={location} warehouse={warehouse}", flush=True)
    outcome = run_nightly(
        location,
        warehouse,
        demo_scale=args.scale,
        demo_seed=args.seed,
        demo_as_of=args.as_of or "",
        log_level="DEBUG" if args.verbose else "INFO",
    )
    report = quality_report(outcome.warehouse, outcome.run_id) if outcome.warehouse.exists() else None
    if not outcome.success:
        if report:
            print(report)
        print(f"\nERROR: {outcome.error}", file=sys.stderr)
        return 1
    print(format_summary(outcome.warehouse, outcome.run_id, outcome.seconds))
    if report:
        print(report)
    return 0


def _prepare(args: argparse.Namespace) -> int:
    from orchestration.dbt import prepare_manifest

    print(f"dbt manifest: {prepare_manifest(force=args.force)}")
    return 0


def _ui(args: argparse.Namespace) -> int:
    from orchestration.dbt import prepare_manifest

    prepare_manifest()
    home = Path(os.environ.setdefault("DAGSTER_HOME", str(settings.REPO_ROOT / ".dagster")))
    home.mkdir(parents=True, exist_ok=True)
    if not (home / "dagster.yaml").exists():
        shutil.copy(DAGSTER_YAML, home / "dagster.yaml")
    dagster = shutil.which("dagster", path=str(Path(sys.executable).parent)) or "dagster"
    command = [dagster, "dev", "-m", "orchestration.definitions", "-h", "127.0.0.1", "-p", str(args.port)]
    print(" ".join(command), flush=True)
    os.execv(dagster, command)
    return 0  # not reached


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="revops", description="RevOps warehouse: extract, model, check, serve.")
    commands = root.add_subparsers(dest="command", required=True)

    demo = commands.add_parser("demo", help="write the demo company as an export directory")
    demo.add_argument("--out", required=True, help="directory to write (replaced)")
    demo.add_argument("--scale", type=float, default=1.0, help="1.0 = 20,000 leads over 24 months")
    demo.add_argument("--seed", type=int, default=42)
    demo.add_argument("--as-of", help="export the company as it was at this UTC time (ISO 8601)")
    demo.set_defaults(handler=_demo)

    run = commands.add_parser("run", help="run the nightly job in-process")
    run.add_argument("--source", default="demo", help="'demo', an export directory, or a .zip")
    run.add_argument("--warehouse", help="DuckDB file (default: $REVOPS_WAREHOUSE or warehouse/revops.duckdb)")
    run.add_argument("--scale", type=float, default=1.0, help="demo scale when --source demo")
    run.add_argument("--seed", type=int, default=42, help="demo seed when --source demo")
    run.add_argument("--as-of", help="demo export time when --source demo")
    run.add_argument("--verbose", action="store_true", help="Dagster debug logs")
    run.set_defaults(handler=_run)

    prepare = commands.add_parser("prepare", help="parse the dbt project into its manifest")
    prepare.add_argument("--force", action="store_true")
    prepare.set_defaults(handler=_prepare)

    ui = commands.add_parser("ui", help="dagster dev on 127.0.0.1 (asset graph, runs, schedule)")
    ui.add_argument("--port", type=int, default=3000)
    ui.set_defaults(handler=_ui)
    return root


def main(argv: list[str] | None = None) -> int:
    for key, value in QUIET_ENVIRONMENT.items():
        os.environ.setdefault(key, value)
    if not sys.stdout.isatty():
        os.environ.setdefault("DBT_USE_COLORS", "false")
    args = parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
