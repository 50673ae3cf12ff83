{#- `materialized` for a CTE several branches read: DuckDB and PostgreSQL compute it once. DuckDB
    would inline a plain projection into each branch, a scan and join apiece. Spark has no such
    keyword (spark.sql). -#}
{% macro materialized_cte() -%}
    {{ return(adapter.dispatch('materialized_cte', 'revops')()) }}
{%- endmacro %}

{% macro default__materialized_cte() -%}
    materialized
{%- endmacro %}
