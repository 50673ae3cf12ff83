"""Landing files in raw: metadata, row numbers, idempotence, schema evolution, rejects."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import jinja2
import pytest

from orchestration.extract.contract import load_contract
from orchestration.extract.export_source import snapshot_directory
from orchestration.extract.loader import LoadBatch, ensure_warehouse_layout, land_file
from orchestration.settings import DBT_PROJECT_DIR
from orchestration.warehouse import connect
from tests.exports import write_csv

CONTRACT = load_contract(DBT_PROJECT_DIR)
LEAD = CONTRACT.table("lead")


def land(warehouse: Path, directory: Path, batch_id: str):
    snap = snapshot_directory(directory, CONTRACT, location=str(directory), label=directory.name)
    batch = LoadBatch(batch_id, datetime(2026, 1, 1, 12, int(batch_id[-1])))
    with connect(warehouse) as conn:
        ensure_warehouse_layout(conn, CONTRACT)
        return [land_file(conn, f, CONTRACT.match(Path(f.path).stem), batch, snap.label) for f in snap.files]


def rows(warehouse: Path, sql: str):
    with connect(warehouse, read_only=True) as conn:
        return conn.execute(sql).fetchall()


@pytest.fixture
def warehouse(tmp_path) -> Path:
    return tmp_path / "w.duckdb"


def test_every_row_lands_as_text_with_load_metadata(tmp_path, warehouse):
    write_csv(
        tmp_path / "x" / "Lead.csv",
        ["Id", "CreatedDate", "Status", "NumberOfEmployees"],
        [["00QA", "2025-01-02", "Open", "12"], ["00QB", "not a date", "Open", "twelve"]],
    )
    [result] = land(warehouse, tmp_path / "x", "batch1")
    assert (result.rows_read, result.rows_inserted, result.rows_rejected) == (2, 2, 0)
    assert rows(
        warehouse,
        "select id, created_date, number_of_employees, _batch_id, _source_file, _source_row from raw.lead order by id",
    ) == [
        ("00QA", "2025-01-02", "12", "batch1", "x/Lead.csv", 2),
        ("00QB", "not a date", "twelve", "batch1", "x/Lead.csv", 3),
    ]
    # Contract columns the file lacks exist (NULL) so staging can select them.
    assert rows(warehouse, "select count(converted_opportunity_id) from raw.lead") == [(0,)]


def test_bom_crlf_and_quoted_multiline_values(tmp_path, warehouse):
    path = tmp_path / "x" / "Lead.csv"
    path.parent.mkdir()
    path.write_bytes(
        (
            "\ufeffId,CreatedDate,Status,Company\r\n"
            '00QA,2025-01-02,Open,"Acme, Inc.\r\nHQ"\r\n'
            '00QB,2025-01-03,Open,"Quote ""Q"""\r\n'
        ).encode()
    )
    land(warehouse, tmp_path / "x", "batch1")
    assert rows(warehouse, "select id, company, _source_row from raw.lead order by id") == [
        ("00QA", "Acme, Inc.\r\nHQ", 2),
        ("00QB", 'Quote "Q"', 3),
    ]


def test_loading_the_same_file_twice_adds_nothing(tmp_path, warehouse):
    write_csv(tmp_path / "x" / "Lead.csv", ["Id", "CreatedDate", "Status"], [["00QA", "2025-01-02", "Open"]])
    land(warehouse, tmp_path / "x", "batch1")
    [again] = land(warehouse, tmp_path / "x", "batch2")
    assert again.status == "unchanged_file" and again.rows_inserted == 0
    assert rows(warehouse, "select count(*) from raw.lead") == [(1,)]


def test_newer_export_appends_only_changed_records_and_new_columns(tmp_path, warehouse):
    write_csv(
        tmp_path / "day1" / "Lead.csv",
        ["Id", "CreatedDate", "Status"],
        [["00QA", "2025-01-02", "Open"], ["00QB", "2025-01-03", "Open"]],
    )
    write_csv(
        tmp_path / "day2" / "Lead.csv",
        ["Id", "CreatedDate", "Status", "Favourite_Color__c"],
        [["00QA", "2025-01-02", "Open", ""], ["00QB", "2025-01-03", "Working", "blue"]],
    )
    land(warehouse, tmp_path / "day1", "batch1")
    [day2] = land(warehouse, tmp_path / "day2", "batch2")
    # 00QA is unchanged (an empty new column does not change a row's content); 00QB changed.
    assert (day2.rows_read, day2.rows_inserted, day2.rows_already_loaded) == (2, 1, 1)
    assert day2.extra_columns == ("favourite_color_c",)
    assert rows(warehouse, "select id, status, favourite_color_c, _batch_id from raw.lead order by id, _batch_id") == [
        ("00QA", "Open", None, "batch1"),
        ("00QB", "Open", None, "batch1"),
        ("00QB", "Working", "blue", "batch2"),
    ]


def test_every_row_stores_the_record_it_is_a_version_of(tmp_path, warehouse):
    # The record key is the contract's key, trimmed and joined by '|'; an empty key keys the row
    # itself, so such rows never collapse into one record in staging.
    write_csv(tmp_path / "x" / "Lead.csv", ["Id", "CreatedDate"], [[" 00QA ", "2025-01-02"], ["", "2025-01-03"]])
    write_csv(
        tmp_path / "x" / "deal_costs.csv",
        ["opportunity_id", "cost_type", "amount"],
        [["006A", "discount", "10"], ["006A", "", "5"], ["", "", "1"]],
    )
    # A file that lacks a key column: its rows are keyed with that part empty.
    write_csv(tmp_path / "y" / "deal_costs.csv", ["opportunity_id", "amount"], [["006B", "7"]])
    land(warehouse, tmp_path / "x", "batch1")
    land(warehouse, tmp_path / "y", "batch2")
    assert rows(warehouse, "select _source_row, _record_key from raw.lead order by 1") == [
        (2, "00QA"),
        (3, "_row:batch1:3"),
    ]
    assert rows(warehouse, "select _batch_id, _source_row, _record_key from raw.deal_costs order by 1, 2") == [
        ("batch1", 2, "006A|discount"),
        ("batch1", 3, "006A|"),
        ("batch1", 4, "_row:batch1:4"),
        ("batch2", 2, "006B|"),
    ]


