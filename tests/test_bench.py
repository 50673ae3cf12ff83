"""The scale benchmark's pre-flight check (the benchmark itself is run by `revops bench`, not here)."""

import shutil

from benchmarks.bench import DISK_GB_PER_MILLION_LEADS, disk_shortfall


def test_disk_shortfall_warns_only_when_the_run_would_not_fit(tmp_path):
    free_gb = shutil.disk_usage(tmp_path).free / 1e9
    fits = int(free_gb / DISK_GB_PER_MILLION_LEADS * 1_000_000 * 0.9)
    too_big = int(free_gb / DISK_GB_PER_MILLION_LEADS * 1_000_000 * 1.1)

    assert disk_shortfall(tmp_path, fits) is None
    warning = disk_shortfall(tmp_path, too_big)
    assert warning is not None
    assert f"{too_big:,} leads" in warning
    assert str(tmp_path) in warning
