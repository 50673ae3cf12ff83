"""`revops`: a thin command line over the demo generator, Dagster and dbt."""

from __future__ import annotations

import argparse
import atexit
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


def _warehouse(args: argparse.Namespace) -> Path:
    return Path(args.warehouse).resolve() if args.warehouse else settings.warehouse_path()


def _published(args: argparse.Namespace) -> Path | None:
    """The published copy beside the warehouse; None (and a message) before the first run."""
    from orchestration.publish import published_path

    published = published_path(_warehouse(args))
    if not published.exists():
        print(f"ERROR: nothing published yet at {published}; run `revops run` first", file=sys.stderr)
        return None
    return published


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

    warehouse = _warehouse(args)
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


def _metrics(args: argparse.Namespace) -> int:
    from pyarrow import csv

    from orchestration.semantic_layer import SemanticLayer, SemanticLayerError

    layer = SemanticLayer()
    if args.action == "list":
        print("\n".join(layer.metric_names()))
        return 0
    if not args.metrics:
        print("ERROR: --metrics is required (see `revops metrics list`)", file=sys.stderr)
        return 2
    published = _published(args)
    if published is None:
        return 1
    request = {
        "metrics": _names(args.metrics),
        "group_by": _names(args.group_by),
        "where": args.where or [],
        "order_by": _names(args.order_by),
        "limit": args.limit,
    }
    try:
        if args.explain:
            print(layer.compile(**request))
            return 0
        table = layer.query(published, **request)
    except SemanticLayerError as error:
        print(f"ERROR: {error}", file=sys.stderr)
        return 2
    if args.csv:
        csv.write_csv(table, args.csv)
        print(f"{table.num_rows} rows written to {args.csv}")
    else:
        print(table.slice(0, args.show).to_pandas().to_string(index=False))
        if table.num_rows > args.show:
            print(f"... {table.num_rows - args.show} more rows (use --csv PATH for all)")
    return 0


def _publish(args: argparse.Namespace) -> int:
    from orchestration.publish_postgres import publish_to_postgres, redact_dsn

    dsn = args.dsn or os.environ.get("REVOPS_PG_DSN")
    if not dsn:
        print("ERROR: give --dsn postgresql://user:password@host:port/db or set REVOPS_PG_DSN", file=sys.stderr)
        return 2
    published = _published(args)
    if published is None:
        return 1
    print(f"publishing {published} to {redact_dsn(dsn)} (schema analytics)", flush=True)
    try:
        result = publish_to_postgres(
            published, dsn, reader_password=os.environ.get("REVOPS_PG_BI_PASSWORD"), progress=print
        )
    except Exception as error:  # psycopg raises many kinds; the message is what the user needs
        print(f"ERROR: publishing to {redact_dsn(dsn)} failed, analytics left as it was: {error}", file=sys.stderr)
        return 1
    print(f"{len(result.tables)} tables, {sum(result.tables.values()):,} rows in {result.seconds:.1f}s")
    return 0


def _bi(args: argparse.Namespace) -> int:
    from orchestration.bi_artifacts import generate_all
    from orchestration.dbt import DBT_PROJECT, prepare_manifest

    prepare_manifest()
    for path in generate_all(DBT_PROJECT.manifest_path):
        print(path.relative_to(settings.REPO_ROOT))
    return 0


def _lineage(args: argparse.Namespace) -> int:
    from orchestration.lineage import ColumnRef, LineageError, LineageGraph, compiled_manifest, render_tree, sources_of

    model, _, column = args.column.rpartition(".")
    if not model or not column:
        print("ERROR: give <model>.<column>, e.g. fct_quota_attainment.attainment_pct", file=sys.stderr)
        return 2
    warehouse = _warehouse(args)
    try:
        graph = LineageGraph(compiled_manifest(), warehouse)
        start = ColumnRef(*graph.find(model), column)
        edges = graph.edges(start)
    except LineageError as error:
        print(f"ERROR: {error}", file=sys.stderr)
        return 2
    print("\n".join(render_tree(graph, edges, start)))
    print("\nsource columns: " + ", ".join(str(ref) for ref in sources_of(graph, edges)))
    return 0


def _report(args: argparse.Namespace) -> int:
    from orchestration.report import write_report

    published = _published(args)
    if published is None:
        return 1
    out = Path(args.out).resolve() if args.out else published.parent / "report" / "revenue_sync.html"
    print(f"report: {write_report(published, out)}")
    return 0


def _docs(args: argparse.Namespace) -> int:
    from orchestration.dbt import prepare_manifest
    from orchestration.docs import DocsError, build_docs

    prepare_manifest()
    warehouse = _warehouse(args)
    try:
        index = build_docs(warehouse)
    except DocsError as error:
        print(f"ERROR: {error}", file=sys.stderr)
        return 1
    print(f"docs: {index}")
    return 0


def _copy_raw(args: argparse.Namespace) -> int:
    from orchestration.postgres_raw import copy_raw_to_postgres
    from orchestration.publish_postgres import redact_dsn

    warehouse = _warehouse(args)
    counts = copy_raw_to_postgres(warehouse, args.dsn)
    print(f"copied {len(counts)} tables, {sum(counts.values()):,} rows of raw and quarantine to {redact_dsn(args.dsn)}")
    print("now: cd dbt_project && REVOPS_DBT_TARGET=postgres REVOPS_PG_HOST=... dbt build")
    return 0


def _spark_landing(args: argparse.Namespace) -> int:
    from orchestration.spark_landing import land_for_spark

    counts = land_for_spark(_warehouse(args), Path(args.out).resolve())
    print(f"wrote {len(counts)} tables, {sum(counts.values()):,} rows of raw, quarantine and audit to {args.out}")
    print(f"now: cd dbt_project && REVOPS_DBT_TARGET=spark REVOPS_SPARK_LANDING={Path(args.out).resolve()} dbt build")
    return 0


