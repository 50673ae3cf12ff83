{#-
  Spark implementations of the adapter-specific macros (the project also builds on the `spark`
  target: dbt-spark, session method). Raw, quarantine and audit tables reach Spark as Parquet
  files written from the DuckDB warehouse by `revops spark-landing`; on-run-start registers them
  as external tables. Spark's try_ functions return NULL for a value that does not parse, as
  DuckDB's try_cast does.
-#}

{% macro spark_landing_dir() -%}
    {{ return(env_var('REVOPS_SPARK_LANDING', '../warehouse/spark/landing')) }}
{%- endmacro %}

{#- on-run-start (via create_parsing_functions): every landed table as an external Parquet table. -#}
{% macro spark__create_parsing_functions() -%}
    {%- if execute -%}
        {%- set schemas = [] -%}
        {%- for node in graph.sources.values() -%}
            {%- do schemas.append(node.schema) if node.schema not in schemas -%}
        {%- endfor -%}
        {%- for schema in schemas -%}
            {%- do run_query("create database if not exists " ~ schema) -%}
        {%- endfor -%}
        {%- for node in graph.sources.values() -%}
            {%- do run_query(spark_register_landed(node.schema, node.name)) -%}
        {%- endfor -%}
    {%- endif -%}
    select 1
{%- endmacro %}

{% macro spark_register_landed(schema, table_name) -%}
    create table if not exists {{ schema }}.{{ table_name }}
    using parquet location '{{ spark_landing_dir() }}/{{ schema }}/{{ table_name }}'
{%- endmacro %}

{% macro spark__create_quarantine_tables() -%}
    {%- if execute -%}
        {%- do run_query("create database if not exists quarantine") -%}
        {%- for node in graph.sources.values() if node.source_name in ['salesforce', 'inputs'] -%}
            {%- do run_query(spark_register_landed('quarantine', node.name)) -%}
        {%- endfor -%}
    {%- endif -%}
    select 1
{%- endmacro %}

{#- Offsets are honoured; a value without one is read in the session time zone (UTC). -#}
{% macro spark__parse_timestamp(column) -%}
    try_to_timestamp({{ clean_text(column) }})
{%- endmacro %}

{% macro spark__parse_date(column) -%}
    coalesce(
        try_cast({{ clean_text(column) }} as date),
        cast(try_to_timestamp({{ clean_text(column) }}) as date)
    )
{%- endmacro %}

{% macro spark__parse_decimal(column, precision, scale) -%}
    try_cast({{ clean_text(column) }} as decimal({{ precision }}, {{ scale }}))
{%- endmacro %}

{% macro spark__parse_integer(column) -%}
    try_cast(try_cast({{ clean_text(column) }} as double) as bigint)
{%- endmacro %}

{% macro spark__company_date(utc_timestamp) -%}
    to_date(from_utc_timestamp({{ utc_timestamp }}, '{{ var("company_time_zone") }}'))
{%- endmacro %}

{% macro spark__company_day_start(day) -%}
    to_utc_timestamp(cast({{ day }} as timestamp), '{{ var("company_time_zone") }}')
{%- endmacro %}

{% macro spark__day_diff(start_date, end_date) -%}
    cast(datediff({{ end_date }}, {{ start_date }}) as bigint)
{%- endmacro %}

{% macro spark__seconds_between(start_timestamp, end_timestamp) -%}
    (unix_timestamp({{ end_timestamp }}) - unix_timestamp({{ start_timestamp }}))
{%- endmacro %}

{% macro spark__day_series(start_date, end_date) -%}
    select explode(sequence(cast({{ start_date }} as date), cast({{ end_date }} as date), interval 1 day)) as date_day
{%- endmacro %}

{% macro iso_day_of_week(day) -%}
    {{ return(adapter.dispatch('iso_day_of_week', 'revops')(day)) }}
{%- endmacro %}

{% macro default__iso_day_of_week(day) -%}
    extract(isodow from {{ day }})
{%- endmacro %}

{% macro spark__iso_day_of_week(day) -%}
    extract(dayofweek_iso from {{ day }})
{%- endmacro %}

{#- The row's position in its seed file; Spark numbers rows only over an ordering. -#}
{% macro spark__file_row_number() -%}
    row_number() over (order by monotonically_increasing_id())
{%- endmacro %}

{#- dbt-spark's listagg drops the ordering (collect_list is unordered); Spark 4 has listagg
    ... within group (order by ...), which keeps it. -#}
{% macro spark__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
    {%- if limit_num -%}
        {{ exceptions.raise_compiler_error("listagg with a limit is not implemented for Spark here") }}
    {%- endif -%}
    listagg({{ measure }}, {{ delimiter_text }})
    {%- if order_by_clause %} within group ({{ order_by_clause }}){% endif %}
{%- endmacro %}

{#- Seeds: dbt-spark's session cursor binds an empty cell as the text 'None' (it quotes every
    parameter), so the rows are written as SQL literals here, an empty cell as null. -#}
{% macro spark__load_csv_rows(model, agate_table) %}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
        {%- set sql -%}
            insert into {{ this.render() }} values
            {% for row in chunk -%}
                ({%- for value in row -%}
                    {%- set column = agate_table.column_names[loop.index0] -%}
                    {%- set type = column_override.get(column, adapter.convert_type(agate_table, loop.index0)) -%}
                    {%- set text = value | string | replace("\\", "\\\\") | replace("'", "\\'") -%}
                    cast({{ 'null' if value is none else "'" ~ text ~ "'" }} as {{ type }}){{ ", " if not loop.last }}
                {%- endfor -%}){{ "," if not loop.last }}
            {% endfor %}
        {%- endset -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- if loop.first -%}{%- do statements.append(sql) -%}{%- endif -%}
    {%- endfor -%}
    {{ return(statements[0] if statements else '') }}
{% endmacro %}

{% macro spark__materialized_cte() -%}
{%- endmacro %}

{% macro spark__row_number_once(keys) -%}
    row_number() over (order by {{ keys | join(', ') }})
{%- endmacro %}
