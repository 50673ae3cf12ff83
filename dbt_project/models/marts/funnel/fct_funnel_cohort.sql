-- Cohort conversion (METRICS.md section 2): of the leads that entered stage A in period P, how
-- many reached stage B (within var funnel_conversion_window_days of entering A when set), and
-- how many whole days it took (median and average over the converted).
-- One tidy table: grain (week, month, fiscal quarter) x period x stage pair x slice, where a
-- slice is the total (dimension 'all') or one value of channel, campaign, segment, region,
-- owner or team. The total is published for every period, zero-filled; slices where they have
-- leads. Counts add up across periods; rates and medians are per row.
{%- set cohort_keys = funnel_histogram_keys() %}
{%- set cohort_stages = [] %}
{%- for from_stage, to_stage in funnel_stage_pairs() %}
{%- if from_stage not in cohort_stages %}{% do cohort_stages.append(from_stage) %}{% endif %}
{%- endfor %}
{{ config(**funnel_incremental_config(
    "{{ funnel_cohort_delete_slices(" ~ cohort_stages ~ ") }}",
    "{{ record_watermark([funnel_changed_slices()], 'recorded_at') }}"
)) }}
-- Counted from int_funnel_cohort_histogram (the conversion times per period, kept by deltas).
-- Incremental: a night recounts only the slices whose conversion times changed, as the
-- histogram logs them (macros/funnel_incremental.sql).

with

periods_in_range as (
    {{ funnel_range_periods(cohort_stages, ref('int_funnel_date_span'), ref('dim_date')) }}
),

-- The (period, stage pair) counted in full: all on a full build; on an incremental build the
-- periods new to the range.
counted_units as (
    {{ funnel_units_to_count('cohort', 'periods_in_range') }}
),

{%- if is_incremental() %}

-- The slices of the other periods whose conversion times changed since the last build.
changed_slices as (
    {{ funnel_changed_slices_to_count('periods_in_range', 'counted_units') }}
),
{%- endif %}

-- Per counted period and slice: how many leads took each number of days (NULL = not converted).
histogram as (
    select kept.*
    from {{ ref('int_funnel_cohort_histogram') }} as kept
    inner join counted_units
        on
            kept.grain = counted_units.grain
            and kept.period_start = counted_units.period_start
            and kept.from_stage = counted_units.from_stage
            and kept.to_stage = counted_units.to_stage
    {%- if is_incremental() %}
    union all
    select kept.*
    from {{ ref('int_funnel_cohort_histogram') }} as kept
    inner join changed_slices on {{ keys_match(cohort_keys, 'kept', 'changed_slices') }}
    {%- endif %}
),

-- The zero-filled totals published: of the units counted in full and of the changed totals.
counted_totals as (
    select
        grain,
        period_start,
        from_stage,
        to_stage
    from counted_units
    {%- if is_incremental() %}
    union all
    select
        grain,
        period_start,
        from_stage,
        to_stage
    from changed_slices
    where dimension = 'all'
    {%- endif %}
),

-- Counts per cohort row: entered, converted, and the sum of days for the average; and a number
-- per row, so that the running count below sorts and joins on one integer, not six keys (the
-- window over six keys took 1.0 of a night's 1.7 s at 10M leads).
aggregated as {{ materialized_cte() }} (
    select
        {{ row_number_once(cohort_keys) }} as slice_id,
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
        aggregated.slice_id,
        aggregated.converted,
        histogram.converted_days,
        sum(histogram.leads) over (
            partition by aggregated.slice_id
            order by histogram.converted_days
            rows between unbounded preceding and current row
        ) as leads_up_to
    from histogram
    inner join aggregated on {{ keys_match(cohort_keys, 'histogram', 'aggregated') }}
    where histogram.converted_days is not null
),

-- The median is the mean of the values at the lower and upper middle positions (equal when the
-- count is odd), as median() computes it on the lead rows.
medians as (
    select
        slice_id,
        (
            min(case when leads_up_to >= floor((converted + 1) / 2.0) then converted_days end)
            + min(case when leads_up_to >= floor(converted / 2.0) + 1 then converted_days end)
        ) / 2.0 as median_days
    from ranked
    group by slice_id
),

measured as (
    select
        aggregated.*,
        medians.median_days,
        cast(aggregated.converted_days_total as {{ type_double() }}) / nullif(aggregated.converted, 0) as avg_days
    from aggregated
    left join medians on aggregated.slice_id = medians.slice_id
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
    from counted_totals as units
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
