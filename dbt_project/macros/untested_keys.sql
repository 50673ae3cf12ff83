{#-
  Data tests that read only the rows no passing run has tested yet. A nightly changed-key
  incremental (macros/incremental.sql) rewrites the rows of a few keys; testing the whole table
  each night repeats work whose answer cannot have changed (unique on 2M lead ids: 0.4-0.9 s a
  test at 2M leads, five times that at 10M).

  A test opts in with `config: {where: "<key> is null or <key> in (__untested_keys__)"}`, which
  is exact for tests whose failing rows are found within one key: row checks (not_null,
  accepted_values, accepted_range) and uniqueness of a key or of columns that include it. Not for
  a test that compares with another model (relationships): the other model may change under
  unchanged keys. A model that also rewrites every row from a day on (the daily snapshot's
  lookback) logs that day: `... or snapshot_date >= __untested_from_day__`.

  - The model's pre-hook appends the keys it rewrites to audit.untested_keys__<model>; a full
    build logs one `everything` row instead.
  - The test reads the rows of the logged keys (get_where_subquery below), or the whole table when
    the log has `everything` or does not exist (a model built before the log).
  - on-run-end empties the log of a model once every opted-in test of it has passed in the run.
    A test that fails, warns or does not run keeps the keys, so a problem is reported again each
    night until it is mended, as a test of the whole table would.
  Spark rebuilds these models in full, so its tests read whole tables.
-#}

{% macro untested_keys_log(identifier=none) -%}
    audit.untested_keys__{{ identifier or this.identifier }}
{%- endmacro %}

{#- What a test's `where` may name, and what each stands for. -#}
{% macro untested_placeholders(log) -%}
    {{ return({
        '__untested_keys__': 'select key from ' ~ log ~ ' where key is not null',
        '__untested_from_day__': '(select min(from_day) from ' ~ log ~ ')',
    }) }}
{%- endmacro %}

{% macro names_untested_rows(where) -%}
    {%- for placeholder in untested_placeholders('') if placeholder in (where or '') -%}
        {{ return(true) }}
    {%- endfor -%}
    {{ return(false) }}
{%- endmacro %}

{#- Whether `test` (a graph node) opted in. -#}
{% macro reads_untested_keys(test) -%}
    {{ return(test.resource_type == 'test' and names_untested_rows(test.config.where)) }}
{%- endmacro %}

{#- The opted-in tests of the model with this unique_id. -#}
{% macro tests_reading_untested_keys(model_id) -%}
    {%- set tests = [] -%}
    {%- for node in graph.nodes.values() if reads_untested_keys(node) and model_id in node.depends_on.nodes -%}
        {%- do tests.append(node.unique_id) -%}
    {%- endfor -%}
    {{ return(tests) }}
{%- endmacro %}

{#- Whether the model this hook runs for logs its keys: it has an opted-in test. -#}
{% macro logs_untested_keys() -%}
    {{ return(execute and target.type != 'spark' and tests_reading_untested_keys(model.unique_id) | length > 0) }}
{%- endmacro %}

{% macro this_run() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as {{ dbt.type_timestamp() }})
{%- endmacro %}

{% macro create_untested_keys_log(identifier=none) -%}
    create schema if not exists audit;
    create table if not exists {{ untested_keys_log(identifier) }} (
        key {{ dbt.type_string() }}, from_day date, logged_at {{ dbt.type_timestamp() }}, everything boolean
    )
{%- endmacro %}

{#- For an incremental pre-hook that deletes the rows of `changed_keys` (a select of one column)
    and, when the model rewrites every row from a day on, of `from_day` (a date expression):
    `log`, the statements (each ending in `;`) that append them to the log when the model has
    opted-in tests, and `select`, the keys its delete reads: from the log when there is one, so
    the changed set is computed once. -#}
{% macro log_changed_keys(changed_keys, from_day=none) -%}
    {%- if not logs_untested_keys() -%}
        {{ return({'log': '', 'select': changed_keys}) }}
    {%- endif -%}
    {%- set log -%}
    {{ create_untested_keys_log() }};
    insert into {{ untested_keys_log() }} (key, from_day, logged_at, everything)
    select distinct changed.*, cast(null as date), {{ this_run() }}, false from ({{ changed_keys }}) as changed;
    {%- if from_day is not none %}
    insert into {{ untested_keys_log() }} (key, from_day, logged_at, everything)
    values (null, {{ from_day }}, {{ this_run() }}, false);
    {%- endif %}
    {%- endset -%}
    {%- set keys -%}
    select key from {{ untested_keys_log() }} where logged_at = {{ this_run() }} and key is not null
    {%- endset -%}
    {{ return({'log': log, 'select': keys}) }}
{%- endmacro %}

{#- Full-build pre-hook: every row is untested. -#}
{% macro log_everything_untested() -%}
    {%- if logs_untested_keys() -%}
    {{ create_untested_keys_log() }};
    delete from {{ untested_keys_log() }};
    insert into {{ untested_keys_log() }} (key, from_day, logged_at, everything)
    values (null, null, {{ this_run() }}, true)
    {%- else -%}
    select 1
    {%- endif -%}
{%- endmacro %}

{#- Whether a test of `relation` must read all of it; asked when the test compiles. -#}
{% macro untested_everything(relation) -%}
    {%- if not execute or target.type == 'spark' -%}{{ return(true) }}{%- endif -%}
    {%- set log_name = 'untested_keys__' ~ relation.identifier -%}
    {%- set found = run_query(
        "select count(*) from information_schema.tables where table_schema = 'audit' and table_name = '"
        ~ log_name ~ "'"
    ) -%}
    {%- if found.columns[0].values()[0] == 0 -%}{{ return(true) }}{%- endif -%}
    {%- set everything = run_query("select count(*) from audit." ~ log_name ~ " where everything") -%}
    {{ return(everything.columns[0].values()[0] > 0) }}
{%- endmacro %}

{#- dbt's hook for a test's `where` (the documented way to give it runtime logic). -#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where') -%}
    {%- if names_untested_rows(where) -%}
        {%- if untested_everything(relation) -%}{{ return(relation) }}{%- endif -%}
        {%- set filter = namespace(sql=where) -%}
        {%- for placeholder, sql in untested_placeholders(untested_keys_log(relation.identifier)).items() -%}
            {%- set filter.sql = filter.sql | replace(placeholder, sql) -%}
        {%- endfor -%}
        {{ return('(select * from ' ~ relation ~ ' where ' ~ filter.sql ~ ') dbt_subquery') }}
    {%- endif -%}
    {{ return(adapter.dispatch('get_where_subquery', 'dbt')(relation)) }}
{%- endmacro %}

{#- on-run-end: empty the log of every model whose opted-in tests all passed in this run. -#}
{% macro forget_tested_keys() -%}
    {%- if not execute or target.type == 'spark' -%}{{ return('select 1') }}{%- endif -%}
    {%- set passed = [] -%}
    {%- for result in results if result.node.resource_type == 'test' and result.status == 'pass' -%}
        {%- do passed.append(result.node.unique_id) -%}
    {%- endfor -%}
    {%- set tests_of = {} -%}
    {%- for node in graph.nodes.values() if reads_untested_keys(node) -%}
        {%- for model_id in node.depends_on.nodes if model_id.startswith('model.') -%}
            {%- do tests_of.setdefault(model_id, []).append(node.unique_id) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- set statements = [] -%}
    {%- for model_id, tests in tests_of.items() -%}
        {%- if tests | reject('in', passed) | list | length == 0 -%}
            {%- set identifier = graph.nodes[model_id].alias -%}
            {%- do statements.append(create_untested_keys_log(identifier)) -%}
            {%- do statements.append('delete from ' ~ untested_keys_log(identifier)) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return((statements | join(';\n')) if statements else 'select 1') }}
{%- endmacro %}
