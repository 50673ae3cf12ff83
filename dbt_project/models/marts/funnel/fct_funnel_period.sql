-- Period (flow) volumes (METRICS.md section 2): how many leads entered each stage in each
-- period (MQLs this month, ...), by the same grains and slices as fct_funnel_cohort. Side
-- outcomes (lost, disqualified) are counted too. The total is zero-filled for every period.

with

leads as (
    select * from {{ ref('fct_lead_lifecycle') }}
),

calendar as (
    select * from {{ ref('dim_date') }}
),

stages as (
    {{ values_relation('stage', funnel_flow_stages()) }}
),

grains as (
    {{ values_relation('grain', funnel_grains()) }}
),

entries as (
    select
        stages.stage,
        leads.channel,
        leads.campaign_id,
        leads.segment,
        leads.region,
        leads.owner_id,
        leads.owner_team,
        {{ company_date(stage_timestamp('stages.stage', 'leads')) }} as entry_date
    from leads
    cross join stages
),

-- Counted per day and slice first, so the grains multiply day-level counts, not lead rows.
daily as (
    select
        stage,
        entry_date,
        {{ dimension_columns() }},
        count(*) as entries
    from entries
    where entry_date is not null
    -- sqlfluff's DuckDB dialect cannot parse GROUPING SETS yet.
    group by {{ dimension_grouping_sets(['stage', 'entry_date']) }}  -- noqa: PRS, LT05
),

aggregated as (
    select
        grains.grain,
        {{ period_start('grains.grain', 'calendar') }} as period_start,
        daily.stage,
        daily.dimension,
        daily.dimension_value,
        -- A sum of counts widens (HUGEINT, NUMERIC); the contract says bigint.
        cast(sum(daily.entries) as {{ dbt.type_bigint() }}) as entries
    from daily
    inner join calendar on daily.entry_date = calendar.date_day
    cross join grains
    group by grains.grain, period_start, daily.stage, daily.dimension, daily.dimension_value
),

periods as (
    select distinct
        grains.grain,
        {{ period_start('grains.grain', 'calendar') }} as period_start
    from calendar
    cross join grains
    where
        calendar.date_day >= (select min(daily.entry_date) from daily)
        and calendar.date_day <= (select max(daily.entry_date) from daily)
)

select
    periods.grain,
    periods.period_start,
    stages.stage,
    'all' as dimension,
    'all' as dimension_value,
    coalesce(aggregated.entries, 0) as entries
from periods
cross join stages
left join aggregated
    on
        periods.grain = aggregated.grain
        and periods.period_start = aggregated.period_start
        and stages.stage = aggregated.stage
        and aggregated.dimension = 'all'

union all

select
    grain,
    period_start,
    stage,
    dimension,
    dimension_value,
    entries
from aggregated
where dimension != 'all'
