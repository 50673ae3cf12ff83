-- Deal KPIs per period (month, fiscal quarter) and level (owner, team, company), from
-- fct_opportunity (METRICS.md section 3):
-- bookings = won amounts (reporting currency) with close date in the period; win rate = won /
-- (won + lost) among deals closed in the period, by count, and by amount (win_rate_amount); open
-- deals never count; the sales cycle averages won deals by close period; pipeline created sums
-- deals created in the period; a new customer is an account whose first won deal closes in the
-- period; bookings_at_period_start is the bookings of the period's first day (bookings to date
-- when pipeline coverage is measured). Each deal counts once, in its final state (a reopened
-- deal is not counted twice).

with

opportunities as (
    select * from {{ ref('fct_opportunity') }}
),

calendar as (
    select * from {{ ref('dim_date') }}
),

grains as (
    {{ values_relation('grain', kpi_grains()) }}
),

levels as (
    {{ kpi_levels_relation() }}
),

-- Each deal contributes on its close date (closed deals) and on its creation date.
deal_events as (
    select
        opportunity_id,
        owner_id,
        owner_team,
        'closed' as event_kind,
        close_date as event_date,
        is_won,
        amount_reporting,
        sales_cycle_days
    from opportunities
    where is_closed

    union all

    select
        opportunity_id,
        owner_id,
        owner_team,
        'created' as event_kind,
        created_date as event_date,
        is_won,
        amount_reporting,
        sales_cycle_days
    from opportunities
),

expanded as (
    {{ kpi_periods_and_levels('deal_events') }}
),

-- New customers counted apart, from the few deals that make one, not as a distinct count over
-- every expanded deal event (10M leads: the model's select 1.25-1.34 -> 0.97-1.13 s).
new_customer_wins as (
    select
        account_id,
        owner_id,
        owner_team,
        close_date as event_date
    from opportunities
    where is_closed and is_new_customer_win
),

new_customer_counts as (
    select
        grain,
        period_start,
        level,
        level_id,
        count(distinct account_id) as new_customers
    from ({{ kpi_periods_and_levels('new_customer_wins') }}) as expanded_wins
    group by grain, period_start, level, level_id
),

deal_kpis as (
    select
        grain,
        period_start,
        level,
        level_id,
        cast(coalesce(sum(case when event_kind = 'closed' and is_won then amount_reporting end), 0) as decimal(18, 2))
            as bookings,
        -- Bookings to date when pipeline coverage is measured (the period's first day; the daily
        -- snapshot holds the state at the end of a day, so a deal won that day is no longer open).
        cast(
            coalesce(
                sum(case when event_kind = 'closed' and is_won and event_date = period_start then amount_reporting end),
                0
            )
            as decimal(18, 2)
        ) as bookings_at_period_start,
        count(case when event_kind = 'closed' and is_won then 1 end) as won_count,
        count(case when event_kind = 'closed' and not is_won then 1 end) as lost_count,
        coalesce(sum(case when event_kind = 'closed' and not is_won then amount_reporting end), 0) as lost_amount,
        {{ safe_ratio(
            'count(case when event_kind = \'closed\' and is_won then 1 end)',
            'count(case when event_kind = \'closed\' then 1 end)'
        ) }} as win_rate,
        {{ safe_ratio(
            'sum(case when event_kind = \'closed\' and is_won then amount_reporting end)',
            'sum(case when event_kind = \'closed\' then amount_reporting end)'
        ) }} as win_rate_amount,
        cast(avg(case when event_kind = 'closed' and is_won then sales_cycle_days end) as {{ type_double() }})
            as avg_sales_cycle_days,
        {{ median('case when event_kind = \'closed\' and is_won then sales_cycle_days end') }}
            as median_sales_cycle_days,
        cast(coalesce(sum(case when event_kind = 'created' then amount_reporting end), 0) as decimal(18, 2))
            as pipeline_created,
        count(case when event_kind = 'created' then 1 end) as opportunities_created
    from expanded
    group by grain, period_start, level, level_id
)

select
    deal_kpis.*,
    coalesce(new_customer_counts.new_customers, 0) as new_customers
from deal_kpis
left join new_customer_counts
    on
        deal_kpis.grain = new_customer_counts.grain
        and deal_kpis.period_start = new_customer_counts.period_start
        and deal_kpis.level = new_customer_counts.level
        and deal_kpis.level_id = new_customer_counts.level_id
