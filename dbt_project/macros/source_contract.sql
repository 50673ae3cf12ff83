{#- The key (grain) of a source table, from its `meta.key` in the sources YAML (default: id).
    The same YAML is the extractors' contract, so the grain is declared once. -#}
{% macro source_key_columns(source_name, table_name) -%}
    {%- if execute -%}
        {%- for node in graph.sources.values() -%}
            {%- if node.source_name == source_name and node.name == table_name -%}
                {%- set meta = node.config.meta or node.meta or {} -%}
                {{ return(meta.get('key', ['id'])) }}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(['id']) }}
{%- endmacro %}

{#- Staging boilerplate: the latest version of each record of a source table. -#}
{% macro latest_source_rows(source_name, table_name, crm=true) -%}
    {%- if crm -%}
        {{ latest_versions(source(source_name, table_name), source_key_columns(source_name, table_name)) }}
    {%- else -%}
        {{ latest_versions(source(source_name, table_name), source_key_columns(source_name, table_name), version_timestamps=[], fivetran_history=false) }}
    {%- endif -%}
{%- endmacro %}

{#- Load metadata carried from raw into staging so every row can be traced to its file and row. -#}
{% macro load_metadata_columns() -%}
    _batch_id,
    _loaded_at,
    _source_file,
    _source_row,
    _version_count
{%- endmacro %}
