{#-
  Building blocks of quarantine.plan_input_problems: each returns rows of
  (source_file, source_row, column_name, value, problem) for one kind of defect.
-#}

{#- Values that are present in the file but do not parse as their type (kinds: date, decimal,
    integer), or missing where required. -#}
{% macro plan_value_problems(table_name, typed_columns, required_columns) -%}
    {%- set parsers = {'date': parse_date, 'decimal': parse_decimal, 'integer': parse_integer} -%}
    {%- set checks = [] -%}
    {%- for column, kind in typed_columns.items() -%}
        {%- do checks.append(
            "select _source_file as source_file, _source_row as source_row, '" ~ column ~ "' as column_name, "
            ~ "cast(" ~ column ~ " as " ~ dbt.type_string() ~ ") as value, "
            ~ "'is not a " ~ kind ~ "' as problem from rows_as_text "
            ~ "where " ~ clean_text(column) ~ " is not null and " ~ parsers[kind](column) ~ " is null"
        ) -%}
    {%- endfor -%}
    {%- for column in required_columns -%}
        {%- do checks.append(
            "select _source_file as source_file, _source_row as source_row, '" ~ column ~ "' as column_name, "
            ~ "cast(null as " ~ dbt.type_string() ~ ") as value, 'is missing' as problem from rows_as_text "
            ~ "where " ~ clean_text(column) ~ " is null"
        ) -%}
    {%- endfor -%}
    select * from (
        with rows_as_text as (
            {{ plan_input_rows(table_name, (typed_columns.keys() | list) + required_columns) }}
        )

        {{ checks | join('\n        union all\n        ') }}
    ) as {{ table_name }}_value_problems
{%- endmacro %}

{#- Rows whose staged `column` is outside `allowed`; NULL passes (required-ness is checked
    separately). file_column: the column's name in the file when staging renamed it. -#}
{% macro plan_enum_problems(relation, column, allowed, file_column=none) -%}
    select
        _source_file as source_file,
        _source_row as source_row,
        '{{ file_column or column }}' as column_name,
        cast({{ column }} as {{ dbt.type_string() }}) as value,
        'is not one of: {{ allowed | join(", ") }}' as problem
    from {{ relation }}
    where {{ column }} is not null and {{ column }} not in ('{{ allowed | join("', '") }}')
{%- endmacro %}

{#- Rows whose numeric `column` falls outside [low, high] (either bound may be none). -#}
{% macro plan_range_problems(relation, column, low, high, problem, file_column=none) -%}
    select
        _source_file as source_file,
        _source_row as source_row,
        '{{ file_column or column }}' as column_name,
        cast({{ column }} as {{ dbt.type_string() }}) as value,
        '{{ problem }}' as problem
    from {{ relation }}
    where
        {%- if low is not none %} {{ column }} < {{ low }}{% endif %}
        {%- if low is not none and high is not none %} or{% endif %}
        {%- if high is not none %} {{ column }} > {{ high }}{% endif %}
{%- endmacro %}

{#- Second and later rows with the same key (the first one is the one kept in mind). -#}
{% macro plan_duplicate_problems(relation, key_columns) -%}
    select
        source_file,
        source_row,
        '{{ key_columns | join(", ") }}' as column_name,
        key_value as value,
        'repeats the key of row ' || cast(first_row as {{ dbt.type_string() }}) as problem
    from (
        select
            _source_file as source_file,
            _source_row as source_row,
            {{ key_value_expression(key_columns) }} as key_value,
            min(_source_row) over (partition by {{ key_columns | join(', ') }}) as first_row
        from {{ relation }}
    ) as keyed
    where source_row > first_row
{%- endmacro %}

{% macro key_value_expression(key_columns) -%}
    {%- set parts = [] -%}
    {%- for column in key_columns -%}
        {%- do parts.append("coalesce(cast(" ~ column ~ " as " ~ dbt.type_string() ~ "), '')") -%}
    {%- endfor -%}
    {{ parts | join(" || ' | ' || ") }}
{%- endmacro %}
