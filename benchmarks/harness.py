"""Shared benchmark plumbing: a cached demo warehouse, timed child processes, result tables."""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from orchestration.demo.params import BASE_LEADS
from orchestration.extract.contract import load_contract
from orchestration.extract.export_source import snapshot_directory
from orchestration.extract.loader import LoadBatch, land_snapshot
from orchestration.extract.snapshot import demo_params, generate_demo_unless_current
from orchestration.ledger import git_commit
from orchestration.settings import DBT_PROJECT_DIR, REPO_ROOT
from orchestration.warehouse import connect

DEFAULT_WORKDIR = REPO_ROOT / "warehouse" / "bench"


@dataclass(frozen=True)
class Timed:
    seconds: float
    peak_rss_mb: float
    returncode: int
    output: str


def benchmark_parser(doc: str, default_leads: int) -> argparse.ArgumentParser:
    """The options every benchmark takes: company size, seed, work folder, JSON output."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--leads", type=int, default=default_leads)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    parser.add_argument("--json", help="write the results here")
    return parser


def parse_benchmark_args(parser: argparse.ArgumentParser, argv: list[str] | None) -> argparse.Namespace:
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    return args


def progress(message: str) -> None:
    print(f"{datetime.now():%H:%M:%S}  {message}", file=sys.stderr, flush=True)


PEAK_MEMORY = Path(__file__).with_name("peak_memory.py")


def run_timed(command: list[str], env: dict | None = None, cwd: Path | None = None) -> Timed:
    """Run a child process; its wall time and its own peak resident memory. The command starts
    from a small launcher (peak_memory.py): started from this process, its ru_maxrss would
    include this process's high-water mark."""
    with tempfile.TemporaryDirectory() as scratch:
        measured = Path(scratch) / "measured.json"
        launched = [sys.executable, str(PEAK_MEMORY), str(measured), *command]
        output = subprocess.run(
            launched, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        ).stdout
        if not measured.exists():  # the command could not be started at all
            raise RuntimeError(f"could not run {command[0]}: {output.strip()[-2000:]}")
        result = json.loads(measured.read_text())
    return Timed(result["seconds"], result["peak_rss_kb"] / 1024, result["returncode"], output)


def _children_by_parent() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # "pid (command) state ppid ...": the command may hold spaces, so split after its ")".
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue  # the process ended while we looked
        children.setdefault(ppid, []).append(int(stat.parent.name))
    return children


def _resident_mb(pid: int) -> float:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    line = next((line for line in status.splitlines() if line.startswith("VmRSS:")), None)
    return int(line.split()[1]) / 1024 if line else 0.0


def tree_resident_mb() -> float:
    """Resident memory of this process and all its descendants, summed (shared pages counted in
    each, so never less than what they hold together)."""
    children = _children_by_parent()
    pending, total = [os.getpid()], 0.0
    while pending:
        pid = pending.pop()
        total += _resident_mb(pid)
        pending += children.get(pid, [])
    return total


class MemoryWatch:
    """The peak of tree_resident_mb() while the block runs, sampled twice a second: the benchmark
    holds its memory while its dbt and DuckDB children run, so what must fit in RAM is their sum,
    not any one process's peak. (The machine's MemAvailable cannot tell: on this VM it moved by a
    quarter of a 600 MB allocation.)"""

    def __init__(self, interval_s: float = 0.5):
        self.interval_s = interval_s
        self.peak_mb = tree_resident_mb()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(self.interval_s):
            self.peak_mb = max(self.peak_mb, tree_resident_mb())

    def __enter__(self) -> MemoryWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak_mb = max(self.peak_mb, tree_resident_mb())


def demo_export(workdir: Path, leads: int, seed: int, as_of: str = "") -> Path:
    suffix = f"-asof{as_of[:10]}" if as_of else ""
    export = workdir / f"demo-{leads}-seed{seed}{suffix}"
    progress(f"the demo company with {leads:,} leads{' as of ' + as_of if as_of else ''}")
    if generate_demo_unless_current(export, demo_params(leads / BASE_LEADS, seed, as_of), progress):
        for stale in workdir.glob("*-raw.duckdb"):  # raw templates landed from the older demo
            stale.unlink()
    return export


def land_export(warehouse: Path, export: Path, batch_id: str) -> float:
    """Land an export into a warehouse's raw layer (as a nightly extraction does); seconds taken."""
    started = time.monotonic()
    contract = load_contract(DBT_PROJECT_DIR)
    snapshot = snapshot_directory(export, contract, location=str(export), label=export.name)
    with connect(warehouse) as conn:
        land_snapshot(conn, contract, snapshot, LoadBatch(batch_id, datetime.now(UTC).replace(tzinfo=None)))
    return time.monotonic() - started


