-- Cohort conversion (METRICS.md section 2): of the leads that entered stage A in period P, how
-- many reached stage B (within var funnel_conversion_window_days of entering A when set), and
-- how many whole days it took (median and average over the converted).
-- One tidy table: grain (week, month, fiscal quarter) x period x stage pair x slice, where a
-- slice is the total (dimension 'all') or one value of channel, campaign, segment, region,
-- owner or team. The total is published for every period, zero-filled; slices where they have
-- leads. Counts add up across periods; rates and medians are per row.
{%- set window_days = var('funnel_conversion_window_days') %}
{%- set cohort_keys = ['grain', 'period_start', 'from_stage', 'to_stage', 'dimension', 'dimension_value'] %}
{%- set cohort_stages = [] %}
{%- for from_stage, to_stage in funnel_stage_pairs() %}
{%- if from_stage not in cohort_stages %}{% do cohort_stages.append(from_stage) %}{% endif %}
{%- endfor %}
{{ config(**funnel_fact_config('cohort', cohort_stages)) }}
-- Incremental: a night recounts only the (period, stage pair) whose cohort a changed lead moved
-- (macros/funnel_incremental.sql).

with

leads as (
    select * from {{ ref('int_funnel_lead_days') }}
),

calendar as (
    select * from {{ ref('dim_date') }}
),

stage_pairs as (
    {{ funnel_units('cohort') }}
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
        {{ stage_date('stage_pairs.from_stage', 'leads') }} as cohort_date,
        {{ stage_date('stage_pairs.to_stage', 'leads') }} as converted_date
    from leads
    cross join stage_pairs
),

-- The (period, stage pair) counted: all on a full build, the changed ones on an incremental build.
counted_units as (
    {{ funnel_units_to_count('cohort', cohort_stages, ref('int_funnel_lead_days'), ref('dim_date')) }}
),

-- Each day of a counted unit, with its period per grain.
counted_days as (
    {{ funnel_counted_days('counted_units', 'calendar') }}
),

timed as (
    select
        cohort_members.*,
        {{ day_diff('cohort_members.cohort_date', 'cohort_members.converted_date') }} as days_to_convert
    from cohort_members
    -- Days counted for any pair; the histogram keeps each pair's own days. A plain IN on one
    -- column is a hashed lookup on every engine (PostgreSQL planned the three-column match as
    -- a nested loop).
    where cohort_members.cohort_date in (select counted_days.date_day from counted_days)
),

-- Days to convert of a converted lead, NULL when it never reached the later stage (no
-- converted_date) or, with a window set, reached it too late.
outcomes as (
    select
        timed.*,
        {%- if window_days is not none %}
        case when timed.days_to_convert <= {{ window_days }} then timed.days_to_convert end
        {%- else %}
        timed.days_to_convert
        {%- endif %} as converted_days
    from timed
),

-- One pass over leads x pairs, counted per cohort day, slice and conversion time: everything
-- after this works on day-level counts, never on lead rows again (at 10M leads the lead-level
-- grouping sets with a median per group spilled tens of GB).
daily as (
    select
        from_stage,
        to_stage,
        cohort_date,
        converted_days,
        {{ dimension_columns() }},
        count(*) as leads
    from outcomes
    -- sqlfluff's DuckDB dialect cannot parse GROUPING SETS yet.
    group by {{ dimension_grouping_sets(['from_stage', 'to_stage', 'cohort_date', 'converted_days']) }}  -- noqa: PRS, LT05
),

-- Per period: how many leads took each number of days (a histogram of converted_days; NULL =
-- not converted).
histogram as (
    select
        counted_days.grain,
        counted_days.period_start,
        daily.from_stage,
        daily.to_stage,
        daily.dimension,
        daily.dimension_value,
        daily.converted_days,
        sum(daily.leads) as leads
    from daily
    inner join counted_days
        on
            daily.cohort_date = counted_days.date_day
            and daily.from_stage = counted_days.from_stage
            and daily.to_stage = counted_days.to_stage
    group by
        counted_days.grain,
        counted_days.period_start,
        daily.from_stage,
        daily.to_stage,
        daily.dimension,
        daily.dimension_value,
        daily.converted_days
),

-- Counts per cohort row: entered, converted, and the sum of days for the average.
aggregated as (
    select
        {{ cohort_keys | join(', ') }},
        sum(leads) as entered,
        coalesce(sum(case when converted_days is not null then leads end), 0) as converted,
        sum(converted_days * leads) as converted_days_total
    from histogram
    group by {{ cohort_keys | join(', ') }}
),

-- Running count of converted leads by conversion time, to find the middle one(s) exactly.
ranked as (
    select
        *,
        sum(leads) over (
            partition by {{ cohort_keys | join(', ') }}
            order by converted_days
            rows between unbounded preceding and current row
        ) as leads_up_to
    from histogram
    where converted_days is not null
),

-- The median is the mean of the values at the lower and upper middle positions (equal when the
-- count is odd), as median() computes it on the lead rows.
medians as (
    select
        ranked.{{ cohort_keys | join(', ranked.') }},
        (
            min(case when ranked.leads_up_to >= floor((aggregated.converted + 1) / 2.0) then ranked.converted_days end)
            + min(case when ranked.leads_up_to >= floor(aggregated.converted / 2.0) + 1 then ranked.converted_days end)
        ) / 2.0 as median_days
    from ranked
    inner join aggregated on {{ keys_match(cohort_keys, 'ranked', 'aggregated') }}
    group by ranked.{{ cohort_keys | join(', ranked.') }}
),

measured as (
    select
        aggregated.*,
        medians.median_days,
        cast(aggregated.converted_days_total as {{ type_double() }}) / nullif(aggregated.converted, 0) as avg_days
    from aggregated
    left join medians on {{ keys_match(cohort_keys, 'aggregated', 'medians') }}
),

totals as (
    select
        units.grain,
        units.period_start,
        units.from_stage,
        units.to_stage,
        'all' as dimension,
        'all' as dimension_value,
        coalesce(measured.entered, 0) as entered,
        coalesce(measured.converted, 0) as converted,
        measured.median_days,
        measured.avg_days
    from counted_units as units
    left join measured
        on
            units.grain = measured.grain
            and units.period_start = measured.period_start
            and units.from_stage = measured.from_stage
            and units.to_stage = measured.to_stage
            and measured.dimension = 'all'
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
    from measured
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
    -- Sums of counts widen (HUGEINT, NUMERIC); the contract says bigint.
    cast(entered as {{ dbt.type_bigint() }}) as entered,
    cast(converted as {{ dbt.type_bigint() }}) as converted,
    {{ safe_ratio('converted', 'entered') }} as conversion_rate,
    cast(median_days as {{ type_double() }}) as median_days,
    cast(avg_days as {{ type_double() }}) as avg_days
from combined
