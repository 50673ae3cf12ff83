{{ config(
    materialized='table' if target.type == 'spark' else 'incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ funnel_record_changed_leads() }}",
    post_hook=["{{ funnel_restart_log_after_full_refresh() }}", "{{ lead_changes_record_watermark() }}"],
) }}
{{ lead_changes_dependency() }}
-- What the funnel facts count, per lead: the company-time-zone date of each stage and the slice
-- values. Kept as last counted, so a night logs a changed lead's old and new rows for the facts
-- (macros/funnel_incremental.sql); an incremental run inserts the leads its pre-hook found
-- changed or new (audit.funnel_changed_leads).

-- The filter sits in the select itself: outside it DuckDB converted every lead's stage times to
-- the company time zone before the semi join (2M leads: 1.0 s vs 0.2 s for 20k changed).
{{ funnel_lead_days_select() }}
{%- if is_incremental() %}
where lifecycle.lead_id in (select changed.lead_id from {{ funnel_changed_leads() }} as changed)
{%- endif %}
