-- Cohort conversion (METRICS.md section 2): of the leads that entered stage A in period P, how
-- many reached stage B (within var funnel_conversion_window_days of entering A when set), and
-- how many whole days it took (median and average over the converted).
-- One tidy table: grain (week, month, fiscal quarter) x period x stage pair x slice, where a
-- slice is the total (dimension 'all') or one value of channel, campaign, segment, region,
-- owner or team. The total is published for every period, zero-filled; slices where they have
-- leads. Counts add up across periods; rates and medians are per row.
{%- set window_days = var('funnel_conversion_window_days') %}

with

leads as (
    select * from {{ ref('fct_lead_lifecycle') }}
),

calendar as (
    select * from {{ ref('dim_date') }}
),

stage_pairs as (
    {%- for from_stage, to_stage in funnel_stage_pairs() %}
    select
        '{{ from_stage }}' as from_stage,
        '{{ to_stage }}' as to_stage
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

grains as (
    {{ values_relation('grain', funnel_grains()) }}
),

cohort_members as (
    select
        stage_pairs.from_stage,
        stage_pairs.to_stage,
        leads.channel,
        leads.campaign_id,
        leads.segment,
        leads.region,
        leads.owner_id,
        leads.owner_team,
        {{ stage_timestamp('stage_pairs.from_stage', 'leads') }} as from_at,
        {{ stage_timestamp('stage_pairs.to_stage', 'leads') }} as to_at
    from leads
    cross join stage_pairs
),

scored as (
    select
        cohort_members.*,
        {{ company_date('cohort_members.from_at') }} as cohort_date,
        {{ company_date('cohort_members.to_at') }} as converted_date
    from cohort_members
    where cohort_members.from_at is not null
),

timed as (
    select
        scored.*,
        {{ day_diff('scored.cohort_date', 'scored.converted_date') }} as days_to_convert
    from scored
),

converted_flagged as (
    select
        timed.*,
        coalesce(
            timed.to_at is not null
            {%- if window_days is not none %} and timed.days_to_convert <= {{ window_days }}{% endif %},
            false
        ) as is_converted
    from timed
),

by_period as (
    select
        grains.grain,
        {{ period_start('grains.grain', 'calendar') }} as period_start,
        converted_flagged.*
    from converted_flagged
    inner join calendar on converted_flagged.cohort_date = calendar.date_day
    cross join grains
),

aggregated as (
    select
        grain,
        period_start,
        from_stage,
        to_stage,
        {{ dimension_columns() }},
        count(*) as entered,
        count(case when is_converted then 1 end) as converted,
        {{ median('case when is_converted then days_to_convert end') }} as median_days,
        avg(case when is_converted then days_to_convert end) as avg_days
    from by_period
    -- sqlfluff's DuckDB dialect cannot parse GROUPING SETS yet.
    group by {{ dimension_grouping_sets(['grain', 'period_start', 'from_stage', 'to_stage']) }}  -- noqa: PRS, LT05
),

-- Every period between the first and the last cohort, for the zero-filled total.
periods as (
    select distinct
        grains.grain,
        {{ period_start('grains.grain', 'calendar') }} as period_start
    from calendar
    cross join grains
    where
        calendar.date_day >= (select min(scored.cohort_date) from scored)
        and calendar.date_day <= (select max(scored.cohort_date) from scored)
),

totals as (
    select
        periods.grain,
        periods.period_start,
        stage_pairs.from_stage,
        stage_pairs.to_stage,
        'all' as dimension,
        'all' as dimension_value,
        coalesce(aggregated.entered, 0) as entered,
        coalesce(aggregated.converted, 0) as converted,
        aggregated.median_days,
        aggregated.avg_days
    from periods
    cross join stage_pairs
    left join aggregated
        on
            periods.grain = aggregated.grain
            and periods.period_start = aggregated.period_start
            and stage_pairs.from_stage = aggregated.from_stage
            and stage_pairs.to_stage = aggregated.to_stage
            and aggregated.dimension = 'all'
),

slices as (
    select
        grain,
        period_start,
        from_stage,
        to_stage,
        dimension,
        dimension_value,
        entered,
        converted,
        median_days,
        avg_days
    from aggregated
    where dimension != 'all'
),

combined as (
    select * from totals
    union all
    select * from slices
)

select
    grain,
    period_start,
    from_stage,
    to_stage,
    dimension,
    dimension_value,
    entered,
    converted,
    {{ safe_ratio('converted', 'entered') }} as conversion_rate,
    cast(median_days as {{ type_double() }}) as median_days,
    cast(avg_days as {{ type_double() }}) as avg_days
from combined
