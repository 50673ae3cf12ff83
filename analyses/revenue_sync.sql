-- The weekly revenue sync on one page, as (section, metric, value) rows: last complete week
-- (bookings, pipeline created, MQLs, speed-to-lead SLA) and the running fiscal quarter at
-- company level (bookings, forecast of record and its accuracy, win rate, coverage, pushed deals).
with

as_of as (
    select
        as_of_date,
        {{ dbt.dateadd('day', -7, "cast(" ~ dbt.date_trunc('week', 'as_of_date') ~ " as date)") }} as week_start
    from {{ ref('int_as_of') }}
),

quarter as (
    select calendar.fiscal_quarter_start as quarter_start
    from {{ ref('dim_date') }} as calendar
    inner join as_of on calendar.date_day = as_of.as_of_date
),

opportunities as (
    select
        opportunities.*,
        opportunities.close_date >= as_of.week_start
        and opportunities.close_date < {{ dbt.dateadd('day', 7, 'as_of.week_start') }} as closed_last_week,
        opportunities.created_date >= as_of.week_start
        and opportunities.created_date < {{ dbt.dateadd('day', 7, 'as_of.week_start') }} as created_last_week
    from {{ ref('fct_opportunity') }} as opportunities
    cross join as_of
),

quarter_kpis as (
    select kpis.*
    from {{ ref('fct_sales_kpis') }} as kpis
    inner join quarter on kpis.period_start = quarter.quarter_start
    where kpis.grain = 'quarter' and kpis.level = 'company'
),

handoff as (
    select
        sum(handoffs.mqls) as mqls,
        sum(handoffs.met_sla) * 1.0 / nullif(sum(handoffs.mqls), 0) as sla_rate
    from {{ ref('fct_lead_handoff_weekly') }} as handoffs
    inner join as_of on handoffs.week_start = as_of.week_start
)

select
    'last week' as section,
    'bookings' as metric,
    sum(case when is_won and closed_last_week then amount_reporting end) as value
from opportunities
union all
select
    'last week' as section,
    'pipeline created' as metric,
    sum(case when created_last_week then amount_reporting end) as value
from opportunities
union all
select
    'last week' as section,
    'MQLs' as metric,
    mqls as value
from handoff
union all
select
    'last week' as section,
    'speed-to-lead SLA rate' as metric,
    sla_rate as value
from handoff
union all
select
    'quarter to date' as section,
    'bookings' as metric,
    bookings as value
from quarter_kpis
union all
select
    'quarter to date' as section,
    'forecast of record' as metric,
    forecast_of_record as value
from quarter_kpis
union all
select
    'quarter to date' as section,
    'forecast accuracy %' as metric,
    forecast_accuracy_pct as value
from quarter_kpis
union all
select
    'quarter to date' as section,
    'win rate' as metric,
    win_rate as value
from quarter_kpis
union all
select
    'quarter to date' as section,
    'pipeline coverage' as metric,
    pipeline_coverage as value
from quarter_kpis
union all
select
    'quarter to date' as section,
    'open deals pushed at least once' as metric,
    count(case when not is_closed and close_date_push_count > 0 then 1 end) as value
from opportunities
