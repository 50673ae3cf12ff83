"""Failures BI readers must not notice: a run killed mid-marts, reruns, and reading during a run.

BI tools read published.duckdb, which each successful run replaces atomically (orchestration/publish.py).
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

from orchestration.publish import CATALOG_TABLE, mart_digest_sql, published_path
from orchestration.warehouse import connect
from tests.conftest import run_pipeline

MARTS_STEP_STARTED = "revops_dbt_models"


def mart_digests(path: Path) -> dict[str, tuple[int, str]]:
    """Row count and content digest of every mart, computed from the data (not the catalog)."""
    with duckdb.connect(str(path), read_only=True) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "select table_name from information_schema.tables where table_schema = 'marts' "
                f"and table_type = 'BASE TABLE' and table_name <> '{CATALOG_TABLE}' order by 1"
            ).fetchall()
        ]
        return {t: conn.execute(mart_digest_sql(f'marts."{t}"')).fetchone() for t in tables}


def changed_export(source: Path, target: Path) -> Path:
    """The same export with one opportunity's amount changed (a new version to load)."""
    shutil.copytree(source, target)
    shutil.rmtree(target / "_demo", ignore_errors=True)
    path = target / "Opportunity.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    amount = rows[0].index("Amount")
    row = next(r for r in rows[1:] if re.fullmatch(r"[1-9]\d*(\.\d+)?", r[amount]))
    row[amount] = "987654.32"  # same SystemModstamp: the later load wins the tie
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return target


@pytest.fixture(scope="module")
def published_run(manifest, small_export, tmp_path_factory):
    warehouse = tmp_path_factory.mktemp("published") / "revops.duckdb"
    outcome = run_pipeline(small_export, warehouse)
    assert outcome.success, outcome.error
    return warehouse, mart_digests(published_path(warehouse))


def _start_run(export: Path, warehouse: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "orchestration.cli", "run", "--source", str(export), "--warehouse", str(warehouse)]
    return subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True
    )


def test_running_twice_on_the_same_input_gives_identical_marts(published_run, small_export):
    warehouse, before = published_run
    copy = warehouse.with_name("rerun.duckdb")
    shutil.copy(warehouse, copy)
    # The rerun goes through the installed `revops` script, as `make run` does: it exits 0, ends
    # with the summary and prints nothing after it (duckdb's nanobind "leaked" report at
    # interpreter teardown used to add ~40 lines).
    revops = Path(sys.executable).with_name("revops")
    done = subprocess.run(
        [str(revops), "run", "--source", str(small_export), "--warehouse", str(copy)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "rows quarantined this run" in done.stdout
    assert "nanobind" not in done.stderr and "leaked" not in done.stderr
    assert mart_digests(copy) == mart_digests(warehouse)  # the working marts
    assert mart_digests(published_path(copy)) == before  # and what readers get
    assert len(before) > 20


def test_a_run_killed_during_the_marts_step_leaves_the_published_marts_and_the_next_run_succeeds(
    published_run, small_export, tmp_path
):
    source, before = published_run
    warehouse = tmp_path / "revops.duckdb"
    shutil.copy(source, warehouse)
    shutil.copy(published_path(source), published_path(warehouse))
    export = changed_export(small_export, tmp_path / "export")

    process = _start_run(export, warehouse)
    for line in process.stdout:
        if MARTS_STEP_STARTED in line:
            break
    else:
        pytest.fail("the run ended before its marts step started")
    time.sleep(3)  # well inside the marts step (it takes tens of seconds)
    assert process.poll() is None, "the run finished before it could be killed"
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()

    assert mart_digests(published_path(warehouse)) == before  # readable and unchanged

    outcome = run_pipeline(export, warehouse)
    assert outcome.success, outcome.error
    after = mart_digests(published_path(warehouse))
    assert after.keys() == before.keys() and after != before  # the changed amount is published now


def test_a_concurrent_reader_never_sees_a_half_built_publication(published_run, small_export, tmp_path):
    source, _ = published_run
    warehouse = tmp_path / "revops.duckdb"
    shutil.copy(source, warehouse)
    shutil.copy(published_path(source), published_path(warehouse))
    export = changed_export(small_export, tmp_path / "export")
    reads, problems, runs_seen = [], [], set()
    done = threading.Event()

    def read_until_done():
        while not done.is_set():
            try:
                with duckdb.connect(str(published_path(warehouse)), read_only=True) as conn:
                    catalog = conn.execute(
                        f"select schema_name, table_name, row_count, run_id from marts.{CATALOG_TABLE}"
                    ).fetchall()
                    for schema, table, rows, run_id in catalog:
                        runs_seen.add(run_id)
                        [(actual,)] = conn.execute(f'select count(*) from {schema}."{table}"').fetchall()
                        if actual != rows:
                            problems.append(f"{table}: {actual} rows, catalog says {rows}")
                reads.append(len(catalog))
            except duckdb.Error as error:  # e.g. a file that is not a complete database
                problems.append(str(error))
            time.sleep(0.05)

    reader = threading.Thread(target=read_until_done)
    reader.start()
    try:
        outcome = run_pipeline(export, warehouse)
    finally:
        time.sleep(0.5)
        done.set()
        reader.join()
    assert outcome.success, outcome.error
    assert not problems, problems[:5]
    assert len(reads) > 20 and min(reads) == max(reads) > 20
    assert len(runs_seen) == 2, "the reader saw the previous publication and then the new one"


def test_published_catalog_matches_the_marts(published_run):
    warehouse, before = published_run
    with connect(published_path(warehouse), read_only=True) as conn:
        catalog = {
            t: (rows, digest)
            for t, rows, digest in conn.execute(
                f"select table_name, row_count, digest from marts.{CATALOG_TABLE} where schema_name = 'marts'"
            ).fetchall()
        }
    assert catalog == before
