{{ config(**logged_days_config('int_activities', 'day', rebuilt="quota_type not like 'activity%'")) }}
-- What each owner achieved each day, per quota type (METRICS.md section 4):
-- revenue = won bookings (close date); profit = bookings minus the won deals' costs (discount,
-- shipping, attributed marketing, other; reporting currency at the close date's rate); volume =
-- units (line-item quantity) of won deals; pipeline = amounts of deals created; activity = calls,
-- emails and meetings owned (also per kind: activity_call, activity_email, activity_meeting).
-- Incremental by day (macros/day_incremental.sql): the deal-based types are re-derived whole each
-- night (a deal's old close date is not kept anywhere), the activity counts only for the days
-- int_activities logged as changed since the last build; a full refresh gives the same table.

with

opportunities as (
    select * from {{ ref('fct_opportunity') }}
),

rates as (
    select * from {{ ref('int_fx_rates') }}
),

costs as (
    select
        deal_costs.opportunity_id,
        sum(
            cast(
                round(deal_costs.amount / cost_rates.conversion_rate * reporting_rates.conversion_rate, 2)
                as decimal(18, 2)
            )
        ) as cost_reporting
    from {{ ref('stg_inputs__deal_costs') }} as deal_costs
    inner join opportunities on deal_costs.opportunity_id = opportunities.opportunity_id
    left join rates as cost_rates
        on
            coalesce(deal_costs.currency_iso_code, opportunities.currency) = cost_rates.iso_code
            and opportunities.close_date >= cost_rates.valid_from
            and opportunities.close_date < cost_rates.valid_to
    left join rates as reporting_rates
        on
            reporting_rates.iso_code = '{{ var("reporting_currency") }}'
            and opportunities.close_date >= reporting_rates.valid_from
            and opportunities.close_date < reporting_rates.valid_to
    group by deal_costs.opportunity_id
),

units as (
    select
        opportunity_id,
        sum(quantity) as quantity
    from {{ ref('stg_salesforce__opportunity_line_item') }}
    where not is_deleted
    group by opportunity_id
),

won as (
    select
        opportunities.owner_id,
        opportunities.close_date as day,
        opportunities.amount_reporting,
        coalesce(costs.cost_reporting, 0) as cost_reporting,
        coalesce(units.quantity, 0) as quantity
    from opportunities
    left join costs on opportunities.opportunity_id = costs.opportunity_id
    left join units on opportunities.opportunity_id = units.opportunity_id
    where opportunities.is_won
),

activities as (
    select
        owner_id,
        occurred_date as day,
        activity_type
    from {{ ref('int_activities') }}
    where
        activity_type in ('call', 'email', 'meeting')
        and {{ on_logged_days('int_activities', 'occurred_date') }}
),

daily as (
    select
        owner_id,
        day,
        'revenue' as quota_type,
        amount_reporting as actual
    from won
    union all
    select
        owner_id,
        day,
        'profit' as quota_type,
        amount_reporting - cost_reporting as actual
    from won
    union all
    select
        owner_id,
        day,
        'volume' as quota_type,
        quantity as actual
    from won
    union all
    select
        owner_id,
        created_date as day,
        'pipeline' as quota_type,
        amount_reporting as actual
    from opportunities
    union all
    select
        owner_id,
        day,
        'activity' as quota_type,
        1 as actual
    from activities
    union all
    select
        owner_id,
        day,
        'activity_' || activity_type as quota_type,
        1 as actual
    from activities
)

select
    owner_id,
    day,
    quota_type,
    cast(sum(actual) as decimal(18, 2)) as actual
from daily
where owner_id is not null and day is not null
group by owner_id, day, quota_type
