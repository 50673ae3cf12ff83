{#-
  PostgreSQL implementations of the adapter-specific macros (the project also builds on the
  `postgres` target). PostgreSQL 15 has no try_cast, so on-run-start creates small functions that
  return NULL for a value that does not parse, as DuckDB's try_cast does: a bad value in raw must
  not abort the build (the quality gate reports it).
-#}

{% macro create_parsing_functions() -%}
    {{ return(adapter.dispatch('create_parsing_functions', 'revops')()) }}
{%- endmacro %}

{% macro default__create_parsing_functions() -%}
    select 1
{%- endmacro %}

{% macro postgres__create_parsing_functions() -%}
    {%- set functions = {
        'try_timestamptz': 'timestamptz',
        'try_date': 'date',
        'try_numeric': 'numeric',
        'try_double': 'double precision',
    } -%}
    create schema if not exists {{ target.schema }};
    {% for name, type in functions.items() -%}
    -- Text without an offset is read as UTC (set for the function, whatever the session's zone).
    create or replace function {{ target.schema }}.{{ name }}(value text) returns {{ type }}
    language plpgsql immutable set timezone = 'UTC' as $body$
    begin
        return value::{{ type }};
    exception when others then
        return null;
    end
    $body$;
    {% endfor %}
{%- endmacro %}

{% macro postgres__parse_timestamp(column) -%}
    ({{ target.schema }}.try_timestamptz({{ clean_text(column) }}) at time zone 'UTC')
{%- endmacro %}

{% macro postgres__parse_date(column) -%}
    coalesce(
        {{ target.schema }}.try_date({{ clean_text(column) }}),
        cast({{ target.schema }}.try_timestamptz({{ clean_text(column) }}) at time zone 'UTC' as date)
    )
{%- endmacro %}

{#- Out-of-range values become NULL too (the cast to the scale is inside the guarded function). -#}
{% macro postgres__parse_decimal(column, precision, scale) -%}
    cast(
        case
            when abs({{ target.schema }}.try_numeric({{ clean_text(column) }})) < 10 ^ ({{ precision }} - {{ scale }})
                then {{ target.schema }}.try_numeric({{ clean_text(column) }})
        end
        as decimal({{ precision }}, {{ scale }})
    )
{%- endmacro %}

{% macro postgres__parse_integer(column) -%}
    cast(
        case
            when abs({{ target.schema }}.try_double({{ clean_text(column) }})) < 9.2e18
                then {{ target.schema }}.try_double({{ clean_text(column) }})
        end
        as bigint
    )
{%- endmacro %}

{% macro postgres__day_series(start_date, end_date) -%}
    select cast(generated.day as date) as date_day
    from generate_series(cast({{ start_date }} as timestamp), cast({{ end_date }} as timestamp), interval '1 day')
        as generated (day)
{%- endmacro %}

{% macro postgres__median(expression) -%}
    percentile_cont(0.5) within group (order by {{ expression }})
{%- endmacro %}

{#- pre-hook of the funnel facts: their many CTEs over freshly built tables have no statistics, and
    PostgreSQL, estimating one row, joined the per-unit histograms with nested loops (a demo
    build ran for tens of minutes). Hash and merge joins only, for this model's transaction. -#}
{% macro funnel_planner_settings() -%}
    {{ return(adapter.dispatch('funnel_planner_settings', 'revops')()) }}
{%- endmacro %}

{% macro default__funnel_planner_settings() -%}
    select 1
{%- endmacro %}

{% macro postgres__funnel_planner_settings() -%}
    set local enable_nestloop = off
{%- endmacro %}
