{#-
  Time helpers. Timestamps are stored as UTC without a time zone; dates for reporting are the
  calendar date in the company's time zone (var company_time_zone), as METRICS.md section 6 says.
-#}

{#- The company-time-zone calendar date of a UTC timestamp. -#}
{% macro company_date(utc_timestamp) -%}
    {{ return(adapter.dispatch('company_date', 'revops')(utc_timestamp)) }}
{%- endmacro %}

{% macro default__company_date(utc_timestamp) -%}
    cast(({{ utc_timestamp }} at time zone 'UTC') at time zone '{{ var("company_time_zone") }}' as date)
{%- endmacro %}

{#- The UTC instant at which a company-time-zone calendar date begins (for date-only events). -#}
{% macro company_day_start(day) -%}
    {{ return(adapter.dispatch('company_day_start', 'revops')(day)) }}
{%- endmacro %}

{% macro default__company_day_start(day) -%}
    ((cast({{ day }} as timestamp) at time zone '{{ var("company_time_zone") }}') at time zone 'UTC')
{%- endmacro %}

{#- Whole days from one date to another (later date minus earlier date). -#}
{% macro day_diff(start_date, end_date) -%}
    {{ return(adapter.dispatch('day_diff', 'revops')(start_date, end_date)) }}
{%- endmacro %}

{% macro default__day_diff(start_date, end_date) -%}
    date_diff('day', {{ start_date }}, {{ end_date }})
{%- endmacro %}

{% macro postgres__day_diff(start_date, end_date) -%}
    cast({{ end_date }} - {{ start_date }} as bigint)
{%- endmacro %}

{#- Whole seconds between two UTC timestamps (exact, so sums and averages are too). -#}
{% macro seconds_between(start_timestamp, end_timestamp) -%}
    {{ return(adapter.dispatch('seconds_between', 'revops')(start_timestamp, end_timestamp)) }}
{%- endmacro %}

{% macro default__seconds_between(start_timestamp, end_timestamp) -%}
    date_diff('second', {{ start_timestamp }}, {{ end_timestamp }})
{%- endmacro %}

{% macro postgres__seconds_between(start_timestamp, end_timestamp) -%}
    cast(extract(epoch from ({{ end_timestamp }} - {{ start_timestamp }})) as bigint)
{%- endmacro %}

{#- One row per day from start_date to end_date inclusive, column `date_day`. -#}
{% macro day_series(start_date, end_date) -%}
    {{ return(adapter.dispatch('day_series', 'revops')(start_date, end_date)) }}
{%- endmacro %}

{% macro duckdb__day_series(start_date, end_date) -%}
    select cast(generated.day as date) as date_day
    from generate_series(cast({{ start_date }} as timestamp), cast({{ end_date }} as timestamp), interval 1 day) as generated (day)
{%- endmacro %}

{#- Median of an expression within a group (ordered-set aggregate on PostgreSQL). -#}
{% macro median(expression) -%}
    {{ return(adapter.dispatch('median', 'revops')(expression)) }}
{%- endmacro %}

{% macro default__median(expression) -%}
    median({{ expression }})
{%- endmacro %}

{#- Ratio that is NULL, not an error or infinity, when the denominator is zero or NULL. -#}
{% macro safe_ratio(numerator, denominator) -%}
    (cast({{ numerator }} as {{ type_double() }}) / nullif(cast({{ denominator }} as {{ type_double() }}), 0))
{%- endmacro %}

{#- 8-byte floating point (dbt.type_float() is 4-byte on DuckDB). -#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'revops')()) }}
{%- endmacro %}

{% macro default__type_double() -%}double{%- endmacro %}

{% macro postgres__type_double() -%}double precision{%- endmacro %}

{#- Pacing (METRICS.md section 4): the share of a period's days elapsed at a date, in % (0..100,
    both ends inclusive). -#}
{% macro expected_pct_to_date(period_start, period_end, as_of_date) -%}
    100 * greatest(0, least(1, ({{ day_diff(period_start, as_of_date) }} + 1) * 1.0
    / ({{ day_diff(period_start, period_end) }} + 1)))
{%- endmacro %}
