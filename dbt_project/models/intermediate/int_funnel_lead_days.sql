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

{{ funnel_lead_days_select('select changed.lead_id from ' ~ funnel_changed_leads() ~ ' as changed') }}
