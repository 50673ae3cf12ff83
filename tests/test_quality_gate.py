"""The bad-input matrix: one export carrying every defect, run twice through the nightly job.

Each case asserts what happened to its row (staged, superseded, deleted, quarantined, or staged
with a warning) and that the gate's message names file, row and column. A last test checks that
no row of any object is unaccounted for: raw = staged + quarantined + superseded + deleted.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest

from orchestration.cli import main
from orchestration.extract.contract import load_contract
from orchestration.quality.report import quality_report
from orchestration.settings import DBT_PROJECT_DIR, REPO_ROOT
from orchestration.warehouse import connect
from tests.accounting import account
from tests.conftest import run_pipeline
from tests.exports import write_csv, write_export

CONTRACT = load_contract(DBT_PROJECT_DIR)
TS = "2025-01-02T10:00:00.000Z"

LEAD_HEADER = [
    "Id",
    "CreatedDate",
    "Status",
    "LeadSource",
    "Company",
    "IsDeleted",
    "SystemModstamp",
    "Favorite_Color__c",
]
LEADS = [
    ["00QA", TS, "Open - Not Contacted", "Web", "Acme", "false", TS, "blue"],  # row 2: changed in export 2
    ["00QB", TS, "Pending Review", "Web", "Beta", "false", TS, ""],  # row 3: unmapped status
    ["00QC", "2025-02-30T10:00:00.000Z", "Open - Not Contacted", "Web", "Gamma", "false", TS, ""],  # row 4
    ["00QD", TS, "Open - Not Contacted", "Web", "Delta v1", "false", "2025-01-02T10:00:00.000Z", ""],  # row 5
    ["00QD", TS, "Working - Contacted", "Web", "Delta v2", "false", "2025-01-03T10:00:00.000Z", ""],  # row 6
    ["", TS, "Open - Not Contacted", "Web", "No key", "false", TS, ""],  # row 7: null key
    ["00QE", TS, "Open - Not Contacted", "Web", "Deleted Co", "true", TS, ""],  # row 8: soft delete
    ["00QF", TS, "Open - Not Contacted", "Web", "Acme\nLabs", "false", TS, ""],  # row 9: multi-line text
    ["00QG", TS, "Open - Not Contacted", "Web", "After the multi-line", "false", TS, ""],  # row 10
]
OPPORTUNITY_HEADER = ["Id", "AccountId", "CreatedDate", "CloseDate", "StageName", "Amount", "Probability", "IsDeleted"]
OPPORTUNITIES = [
    ["006A", "001A", TS, "2025-02-01", "Prospecting", "1000.00", "10", "false"],  # row 2: clean
    ["006B", "001A", TS, "2025-02-01", "Prospecting", "2000.00", "1000", "false"],  # row 3: probability 1000
    ["006C", "001A", TS, "2024-12-20", "Closed Lost", "3000.00", "0", "false"],  # row 4: close before create
    ["006D", "001A", TS, "2025-02-01", "Prospecting", "12,5OO.00", "10", "false"],  # row 5: not a number
    ["006E", "001ZZZ", TS, "2025-02-01", "Prospecting", "500.00", "10", "false"],  # row 6: orphan account
]


def _write_export(root: Path, lead_a_status: str) -> Path:
    leads = [list(row) for row in LEADS]
    leads[0][2] = lead_a_status
    leads[0][6] = "2025-01-05T10:00:00.000Z" if lead_a_status != LEADS[0][2] else TS
    write_csv(root / "User.csv", ["Id", "Name", "CreatedDate"], [["005A", "Ann Rep", TS]])
    write_csv(root / "Account.csv", ["Id", "Name", "CreatedDate"], [["001A", "Acme", TS]])
    write_csv(root / "Lead.csv", LEAD_HEADER, leads, encoding="utf-8-sig", newline="\r\n")  # BOM + CRLF
    write_csv(root / "Opportunity.csv", OPPORTUNITY_HEADER, OPPORTUNITIES)
    write_csv(
        root / "Task.csv",
        ["Id", "WhoId", "OwnerId", "Subject", "CreatedDate"],
        [["00TA", "00QNOPE", "005A", "Café call", TS], ["00TB", "00QA", "005A", "Call", TS]],  # orphan WhoId
        encoding="latin-1",
    )
    (root / "Event.csv").write_bytes(b"")  # empty file
    write_csv(root / "Campaign.csv", ["Id", "Name"], [])  # header only
    return root


def _zip(directory: Path, archive: Path) -> Path:
    with zipfile.ZipFile(archive, "w") as bundle:
        for path in sorted(directory.iterdir()):
            bundle.write(path, f"export_00D/2025-01-06/{path.name}")  # nested folders
    return archive


@pytest.fixture(scope="module")
def dirty(manifest, tmp_path_factory):
    work = tmp_path_factory.mktemp("dirty")
    first = _zip(_write_export(work / "first", LEADS[0][2]), work / "first.zip")
    second = _write_export(work / "second", "Working - Contacted")  # 00QA changed: a duplicate Id across exports
    warehouse = work / "warehouse" / "revops.duckdb"
    outcomes = [run_pipeline(first, warehouse), run_pipeline(second, warehouse)]
    for outcome in outcomes:
        assert outcome.success, outcome.error
    return warehouse, outcomes


def query(warehouse: Path, sql: str, params=None):
    with connect(warehouse, read_only=True) as conn:
        return conn.execute(sql, params or []).fetchall()


def quarantined(warehouse: Path, table: str, record_id: str) -> set[str]:
    rows = query(
        warehouse, f"select rule from quarantine.{table} where json_extract_string(raw_values, '$.id') = ?", [record_id]
    )
    return {rule for (rule,) in rows}


def message_of(warehouse: Path, table: str, rule: str) -> str:
    rows = query(
        warehouse,
        "select examples from audit.quality_results where table_name = ? and rule = ? and not success",
        [table, rule],
    )
    assert rows, f"no failure of {table}.{rule} was recorded"
    return rows[0][0]


def staged_ids(warehouse: Path, model: str, key: str) -> set[str]:
    return {row[0] for row in query(warehouse, f"select {key} from staging.{model}")}


LEAD_FILE = "Lead.csv"
QUARANTINE_CASES = [
    # (case, table, record id, rule, message fragment)
    ("probability 1000", "opportunity", "006B", "probability_in_range", "Opportunity.csv row 3, column probability"),
    ("wrong type in a numeric column", "opportunity", "006D", "amount_parses", "Opportunity.csv row 5, column amount"),
    ("unparseable date", "lead", "00QC", "created_at_parses", "Lead.csv row 4, column created_at"),
]


@pytest.mark.parametrize(
    ("case", "table", "record_id", "rule", "fragment"), QUARANTINE_CASES, ids=[c[0] for c in QUARANTINE_CASES]
)
def test_rows_failing_a_blocking_rule_are_quarantined_with_a_message(dirty, case, table, record_id, rule, fragment):
    warehouse, _ = dirty
    assert rule in quarantined(warehouse, table, record_id)
    key = f"{table}_id"
    assert record_id not in staged_ids(warehouse, f"stg_salesforce__{table}", key)
    assert fragment in message_of(warehouse, table, rule)
    # The raw row is still in raw, unchanged.
    assert query(warehouse, f"select count(*) from raw.{table} where id = ?", [record_id]) == [(1,)]


def test_quarantine_keeps_rule_reason_batch_and_raw_values(dirty):
    warehouse, outcomes = dirty
    [(rule, reason, batch, source_file, source_row, raw)] = query(
        warehouse,
        "select rule, reason, _batch_id, _source_file, _source_row, raw_values from quarantine.opportunity "
        "where json_extract_string(raw_values, '$.id') = '006D'",
    )
    assert (rule, reason, batch, source_row) == ("amount_parses", "Amount does not parse", outcomes[0].run_id, 5)
    assert source_file.endswith("export_00D/2025-01-06/Opportunity.csv")  # found inside the nested zip
    assert json.loads(raw)["amount"] == "12,5OO.00"


def test_null_key_is_quarantined_naming_file_and_row(dirty):
    warehouse, _ = dirty
    [(rule, row)] = query(warehouse, "select rule, _source_row from quarantine.lead where record_key like '_row:%'")
    assert (rule, row) == ("key_not_null", 7)
    assert "Lead.csv row 7, column lead_id" in message_of(warehouse, "lead", "key_not_null")


WARNING_CASES = [
    (
        "close before create",
        "opportunity",
        "006C",
        "close_not_before_create",
        "Opportunity.csv row 4, column close_date",
    ),
    ("orphan foreign key", "opportunity", "006E", "account_id_resolves", "Opportunity.csv row 6, column account_id"),
    ("unmapped lead status", "lead", "00QB", "status_mapped", "Lead.csv row 3, column status"),
    ("orphan WhoId in a Latin-1 file", "task", "00TA", "who_id_resolves", "Task.csv row 2, column who_id"),
]


@pytest.mark.parametrize(
    ("case", "table", "record_id", "rule", "fragment"), WARNING_CASES, ids=[c[0] for c in WARNING_CASES]
)
def test_warning_rules_keep_the_row_and_report_it(dirty, case, table, record_id, rule, fragment):
    warehouse, _ = dirty
    assert record_id in staged_ids(warehouse, f"stg_salesforce__{table}", f"{table}_id")
    assert not quarantined(warehouse, table, record_id)
    assert fragment in message_of(warehouse, table, rule)


def test_unmapped_status_reaches_the_marts_flagged(dirty):
    warehouse, _ = dirty
    assert query(warehouse, "select has_unmapped_status from marts.fct_lead_lifecycle where lead_id = '00QB'") == [
        (True,)
    ]


def test_duplicate_id_within_a_file_keeps_the_latest_version(dirty):
    warehouse, _ = dirty
    assert query(warehouse, "select count(*) from raw.lead where id = '00QD'") == [(2,)]
    assert query(warehouse, "select company from staging.stg_salesforce__lead where lead_id = '00QD'") == [
        ("Delta v2",)
    ]


def test_duplicate_id_across_exports_keeps_the_newer_export(dirty):
    warehouse, outcomes = dirty
    assert query(warehouse, "select count(*) from raw.lead where id = '00QA'") == [(2,)]
    assert query(warehouse, "select status, _batch_id from staging.stg_salesforce__lead where lead_id = '00QA'") == [
        ("Working - Contacted", outcomes[1].run_id)
    ]


def test_soft_deleted_rows_are_staged_flagged_and_left_out_of_the_marts(dirty):
    warehouse, _ = dirty
    assert query(warehouse, "select is_deleted from staging.stg_salesforce__lead where lead_id = '00QE'") == [(True,)]
    assert query(warehouse, "select count(*) from marts.fct_lead_lifecycle where lead_id = '00QE'") == [(0,)]


def test_bom_crlf_and_multiline_text_keep_columns_and_row_numbers(dirty):
    warehouse, _ = dirty
    assert "id" in {row[0] for row in query(warehouse, "describe raw.lead")}  # no BOM in the first header
    assert query(warehouse, "select company from staging.stg_salesforce__lead where lead_id = '00QF'") == [
        ("Acme\nLabs",)
    ]
    # A spreadsheet shows a two-line record as one row: the next record is row 10, not 11.
    assert query(warehouse, "select _source_row from staging.stg_salesforce__lead where lead_id = '00QG'") == [(10,)]


def test_latin1_file_is_transcoded(dirty):
    warehouse, _ = dirty
    assert query(warehouse, "select subject from raw.task where id = '00TA'") == [("Café call",)]


def test_extra_unknown_column_is_kept_in_raw(dirty):
    warehouse, _ = dirty
    assert query(warehouse, "select distinct favorite_color_c from raw.lead where id = '00QA'") == [("blue",)]


def test_empty_and_header_only_files_load_nothing_and_fail_nothing(dirty):
    warehouse, _ = dirty
    statuses = dict(query(warehouse, "select table_name, max(status) from audit.load_log group by 1"))
    assert statuses["event"] == "empty"
    assert query(warehouse, "select count(*) from raw.campaign") == [(0,)]


@pytest.mark.parametrize("table", CONTRACT.tables, ids=lambda t: t.table)
def test_no_row_is_unaccounted_for(dirty, table):
    """raw = staged + quarantined + superseded + deleted, from independent counts and as published."""
    warehouse, outcomes = dirty
    with connect(warehouse, read_only=True) as conn:
        counts = account(conn, table)
        published = conn.execute(
            "select raw_rows, staged_rows, quarantined_rows, superseded_rows, deleted_rows "
            "from audit.quality_counts where run_id = ? and table_name = ?",
            [outcomes[1].run_id, table.table],
        ).fetchall()
    assert counts.raw == counts.live + counts.quarantined + counts.superseded + counts.deleted
    if counts.raw:
        assert published == [(counts.raw, counts.live, counts.quarantined, counts.superseded, counts.deleted)]


def test_a_stop_rule_stops_the_run_before_the_marts(manifest, dirty, tmp_path):
    """Policy `stop` on the probability rule: the run fails naming file, row and column, and the
    marts (and the published copy) are not rebuilt."""
    warehouse, _ = dirty
    suites = tmp_path / "expectations"
    shutil.copytree(REPO_ROOT / "expectations", suites)
    path = suites / "opportunity.json"
    suite = json.loads(path.read_text())
    for expectation in suite["expectations"]:
        if expectation["meta"]["rule"] == "probability_in_range":
            expectation["meta"]["policy"] = "stop"
    path.write_text(json.dumps(suite))
    export = tmp_path / "export"
    _write_export(export, LEADS[0][2])
    write_csv(export / "Opportunity.csv", OPPORTUNITY_HEADER, [[*OPPORTUNITIES[1][:6], "999", "false"]])
    copy = tmp_path / "warehouse" / "revops.duckdb"
    copy.parent.mkdir()
    shutil.copy(warehouse, copy)
    outcome = run_pipeline(export, copy, expectations_dir=str(suites))
    assert not outcome.success
    assert "The quality gate stopped the run before the marts" in outcome.error
    assert "Opportunity.csv row 2, column probability: Probability is outside 0-100 (value '999')" in outcome.error
    assert not (copy.parent / "published.duckdb").exists()


def test_data_docs_are_written_per_run_and_linked(dirty):
    warehouse, outcomes = dirty
    for outcome in outcomes:
        [(index,)] = query(warehouse, "select docs_index from audit.quality_runs where run_id = ?", [outcome.run_id])
        assert Path(index) == warehouse.parent / "quality" / outcome.run_id / "index.html"
        assert Path(index).is_file()
        pages = {
            str(p.relative_to(Path(index).parent / "expectations"))
            for p in Path(index).parent.rglob("*.html")
            if "expectations" in p.parts
        }
        assert {"opportunity.html", "opportunity/table.html", "lead.html"} <= pages  # rows and table rules
    report = quality_report(warehouse, outcomes[0].run_id)
    docs = warehouse.parent / "quality" / outcomes[0].run_id / "index.html"
    assert f"quality report (GX Data Docs): {docs}" in report
    assert "probability_in_range (1)" in report


def _zero_byte_zip(tmp_path: Path) -> Path:
    archive = tmp_path / "export.zip"
    archive.write_bytes(b"")
    return archive


def _without_user_file(tmp_path: Path) -> Path:
    export = write_export(tmp_path / "export")
    (export / "User.csv").unlink()
    return export


@pytest.mark.parametrize(
    ("make_source", "message"),
    [
        (_without_user_file, "User.csv: required file is missing"),
        (_zero_byte_zip, "export.zip: not a readable zip archive (0 bytes)"),
    ],
    ids=["missing required file", "0-byte zip"],
)
def test_unreadable_exports_stop_before_anything_lands(manifest, tmp_path, capsys, make_source, message):
    warehouse = tmp_path / "w.duckdb"
    code = main(["run", "--source", str(make_source(tmp_path)), "--warehouse", str(warehouse)])
    assert code == 1
    assert message in capsys.readouterr().err
    if warehouse.exists():  # nothing was landed, nothing half-done
        with connect(warehouse, read_only=True) as conn:
            raw_tables = "select count(*) from information_schema.tables where table_schema = 'raw'"
            assert conn.execute(raw_tables).fetchone() == (0,)


def test_validation_in_small_chunks_gives_the_same_verdicts(dirty, tmp_path, monkeypatch):
    """The gate validates ROW_CHUNK rows at a time (memory at scale); with 2-row chunks the first
    dirty export gets the same rule outcomes, failure counts, examples and quarantine."""
    from orchestration.quality import gate

    monkeypatch.setattr(gate, "ROW_CHUNK", 2)
    warehouse = tmp_path / "revops.duckdb"
    outcome = run_pipeline(dirty[0].parent.parent / "first.zip", warehouse)
    assert outcome.success, outcome.error

    def verdicts(path: Path, run_id: str):
        return sorted(
            query(
                path,
                "select table_name, rule, success, unexpected_count, examples from audit.quality_results "
                "where run_id = ?",
                [run_id],
            )
        )

    def held(path: Path, run_id: str):
        return sorted(query(path, "select _row_hash, rule from quarantine.opportunity where run_id = ?", [run_id]))

    assert verdicts(warehouse, outcome.run_id) == verdicts(dirty[0], dirty[1][0].run_id)
    assert held(warehouse, outcome.run_id) == held(dirty[0], dirty[1][0].run_id)
    assert held(warehouse, outcome.run_id)
