{#-
  on-run-end: every model and seed this invocation built, and every test that passed or warned,
  in audit.node_builds, whoever ran dbt. The nightly job leaves a node out when nothing it is built
  from changed since its recorded build (orchestration/build_state.py), and fills in, right after
  its own invocations, the fingerprint of each node's definition. A build recorded here alone (a
  developer's `dbt build`) has no fingerprint, so the next night rebuilds that node and everything
  downstream of it: whatever the developer's build left in the table is replaced.
-#}
{% macro record_node_builds() -%}
    {%- if not execute or target.type == 'spark' -%}{{ return('select 1') }}{%- endif -%}
    {%- set built = [] -%}
    {%- for result in results
        if result.node.resource_type in ('model', 'seed', 'test') and result.status in ('success', 'pass', 'warn') -%}
        {%- do built.append("('" ~ result.node.unique_id ~ "', '" ~ result.status ~ "')") -%}
    {%- endfor -%}
    {%- if not built -%}{{ return('select 1') }}{%- endif -%}
    create schema if not exists audit;
    create table if not exists audit.node_builds (
        unique_id {{ dbt.type_string() }}, fingerprint {{ dbt.type_string() }}, built_at {{ dbt.type_timestamp() }},
        status {{ dbt.type_string() }}, invocation_id {{ dbt.type_string() }}
    );
    delete from audit.node_builds where unique_id in (select unique_id from (values {{ built | join(', ') }}) as built (unique_id, status));
    insert into audit.node_builds (unique_id, fingerprint, built_at, status, invocation_id)
    select unique_id, cast(null as {{ dbt.type_string() }}), {{ this_run() }}, status, '{{ invocation_id }}'
    from (values {{ built | join(', ') }}) as built (unique_id, status)
{%- endmacro %}
