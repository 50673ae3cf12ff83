"""Resolving and validating an export before anything is landed."""

from __future__ import annotations

import zipfile

import pytest

from orchestration.extract.contract import load_contract
from orchestration.extract.errors import SourceContractError
from orchestration.extract.export_source import snapshot_directory, unpack_zip, validate_snapshot
from orchestration.settings import DBT_PROJECT_DIR
from tests.exports import MINIMAL, without_column, write_csv, write_export

CONTRACT = load_contract(DBT_PROJECT_DIR)


def snapshot(directory):
    return snapshot_directory(directory, CONTRACT, location=str(directory), label=directory.name)


def test_contract_marks_user_lead_opportunity_as_required():
    required = {table.object_name for table in CONTRACT.tables if table.required}
    assert required == {"User", "Lead", "Opportunity"}
    assert "status" in CONTRACT.table("lead").required_columns
    assert CONTRACT.table("marketing_spend").key_columns == ("date", "channel", "campaign_id", "category", "currency")


def test_minimal_export_is_valid_and_lists_absent_objects(tmp_path):
    snap = snapshot(write_export(tmp_path))
    validate_snapshot(snap, CONTRACT)
    assert {f.table for f in snap.files} == {"user", "lead", "opportunity"}
    assert "lead_history" in snap.absent_tables


def test_missing_required_file_names_the_file(tmp_path):
    files = dict(MINIMAL)
    del files["Opportunity.csv"]
    with pytest.raises(SourceContractError) as error:
        validate_snapshot(snapshot(write_export(tmp_path, files)), CONTRACT)
    assert "Opportunity.csv: required file is missing" in str(error.value)


def test_missing_required_column_names_file_row_and_column(tmp_path):
    files = without_column(MINIMAL, "Lead.csv", "Status")
    with pytest.raises(SourceContractError) as error:
        validate_snapshot(snapshot(write_export(tmp_path, files)), CONTRACT)
    assert str(error.value) == (
        "The export does not match the source contract: Lead.csv, row 1, column 'status': "
        "required column is missing from the header."
    )


def test_fivetran_file_names_and_history_mode_copies_are_recognized(fivetran_seeds):
    snap = snapshot(fivetran_seeds)
    tables = {f.relative_path: (f.table, f.modeled) for f in snap.files}
    assert tables["sf_product_2_data.csv"] == ("product_2", True)
    assert tables["sf_opportunity_line_item_data.csv"] == ("opportunity_line_item", True)
    # History-mode (SCD2) copies are not Salesforce's OpportunityHistory object.
    assert tables["sf_opportunity_history_data.csv"] == ("opportunity__fivetran_history", False)
    assert tables["sf_order_data.csv"] == ("order", False)


def test_non_utf8_file_is_detected_as_latin1(tmp_path):
    write_export(tmp_path)
    write_csv(tmp_path / "Account.csv", ["Id", "Name"], [["001A", "Société Générale"]], encoding="latin-1")
    account = next(f for f in snapshot(tmp_path).files if f.table == "account")
    assert account.encoding == "latin-1"
    assert account.header == ("id", "name")


def test_zip_with_nested_folders_is_unpacked_once(tmp_path):
    source = write_export(tmp_path / "export")
    archive = tmp_path / "weekly.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        for path in source.iterdir():
            bundle.write(path, f"WE_00D_1/nested/{path.name}")
    first = unpack_zip(archive, tmp_path / "landing")
    assert unpack_zip(archive, tmp_path / "landing") == first
    snap = snapshot(first)
    validate_snapshot(snap, CONTRACT)
    assert sorted(f.relative_path for f in snap.files)[0] == "WE_00D_1/nested/Lead.csv"


def test_zip_entries_cannot_escape_the_landing_folder(tmp_path):
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("../outside.csv", "Id\n1\n")
    with pytest.raises(SourceContractError, match="points outside the archive"):
        unpack_zip(archive, tmp_path / "landing")


def test_zero_byte_zip_is_a_clear_error(tmp_path):
    archive = tmp_path / "empty.zip"
    archive.write_bytes(b"")
    with pytest.raises(SourceContractError, match=r"empty.zip: not a readable zip archive \(0 bytes\)"):
        unpack_zip(archive, tmp_path / "landing")
