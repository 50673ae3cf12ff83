-- Channel performance by period (calendar month, fiscal quarter) and channel (METRICS.md
-- section 3): marketing spend of the channel; leads and MQLs entering in the period; new customers
-- and bookings attributed by first touch (the channel of the lead the deal came from, else of the
-- account's first lead); channel CAC = marketing spend / attributed new customers; ROI =
-- attributed bookings / marketing spend. Spend in the reporting currency at the spend date's rate.

with

calendar as (
    select * from {{ ref('dim_date') }}
),

grains as (
    {{ values_relation('grain', kpi_grains()) }}
),

channels as (
    select
        source_value,
        channel
    from {{ ref('channel_map') }}
    where source_field = 'Lead.LeadSource'
),

converted_spend as (
    {{ spend_in_reporting_currency() }}
),

spend as (
    select
        converted_spend.spend_date as event_date,
        coalesce(channels.channel, converted_spend.channel, 'Unknown') as channel,
        converted_spend.amount_reporting as spend
    from converted_spend
    left join channels on converted_spend.channel = channels.source_value
    where converted_spend.spend_category = 'marketing'
),

leads as (
    select * from {{ ref('fct_lead_lifecycle') }}
),

won as (
    select * from {{ ref('fct_opportunity') }}
    where is_won
),

-- Leads and MQLs arrive counted per day and channel, so the calendar join below meets a few
-- thousand rows rather than every lead (10M leads: 0.8 -> 0.16 s).
events as (
    select
        event_date,
        channel,
        spend,
        0 as leads,
        0 as mqls,
        0 as new_customer_wins,
        cast(null as {{ dbt.type_string() }}) as account_id,
        0 as bookings
    from spend

    union all

    select
        lead_date as event_date,
        channel,
        0 as spend,
        count(*) as leads,
        0 as mqls,
        0 as new_customer_wins,
        null as account_id,
        0 as bookings
    from leads
    where lead_date is not null
    group by 1, 2

    union all

    select
        mql_date as event_date,
        channel,
        0 as spend,
        0 as leads,
        count(*) as mqls,
        0 as new_customer_wins,
        null as account_id,
        0 as bookings
    from leads
    where mql_date is not null
    group by 1, 2

    union all

    select
        close_date as event_date,
        channel,
        0 as spend,
        0 as leads,
        0 as mqls,
        case when is_new_customer_win then 1 else 0 end as new_customer_wins,
        case when is_new_customer_win then account_id end as account_id,
        amount_reporting as bookings
    from won
),

aggregated as (
    select
        grains.grain,
        {{ period_start('grains.grain', 'calendar') }} as period_start,
        events.channel,
        sum(events.spend) as marketing_spend,
        sum(events.leads) as leads,
        sum(events.mqls) as mqls,
        count(distinct events.account_id) as new_customers,
        sum(events.bookings) as bookings_attributed
    from events
    inner join calendar on events.event_date = calendar.date_day
    cross join grains
    group by 1, 2, 3
)

select
    grain,
    period_start,
    channel,
    cast(marketing_spend as decimal(18, 2)) as marketing_spend,
    cast(leads as bigint) as leads,
    cast(mqls as bigint) as mqls,
    new_customers,
    cast(bookings_attributed as decimal(18, 2)) as bookings_attributed,
    {{ safe_ratio('marketing_spend', 'new_customers') }} as cac,
    {{ safe_ratio('bookings_attributed', 'marketing_spend') }} as roi
from aggregated
