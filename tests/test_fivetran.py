"""Acceptance on a real public fixture: Fivetran's dbt_salesforce integration-test seeds."""

from __future__ import annotations

import pytest

from orchestration.warehouse import connect
from tests.conftest import run_pipeline


@pytest.fixture(scope="module")
def fivetran_warehouse(manifest, fivetran_seeds, tmp_path_factory):
    warehouse = tmp_path_factory.mktemp("fivetran") / "revops.duckdb"
    outcome = run_pipeline(fivetran_seeds, warehouse)
    assert outcome.success, outcome.error
    return warehouse


def query(warehouse, sql):
    with connect(warehouse, read_only=True) as conn:
        return conn.execute(sql).fetchall()


def test_all_opportunities_are_soft_deleted(fivetran_warehouse):
    assert query(fivetran_warehouse, "select count(*) from raw.opportunity") == [(10,)]
    assert query(
        fivetran_warehouse, "select count(*) from staging.stg_salesforce__opportunity where not is_deleted"
    ) == [(0,)]


def test_one_live_account(fivetran_warehouse):
    # 10 rows: 3 inactive history rows (superseded), 7 current of which 6 deleted.
    assert query(
        fivetran_warehouse,
        "select count(*), count(*) filter (where not is_deleted) from staging.stg_salesforce__account",
    ) == [(7, 1)]


def test_eight_current_users(fivetran_warehouse):
    assert query(fivetran_warehouse, "select count(*) from staging.stg_salesforce__user") == [(8,)]


def test_booleans_in_three_spellings_are_parsed(fivetran_warehouse):
    spellings = query(
        fivetran_warehouse,
        """
        select distinct value from (
            select is_deleted as value from raw.opportunity union all select is_won from raw.opportunity
            union all select is_converted from raw.lead union all select is_active from raw.product_2
            union all select is_deleted from raw.account
        )
        """,
    )
    assert {row[0] for row in spellings} >= {"true", "TRUE", "FALSE"}
    nulls = query(
        fivetran_warehouse,
        """
        select count(*) filter (where is_won is null) + count(*) filter (where is_deleted is null)
        from staging.stg_salesforce__opportunity
        """,
    )
    assert nulls == [(0,)]
    assert query(fivetran_warehouse, "select is_converted from staging.stg_salesforce__lead") == [(True,)]


def test_bad_values_are_kept_not_fatal(fivetran_warehouse):
    # Probability 1000 is quarantined by the quality gate (kept in raw and quarantine.opportunity).
    assert query(fivetran_warehouse, "select count(*) from raw.opportunity where probability = '1000'") == [(1,)]
    assert query(
        fivetran_warehouse,
        "select rule, json_extract_string(raw_values, '$.probability') from quarantine.opportunity",
    ) == [("probability_in_range", "1000")]
    assert query(fivetran_warehouse, "select max(probability) from staging.stg_salesforce__opportunity") == [(100,)]
    close_before_create = query(
        fivetran_warehouse,
        "select count(*) from staging.stg_salesforce__opportunity where close_date < cast(created_at as date)",
    )
    assert close_before_create == [(1,)]


def test_unmodeled_objects_and_history_mode_copies_land_in_raw(fivetran_warehouse):
    tables = {
        row[0]
        for row in query(
            fivetran_warehouse, "select table_name from information_schema.tables where table_schema = 'raw'"
        )
    }
    assert {
        "order",
        "opportunity__fivetran_history",
        "account__fivetran_history",
        "contact__fivetran_history",
    } <= tables
    assert query(fivetran_warehouse, 'select count(*) from raw."order"') == [(10,)]


def test_marts_build_on_a_crm_without_live_deals(fivetran_warehouse):
    """0 live opportunities: every opportunity mart is empty, no KPI errors, nothing fans out."""
    assert query(fivetran_warehouse, "select count(*) from marts.fct_opportunity") == [(0,)]
    assert query(fivetran_warehouse, "select count(*) from marts.fct_pipeline_snapshot_daily") == [(0,)]
    assert query(
        fivetran_warehouse, "select count(*) from marts.fct_sales_kpis where bookings != 0 or won_count != 0"
    ) == [(0,)]
    # The one live lead (converted, its opportunity deleted) is one lifecycle row.
    assert query(fivetran_warehouse, "select count(*) from marts.fct_lead_lifecycle") == [(1,)]
