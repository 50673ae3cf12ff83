"""Lifecycle and funnel marts on the demo company: the warehouse recovers the demo's truth."""

from __future__ import annotations

import json
import math
from datetime import date

import pytest

from orchestration.demo.generate import TRUTH_FILE
from orchestration.warehouse import connect

# Cohorts old enough that their conversions had time to happen (recycled MQLs take months;
# sales cycles are capped at 300 days).
MQL_COHORTS_BEFORE = "2026-01-01"
SQL_COHORTS_BEFORE = "2025-11-01"


def query(run, sql, params=None):
    with connect(run.warehouse, read_only=True) as conn:
        return conn.execute(sql, params or []).fetchall()


def channel_rates(run, from_stage, to_stage, before):
    rows = query(
        run,
        """
        select dimension_value, sum(entered), sum(converted)
        from marts.fct_funnel_cohort
        where grain = 'month' and dimension = 'channel' and from_stage = ? and to_stage = ? and period_start < ?
        group by dimension_value
        """,
        [from_stage, to_stage, before],
    )
    return {channel: (entered, converted) for channel, entered, converted in rows}


@pytest.fixture(scope="module")
def truth(demo_run):
    return json.loads((demo_run.export_dir / TRUTH_FILE).read_text())


@pytest.mark.parametrize(
    ("from_stage", "to_stage", "expected_key", "before"),
    [
        ("mql", "sql", "expected_mql_to_sql", MQL_COHORTS_BEFORE),
        ("sql", "won", "expected_sql_to_won", SQL_COHORTS_BEFORE),
    ],
)
def test_channel_conversion_rates_recover_the_demo_truth(demo_run, truth, from_stage, to_stage, expected_key, before):
    rates = channel_rates(demo_run, from_stage, to_stage, before)
    assert set(rates) == set(truth["channels"])
    for channel, (entered, converted) in rates.items():
        expected = truth["channels"][channel][expected_key]
        standard_error = math.sqrt(expected * (1 - expected) / entered)
        observed = converted / entered
        assert abs(observed - expected) <= 4 * standard_error, (channel, observed, expected, entered)
        assert entered >= 50, "enough leads for the comparison to mean something"


def test_speed_to_lead_recovers_the_no_touch_share(demo_run, truth):
    """8 % of MQLs get no sales touch in the demo (plus touches that happen only after a SAL)."""
    [(mqls, touched)] = query(
        demo_run,
        """
        select count(*), count(h.first_touch_at)
        from marts.fct_lead_handoff as h
        join marts.fct_lead_lifecycle as l using (lead_id)
        where not l.skipped_mql and l.channel != 'Outbound'
        """,
    )
    no_touch = 1 - touched / mqls
    expected = truth["params"]["p_no_touch"]
    assert abs(no_touch - expected) <= 4 * math.sqrt(expected * (1 - expected) / mqls) + 0.01


def test_conversion_rates_are_probabilities_and_slices_add_up(demo_run):
    assert query(
        demo_run, "select count(*) from marts.fct_funnel_cohort where conversion_rate > 1 or converted > entered"
    ) == [(0,)]
    mismatches = query(
        demo_run,
        """
        with slices as (
            select grain, period_start, from_stage, to_stage, dimension, sum(entered) as entered
            from marts.fct_funnel_cohort
            group by all
        )
        select slices.*
        from slices
        join slices as totals using (grain, period_start, from_stage, to_stage)
        where totals.dimension = 'all' and slices.entered != totals.entered
        """,
    )
    assert mismatches == [], "every dimension's slices sum to the total"


def test_funnel_is_monotone_down_the_stages(demo_run):
    [counts] = query(
        demo_run,
        "select count(lead_at), count(mql_at), count(sal_at), count(sql_at), count(opportunity_at), count(won_at) "
        "from marts.fct_lead_lifecycle",
    )
    assert list(counts) == sorted(counts, reverse=True)
    assert counts[-1] > 0


def test_period_volumes_match_the_lifecycle(demo_run):
    [(mqls,)] = query(demo_run, "select count(mql_at) from marts.fct_lead_lifecycle")
    [(entries,)] = query(
        demo_run,
        "select sum(entries) from marts.fct_funnel_period "
        "where grain = 'month' and stage = 'mql' and dimension = 'all'",
    )
    assert entries == mqls


def test_dirty_leads_are_kept_and_flagged(demo_run, truth):
    dirty = {row["kind"]: row["record_id"] for row in truth["dirty_rows"]}
    [(stage, unmapped)] = query(
        demo_run,
        "select current_stage, has_unmapped_status from marts.fct_lead_lifecycle where lead_id = ?",
        [dirty["unmapped_lead_status"]],
    )
    assert (stage, unmapped) == ("unmapped", True)
    [(flagged, lead_at, created_at)] = query(
        demo_run,
        "select has_events_before_created, lead_at, created_at from marts.fct_lead_lifecycle where lead_id = ?",
        [dirty["won_before_created"]],
    )
    assert flagged and lead_at < created_at


def test_fiscal_calendar_starts_in_february(demo_run):
    rows = dict(
        (day, (year, quarter))
        for day, year, quarter in query(
            demo_run,
            "select date_day, fiscal_year, fiscal_quarter from marts.dim_date "
            "where date_day in ('2025-01-31', '2025-02-01', '2025-05-01', '2025-12-31')",
        )
    )
    assert rows == {
        date(2025, 1, 31): (2025, 4),
        date(2025, 2, 1): (2026, 1),
        date(2025, 5, 1): (2026, 2),
        date(2025, 12, 31): (2026, 4),
    }


def test_sales_roles_come_from_the_role_hierarchy(demo_run):
    functions = dict(query(demo_run, "select user_function, bool_and(is_sales_role) from marts.dim_user group by 1"))
    assert functions["sdr"] and functions["ae"] and functions["sales_manager"]
    assert not functions["marketing"] and not functions["csm"]
