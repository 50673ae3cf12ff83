{{ config(
    materialized='table' if target.type == 'spark' else 'incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ keep_previous_row() }}",
) }}
-- The date the data describes ("as of"), one row: var as_of_date when set, else the company date
-- of the latest change in the CRM data. Derived from the data, not from the clock, so that a
-- rebuild of the same export gives the same marts. Also the range of days the data covers, from
-- which dim_date takes its years.
-- Straight from raw: the latest change is the latest change, whichever version carries it. Raw is
-- append-only, so a night reads only the rows loaded since the previous build and folds them into
-- that build's row (kept by the pre-hook, macros/incremental.sql); a full refresh reads them all.
{%- set as_of = var('as_of_date', none) %}
{#- (raw table, its change time, the day of the data it carries) -#}
{%- set changes = [
    ('opportunity', 'last_modified_date', 'close_date'),
    ('lead', 'last_modified_date', 'created_date'),
    ('opportunity_history', 'created_date', none),
] %}

with

loaded as (
    {%- for table, changed_column, day_column in changes %}
    select
        {{ parse_timestamp(changed_column) }} as changed_at,
        {{ parse_date(day_column) if day_column else 'cast(null as date)' }} as data_day,
        _loaded_at
    from {{ source('salesforce', table) }}
    {%- if is_incremental() %}
    where _loaded_at > {{ watermark('loaded_through') }}
    {%- endif %}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

-- Days outside 1990-2100 are typos (year 9999), not data.
folded as (
    {%- if is_incremental() %}
    select
        latest_change_at,
        first_data_day,
        last_data_day,
        loaded_through
    from {{ incremental_state() }}
    union all
    {%- endif %}
    select
        max(changed_at) as latest_change_at,
        min(case when data_day between cast('1990-01-01' as date) and cast('2100-01-01' as date) then data_day end)
            as first_data_day,
        max(case when data_day between cast('1990-01-01' as date) and cast('2100-01-01' as date) then data_day end)
            as last_data_day,
        max(_loaded_at) as loaded_through
    from loaded
)

select
    {%- if as_of is not none %}
    cast('{{ as_of }}' as date) as as_of_date,
    {%- else %}
    coalesce({{ company_date('max(latest_change_at)') }}, current_date) as as_of_date,
    {%- endif %}
    max(latest_change_at) as latest_change_at,
    min(first_data_day) as first_data_day,
    max(last_data_day) as last_data_day,
    max(loaded_through) as loaded_through
from folded
