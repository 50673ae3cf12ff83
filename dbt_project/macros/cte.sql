{#- `materialized` for a CTE several branches read: DuckDB and PostgreSQL compute it once. DuckDB
    would inline a plain projection into each branch, a scan and join apiece. Spark has no such
    keyword (spark.sql). -#}
{% macro materialized_cte() -%}
    {{ return(adapter.dispatch('materialized_cte', 'revops')()) }}
{%- endmacro %}

{% macro default__materialized_cte() -%}
    materialized
{%- endmacro %}

{#- A number per row of a CTE computed once (`materialized_cte()`), in no order: cheaper than
    sorting. Spark computes a CTE once per reader, so it numbers in `keys` order, the same every
    time (spark.sql). -#}
{% macro row_number_once(keys) -%}
    {{ return(adapter.dispatch('row_number_once', 'revops')(keys)) }}
{%- endmacro %}

{% macro default__row_number_once(keys) -%}
    row_number() over ()
{%- endmacro %}