def test_a_warehouse_landed_before_record_keys_gets_them_at_its_next_landing(tmp_path, warehouse):
    write_csv(tmp_path / "day1" / "Lead.csv", ["Id", "Status"], [["00QA", "Open"], ["", "Open"]])
    write_csv(tmp_path / "day2" / "Lead.csv", ["Id", "Status"], [["00QA", "Working"]])
    land(warehouse, tmp_path / "day1", "batch1")
    with connect(warehouse) as conn:
        conn.execute("alter table raw.lead drop column _record_key")
    land(warehouse, tmp_path / "day2", "batch2")
    assert rows(warehouse, "select _batch_id, _source_row, _record_key from raw.lead order by 1, 2") == [
        ("batch1", 2, "00QA"),
        ("batch1", 3, "_row:batch1:3"),
        ("batch2", 2, "00QA"),
    ]


def _dbt_record_hash(key: str) -> str:
    """dbt's record_hash macro (macros/incremental.sql), rendered as dbt's Jinja would."""
    environment = jinja2.Environment(extensions=["jinja2.ext.do"])
    macros = environment.from_string((DBT_PROJECT_DIR / "macros" / "incremental.sql").read_text()).module
    return str(macros.record_hash(key)).strip()


def test_every_row_stores_a_number_for_its_record_that_dbt_computes_the_same(tmp_path, warehouse):
    # A night's staging finds a changed record's raw versions by _record_hash, then checks the
    # keys; dbt hashes the keys the quality gate held itself, so both sides must agree.
    write_csv(tmp_path / "day1" / "Lead.csv", ["Id", "Status"], [["00QA", "Open"], ["", "Open"], ["00QB", "Open"]])
    write_csv(tmp_path / "day2" / "Lead.csv", ["Id", "Status"], [["00QA", "Working"]])
    land(warehouse, tmp_path / "day1", "batch1")
    land(warehouse, tmp_path / "day2", "batch2")
    versions = rows(warehouse, "select _record_key, _record_hash from raw.lead order by _batch_id, _source_row")
    assert [key for key, _ in versions] == ["00QA", "_row:batch1:3", "00QB", "00QA"]
    assert all(isinstance(number, int) for _, number in versions)
    assert versions[0][1] == versions[3][1]  # two versions of one record
    assert len({number for _, number in versions}) == 3
    dbt_numbers = rows(
        warehouse, f"select {_dbt_record_hash('_record_key')} from raw.lead order by _batch_id, _source_row"
    )
    assert [number for (number,) in dbt_numbers] == [number for _, number in versions]


def test_a_warehouse_landed_before_record_hashes_gets_them_at_its_next_landing(tmp_path, warehouse):
    write_csv(tmp_path / "day1" / "Lead.csv", ["Id", "Status"], [["00QA", "Open"]])
    write_csv(tmp_path / "day2" / "Lead.csv", ["Id", "Status"], [["00QA", "Working"]])
    land(warehouse, tmp_path / "day1", "batch1")
    [(before,)] = rows(warehouse, "select _record_hash from raw.lead")
    with connect(warehouse) as conn:
        conn.execute("alter table raw.lead drop column _record_hash")
    land(warehouse, tmp_path / "day2", "batch2")
    assert rows(warehouse, "select _batch_id, _record_hash from raw.lead order by 1") == [
        ("batch1", before),
        ("batch2", before),
    ]


def test_records_the_reader_cannot_split_are_kept_with_their_row(tmp_path, warehouse):
    path = tmp_path / "x" / "Lead.csv"
    path.parent.mkdir()
    path.write_text("Id,CreatedDate,Status\n00QA,2025-01-02,Open\n00QB,2025-01-03,Open,EXTRA\n00QC,2025-01-04,Open\n")
    [result] = land(warehouse, tmp_path / "x", "batch1")
    assert (result.rows_read, result.rows_inserted, result.rows_rejected) == (3, 2, 1)
    assert rows(warehouse, "select id, _source_row from raw.lead order by id") == [("00QA", 2), ("00QC", 4)]
    assert rows(warehouse, "select table_name, _source_row, error_type, raw_line from raw._rejected_records") == [
        ("lead", 3, "TOO MANY COLUMNS", "00QB,2025-01-03,Open,EXTRA")
    ]


def test_latin1_file_is_transcoded_not_rejected(tmp_path, warehouse):
    write_csv(tmp_path / "x" / "Account.csv", ["Id", "Name"], [["001A", "Société Générale"]], encoding="latin-1")
    [result] = land(warehouse, tmp_path / "x", "batch1")
    assert result.rows_inserted == 1
    assert rows(warehouse, "select name from raw.account") == [("Société Générale",)]


def test_load_log_accounts_for_every_row(tmp_path, warehouse):
    write_csv(tmp_path / "x" / "Lead.csv", ["Id", "CreatedDate", "Status"], [["00QA", "2025-01-02", "Open"]] * 3)
    land(warehouse, tmp_path / "x", "batch1")
    # Identical rows inside one file are all kept (raw mirrors the file); staging dedupes.
    assert rows(
        warehouse, "select rows_read, rows_inserted, rows_already_loaded, rows_rejected from audit.load_log"
    ) == [(3, 3, 0, 0)]
