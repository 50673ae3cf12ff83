{#- Staging boilerplate: the latest version of each record of a source table. -#}
{% macro latest_source_rows(source_name, table_name, crm=true) -%}
    {#- Other inputs than the CRM have no modstamps to order versions by and no Fivetran history. -#}
    {%- set versioning = {} if crm else {'version_timestamps': [], 'fivetran_history': false} -%}
    {{ latest_versions(source(source_name, table_name), quarantine=quarantine_relation(table_name), changed_only=true,
        **versioning) }}
{%- endmacro %}


{#- Load metadata carried from raw into staging so every row can be traced to its file and row;
    _record_key also lets a night delete a changed record's staged row by its key
    (macros/incremental.sql, staging_delete_changed). -#}
{% macro load_metadata_columns() -%}
    _batch_id,
    _loaded_at,
    _source_file,
    _source_row,
    _row_hash,
    _record_key,
    _version_count
{%- endmacro %}

{#-
  Rows of a planning input: the export's own file when it has any rows, else the project's
  default in seeds/ (SOURCES.md: "a source directory's own files win"). The export's file is the
  latest one loaded (a whole-file table: see _inputs__sources.yml). Both are text here; the
  staging model parses them. Seed rows carry _batch_id 'seed' and _source_file seeds/<name>.csv.
-#}
{% macro plan_input_rows(table_name, columns) -%}
    with

    exported as (
        select
            {%- for column in columns %}
            {{ column }},
            {%- endfor %}
            {{ load_metadata_columns() }}
        from ({{ latest_versions(latest_file_rows(table_name),
            version_timestamps=[], fivetran_history=false, quarantine=quarantine_relation(table_name)) }}) as latest
    ),

    defaults as (
        select
            {%- for column in columns %}
            cast({{ column }} as {{ dbt.type_string() }}) as {{ column }},
            {%- endfor %}
            'seed' as _batch_id,
            cast(null as timestamp) as _loaded_at,
            'seeds/{{ table_name }}.csv' as _source_file,
            -- The seed's spreadsheet row (the header is row 1), so problems can name it.
            cast({{ file_row_number() }} + 1 as bigint) as _source_row,
            cast(null as {{ dbt.type_string() }}) as _row_hash,
            cast(null as {{ dbt.type_string() }}) as _record_key,
            1 as _version_count
        from {{ ref(table_name) }}
    )

    select * from exported
    union all
    select * from defaults
    where not exists (select 1 from exported)
{%- endmacro %}

{#- The rows of the latest file loaded into a whole-file input table (one load batch). -#}
{% macro latest_file_rows(table_name) -%}
    (
        select * from {{ source('inputs', table_name) }}
        where _batch_id = (
            select max(_batch_id) from {{ source('inputs', table_name) }}
            where _loaded_at = (select max(_loaded_at) from {{ source('inputs', table_name) }})
        )
    )
{%- endmacro %}

{#- Where the quality gate keeps the rows of a source table it held out of the marts. -#}
{% macro quarantine_relation(table_name) -%}
    {{ return(api.Relation.create(database=(target.database or none), schema='quarantine', identifier=table_name)) }}
{%- endmacro %}

{#-
  on-run-start: one quarantine.<table> per contract source table, so that staging can exclude
  what the quality gate (orchestration/quality) holds out before the gate has ever run.
-#}
{% macro create_quarantine_tables() -%}
    {{ return(adapter.dispatch('create_quarantine_tables', 'revops')()) }}
{%- endmacro %}

{% macro default__create_quarantine_tables() -%}
    {%- if execute -%}
        {%- do adapter.create_schema(api.Relation.create(database=target.database, schema='quarantine')) -%}
        {#- One round trip for all of them: every dbt command runs this hook, `dbt build -s <model>`
            included, and ~27 separate statements were ~0.1 s of it. -#}
        {%- set statements = [] -%}
        {%- for node in graph.sources.values() if node.source_name in ['salesforce', 'inputs'] -%}
            {%- do statements.append(
                "create table if not exists " ~ quarantine_relation(node.name) ~ " ("
                ~ "_row_hash varchar, _batch_id varchar, _source_file varchar, _source_row bigint, "
                ~ "record_key varchar, rule varchar, column_name varchar, reason varchar, "
                ~ "raw_values varchar, run_id varchar, quarantined_at timestamp)"
            ) -%}
        {%- endfor -%}
        {%- if statements %}{% do run_query(statements | join(";\n")) %}{% endif -%}
    {%- endif -%}
{%- endmacro %}

{#- The row's position in the (seed) table it reads, in file order. -#}
{% macro file_row_number() -%}
    {{ return(adapter.dispatch('file_row_number', 'revops')()) }}
{%- endmacro %}

{% macro default__file_row_number() -%}
    row_number() over ()
{%- endmacro %}
