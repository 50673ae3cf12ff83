"""Where a built warehouse's models spend their time: each model's compiled SQL runs again in
DuckDB with its profiler on, and the slowest operators are listed.

    python -m benchmarks.model_profile WAREHOUSE TARGET_DIR [MODEL ...] [--top N]

TARGET_DIR is a dbt target folder (manifest.json and compiled/), for example the bench's
warehouse/bench/bench-2000000/target-full-models, or one written by `dbt compile --target-path`.
A model runs as it was compiled there: the incremental branch if the target came from an
incremental run. The warehouse opens read-only and each select fills a temporary table, so
nothing is written. The figures are the SQL alone, one model at a time: dbt's run_results add
its own work per node and the other thread's model competing for the two cores.

This is how the range joins of int_opportunities were found (DECISIONS.md, Incremental nights).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from orchestration.warehouse import connect

PROFILED_MATERIALIZATIONS = ("table", "incremental")


@dataclass(frozen=True)
class Operator:
    seconds: float
    name: str
    rows: int
    detail: str


@dataclass(frozen=True)
class ModelProfile:
    model: str
    seconds: float
    rows: int
    operators: list[Operator]


def compiled_models(target: Path, names: list[str] | None = None) -> dict[str, Path]:
    """The table and incremental models of a target folder, by name, with their compiled SQL."""
    manifest = json.loads((target / "manifest.json").read_text())
    found = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model" or node["config"]["materialized"] not in PROFILED_MATERIALIZATIONS:
            continue
        compiled = target / "compiled" / node["package_name"] / node["original_file_path"]
        if compiled.exists() and (not names or node["name"] in names):
            found[node["name"]] = compiled
    missing = sorted(set(names or []) - set(found))
    if missing:
        raise SystemExit(f"no compiled table or incremental model named {', '.join(missing)} under {target}")
    return found


def _operators(node: dict) -> list[Operator]:
    detail = node.get("extra_info") or {}
    text = " ".join(f"{key}: {value}" for key, value in detail.items() if key != "Estimated Cardinality")
    own = [Operator(node.get("timing", 0.0), node.get("type", "?"), node.get("intermediate_rows", 0), text)]
    return own + [operator for child in node.get("children", []) for operator in _operators(child)]


def profile_models(warehouse: Path, models: dict[str, Path], top: int = 3) -> list[ModelProfile]:
    """Each model's select timed with DuckDB's JSON profile; slowest first."""
    profiles = []
    with tempfile.TemporaryDirectory() as scratch, connect(warehouse, read_only=True) as conn:
        output = Path(scratch) / "profile.json"
        for name, compiled in models.items():
            conn.execute("pragma enable_profiling = 'json'")
            conn.execute(f"pragma profiling_output = '{output}'")
            started = time.monotonic()
            conn.execute(f"create or replace temp table profiled_model as {compiled.read_text()}")
            seconds = time.monotonic() - started
            conn.execute("pragma disable_profiling")
            rows = conn.execute("select count(*) from profiled_model").fetchone()[0]
            tree = json.loads(output.read_text())
            operators = sorted(
                (operator for root in tree["operator"] for operator in _operators(root)),
                key=lambda operator: -operator.seconds,
            )
            profiles.append(ModelProfile(name, seconds, rows, operators[:top]))
    return sorted(profiles, key=lambda profile: -profile.seconds)


def print_profiles(profiles: list[ModelProfile]) -> None:
    width = max((len(profile.model) for profile in profiles), default=0)
    for profile in profiles:
        print(f"{profile.model:<{width}}  {profile.seconds:7.2f} s  {profile.rows:>12,} rows")
        for operator in profile.operators:
            line = f"{operator.seconds:6.2f} s  {operator.name} ({operator.rows:,} rows) {operator.detail}"
            print(f"{'':<{width}}    {line[:160]}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("warehouse", type=Path)
    parser.add_argument("target", type=Path, help="a dbt target folder: manifest.json and compiled/")
    parser.add_argument("models", nargs="*", help="model names (default: every table and incremental model)")
    parser.add_argument("--top", type=int, default=3, help="operators listed per model")
    args = parser.parse_args(argv)
    print_profiles(profile_models(args.warehouse, compiled_models(args.target, args.models), args.top))


if __name__ == "__main__":
    main()
