-- The first and last company date each funnel stage was entered on, over every live lead
-- (int_funnel_lead_days), in one row. The funnel facts zero-fill every period between the first
-- and last date of the stages they count (funnel_range_periods). One scan of the lead days for
-- both facts and their hooks: each used to take its own minimum and maximum (eight scans a night).
{%- set spans = [] %}
{%- for stage in funnel_flow_stages() %}
{%- do spans.append('min(' ~ stage ~ '_date) as first_' ~ stage ~ '_date') %}
{%- do spans.append('max(' ~ stage ~ '_date) as last_' ~ stage ~ '_date') %}
{%- endfor %}

select
    {{ spans | join(',\n    ') }}
from {{ ref('int_funnel_lead_days') }}