def loaded_warehouse(workdir: Path, export: Path, name: str) -> Path:
    """A warehouse with the export landed in raw and the seeds loaded (built once, then copied)."""
    template = workdir / f"{name}-raw.duckdb"
    if not template.exists():
        progress(f"extracting {export.name} into raw")
        partial = template.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        land_export(partial, export, "benchmark")
        seeded = dbt(["seed"], partial)
        if seeded.returncode != 0:
            raise RuntimeError(seeded.output[-3000:])
        partial.rename(template)
    return template


# Two exports of the demo company one day apart: a full load (A), then a nightly batch (B).
EXPORT_A, EXPORT_B = "2026-09-29T06:00:00", "2026-09-30T06:00:00"


def nightly_pair(args: argparse.Namespace, name: str) -> tuple[Path, Path]:
    """Export A landed into a fresh working copy of the warehouse, and export B for the night:
    returns (export B, working warehouse)."""
    export_a = demo_export(args.workdir, args.leads, args.seed, EXPORT_A)
    export_b = demo_export(args.workdir, args.leads, args.seed, EXPORT_B)
    template = loaded_warehouse(args.workdir, export_a, f"{name}-{args.leads}")
    warehouse = args.workdir / f"{name}-{args.leads}-run.duckdb"
    shutil.copy(template, warehouse)
    return export_b, warehouse


def dbt_environment(warehouse: Path) -> dict:
    return {
        **os.environ,
        "REVOPS_WAREHOUSE": str(warehouse),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DBT_USE_COLORS": "false",
    }


def dbt(args: list[str], warehouse: Path, target_path: Path | None = None) -> Timed:
    executable = Path(sys.executable).with_name("dbt")
    extra = ["--target-path", str(target_path)] if target_path else []
    return run_timed([str(executable), *args, *extra], env=dbt_environment(warehouse), cwd=DBT_PROJECT_DIR)


def node_seconds(target_path: Path, model: str) -> float:
    """A model's execution time in a dbt invocation (run_results.json)."""
    results = json.loads((target_path / "run_results.json").read_text())["results"]
    return next(r["execution_time"] for r in results if r["unique_id"].endswith(f".{model}"))


def build_seconds(run: Timed) -> float:
    """dbt's own figure for the build ("Finished running ... (X s)"): the command minus CLI start-up."""
    match = re.search(r"Finished running .* \(([0-9.]+)s\)", run.output)
    return float(match.group(1)) if match else run.seconds


def table_differences(warehouse: Path, left: str, right: str) -> tuple[int, int, int]:
    """(rows left, rows right, rows in one but not the other); doubles compared to 9 decimals."""
    schema, table = left.split(".")
    with connect(warehouse, read_only=True) as conn:
        columns = conn.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = ? and table_name = ? order by ordinal_position",
            [schema, table],
        ).fetchall()
        select = ", ".join(f"round({name}, 9)" if kind == "DOUBLE" else name for name, kind in columns)
        left_rows = conn.execute(f"select count(*) from {left}").fetchone()[0]
        right_rows = conn.execute(f"select count(*) from {right}").fetchone()[0]
        differing = conn.execute(
            f"""
            select count(*) from (
                (select {select} from {left} except all select {select} from {right})
                union all
                (select {select} from {right} except all select {select} from {left})
            )
            """
        ).fetchone()[0]
    return left_rows, right_rows, differing


def python_loop_seconds(iterations: int = 10_000_000, tries: int = 3) -> float:
    """The fastest of a few empty Python loops: a coarse marker of how fast this host runs dbt's
    own Python. Hosts of this VM type have differed by ~2x in it from one day to the next (and
    drift within a run), so a result carries it."""
    fastest = float("inf")
    for _ in range(tries):
        started = time.perf_counter()
        for _ in range(iterations):
            pass
        fastest = min(fastest, time.perf_counter() - started)
    return round(fastest, 3)


def provenance() -> dict:
    """Which code ran, when, and on what, so results saved over time can be compared."""
    return {
        "code": git_commit(),
        "recorded_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "host": {"cpus": os.cpu_count(), "python_loop_10m_s": python_loop_seconds()},
    }


def report(title: str, rows: list[tuple[str, str]], results: dict, json_path: str | None) -> None:
    width = max(len(label) for label, _ in rows)
    print(f"\n{title}")
    for label, value in rows:
        print(f"  {label:<{width}}  {value}")
    if json_path:
        Path(json_path).parent.mkdir(parents=True, exist_ok=True)
        Path(json_path).write_text(json.dumps({**results, **provenance()}, indent=2, default=str))
        print(f"  results written to {json_path}")
