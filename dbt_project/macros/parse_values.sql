{#-
  Typed parsing of the raw layer's text values. Raw keeps every value as text so that a bad
  value never aborts a load; these macros return NULL for a value that does not parse, and the
  quality gate reports such rows (raw text non-null, parsed value null).
  Adapter-specific SQL lives in the dispatched implementations below.
-#}

{% macro clean_text(column) -%}
    nullif(trim({{ column }}), '')
{%- endmacro %}

{% macro parse_timestamp(column) -%}
    {{ return(adapter.dispatch('parse_timestamp', 'revops')(column)) }}
{%- endmacro %}

{#- Offsets ('Z', '+02:00') are honoured; a value without an offset is read as UTC (the
    connection's TimeZone is UTC). The result is a UTC timestamp without time zone. -#}
{% macro duckdb__parse_timestamp(column) -%}
    (try_cast({{ clean_text(column) }} as timestamptz) at time zone 'UTC')
{%- endmacro %}

{% macro parse_date(column) -%}
    {{ return(adapter.dispatch('parse_date', 'revops')(column)) }}
{%- endmacro %}

{#- A date column sometimes arrives as a full timestamp ('2024-03-01T00:00:00.000Z'). -#}
{% macro duckdb__parse_date(column) -%}
    coalesce(
        try_cast({{ clean_text(column) }} as date),
        cast(try_cast({{ clean_text(column) }} as timestamptz) at time zone 'UTC' as date)
    )
{%- endmacro %}

{% macro parse_boolean(column) -%}
    {{ return(adapter.dispatch('parse_boolean', 'revops')(column)) }}
{%- endmacro %}

{#- Exports spell booleans true/false, TRUE/FALSE, 1/0 (Fivetran seeds mix all three). -#}
{% macro default__parse_boolean(column) -%}
    case
        when lower(trim({{ column }})) in ('true', 't', '1', 'yes', 'y') then true
        when lower(trim({{ column }})) in ('false', 'f', '0', 'no', 'n') then false
    end
{%- endmacro %}

{% macro parse_decimal(column, precision=18, scale=4) -%}
    {{ return(adapter.dispatch('parse_decimal', 'revops')(column, precision, scale)) }}
{%- endmacro %}

{#- Money stays DECIMAL so that sums are exact and identical run after run. -#}
{% macro duckdb__parse_decimal(column, precision, scale) -%}
    try_cast({{ clean_text(column) }} as decimal({{ precision }}, {{ scale }}))
{%- endmacro %}

{% macro parse_integer(column) -%}
    {{ return(adapter.dispatch('parse_integer', 'revops')(column)) }}
{%- endmacro %}

{% macro duckdb__parse_integer(column) -%}
    try_cast(try_cast({{ clean_text(column) }} as double) as bigint)
{%- endmacro %}
