{#- Schemas are exactly raw, staging, intermediate, marts, quarantine, audit (no target prefix):
    BI tools, auditors and the Python extractors all address them by these names. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema | trim }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
