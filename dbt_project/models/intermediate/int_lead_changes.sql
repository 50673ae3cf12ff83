{{ config(
    materialized='table' if target.type == 'spark' else 'incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    post_hook="{{ lead_change_sources_watermark() }}",
) }}
{{ lead_change_sources() }}
-- The log of which leads each night's changes reach (macros/lead_incremental.sql), found once per
-- night here instead of once per lead-grain model: each of them re-derives the leads logged since
-- the last row it consumed. A full refresh logs one row with no lead: everything changed.

{%- if is_incremental() %}

select lead_id, 'attributes' as reach, {{ lead_change_time() }} as recorded_at
from ({{ changed_lead_attributes() }}) as attributes
union all
-- Hand-offs also move with activities; a lead reached both ways is logged twice (harmless).
select lead_id, 'handoffs' as reach, {{ lead_change_time() }} as recorded_at
from ({{ changed_lead_activities() }}) as activities

{%- else %}

select
    cast(null as {{ dbt.type_string() }}) as lead_id,
    'everything' as reach,
    {{ lead_change_time() }} as recorded_at

{%- endif %}
