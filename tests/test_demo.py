"""The demo company: deterministic, complete (every object, every dirty-row kind), realistic."""

from __future__ import annotations

import hashlib
import json

import duckdb
import pytest

from orchestration.demo.generate import TRUTH_FILE, generate_demo
from orchestration.demo.params import CHANNELS, DemoParams
from orchestration.extract.contract import load_contract
from orchestration.extract.export_source import snapshot_directory, validate_snapshot
from orchestration.extract.snapshot import demo_params
from orchestration.settings import DBT_PROJECT_DIR, SEEDS_DIR

DIRTY_KINDS = {
    "probability_out_of_range",
    "unknown_currency",
    "close_before_create",
    "amount_not_numeric",
    "negative_amount",
    "unmapped_lead_status",
    "unparseable_timestamp",
    "won_before_created",
    "orphan_foreign_key",
    "duplicate_id_in_file",
}


def digest(directory):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.glob("*.csv"))}


def scalar(sql):
    return duckdb.execute(sql).fetchone()[0]


def csv(directory, name):
    return (
        f"read_csv('{directory / name}', all_varchar = true, header = true, delim = ',', quote = '\"', escape = '\"')"
    )


@pytest.fixture(scope="module")
def truth(small_export):
    return json.loads((small_export / TRUTH_FILE).read_text())


def test_same_seed_gives_byte_identical_files(tmp_path):
    params = DemoParams(scale=0.02, seed=3)
    generate_demo(tmp_path / "a", params, progress=lambda _: None)
    generate_demo(tmp_path / "b", params, progress=lambda _: None)
    generate_demo(tmp_path / "c", DemoParams(scale=0.02, seed=4), progress=lambda _: None)
    assert digest(tmp_path / "a") == digest(tmp_path / "b")
    assert digest(tmp_path / "a")["Lead.csv"] != digest(tmp_path / "c")["Lead.csv"]


def test_export_has_every_object_of_the_contract_and_validates(small_export):
    contract = load_contract(DBT_PROJECT_DIR)
    snap = snapshot_directory(small_export, contract, location="demo", label="demo")
    validate_snapshot(snap, contract)
    # Only planning inputs with a project default (seeds/) may be left out.
    assert set(snap.absent_tables) == {"ramp_schedule", "composite_weights", "commission_plans"}
    assert all((SEEDS_DIR / f"{table}.csv").is_file() for table in snap.absent_tables)


def test_every_dirty_row_kind_is_in_the_files(small_export, truth):
    assert {row["kind"] for row in truth["dirty_rows"]} == DIRTY_KINDS
    for row in truth["dirty_rows"]:
        column = row["column"]
        found = scalar(
            f"select count(*) from {csv(small_export, row['file'])} "
            f"where \"Id\" = '{row['record_id']}' and \"{column}\" = '{row['value']}'"
        )
        assert found >= 1, row
    duplicate = next(r for r in truth["dirty_rows"] if r["kind"] == "duplicate_id_in_file")
    assert (
        scalar(f"select count(*) from {csv(small_export, 'Lead.csv')} where \"Id\" = '{duplicate['record_id']}'") == 2
    )


def test_truth_documents_the_channel_rates(truth):
    for channel in CHANNELS:
        documented = truth["channels"][channel.name]
        assert documented["expected_mql_to_sql"] == pytest.approx(channel.p_sal * channel.p_sql)
        assert documented["expected_sql_to_won"] == pytest.approx(channel.p_opp * channel.p_won)


def test_company_looks_real(small_export):
    lead, history, opp = (csv(small_export, n) for n in ("Lead.csv", "LeadHistory.csv", "Opportunity.csv"))
    q = lambda sql: duckdb.execute(sql).fetchall()  # noqa: E731
    assert {r[0] for r in q(f'select distinct "LeadSource" from {lead}')} == {c.name for c in CHANNELS}
    assert q(f'select count(distinct "CurrencyIsoCode") from {opp}')[0][0] >= 4
    assert q(f"select count(*) from {lead} where \"IsDeleted\" = 'true'")[0][0] > 0
    # Recycling: a lead back to Marketing Qualified after Nurture.
    assert (
        q(f"select count(*) from {history} where \"OldValue\" = 'Nurture' and \"NewValue\" = 'Marketing Qualified'")[0][
            0
        ]
        > 0
    )
    # Stage skipping: converted straight from Open, and MQL -> SQL without Sales Accepted.
    assert (
        q(f"select count(*) from {history} where \"OldValue\" like 'Open%' and \"NewValue\" = 'Closed - Converted'")[0][
            0
        ]
        > 0
    )
    assert (
        q(
            f"select count(*) from {history} "
            "where \"OldValue\" = 'Marketing Qualified' and \"NewValue\" = 'Sales Qualified'"
        )[0][0]
        > 0
    )
    # Seasonality and growth: the busiest month has clearly more leads than the quietest.
    monthly = [r[0] for r in q(f'select count(*) from {lead} group by substr("CreatedDate", 1, 7)')]
    assert max(monthly) > 1.5 * min(monthly)


def test_an_earlier_export_is_the_company_as_it_was_then(tmp_path, small_export):
    early = tmp_path / "early"
    generate_demo(early, demo_params(0.05, 7, "2025-06-30T00:00:00"), progress=lambda _: None)
    lead = csv(early, "Lead.csv")
    assert scalar(f'select max("CreatedDate") from {lead} where "CreatedDate" < \'2026\'') < "2025-06-30"
    assert scalar(f"select count(*) from {lead}") < scalar(f"select count(*) from {csv(small_export, 'Lead.csv')}")
    # No state from the future: nothing closed after the export time.
    opp = csv(early, "Opportunity.csv")
    assert scalar(f"select count(*) from {opp} where \"IsClosed\" = 'true' and \"CloseDate\" > '2025-06-30'") == 0
