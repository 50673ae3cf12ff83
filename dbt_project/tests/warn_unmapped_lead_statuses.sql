-- Lead.Status values that seeds/lifecycle_stage_map.csv does not map: kept as stage 'unmapped'
-- (never dropped) and reported here so the map can be extended.
{{ config(severity='warn') }}

select
    source_value,
    count(*) as events
from {{ ref('int_lead_stage_events') }}
where stage = 'unmapped'
group by source_value
