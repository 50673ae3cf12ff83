-- Period (flow) volumes (METRICS.md section 2): how many leads entered each stage in each
-- period (MQLs this month, ...), by the same grains and slices as fct_funnel_cohort. Side
-- outcomes (lost, disqualified) are counted too. The total is zero-filled for every period.
{{ config(**funnel_incremental_config(
    "{{ funnel_period_apply_changes(funnel_flow_stages()) }}", "{{ funnel_record_lead_day_log_watermark() }}"
)) }}
-- Incremental by deltas: volumes add up, so a night adds the old (-1) and new (+1) rows of the
-- leads whose stage dates or slices changed (audit.funnel_lead_day_changes); the pre-hook writes
-- the rows they change to a side table and deletes them (macros/funnel_incremental.sql).

with

periods_in_range as (
    {{ funnel_range_periods(funnel_flow_stages(), ref('int_funnel_date_span'), ref('dim_date')) }}
),

{%- if is_incremental() and not funnel_log_restarted() %}

-- The rows the night's changes moved: stored entries plus the deltas. A slice whose last lead
-- left goes; a total stays, zero, while its period is in range.
counted as (
    select
        changed.{{ funnel_period_keys() | join(',\n        changed.') }},
        changed.entries
    from {{ changes_table() }} as changed
    where
        changed.entries != 0
        or (
            changed.dimension = 'all'
            and exists (
                select 1 from periods_in_range as in_range
                where in_range.grain = changed.grain and in_range.period_start = changed.period_start
            )
        )
),

-- The totals of periods new to the range (no stored row) that no change reached: zero.
new_totals as (
    select
        new_units.grain,
        new_units.period_start,
        new_units.stage,
        'all' as dimension,
        'all' as dimension_value,
        cast(0 as {{ dbt.type_bigint() }}) as entries
    from ({{ funnel_units_to_count('period', 'periods_in_range') }}) as new_units
    where not exists (
        select 1 from counted
        where
            counted.grain = new_units.grain
            and counted.period_start = new_units.period_start
            and counted.stage = new_units.stage
            and counted.dimension = 'all'
    )
)

select * from counted
union all
select * from new_totals

{%- else %}

stages as (
    {{ funnel_units('period') }}
),

volumes as (
    {{ funnel_period_volumes(
        'select 1 as sign, lead_days.* from ' ~ ref('int_funnel_lead_days') ~ ' as lead_days', ref('dim_date')) }}
)

select
    in_range.grain,
    in_range.period_start,
    stages.stage,
    'all' as dimension,
    'all' as dimension_value,
    coalesce(volumes.entries, 0) as entries
from periods_in_range as in_range
cross join stages
left join volumes
    on
        in_range.grain = volumes.grain
        and in_range.period_start = volumes.period_start
        and stages.stage = volumes.stage
        and volumes.dimension = 'all'

union all

select
    grain,
    period_start,
    stage,
    dimension,
    dimension_value,
    entries
from volumes
where dimension != 'all'

{%- endif %}
