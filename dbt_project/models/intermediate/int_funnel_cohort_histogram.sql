{{ config(**funnel_incremental_config(
    "{{ funnel_histogram_apply_changes() }}", "{{ funnel_record_lead_day_log_watermark() }}"
)) }}
-- How long cohorts took to convert (METRICS.md section 2), as counts: per grain, period, stage
-- pair and slice, how many leads took each number of days (converted_days NULL: not converted,
-- or too late for var funnel_conversion_window_days). fct_funnel_cohort's counts, averages and
-- exact medians come from these rows, never from lead rows again.
-- Incremental by deltas: a night adds the old (-1) and new (+1) values of the leads whose stage
-- dates or slices changed (audit.funnel_lead_day_changes, written by int_funnel_lead_days), so
-- its cost follows the changed leads, not the size of the periods they touch
-- (macros/funnel_incremental.sql).

{%- if is_incremental() and not funnel_log_restarted() %}

select
    {{ funnel_histogram_keys() | join(',\n    ') }},
    converted_days,
    leads
from {{ changes_table() }}
where leads != 0

{%- else %}

{{ funnel_cohort_histogram('select 1 as sign, lead_days.* from ' ~ ref('int_funnel_lead_days') ~ ' as lead_days', ref('dim_date')) }}

{%- endif %}
