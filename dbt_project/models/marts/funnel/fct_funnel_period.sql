-- Period (flow) volumes (METRICS.md section 2): how many leads entered each stage in each
-- period (MQLs this month, ...), by the same grains and slices as fct_funnel_cohort. Side
-- outcomes (lost, disqualified) are counted too. The total is zero-filled for every period.
{{ config(**funnel_fact_config('period', funnel_flow_stages())) }}
-- Incremental: a night recounts only the (period, stage) whose entries a changed lead moved
-- (macros/funnel_incremental.sql).

with

leads as (
    select * from {{ ref('int_funnel_lead_days') }}
),

calendar as (
    select * from {{ ref('dim_date') }}
),

stages as (
    {{ funnel_units('period') }}
),

periods_in_range as (
    {{ funnel_range_periods(funnel_flow_stages(), ref('int_funnel_lead_days'), ref('dim_date')) }}
),

-- The (period, stage) counted: all on a full build, the changed ones on an incremental build.
counted_units as (
    {{ funnel_units_to_count('period', 'periods_in_range', ref('dim_date')) }}
),

-- Each day of a counted unit, with its period per grain.
counted_days as (
    {{ funnel_counted_days('counted_units', 'calendar') }}
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
        {{ stage_date('stages.stage', 'leads') }} as entry_date
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
    -- Days counted for any stage; the roll-up below keeps each stage's own days.
    where entry_date in (select counted_days.date_day from counted_days)
    -- sqlfluff's DuckDB dialect cannot parse GROUPING SETS yet.
    group by {{ dimension_grouping_sets(['stage', 'entry_date']) }}  -- noqa: PRS, LT05
),

aggregated as (
    select
        counted_days.grain,
        counted_days.period_start,
        daily.stage,
        daily.dimension,
        daily.dimension_value,
        -- A sum of counts widens (HUGEINT, NUMERIC); the contract says bigint.
        cast(sum(daily.entries) as {{ dbt.type_bigint() }}) as entries
    from daily
    inner join counted_days on daily.entry_date = counted_days.date_day and daily.stage = counted_days.stage
    group by counted_days.grain, counted_days.period_start, daily.stage, daily.dimension, daily.dimension_value
)

select
    units.grain,
    units.period_start,
    units.stage,
    'all' as dimension,
    'all' as dimension_value,
    coalesce(aggregated.entries, 0) as entries
from counted_units as units
left join aggregated
    on
        units.grain = aggregated.grain
        and units.period_start = aggregated.period_start
        and units.stage = aggregated.stage
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
