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

by_period as (
    select
        grains.grain,
        {{ period_start('grains.grain', 'calendar') }} as period_start,
        entries.*
    from entries
    inner join calendar on entries.entry_date = calendar.date_day
    cross join grains
),

aggregated as (
    select
        grain,
        period_start,
        stage,
        {{ dimension_columns() }},
        count(*) as entries
    from by_period
    -- sqlfluff's DuckDB dialect cannot parse GROUPING SETS yet.
    group by {{ dimension_grouping_sets(['grain', 'period_start', 'stage']) }}  -- noqa: PRS, LT05
),

periods as (
    select distinct
        grains.grain,
        {{ period_start('grains.grain', 'calendar') }} as period_start
    from calendar
    cross join grains
    where
        calendar.date_day >= (select min(entries.entry_date) from entries)
        and calendar.date_day <= (select max(entries.entry_date) from entries)
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
