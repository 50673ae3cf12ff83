"""The scale benchmark's own plumbing: its pre-flight check, its memory measurements, its saved
results and the model profiler (the benchmark itself is run by `revops bench`, not here)."""

import json
import shutil
import subprocess
import sys
from datetime import UTC, datetime

import pytest

from benchmarks.bench import DISK_GB_PER_MILLION_LEADS, disk_shortfall
from benchmarks.harness import MemoryWatch, report, run_timed, tree_resident_mb
from benchmarks.model_profile import compiled_models, profile_models
from orchestration.settings import REPO_ROOT
from orchestration.warehouse import connect
from tests.conftest import dbt


def test_disk_shortfall_warns_only_when_the_run_would_not_fit(tmp_path):
    free_gb = shutil.disk_usage(tmp_path).free / 1e9
    fits = int(free_gb / DISK_GB_PER_MILLION_LEADS * 1_000_000 * 0.9)
    too_big = int(free_gb / DISK_GB_PER_MILLION_LEADS * 1_000_000 * 1.1)

    assert disk_shortfall(tmp_path, fits) is None
    warning = disk_shortfall(tmp_path, too_big)
    assert warning is not None
    assert f"{too_big:,} leads" in warning
    assert str(tmp_path) in warning


def test_saved_results_name_the_code_the_time_and_the_host(tmp_path, capsys):
    # Results are compared over time, across hosts whose speed differs by ~2x: each file says
    # which commit ran, when, and how fast this host's Python was.
    path = tmp_path / "results" / "bench.json"
    started = datetime.now(UTC).replace(microsecond=0)
    report("a benchmark", [("step", "1.0 s")], {"leads": 20_000, "full_build_s": 1.0}, str(path))

    saved = json.loads(path.read_text())
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True).stdout.strip()
    assert saved["leads"] == 20_000 and saved["full_build_s"] == 1.0
    assert saved["code"] in (head, f"{head}+dirty")
    assert started <= datetime.fromisoformat(saved["recorded_at"]) <= datetime.now(UTC)
    assert saved["host"]["cpus"] >= 1
    assert 0 < saved["host"]["python_loop_10m_s"] < 10
    assert f"results written to {path}" in capsys.readouterr().out


def _touched(megabytes: int) -> bytearray:
    """Memory that is really resident: every page written."""
    block = bytearray(megabytes * 2**20)
    block[:: 2**12] = b"x" * len(block[:: 2**12])
    return block


def test_a_child_reports_its_own_peak_memory_not_the_benchmarks():
    # Regression: children took the benchmark's high-water mark (Linux folds a parent's into a
    # child's ru_maxrss across fork and exec), so every dbt step "peaked" at the gate's memory.
    held = _touched(1024)
    child = run_timed([sys.executable, "-c", "x = bytearray(100 * 2**20); x[::4096] = b'x' * len(x[::4096])"])
    assert child.returncode == 0
    assert 100 <= child.peak_rss_mb < 400
    assert len(held) == 1024 * 2**20


def test_a_command_that_cannot_start_is_named():
    with pytest.raises(RuntimeError, match="could not run /no/such/program"):
        run_timed(["/no/such/program"])


def test_a_failing_child_keeps_its_exit_code_and_output():
    child = run_timed([sys.executable, "-c", "print('bad input'); raise SystemExit(3)"])
    assert child.returncode == 3
    assert "bad input" in child.output


def test_memory_watch_adds_up_the_benchmark_and_its_children():
    # A child holding 300 MB while this process holds 400 MB: the watch's peak is their sum.
    with MemoryWatch(interval_s=0.1) as watch:
        before = tree_resident_mb()
        held = _touched(400)
        child = "import time; x = bytearray(300 * 2**20); x[::4096] = b'x' * len(x[::4096]); time.sleep(1)"
        run_timed([sys.executable, "-c", child])
    assert watch.peak_mb - before >= 600
    assert len(held) == 400 * 2**20


def test_model_profile_times_each_models_sql_and_names_its_slowest_operators(small_run, tmp_path):
    # Tables rebuilt whole: an incremental model compiled on a built warehouse is its nightly
    # select, whose rows are that night's changes, not the table.
    models = ["int_quota_targets", "fct_quota_attainment"]
    target = tmp_path / "target"
    compiled = dbt("compile", ["-s", *models], small_run.warehouse, target)
    assert compiled.returncode == 0, compiled.stdout[-2000:]

    profiles = profile_models(small_run.warehouse, compiled_models(target, models), top=2)

    assert {profile.model for profile in profiles} == set(models)
    assert profiles[0].seconds >= profiles[1].seconds > 0
    with connect(small_run.warehouse, read_only=True) as conn:
        for profile in profiles:
            schema = "intermediate" if profile.model.startswith("int_") else "marts"
            assert profile.rows == conn.execute(f"select count(*) from {schema}.{profile.model}").fetchone()[0]
            assert len(profile.operators) == 2
            assert profile.operators[0].seconds >= profile.operators[1].seconds
            assert all(operator.name.isupper() for operator in profile.operators)
    with pytest.raises(SystemExit, match="no_such_model"):
        compiled_models(target, ["no_such_model"])
