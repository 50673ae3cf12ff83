"""Opportunity, pipeline and KPI marts on the demo company: they reconcile with each other."""

from __future__ import annotations

import pytest

from orchestration.warehouse import connect


def query(run, sql, params=None):
    with connect(run.warehouse, read_only=True) as conn:
        return conn.execute(sql, params or []).fetchall()


@pytest.mark.parametrize("grain", ["month", "quarter"])
def test_bookings_reconcile_with_won_opportunities_every_period(demo_run, grain):
    mismatches = query(
        demo_run,
        """
        with won as (
            select period_start, sum(o.amount_reporting) as bookings, count(*) as won
            from marts.fct_opportunity o
            join (select date_day, case ? when 'month' then month_start else fiscal_quarter_start end as period_start
                  from marts.dim_date) d on o.close_date = d.date_day
            where o.is_won
            group by period_start
        )
        select k.period_start, k.bookings, won.bookings
        from marts.fct_sales_kpis k
        full join won using (period_start)
        where k.grain = ? and k.level = 'company'
          and (k.bookings is distinct from coalesce(won.bookings, 0)
               or k.won_count is distinct from coalesce(won.won, 0))
        """,
        [grain, grain],
    )
    assert mismatches == []
    [(periods,)] = query(
        demo_run, "select count(*) from marts.fct_sales_kpis where grain = ? and level = 'company'", [grain]
    )
    assert periods >= (8 if grain == "quarter" else 24)


@pytest.mark.parametrize("level", ["owner", "team"])
def test_company_totals_equal_the_sum_over_reps_and_teams(demo_run, level):
    mismatches = query(
        demo_run,
        """
        with parts as (
            select grain, period_start, sum(bookings) as bookings, sum(won_count) as won, sum(lost_count) as lost,
                sum(pipeline_created) as created, sum(open_pipeline_end) as open_end
            from marts.fct_sales_kpis where level = ? group by grain, period_start
        )
        select c.grain, c.period_start
        from marts.fct_sales_kpis c join parts p using (grain, period_start)
        where c.level = 'company' and (c.bookings != p.bookings or c.won_count != p.won or c.lost_count != p.lost
            or c.pipeline_created != p.created or c.open_pipeline_end != p.open_end)
        """,
        [level],
    )
    assert mismatches == []


def test_one_row_per_live_opportunity_no_fan_out(demo_run):
    [(facts, distinct, live)] = query(
        demo_run,
        """
        select (select count(*) from marts.fct_opportunity),
            (select count(distinct opportunity_id) from marts.fct_opportunity),
            (select count(*) from staging.stg_salesforce__opportunity where not is_deleted)
        """,
    )
    assert facts == distinct == live


def test_pipeline_snapshot_is_consistent(demo_run):
    [(rows, bad_weight, closed_in_snapshot)] = query(
        demo_run,
        """
        select count(*),
            count(*) filter (where weighted_amount_reporting > amount_reporting and probability <= 100),
            count(*) filter (where stage_name in ('Closed Won', 'Closed Lost'))
        from marts.fct_pipeline_snapshot_daily
        """,
    )
    assert rows > 0 and bad_weight == 0 and closed_in_snapshot == 0
    # The open pipeline at the as-of date is exactly the open opportunities (in their current state).
    [(open_now, open_snapshot)] = query(
        demo_run,
        """
        select (select sum(amount_reporting) from marts.fct_opportunity
                where not is_closed and created_date <= a.as_of_date),
            (select sum(amount_reporting) from marts.fct_pipeline_snapshot_daily where snapshot_date = a.as_of_date)
        from intermediate.int_as_of a
        """,
    )
    assert open_now == open_snapshot


def test_kpis_look_like_a_real_company(demo_run):
    [(win_rate, coverage, cac, accuracy)] = query(
        demo_run,
        """
        select avg(win_rate), avg(pipeline_coverage), avg(cac), avg(forecast_accuracy_pct)
        from marts.fct_sales_kpis where grain = 'quarter' and level = 'company' and bookings > 0
        """,
    )
    assert 0.15 < win_rate < 0.6
    assert 0.5 < coverage < 5
    assert cac > 0
    assert 50 < accuracy <= 100


def test_rep_benchmark_flags_below_benchmark_reps(demo_run):
    rows = query(
        demo_run,
        """
        select metric, count(*), count(*) filter (where below_company_benchmark), count(distinct rep_id)
        from marts.fct_rep_benchmark group by metric
        """,
    )
    by_metric = {metric: (n, below, reps) for metric, n, below, reps in rows}
    assert {"win_rate", "mql_to_sql_rate", "selling_time_share", "call_share"} <= set(by_metric)
    n, below, reps = by_metric["win_rate"]
    assert 0 < below < n and reps >= 5


def test_revenue_by_segment_slices_sum_to_bookings(demo_run):
    mismatches = query(
        demo_run,
        """
        select r.period_start, r.dimension
        from (select period_start, dimension, sum(bookings) as bookings from marts.fct_revenue_by_segment
              where grain = 'quarter' group by all) r
        join marts.fct_sales_kpis k on k.grain = 'quarter' and k.level = 'company' and k.period_start = r.period_start
        where abs(r.bookings - k.bookings) > case when r.dimension = 'product_family' then 1.0 else 0 end
        """,
    )
    assert mismatches == []
