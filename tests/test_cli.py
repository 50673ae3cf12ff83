"""The command line: demo, run (success and a clear failure)."""

from __future__ import annotations

import pytest

from orchestration.cli import main
from tests.exports import MINIMAL, without_column, write_export


def test_demo_command_writes_an_export(tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path / "out"), "--scale", "0.01", "--seed", "5"]) == 0
    assert (tmp_path / "out" / "Lead.csv").exists()
    assert "rows in 23 files" in capsys.readouterr().out


def test_run_with_a_missing_required_column_fails_with_one_clear_message(manifest, tmp_path, capsys):
    export = write_export(tmp_path / "export", without_column(MINIMAL, "Opportunity.csv", "StageName"))
    code = main(["run", "--source", str(export), "--warehouse", str(tmp_path / "w.duckdb")])
    assert code == 1
    error = capsys.readouterr().err
    assert "ERROR: The nightly run stopped at step 'landing__export_snapshot'" in error
    assert "Opportunity.csv, row 1, column 'stage_name': required column is missing from the header" in error


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("does-not-exist", "does-not-exist: no such file or directory"),
        ("file.txt", "file.txt: expected an export directory or a .zip of one"),
    ],
)
def test_run_rejects_a_source_that_is_not_an_export(manifest, tmp_path, capsys, source, message):
    (tmp_path / "file.txt").write_text("hello")
    code = main(["run", "--source", str(tmp_path / source), "--warehouse", str(tmp_path / "w.duckdb")])
    assert code == 1
    error = capsys.readouterr().err
    assert message in error
    # The failure is not buried under one "Not executing" line per downstream step (~30).
    assert "Not executing" not in error
    assert len(error.splitlines()) <= 5, error