def _names(values: list[str] | None) -> list[str]:
    return [name.strip() for value in values or [] for name in value.split(",") if name.strip()]


def _bench(args: argparse.Namespace) -> int:
    # benchmarks/ lives beside the package (it is not installed): run from the checkout.
    sys.path.insert(0, str(settings.REPO_ROOT))
    from benchmarks.bench import main as bench

    options = ["--leads", str(args.leads), "--seed", str(args.seed), "--workdir", args.workdir]
    bench(
        [*options, *(["--json", args.json] if args.json else []), *(["--dev-loop-only"] if args.dev_loop_only else [])]
    )
    return 0


def _warehouse_option(command: argparse.ArgumentParser, what: str) -> None:
    command.add_argument(
        "--warehouse", help=f"DuckDB file {what} (default: $REVOPS_WAREHOUSE or warehouse/revops.duckdb)"
    )


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
    _warehouse_option(run, "to build")
    run.add_argument("--scale", type=float, default=1.0, help="demo scale when --source demo")
    run.add_argument("--seed", type=int, default=42, help="demo seed when --source demo")
    run.add_argument("--as-of", help="demo export time when --source demo")
    run.add_argument("--verbose", action="store_true", help="Dagster debug logs")
    run.set_defaults(handler=_run)

    prepare = commands.add_parser("prepare", help="parse the dbt project into its manifest")
    prepare.add_argument("--force", action="store_true")
    prepare.set_defaults(handler=_prepare)

    metrics = commands.add_parser("metrics", help="query the semantic layer (MetricFlow) on the published warehouse")
    metrics.add_argument("action", choices=["query", "list"])
    metrics.add_argument("--metrics", action="append", help="metric names, comma separated")
    metrics.add_argument(
        "--group-by", action="append", help="e.g. metric_time__month, metric_time__fiscal_quarter, lead__channel"
    )
    metrics.add_argument(
        "--where", action="append", help="MetricFlow filter, e.g. \"{{ Dimension('lead__region') }} = 'EMEA'\""
    )
    metrics.add_argument("--order-by", action="append", help="e.g. -metric_time__month for descending")
    metrics.add_argument("--limit", type=int)
    metrics.add_argument("--explain", action="store_true", help="print the SQL instead of running it")
    metrics.add_argument("--csv", help="write all rows to this CSV file")
    metrics.add_argument("--show", type=int, default=50, help="rows to print (default 50)")
    _warehouse_option(metrics, "whose published copy is read")
    metrics.set_defaults(handler=_metrics)

    publish = commands.add_parser("publish", help="publish the published marts and metrics to PostgreSQL")
    publish.add_argument("--dsn", help="postgresql://user:password@host:port/db (default: $REVOPS_PG_DSN)")
    _warehouse_option(publish, "whose published copy is sent")
    publish.set_defaults(handler=_publish)

    lineage = commands.add_parser("lineage", help="which source columns a mart column is computed from")
    lineage.add_argument("column", help="<model>.<column>, e.g. fct_quota_attainment.attainment_pct")
    _warehouse_option(lineage, "whose columns expand select *")
    lineage.set_defaults(handler=_lineage)

    report = commands.add_parser("report", help="write the static HTML revenue-sync report")
    report.add_argument("--out", help="HTML file (default: <warehouse dir>/report/revenue_sync.html)")
    _warehouse_option(report, "whose published copy is reported")
    report.set_defaults(handler=_report)

    docs = commands.add_parser("docs", help="static dbt docs (with lineage) and the latest GX Data Docs")
    _warehouse_option(docs, "to document")
    docs.set_defaults(handler=_docs)

    copy_raw = commands.add_parser(
        "copy-raw", help="copy raw and quarantine to PostgreSQL, to build the dbt project there"
    )
    copy_raw.add_argument("--dsn", required=True, help="postgresql://user:password@host:port/db")
    _warehouse_option(copy_raw, "whose raw layer is copied")
    copy_raw.set_defaults(handler=_copy_raw)

    spark_landing = commands.add_parser(
        "spark-landing", help="write raw, quarantine and the load log as Parquet for the spark target"
    )
    spark_landing.add_argument("--out", default=str(settings.REPO_ROOT / "warehouse" / "spark" / "landing"))
    _warehouse_option(spark_landing, "whose raw layer is written")
    spark_landing.set_defaults(handler=_spark_landing)

    bi = commands.add_parser("bi", help="regenerate LookML, Metabase metadata and dbt exposures")
    bi.set_defaults(handler=_bi)

    bench = commands.add_parser("bench", help="scale benchmark: full and nightly build, gate, SQL baseline")
    bench.add_argument("--leads", type=int, default=2_000_000, help="demo company size (20,000 = scale 1)")
    bench.add_argument("--seed", type=int, default=42)
    bench.add_argument(
        "--workdir", default=str(settings.REPO_ROOT / "warehouse" / "bench"), help="exports and warehouses"
    )
    bench.add_argument("--json", help="also write the results here")
    bench.add_argument(
        "--dev-loop-only", action="store_true", help="only `dbt build -s <one mart>` on a built default demo"
    )
    bench.set_defaults(handler=_bench)

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


def entry() -> None:
    """The `revops` console script: main(), the atexit handlers, then exit without the module
    teardown. After a Dagster run, duckdb 2.0's nanobind bindings find their type constants still
    alive at teardown and print ~40 lines of "nanobind: leaked ..." under the summary; nothing is
    leaked that outlives the process. An exception still takes the normal path (its traceback)."""
    code = main()
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    entry()
